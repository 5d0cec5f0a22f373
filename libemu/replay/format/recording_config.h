// The run configuration a recording's header payload holds (configuration version 3):
// everything a replay needs to rebuild the same machine, including which header blob holds
// which boot file. docs/recording-format.md, "Header payload".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "machine/machine.h"

namespace emu {

// What a header blob is to the machine. The numbers are the file's.
enum class BootRole : uint8_t {
    Kernel = 1,      // --kernel
    Initrd = 2,      // --initrd
    Module = 3,      // --module (pc), with its command line
    DeviceTree = 4,  // the device tree the guest received (generated or from --dtb), as placed
    Bios = 5,        // --bios (virt)
};
const char* boot_role_name(BootRole role);

// Blob i of the header is files[i].
struct RecordedFile {
    BootRole role = BootRole::Kernel;
    std::string path;          // as given to rr-record; a description for a generated tree
    std::string command_line;  // a module's; empty otherwise
};

struct RecordingConfig {
    MachineConfig machine;
    uint64_t hash_every = 0;  // instructions between periodic state hashes, 0: only at the end
    std::string append;       // --append
    std::vector<RecordedFile> files;

    // The kernel's path as given to rr-record, or empty (firmware boots).
    std::string kernel_path() const;
    // machine.virtio.drives[i]'s image is header blob drive_blobs[i] (the config holds no bytes).
    std::vector<uint32_t> drive_blobs;
};

std::vector<uint8_t> encode(const RecordingConfig& c);
// `file` names the recording in error messages. Checks what can be checked without the blobs:
// at most one of each role but Module, and a kernel or firmware to start.
Result<RecordingConfig> decode_recording_config(std::span<const uint8_t> payload, const std::string& file);

}  // namespace emu
