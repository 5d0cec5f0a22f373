// Telling kernel images apart by content, for the loaders' choices and their error messages,
// and undoing the gzip compression QEMU's arm loader undoes (Debian's arm64 vmlinuz).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace emu {

// What the bytes look like, for messages: "an i386 ELF executable", "a gzip-compressed file",
// "an arm64 Linux Image", "a Linux/x86 bzImage", "a raw binary (no header this build knows)".
std::string describe_kernel_format(std::span<const uint8_t> file);

bool is_elf(std::span<const uint8_t> file);
bool is_gzip(std::span<const uint8_t> file);

// The decompressed bytes of a gzip file (one member), at most `limit` of them. `name` is for
// messages; a damaged stream is BadRecording.
Result<std::vector<uint8_t>> gunzip(std::span<const uint8_t> file, uint64_t limit, const std::string& name);

}  // namespace emu
