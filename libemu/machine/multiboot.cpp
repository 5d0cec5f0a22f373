#include "machine/multiboot.h"

#include <cstring>
#include <vector>

#include "core/format.h"

namespace emu {

namespace {

constexpr uint32_t kHeaderMagic = 0x1BADB002;
constexpr uint32_t kBootMagic = 0x2BADB002;
constexpr size_t kHeaderSearchBytes = 8192;
constexpr uint32_t kHeaderAoutKludge = 1u << 16;
constexpr uint32_t kHeaderVideoMode = 1u << 2;

// Where QEMU's Multiboot option ROM leaves the structures (low memory, below the EBDA).
constexpr uint32_t kInfoAddr = 0x9500;
constexpr uint32_t kMmapAddr = 0x9000;

// Info flags: memory, boot device, command line, modules, memory map, boot loader name.
constexpr uint32_t kInfoFlags = 0x001 | 0x002 | 0x004 | 0x008 | 0x040 | 0x200;
constexpr uint32_t kBootDevice = 0x8000FFFF;  // first BIOS disk, no partition
constexpr uint64_t kTopReserved = 128 * 1024;  // SeaBIOS keeps the top 128 KiB below the RAM end

void put32(std::vector<uint8_t>& b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

Result<MultibootBoot> load_multiboot(const ElfImage& image, Bus& bus, uint64_t ram_size, const std::string& command_line)
{
    // The header: 4-byte aligned in the first 8 KiB, magic + flags + checksum summing to 0.
    const std::vector<uint8_t>& f = image.file;
    bool found = false;
    uint32_t flags = 0;
    for (size_t at = 0; at + 12 <= std::min(f.size(), kHeaderSearchBytes); at += 4) {
        uint32_t w[3];
        std::memcpy(w, f.data() + at, sizeof w);
        if (w[0] == kHeaderMagic && w[0] + w[1] + w[2] == 0) {
            found = true;
            flags = w[1];
            break;
        }
    }
    if (!found)
        return Error{ExitStatus::BadRecording, image.path + ": no Multiboot header in its first 8 KiB; -M pc boots "
                                                            "Multiboot v1 kernels"};
    if (flags & kHeaderAoutKludge)
        return Error{ExitStatus::BadRecording, image.path + ": a.out-kludge Multiboot images are not supported, only ELF"};
    if (flags & kHeaderVideoMode)
        return Error{ExitStatus::BadRecording, image.path + ": asks for a video mode; -M pc has no display"};
    if (ram_size < 2 * 1024 * 1024)
        return Error{ExitStatus::Usage, "-M pc needs at least 2 MiB of RAM"};
    if (Result<Done> loaded = load_elf(image, bus); !loaded)
        return loaded.error();

    uint64_t image_end = 0;
    for (const ElfSegment& s : image.segments)
        image_end = std::max(image_end, s.paddr + s.memsz);

    // The memory map SeaBIOS reports for this RAM size.
    struct Range {
        uint64_t base, len;
        uint32_t type;  // 1 available, 2 reserved
    };
    uint64_t usable_top = ram_size - kTopReserved;
    const Range map[] = {
        {0, 0x9FC00, 1},
        {0x9FC00, 0x400, 2},
        {0xF0000, 0x10000, 2},
        {0x100000, usable_top - 0x100000, 1},
        {usable_top, kTopReserved, 2},
        {0xFFFC0000, 0x40000, 2},
    };
    std::vector<uint8_t> mmap(sizeof map / sizeof map[0] * 24, 0);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; ++i) {
        put32(mmap, i * 24, 20);  // entry size, not counting this field
        put32(mmap, i * 24 + 4, static_cast<uint32_t>(map[i].base));
        put32(mmap, i * 24 + 8, static_cast<uint32_t>(map[i].base >> 32));
        put32(mmap, i * 24 + 12, static_cast<uint32_t>(map[i].len));
        put32(mmap, i * 24 + 16, static_cast<uint32_t>(map[i].len >> 32));
        put32(mmap, i * 24 + 20, map[i].type);
    }

    // Command line and loader name go on the first page after the image.
    uint64_t strings = (image_end + 0xFFF) & ~uint64_t{0xFFF};
    std::string loader = "qemu";
    if (strings + command_line.size() + loader.size() + 2 > usable_top)
        return Error{ExitStatus::BadRecording, image.path + ": the kernel leaves no room for its command line below " +
                                                   hex(usable_top)};
    uint32_t cmdline_addr = static_cast<uint32_t>(strings);
    uint32_t loader_addr = static_cast<uint32_t>(strings + command_line.size() + 1);

    std::vector<uint8_t> info(88, 0);
    put32(info, 0, kInfoFlags);
    put32(info, 4, 639);  // mem_lower, KiB
    put32(info, 8, static_cast<uint32_t>((usable_top - 0x100000) / 1024));
    put32(info, 12, kBootDevice);
    put32(info, 16, cmdline_addr);
    put32(info, 20, 0);  // mods_count
    put32(info, 24, 0);  // mods_addr
    put32(info, 44, static_cast<uint32_t>(mmap.size()));
    put32(info, 48, kMmapAddr);
    put32(info, 64, loader_addr);

    bool ok = bus.write_bytes(kMmapAddr, mmap.data(), mmap.size()) && bus.write_bytes(kInfoAddr, info.data(), info.size()) &&
              bus.write_bytes(cmdline_addr, command_line.c_str(), command_line.size() + 1) &&
              bus.write_bytes(loader_addr, loader.c_str(), loader.size() + 1);
    if (!ok)
        return Error{ExitStatus::BadRecording, image.path + ": Multiboot information does not fit in RAM"};
    return MultibootBoot{static_cast<uint32_t>(image.entry), kInfoAddr};
}

}  // namespace emu
