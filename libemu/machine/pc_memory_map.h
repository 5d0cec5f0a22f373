// The physical memory map a kernel on `pc` is told about (Multiboot's memory map, Linux's
// e820 table): what SeaBIOS reports on QEMU's pc for the same RAM size.
#pragma once

#include <cstdint>
#include <vector>

namespace emu {

enum class E820Type : uint32_t { Ram = 1, Reserved = 2 };

struct PcMemoryRange {
    uint64_t base = 0;
    uint64_t length = 0;
    E820Type type = E820Type::Ram;
};

// SeaBIOS keeps the top 128 KiB of RAM for itself (its tables): RAM above 1 MiB ends here.
uint64_t pc_usable_ram_top(uint64_t ram_size);

// SeaBIOS's map: RAM below the EBDA at 0x9FC00, the EBDA, the BIOS area from 0xF0000 (where
// the MP and ACPI tables lie), RAM from 1 MiB, the top 128 KiB and the BIOS ROM below 4 GiB.
std::vector<PcMemoryRange> pc_bios_memory_map(uint64_t ram_size);

// The same with the I/O APIC's and the local APIC's register pages reserved, for kernels that
// take the map as the whole truth about the address space (Linux's e820 table). The fw_cfg
// device sits in I/O space and takes no memory.
std::vector<PcMemoryRange> pc_linux_memory_map(uint64_t ram_size);

}  // namespace emu
