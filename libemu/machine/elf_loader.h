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
    std::vector<uint8_t> data;   // the file bytes of the segment
};

struct ElfImage {
    std::string path;
    ElfMachine machine = ElfMachine::AArch64;
    uint64_t entry = 0;
    std::vector<ElfSegment> segments;       // PT_LOAD segments, in file order
    std::map<std::string, uint64_t> symbols;  // function and object symbols, by name
    std::vector<uint8_t> file;              // the whole file, for content hashes and embedding
};

Result<ElfImage> read_elf(const std::string& path);
Result<ElfImage> parse_elf(std::vector<uint8_t> file, const std::string& name);

// Copies the segments to their physical addresses; an Error if one falls outside RAM.
Result<Done> load_elf(const ElfImage& image, Bus& bus);

}  // namespace emu
