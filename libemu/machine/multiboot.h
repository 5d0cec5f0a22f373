// Multiboot v1 loading of an ELF kernel, as QEMU's `-kernel` does for a Multiboot image: the
// segments are loaded, an information structure (memory sizes, boot device, command line,
// memory map, boot loader name) is built in low memory, and the CPU starts at the entry point
// in flat 32-bit protected mode with EAX = 0x2BADB002 and EBX = the structure's address.
#pragma once

#include <cstdint>
#include <string>

#include "core/bus.h"
#include "core/result.h"
#include "machine/elf_loader.h"

namespace emu {

struct MultibootBoot {
    uint32_t entry = 0;
    uint32_t info_addr = 0;
};

// `command_line` is what the kernel sees (QEMU passes "<kernel path> <append>"). RAM is at 0
// and `ram_size` bytes long.
Result<MultibootBoot> load_multiboot(const ElfImage& image, Bus& bus, uint64_t ram_size, const std::string& command_line);

}  // namespace emu
