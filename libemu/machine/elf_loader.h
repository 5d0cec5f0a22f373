// Reads ELF executables (ELF64 AArch64 and ELF32 i386) into segments and symbols. Every
// malformed input becomes an Error naming the file and the problem; nothing is trusted.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/bus.h"
#include "core/result.h"

namespace emu {

enum class ElfMachine : uint16_t { I386 = 3, AArch64 = 183 };

struct ElfSegment {
    uint64_t paddr = 0;
    uint64_t vaddr = 0;
    uint64_t memsz = 0;          // bytes in memory; those past data.size() are zero
    bool executable = false;     // PF_X
    std::vector<uint8_t> data;   // the file bytes of the segment
};

struct ElfImage {
    std::string path;
    ElfMachine machine = ElfMachine::AArch64;
    uint64_t entry = 0;
    std::vector<ElfSegment> segments;       // PT_LOAD segments, in file order
    std::map<std::string, uint64_t> symbols;  // function and object symbols, by name
    std::vector<uint8_t> file;              // the whole file, for content hashes and embedding

    // Where the CPU starts, as QEMU's ELF loader computes it: e_entry, unless it lies in the
    // file bytes of an executable segment whose p_vaddr and p_paddr differ (a kernel linked
    // high and loaded low), where it moves with the segment by p_paddr - p_vaddr.
    uint64_t physical_entry() const;
    // The lowest p_paddr and the end of the highest segment in memory.
    uint64_t physical_low() const;
    uint64_t physical_high() const;
};

Result<ElfImage> read_elf(const std::string& path);
Result<ElfImage> parse_elf(std::vector<uint8_t> file, const std::string& name);

// Copies the segments to their physical addresses; an Error if one falls outside RAM.
Result<Done> load_elf(const ElfImage& image, Bus& bus);

}  // namespace emu
