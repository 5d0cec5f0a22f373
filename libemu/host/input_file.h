// Whole input files the user names (guest images, and later initrds, device trees, disks),
// read with the checks every tool makes the same way: a missing or unreadable file, or one
// that is not a regular file (a directory, a FIFO), is NoInput with one line that says which.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace emu {

Result<std::vector<uint8_t>> read_input_file(const std::string& path);

}  // namespace emu
