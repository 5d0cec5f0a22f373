// One guest instruction as text for reports ("add x0, x0, #1"), through Capstone when the
// build found it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace emu::tools {

// `machine` is "virt" (AArch64) or "pc"/"isapc" (i386, 32-bit code). Empty when Capstone is missing or
// the bytes do not decode.
std::string disassemble_one(const std::string& machine, uint64_t pc, std::span<const uint8_t> bytes);

}  // namespace emu::tools
