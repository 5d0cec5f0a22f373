// The guest image a recording was made with: its embedded copy, or a file on this host whose
// size and content hash match the recording's.
#pragma once

#include <string>

#include "core/result.h"
#include "machine/elf_loader.h"
#include "replay/format/recording_reader.h"

namespace emu {

// `override_path` (may be empty) replaces the path stored in the recording. An embedded copy
// is used unless an override is given; either way the bytes must match the recorded hash.
Result<ElfImage> recorded_kernel(const RecordingReader& reader, const std::string& stored_path,
                                 const std::string& override_path);

// The XXH3-128 of `bytes`, as blobs record it.
RecordingBlobInfo describe_blob(const std::string& name, std::span<const uint8_t> bytes);

}  // namespace emu
