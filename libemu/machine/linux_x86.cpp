#include "machine/linux_x86.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/format.h"
#include "machine/pc_memory_map.h"

namespace emu {

namespace {

// Offsets in the zero page and the setup header (boot.rst, "The real-mode kernel header",
// and zero-page.rst).
constexpr size_t kE820Entries = 0x1E8;
constexpr size_t kSetupSects = 0x1F1;
constexpr size_t kVidMode = 0x1FA;
constexpr size_t kJump = 0x200;  // the byte at 0x201 is the header's length past 0x202
constexpr size_t kHeaderMagic = 0x202;
constexpr size_t kVersion = 0x206;
constexpr size_t kTypeOfLoader = 0x210;
constexpr size_t kLoadFlags = 0x211;
constexpr size_t kCode32Start = 0x214;
constexpr size_t kRamdiskImage = 0x218;
constexpr size_t kRamdiskSize = 0x21C;
constexpr size_t kHeapEndPtr = 0x224;
constexpr size_t kCmdLinePtr = 0x228;
constexpr size_t kInitrdAddrMax = 0x22C;
constexpr size_t kCmdlineSize = 0x238;
constexpr size_t kInitSize = 0x260;
constexpr size_t kHeaderEndMin = 0x264;  // through init_size
constexpr size_t kE820Table = 0x2D0;
constexpr size_t kE820MaxEntries = 128;
constexpr size_t kZeroPage = 4096;

constexpr uint8_t kLoadedHigh = 0x01;
constexpr uint8_t kKeepSegments = 0x40;
constexpr uint8_t kCanUseHeap = 0x80;
constexpr uint16_t kVidModeNormal = 0xFFFF;
constexpr uint16_t kMinProtocol = 0x202;  // cmd_line_ptr
constexpr uint32_t kDefaultInitrdMax = 0x37FFFFFF;
constexpr uint32_t kDefaultCmdlineMax = 255;

uint32_t get(std::span<const uint8_t> b, size_t at, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i)
        v |= uint32_t{b[at + i]} << (8 * i);
    return v;
}

void put(std::vector<uint8_t>& b, size_t at, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

Error malformed(const BootFile& kernel, const std::string& what)
{
    return Error{ExitStatus::BadRecording, kernel.name + ": malformed bzImage: " + what};
}

}  // namespace

bool is_linux_bzimage(std::span<const uint8_t> file)
{
    return file.size() >= kHeaderMagic + 4 && std::memcmp(file.data() + kHeaderMagic, "HdrS", 4) == 0;
}

Result<LinuxX86Boot> load_linux_x86(const BootFile& kernel, const std::optional<BootFile>& initrd,
                                    const std::string& command_line, Bus& bus, uint64_t ram_size)
{
    std::span<const uint8_t> f = kernel.bytes;
    if (f.size() < kHeaderEndMin)
        return malformed(kernel, "the setup header is cut short by the end of the file");
    uint16_t protocol = static_cast<uint16_t>(get(f, kVersion, 2));
    if (protocol < kMinProtocol)
        return malformed(kernel, "boot protocol " + std::to_string(protocol >> 8) + "." + std::to_string(protocol & 0xFF) +
                                     " is older than 2.02, which the 32-bit entry needs");
    if (!(f[kLoadFlags] & kLoadedHigh))
        return malformed(kernel, "a zImage (loaded low) rather than a bzImage");
    // The header ends where its first field, a jump over it, lands; the e820 table follows.
    size_t header_end = std::min({kHeaderMagic + f[kJump + 1], kE820Table, f.size()});
    unsigned setup_sects = f[kSetupSects] ? f[kSetupSects] : 4;
    size_t kernel_offset = (setup_sects + 1) * size_t{512};
    if (kernel_offset >= f.size())
        return malformed(kernel, "setup_sects " + std::to_string(setup_sects) + " leaves no protected-mode kernel");
    uint64_t kernel_bytes = f.size() - kernel_offset;
    uint64_t init_size = protocol >= 0x20A ? get(f, kInitSize, 4) : 0;
    uint64_t kernel_end = LinuxX86Layout::kKernel + std::max(kernel_bytes, init_size);
    uint64_t usable_top = pc_usable_ram_top(ram_size);
    if (kernel_end > usable_top)
        return Error{ExitStatus::BadRecording, kernel.name + ": the kernel needs RAM up to " + hex(kernel_end) +
                                                   " (init_size), past the " + std::to_string(ram_size >> 20) +
                                                   " MiB of -M pc; give --mem more"};

    uint32_t cmdline_max = protocol >= 0x206 ? get(f, kCmdlineSize, 4) : kDefaultCmdlineMax;
    if (command_line.size() > cmdline_max)
        return Error{ExitStatus::Usage, "--append: " + std::to_string(command_line.size()) +
                                            " bytes; the kernel takes a command line of at most " +
                                            std::to_string(cmdline_max)};

    std::vector<uint8_t> zero(kZeroPage, 0);
    std::copy(f.begin() + kSetupSects, f.begin() + static_cast<ptrdiff_t>(header_end), zero.begin() + kSetupSects);
    put(zero, kVidMode, kVidModeNormal, 2);
    zero[kTypeOfLoader] = LinuxX86Layout::kTypeOfLoader;
    zero[kLoadFlags] = static_cast<uint8_t>((zero[kLoadFlags] | kCanUseHeap) & ~kKeepSegments);
    // As QEMU sets it: the heap ends 512 bytes below the command line, relative to the zero page.
    put(zero, kHeapEndPtr, LinuxX86Layout::kCommandLine - LinuxX86Layout::kBootParams - 0x200, 2);
    put(zero, kCmdLinePtr, LinuxX86Layout::kCommandLine, 4);

    LinuxX86Boot boot;
    boot.entry = get(f, kCode32Start, 4);
    if (initrd) {
        uint64_t initrd_max = protocol >= 0x203 ? get(f, kInitrdAddrMax, 4) : kDefaultInitrdMax;
        if (initrd_max >= ram_size - LinuxX86Layout::kAcpiDataSize)
            initrd_max = ram_size - LinuxX86Layout::kAcpiDataSize - 1;
        uint64_t size = initrd->bytes.size();
        if (size >= initrd_max)
            return Error{ExitStatus::BadRecording, initrd->name + ": the initrd (" + std::to_string(size) +
                                                       " bytes) does not fit below " + hex(initrd_max)};
        uint64_t addr = (initrd_max - size) & ~uint64_t{0xFFF};
        if (addr < kernel_end)
            return Error{ExitStatus::BadRecording, initrd->name + ": the initrd (" + std::to_string(size) +
                                                       " bytes) would overlap the kernel, which needs RAM up to " +
                                                       hex(kernel_end) + "; give --mem more"};
        boot.initrd_addr = static_cast<uint32_t>(addr);
        boot.initrd_size = static_cast<uint32_t>(size);
        put(zero, kRamdiskImage, addr, 4);
        put(zero, kRamdiskSize, size, 4);
    }

    std::vector<PcMemoryRange> map = pc_linux_memory_map(ram_size);
    zero[kE820Entries] = static_cast<uint8_t>(std::min(map.size(), kE820MaxEntries));
    for (size_t i = 0; i < map.size() && i < kE820MaxEntries; ++i) {
        put(zero, kE820Table + 20 * i, map[i].base, 8);
        put(zero, kE820Table + 20 * i + 8, map[i].length, 8);
        put(zero, kE820Table + 20 * i + 16, static_cast<uint32_t>(map[i].type), 4);
    }

    // Flat 4 GiB segments: __BOOT_CS execute/read, __BOOT_DS read/write (G, D/B, present).
    std::vector<uint8_t> gdt(LinuxX86Layout::kGdtLimit + 1, 0);
    put(gdt, LinuxX86Layout::kBootCs, 0x00CF9A000000FFFFull, 8);
    put(gdt, LinuxX86Layout::kBootDs, 0x00CF92000000FFFFull, 8);

    bool ok = bus.write_bytes(LinuxX86Layout::kKernel, f.data() + kernel_offset, kernel_bytes) &&
              bus.write_bytes(LinuxX86Layout::kBootParams, zero.data(), zero.size()) &&
              bus.write_bytes(LinuxX86Layout::kGdt, gdt.data(), gdt.size()) &&
              bus.write_bytes(LinuxX86Layout::kCommandLine, command_line.c_str(), command_line.size() + 1) &&
              (!initrd || bus.write_bytes(boot.initrd_addr, initrd->bytes.data(), initrd->bytes.size()));
    if (!ok)
        return Error{ExitStatus::BadRecording, kernel.name + ": the kernel or its initrd does not fit in RAM"};
    return boot;
}

}  // namespace emu
