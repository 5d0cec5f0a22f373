#include "machine/multiboot.h"

#include <algorithm>
#include <cstring>

#include "core/format.h"
#include "machine/elf_loader.h"
#include "machine/pc_memory_map.h"

namespace emu {

namespace {

constexpr uint32_t kHeaderMagic = 0x1BADB002;
constexpr size_t kHeaderSearchBytes = 8192;
constexpr uint32_t kHeaderVideoMode = 1u << 2;

// Where QEMU's Multiboot option ROM leaves the structures (low memory, below the EBDA).
constexpr uint32_t kInfoAddr = 0x9500;
constexpr uint32_t kMmapAddr = 0x9000;

// Info flags: memory, boot device, command line, modules, memory map, boot loader name.
constexpr uint32_t kInfoFlags = 0x001 | 0x002 | 0x004 | 0x008 | 0x040 | 0x200;
constexpr uint32_t kBootDevice = 0x8000FFFF;  // first BIOS disk, no partition
constexpr uint32_t kModuleEntryBytes = 16;   // mod_start, mod_end, string, reserved
const std::string kLoaderName = "qemu";

uint64_t page_align(uint64_t v) { return (v + kPageSize - 1) & ~(kPageSize - 1); }

void put32(std::vector<uint8_t>& b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

uint32_t get32(std::span<const uint8_t> f, size_t at)
{
    uint32_t v;
    std::memcpy(&v, f.data() + at, 4);
    return v;
}

Error malformed(const BootFile& kernel, const std::string& what)
{
    return Error{ExitStatus::BadRecording, kernel.name + ": malformed Multiboot image: " + what};
}

// The kernel as one block of bytes from its lowest load address: its image in memory.
struct KernelBlock {
    uint32_t load_addr = 0;
    uint32_t entry = 0;
    std::vector<uint8_t> bytes;  // up to the end of its bss
};

Result<KernelBlock> elf_kernel(const BootFile& kernel)
{
    Result<ElfImage> elf = parse_elf(kernel.bytes, kernel.name);
    if (!elf)
        return elf.error();
    if (elf->machine != ElfMachine::I386)
        return Error{ExitStatus::BadRecording, kernel.name + ": not an i386 ELF; -M pc boots i386 kernels"};
    uint64_t low = elf->physical_low(), high = elf->physical_high();
    if (high > UINT32_MAX)
        return malformed(kernel, "a segment ends above 4 GiB");
    KernelBlock k{static_cast<uint32_t>(low), static_cast<uint32_t>(elf->physical_entry()), {}};
    k.bytes.assign(high - low, 0);
    for (const ElfSegment& s : elf->segments)
        std::copy(s.data.begin(), s.data.end(), k.bytes.begin() + static_cast<ptrdiff_t>(s.paddr - low));
    return k;
}

// The a.out kludge: the header says which file bytes go where (QEMU's checks, in its order).
Result<KernelBlock> aout_kernel(const BootFile& kernel, const MultibootHeader& h)
{
    if (h.header_addr < h.load_addr)
        return malformed(kernel, "header_addr " + hex(h.header_addr) + " is below load_addr " + hex(h.load_addr));
    if (h.header_addr - h.load_addr > h.offset)
        return malformed(kernel, "header_addr " + hex(h.header_addr) + " puts load_addr before the file's start");
    uint32_t text_offset = h.offset - (h.header_addr - h.load_addr);
    uint64_t load_size;
    if (h.load_end_addr) {
        if (h.load_end_addr < h.load_addr)
            return malformed(kernel, "load_end_addr " + hex(h.load_end_addr) + " is below load_addr");
        load_size = h.load_end_addr - h.load_addr;
    } else {
        load_size = kernel.bytes.size() - text_offset;
    }
    if (text_offset + load_size > kernel.bytes.size())
        return malformed(kernel, "load_end_addr " + hex(h.load_end_addr) + " lies past the end of the file");
    if (load_size > UINT32_MAX - h.load_addr)
        return malformed(kernel, "the kernel does not fit below 4 GiB");
    uint64_t memory_size = load_size;
    if (h.bss_end_addr) {
        if (h.bss_end_addr < h.load_addr + load_size)
            return malformed(kernel, "bss_end_addr " + hex(h.bss_end_addr) + " is below the end of the loaded bytes");
        memory_size = h.bss_end_addr - h.load_addr;
    }
    KernelBlock k{h.load_addr, h.entry_addr, std::vector<uint8_t>(memory_size, 0)};
    std::copy_n(kernel.bytes.begin() + text_offset, load_size, k.bytes.begin());
    return k;
}

}  // namespace

std::optional<MultibootHeader> find_multiboot_header(std::span<const uint8_t> f)
{
    for (size_t at = 0; at + 12 <= std::min(f.size(), kHeaderSearchBytes); at += 4) {
        uint32_t magic = get32(f, at), flags = get32(f, at + 4), sum = get32(f, at + 8);
        if (magic != kHeaderMagic || magic + flags + sum != 0)
            continue;
        MultibootHeader h;
        h.offset = static_cast<uint32_t>(at);
        h.flags = flags;
        if ((flags & MultibootHeader::kAoutKludge) && at + 32 <= f.size()) {
            h.header_addr = get32(f, at + 12);
            h.load_addr = get32(f, at + 16);
            h.load_end_addr = get32(f, at + 20);
            h.bss_end_addr = get32(f, at + 24);
            h.entry_addr = get32(f, at + 28);
        }
        return h;
    }
    return std::nullopt;
}

Result<MultibootBoot> load_multiboot(const BootFile& kernel, const MultibootHeader& header,
                                     const std::vector<BootModule>& modules, const std::string& append, Bus& bus,
                                     uint64_t ram_size)
{
    if (header.flags & kHeaderVideoMode)
        return Error{ExitStatus::BadRecording, kernel.name + ": asks for a video mode; -M pc has no display"};
    if ((header.flags & MultibootHeader::kAoutKludge) && header.offset + 32 > kernel.bytes.size())
        return malformed(kernel, "the a.out kludge header is cut short by the end of the file");
    if (ram_size < 2 * 1024 * 1024)
        return Error{ExitStatus::Usage, "-M pc needs at least 2 MiB of RAM"};
    Result<KernelBlock> k =
        (header.flags & MultibootHeader::kAoutKludge) ? aout_kernel(kernel, header) : elf_kernel(kernel);
    if (!k)
        return k.error();

    // QEMU's layout from the kernel's load address: the kernel, page-aligned; the module
    // list; the module command lines, the kernel's and the loader name; then, page-aligned,
    // each module on pages of its own.
    std::string command_line = kernel.name + " " + append;
    uint64_t base = k->load_addr;
    uint64_t mods_addr = base + page_align(k->bytes.size());
    uint64_t strings = mods_addr + kModuleEntryBytes * modules.size();
    std::vector<uint8_t> string_bytes;
    auto add_string = [&](const std::string& s) {
        uint64_t at = strings + string_bytes.size();
        string_bytes.insert(string_bytes.end(), s.begin(), s.end());
        string_bytes.push_back(0);
        return static_cast<uint32_t>(at);
    };
    std::vector<uint8_t> mod_list(kModuleEntryBytes * modules.size(), 0);
    std::vector<uint32_t> module_strings;
    for (const BootModule& m : modules)
        module_strings.push_back(add_string(m.command_line));
    uint32_t cmdline_addr = add_string(command_line);
    uint32_t loader_addr = add_string(kLoaderName);
    uint64_t next = page_align(strings + string_bytes.size());
    std::vector<uint64_t> module_at;
    for (size_t i = 0; i < modules.size(); ++i) {
        module_at.push_back(next);
        put32(mod_list, i * kModuleEntryBytes, static_cast<uint32_t>(next));
        put32(mod_list, i * kModuleEntryBytes + 4, static_cast<uint32_t>(next + modules[i].file.bytes.size()));
        put32(mod_list, i * kModuleEntryBytes + 8, module_strings[i]);
        next = page_align(next + modules[i].file.bytes.size());
    }

    std::vector<PcMemoryRange> map = pc_bios_memory_map(ram_size);
    uint64_t usable_top = pc_usable_ram_top(ram_size);
    if (next > usable_top)
        return Error{ExitStatus::BadRecording, kernel.name + ": the kernel, its modules and the Multiboot information "
                                                             "end at " + hex(next) + ", past the RAM below " +
                                                             hex(usable_top)};
    std::vector<uint8_t> mmap(map.size() * 24, 0);
    for (size_t i = 0; i < map.size(); ++i) {
        put32(mmap, i * 24, 20);  // entry size, not counting this field
        put32(mmap, i * 24 + 4, static_cast<uint32_t>(map[i].base));
        put32(mmap, i * 24 + 8, static_cast<uint32_t>(map[i].base >> 32));
        put32(mmap, i * 24 + 12, static_cast<uint32_t>(map[i].length));
        put32(mmap, i * 24 + 16, static_cast<uint32_t>(map[i].length >> 32));
        put32(mmap, i * 24 + 20, static_cast<uint32_t>(map[i].type));
    }

    std::vector<uint8_t> info(88, 0);
    put32(info, 0, kInfoFlags);
    put32(info, 4, 639);  // mem_lower, KiB
    put32(info, 8, static_cast<uint32_t>((usable_top - 0x100000) / 1024));
    put32(info, 12, kBootDevice);
    put32(info, 16, cmdline_addr);
    put32(info, 20, static_cast<uint32_t>(modules.size()));
    put32(info, 24, static_cast<uint32_t>(mods_addr));  // set even without modules, as QEMU does
    put32(info, 44, static_cast<uint32_t>(mmap.size()));
    put32(info, 48, kMmapAddr);
    put32(info, 64, loader_addr);

    bool ok = bus.write_bytes(base, k->bytes.data(), k->bytes.size()) &&
              bus.write_bytes(mods_addr, mod_list.data(), mod_list.size()) &&
              bus.write_bytes(strings, string_bytes.data(), string_bytes.size()) &&
              bus.write_bytes(kMmapAddr, mmap.data(), mmap.size()) && bus.write_bytes(kInfoAddr, info.data(), info.size());
    for (size_t i = 0; ok && i < modules.size(); ++i)
        ok = bus.write_bytes(module_at[i], modules[i].file.bytes.data(), modules[i].file.bytes.size());
    if (!ok)
        return Error{ExitStatus::BadRecording, kernel.name + ": the kernel (" + hex(base) + ".." +
                                                   hex(base + k->bytes.size()) + ") or its modules do not fit in RAM"};
    return MultibootBoot{k->entry, kInfoAddr};
}

}  // namespace emu
