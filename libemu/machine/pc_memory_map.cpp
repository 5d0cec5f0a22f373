#include "machine/pc_memory_map.h"

#include "machine/pc_firmware_tables.h"

namespace emu {

namespace {
constexpr uint64_t kTopReserved = 128 * 1024;
constexpr uint64_t kEbda = 0x9FC00;
constexpr uint64_t kBiosArea = 0xF0000;
constexpr uint64_t kHighRam = 0x100000;
constexpr uint64_t kBiosRom = 0xFFFC0000;
constexpr uint64_t kApicPage = 0x1000;
}  // namespace

uint64_t pc_usable_ram_top(uint64_t ram_size) { return ram_size - kTopReserved; }

std::vector<PcMemoryRange> pc_bios_memory_map(uint64_t ram_size)
{
    uint64_t top = pc_usable_ram_top(ram_size);
    return {
        {0, kEbda, E820Type::Ram},
        {kEbda, 0xA0000 - kEbda, E820Type::Reserved},
        {kBiosArea, kHighRam - kBiosArea, E820Type::Reserved},
        {kHighRam, top - kHighRam, E820Type::Ram},
        {top, kTopReserved, E820Type::Reserved},
        {kBiosRom, (uint64_t{1} << 32) - kBiosRom, E820Type::Reserved},
    };
}

std::vector<PcMemoryRange> pc_linux_memory_map(uint64_t ram_size)
{
    std::vector<PcMemoryRange> map = pc_bios_memory_map(ram_size);
    PcMemoryRange rom = map.back();
    map.pop_back();
    map.push_back({PcFirmwareTables::kIoApic, kApicPage, E820Type::Reserved});
    map.push_back({PcFirmwareTables::kLocalApic, kApicPage, E820Type::Reserved});
    map.push_back(rom);
    return map;
}

}  // namespace emu
