// The run configuration a recording's header payload holds (format version 1): everything a
// replay needs to rebuild the same machine. docs/recording-format.md, "Header payload".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "machine/machine.h"

namespace emu {

struct RecordingConfig {
    MachineConfig machine;
    uint64_t hash_every = 0;  // instructions between periodic state hashes, 0: only at the end
    std::string kernel_path;  // as given to rr-record: for messages, and for non-embedded images
    // machine.virtio.drives[i]'s image is header blob drive_blobs[i] (the config holds no bytes).
    std::vector<uint32_t> drive_blobs;
};

std::vector<uint8_t> encode(const RecordingConfig& c);
// `file` names the recording in error messages.
Result<RecordingConfig> decode_recording_config(std::span<const uint8_t> payload, const std::string& file);

}  // namespace emu
