// The boot files a recording was made with: their embedded copies, or files on this host
// whose size and content hash match the recording's.
#pragma once

#include <string>

#include "core/result.h"
#include "machine/boot_images.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_reader.h"

namespace emu {

// `kernel_override` (may be empty) replaces the recorded kernel's path and its embedded copy;
// either way every file's bytes must match the recorded hash. Files keep their recorded names
// (the Multiboot command line starts with the kernel's), and the recorded device tree is
// handed over to be placed as it is.
Result<BootImages> recorded_boot_images(const RecordingReader& reader, const RecordingConfig& config,
                                        const std::string& kernel_override);

// The XXH3-128 of `bytes`, as blobs record it.
RecordingBlobInfo describe_blob(const std::string& name, std::span<const uint8_t> bytes);

}  // namespace emu
