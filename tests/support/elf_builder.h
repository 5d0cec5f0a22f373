// Minimal ET_EXEC images built in a test: one PT_LOAD segment of the given bytes at a physical
// address, an entry point, no sections. For -M pc the segment starts with a Multiboot v1
// header, which the loader looks for in the first 8 KiB of the file.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "machine/elf_loader.h"

namespace emu::test {

// The Multiboot header a guest for -M pc puts first in its image (no flags: an ELF kernel).
inline std::vector<uint8_t> multiboot_header()
{
    constexpr uint32_t kMagic = 0x1BADB002;
    uint32_t words[3] = {kMagic, 0, 0u - kMagic};
    std::vector<uint8_t> out(sizeof words);
    std::memcpy(out.data(), words, sizeof words);
    return out;
}

inline std::vector<uint8_t> build_elf(ElfMachine machine, uint64_t load_addr, uint64_t entry,
                                      const std::vector<uint8_t>& segment)
{
    const bool is64 = machine == ElfMachine::AArch64;
    const size_t ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32, offset = 0x100;
    std::vector<uint8_t> f(offset + segment.size(), 0);
    auto put = [&](size_t at, uint64_t v, size_t n) {
        for (size_t i = 0; i < n; ++i)
            f[at + i] = static_cast<uint8_t>(v >> (8 * i));
    };
    const uint8_t ident[] = {0x7f, 'E', 'L', 'F', static_cast<uint8_t>(is64 ? 2 : 1), 1, 1};
    std::memcpy(f.data(), ident, sizeof ident);
    put(16, 2, 2);  // ET_EXEC
    put(18, static_cast<uint16_t>(machine), 2);
    put(20, 1, 4);  // EV_CURRENT
    size_t word = is64 ? 8 : 4;
    put(24, entry, word);
    put(24 + word, ehsize, word);          // e_phoff: right after the header
    put(is64 ? 52 : 40, ehsize, 2);        // e_ehsize
    put(is64 ? 54 : 42, phsize, 2);        // e_phentsize
    put(is64 ? 56 : 44, 1, 2);             // e_phnum
    size_t ph = ehsize;
    put(ph, 1, 4);  // PT_LOAD
    if (is64) {
        put(ph + 4, 7, 4);  // RWX
        put(ph + 8, offset, 8);
        put(ph + 16, load_addr, 8);
        put(ph + 24, load_addr, 8);
        put(ph + 32, segment.size(), 8);
        put(ph + 40, segment.size(), 8);
    } else {
        put(ph + 4, offset, 4);
        put(ph + 8, load_addr, 4);
        put(ph + 12, load_addr, 4);
        put(ph + 16, segment.size(), 4);
        put(ph + 20, segment.size(), 4);
        put(ph + 24, 7, 4);
    }
    std::memcpy(f.data() + offset, segment.data(), segment.size());
    return f;
}

}  // namespace emu::test
