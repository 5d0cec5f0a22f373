// The loaders on synthetic images built here: ELF entry translation, Multiboot (ELF and a.out
// kludge, modules), the Linux/x86 zero page, arm64 Image placement (plain and gzip) and the
// virt boot stub, and the format detection behind the error messages.
#include <catch2/catch.hpp>
#include <zlib.h>

#include <cstring>
#include <vector>

#include "machine/arm64_image.h"
#include "machine/elf_loader.h"
#include "machine/kernel_format.h"
#include "machine/linux_x86.h"
#include "machine/machines.h"
#include "machine/multiboot.h"
#include "machine/pc.h"
#include "machine/virt.h"
#include "replay/format/event_log.h"
#include "replay/run/record_gate.h"

using namespace emu;

namespace {

using Bytes = std::vector<uint8_t>;

void put(Bytes& b, size_t at, uint64_t v, size_t n)
{
    if (b.size() < at + n)
        b.resize(at + n, 0);
    for (size_t i = 0; i < n; ++i)
        b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

uint64_t get(const Bytes& b, size_t at, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
        v |= uint64_t{b[at + i]} << (8 * i);
    return v;
}

// An ELF32 i386 executable with one PT_LOAD of `code` (at file offset 0x1000).
Bytes elf32(uint32_t entry, uint32_t vaddr, uint32_t paddr, const Bytes& code, uint32_t flags, uint32_t memsz)
{
    Bytes f(0x1000, 0);
    std::memcpy(f.data(), "\x7f" "ELF\x01\x01\x01", 7);
    put(f, 16, 2, 2);    // ET_EXEC
    put(f, 18, 3, 2);    // EM_386
    put(f, 20, 1, 4);
    put(f, 24, entry, 4);
    put(f, 28, 52, 4);   // phoff
    put(f, 40, 52, 2);   // ehsize
    put(f, 42, 32, 2);   // phentsize
    put(f, 44, 1, 2);    // phnum
    size_t ph = 52;
    put(f, ph, 1, 4);    // PT_LOAD
    put(f, ph + 4, 0x1000, 4);
    put(f, ph + 8, vaddr, 4);
    put(f, ph + 12, paddr, 4);
    put(f, ph + 16, code.size(), 4);
    put(f, ph + 20, memsz, 4);
    put(f, ph + 24, flags, 4);
    f.insert(f.end(), code.begin(), code.end());
    return f;
}

struct TestMachine {
    EventLog log{EventLog::Start::Discarding};
    RecordGate gate{log, RecordGateOptions{}};
    std::unique_ptr<Machine> machine;

    explicit TestMachine(const std::string& name, uint64_t ram = 128 << 20)
    {
        MachineConfig config;
        config.machine = name;
        config.ram_size = ram;
        auto m = make_machine(config, gate, [](uint8_t) {});
        REQUIRE(m);
        machine = std::move(*m);
    }
    Bytes read(uint64_t addr, size_t n)
    {
        Bytes b(n);
        REQUIRE(machine->bus().read_bytes(addr, b.data(), n));
        return b;
    }
    uint64_t reg(const std::string& name)
    {
        const auto& names = machine->register_names();
        for (size_t i = 0; i < names.size(); ++i)
            if (names[i] == name)
                return machine->register_values()[i];
        FAIL("no register " << name);
        return 0;
    }
};

Bytes gzip(const Bytes& in)
{
    z_stream z{};
    REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    Bytes out(deflateBound(&z, in.size()) + 64);
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

}  // namespace

TEST_CASE("ELF: an entry in a high-linked executable segment moves with it, as QEMU moves it", "[boot]")
{
    Bytes code(64, 0x90);
    Result<ElfImage> high = parse_elf(elf32(0xC0100010, 0xC0100000, 0x100000, code, 5, 64), "high.elf");
    REQUIRE(high);
    CHECK(high->physical_entry() == 0x100010);
    CHECK(high->physical_low() == 0x100000);
    CHECK(high->physical_high() == 0x100040);
    // Not executable, or outside the file bytes: e_entry as it is.
    CHECK(parse_elf(elf32(0xC0100010, 0xC0100000, 0x100000, code, 4, 64), "x")->physical_entry() == 0xC0100010);
    CHECK(parse_elf(elf32(0xC0100050, 0xC0100000, 0x100000, code, 5, 0x100), "x")->physical_entry() == 0xC0100050);
    // Identity-mapped: unchanged.
    CHECK(parse_elf(elf32(0x100010, 0x100000, 0x100000, code, 5, 64), "x")->physical_entry() == 0x100010);
}

TEST_CASE("Multiboot: header search and the a.out kludge load the bytes the header names", "[boot]")
{
    // Header at file offset 0x40 of an image whose first byte loads at 0x200000.
    Bytes f(0x200, 0);
    uint32_t flags = MultibootHeader::kAoutKludge;
    put(f, 0x40, 0x1BADB002, 4);
    put(f, 0x44, flags, 4);
    put(f, 0x48, uint32_t(-(0x1BADB002 + flags)), 4);
    put(f, 0x4C, 0x200040, 4);  // header_addr
    put(f, 0x50, 0x200000, 4);  // load_addr
    put(f, 0x54, 0x200100, 4);  // load_end_addr: the first 0x100 bytes
    put(f, 0x58, 0x203000, 4);  // bss_end_addr
    put(f, 0x5C, 0x200080, 4);  // entry_addr
    for (size_t i = 0x80; i < 0x200; ++i)
        f[i] = static_cast<uint8_t>(i);
    std::optional<MultibootHeader> h = find_multiboot_header(f);
    REQUIRE(h);
    CHECK(h->offset == 0x40);
    CHECK(h->entry_addr == 0x200080);

    Bus bus;
    bus.add_ram(0, 16 << 20);
    bus.write_bytes(0x200100, Bytes(0x3000, 0xEE).data(), 0x3000);  // the bss must be cleared
    BootFile kernel{"aout.bin", f};
    BootModule mod{{"mod.bin", Bytes(5000, 0xAB)}, "mod.bin x=1"};
    Result<MultibootBoot> boot = load_multiboot(kernel, *h, {mod}, "root=/dev/x", bus, 16 << 20);
    REQUIRE(boot);
    CHECK(boot->entry == 0x200080);
    Bytes loaded(0x3000);
    bus.read_bytes(0x200000, loaded.data(), loaded.size());
    CHECK(std::equal(f.begin(), f.begin() + 0x100, loaded.begin()));
    CHECK(loaded[0x100] == 0);  // past load_end_addr: bss
    CHECK(loaded[0x2FFF] == 0);

    // The module list follows the kernel's pages; module 0 starts on the next page after the
    // strings, and the kernel's command line is "<name> <append>".
    uint32_t info[22];
    bus.read_bytes(boot->info_addr, info, sizeof info);
    CHECK((info[0] & 0x8) != 0);
    CHECK(info[5] == 1);           // mods_count
    CHECK(info[6] == 0x203000);    // mods_addr: the page after the kernel's bss
    uint32_t entry[4];
    bus.read_bytes(info[6], entry, sizeof entry);
    CHECK(entry[0] == 0x204000);
    CHECK(entry[1] == 0x204000 + 5000);
    char text[64] = {};
    bus.read_bytes(entry[2], text, sizeof text - 1);
    CHECK(std::string(text) == "mod.bin x=1");
    bus.read_bytes(info[4], text, sizeof text - 1);
    CHECK(std::string(text) == "aout.bin root=/dev/x");
    uint8_t byte = 0;
    bus.read_bytes(0x204000 + 4999, &byte, 1);
    CHECK(byte == 0xAB);

    // QEMU's checks on the addresses.
    Bytes bad = f;
    put(bad, 0x4C, 0x1FF000, 4);  // header_addr below load_addr
    put(bad, 0x48, uint32_t(-(0x1BADB002 + flags)), 4);
    Result<MultibootBoot> refused = load_multiboot({"bad.bin", bad}, *find_multiboot_header(bad), {}, "", bus, 16 << 20);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().status == ExitStatus::BadRecording);
    CHECK(refused.error().message.find("header_addr") != std::string::npos);
}

namespace {

// A bzImage of protocol 2.15 with one setup sector and `payload` as its protected-mode part.
Bytes bzimage(const Bytes& payload)
{
    Bytes f(1024, 0);
    f[0x1F1] = 1;                  // setup_sects
    put(f, 0x1FE, 0xAA55, 2);      // boot_flag
    f[0x200] = 0xEB;               // jmp over the header...
    f[0x201] = 0x66;               // ...which ends at 0x268
    std::memcpy(f.data() + 0x202, "HdrS", 4);
    put(f, 0x206, 0x020F, 2);
    f[0x211] = 0x01 | 0x40;        // LOADED_HIGH, and KEEP_SEGMENTS, which the loader clears
    put(f, 0x214, 0x100000, 4);    // code32_start
    put(f, 0x22C, 0x7FFFFFFF, 4);  // initrd_addr_max
    put(f, 0x230, 0x200000, 4);    // kernel_alignment
    put(f, 0x238, 2047, 4);        // cmdline_size
    put(f, 0x260, 0x400000, 4);    // init_size
    f.insert(f.end(), payload.begin(), payload.end());
    return f;
}

}  // namespace

TEST_CASE("Linux/x86: the zero page, the e820 map, the initrd and the 32-bit entry state", "[boot]")
{
    TestMachine pc("pc");
    Bytes payload(8192, 0xF4);
    BootImages images;
    images.kernel = BootFile{"bzImage", bzimage(payload)};
    images.initrd = BootFile{"initrd", Bytes(10000, 0x5A)};
    images.append = "console=ttyS0 quiet";
    REQUIRE(pc.machine->boot(images));

    Bytes zp = pc.read(LinuxX86Layout::kBootParams, 4096);
    CHECK(get(zp, 0x202, 4) == 0x53726448);        // the header copied
    CHECK(get(zp, 0x1FA, 2) == 0xFFFF);            // vid_mode normal
    CHECK(zp[0x210] == 0xB0);                      // type_of_loader: QEMU's
    CHECK(zp[0x211] == (0x01 | 0x80));             // CAN_USE_HEAP on, KEEP_SEGMENTS off
    CHECK(get(zp, 0x224, 2) == 0xFE00);            // heap_end_ptr
    CHECK(get(zp, 0x228, 4) == LinuxX86Layout::kCommandLine);
    // QEMU: below min(initrd_addr_max, RAM - ACPI data - 1), page aligned.
    uint64_t initrd_max = (128u << 20) - LinuxX86Layout::kAcpiDataSize - 1;
    CHECK(get(zp, 0x218, 4) == ((initrd_max - 10000) & ~0xFFFull));
    CHECK(get(zp, 0x21C, 4) == 10000);
    CHECK(pc.read(get(zp, 0x218, 4), 1)[0] == 0x5A);
    Bytes cmd = pc.read(LinuxX86Layout::kCommandLine, images.append.size() + 1);
    CHECK(std::string(cmd.begin(), cmd.end() - 1) == images.append);
    CHECK(cmd.back() == 0);
    CHECK(pc.read(LinuxX86Layout::kKernel, 2) == Bytes{0xF4, 0xF4});

    // e820: low RAM, EBDA, BIOS area, RAM from 1 MiB, the top 128 KiB, the APIC pages, the ROM.
    REQUIRE(zp[0x1E8] == 8);
    auto entry = [&](int i) {
        size_t at = 0x2D0 + 20 * i;
        return std::tuple{get(zp, at, 8), get(zp, at + 8, 8), get(zp, at + 16, 4)};
    };
    CHECK(entry(0) == std::tuple{0ull, 0x9FC00ull, 1ull});
    CHECK(entry(2) == std::tuple{0xF0000ull, 0x10000ull, 2ull});
    CHECK(entry(3) == std::tuple{0x100000ull, (128ull << 20) - 0x20000 - 0x100000, 1ull});
    CHECK(entry(5) == std::tuple{0xFEC00000ull, 0x1000ull, 2ull});
    CHECK(entry(6) == std::tuple{0xFEE00000ull, 0x1000ull, 2ull});

    CHECK(pc.reg("eip") == 0x100000);
    CHECK(pc.reg("esi") == LinuxX86Layout::kBootParams);
    CHECK(pc.reg("ebx") == 0);
    CHECK(pc.reg("cs") == 0x10);
    CHECK(pc.reg("ds") == 0x18);
    CHECK(pc.reg("ss") == 0x18);
    CHECK((pc.reg("eflags") & 0x200) == 0);
    Bytes gdt = pc.read(LinuxX86Layout::kGdt, 32);
    CHECK(get(gdt, 0x10, 8) == 0x00CF9A000000FFFFull);
    CHECK(get(gdt, 0x18, 8) == 0x00CF92000000FFFFull);
}

TEST_CASE("Linux/x86: refusals name the problem", "[boot]")
{
    Bytes f = bzimage(Bytes(4096, 0));
    Bus bus;
    bus.add_ram(0, 64 << 20);
    put(f, 0x206, 0x0201, 2);
    Result<LinuxX86Boot> old = load_linux_x86({"old", f}, std::nullopt, "", bus, 64 << 20);
    REQUIRE_FALSE(old);
    CHECK(old.error().message.find("older than 2.02") != std::string::npos);
    f = bzimage(Bytes(4096, 0));
    Result<LinuxX86Boot> long_line = load_linux_x86({"k", f}, std::nullopt, std::string(3000, 'x'), bus, 64 << 20);
    REQUIRE_FALSE(long_line);
    CHECK(long_line.error().status == ExitStatus::Usage);
    Result<LinuxX86Boot> huge = load_linux_x86({"k", f}, BootFile{"big", Bytes(62 << 20, 0)}, "", bus, 64 << 20);
    REQUIRE_FALSE(huge);
    CHECK(huge.error().status == ExitStatus::BadRecording);

    TestMachine pc("pc");
    BootImages images;
    images.kernel = BootFile{"plain.elf", elf32(0x100000, 0x100000, 0x100000, Bytes(16, 0), 5, 16)};
    Result<Done> r = pc.machine->boot(images);
    REQUIRE_FALSE(r);
    CHECK(r.error().status == ExitStatus::BadRecording);
    CHECK(r.error().message.find("an i386 ELF file with neither a Linux setup header") != std::string::npos);
}

TEST_CASE("arm64: Image, headerless and gzip kernels are placed where QEMU places them", "[boot]")
{
    Bytes image(0x10000, 0);
    std::memcpy(image.data() + 0x38, "ARM\x64", 4);
    put(image, 16, 0x20000, 8);  // image_size
    Result<Arm64Kernel> k = prepare_arm64_kernel({"Image", image});
    REQUIRE(k);
    CHECK(k->has_header);
    CHECK(k->load_offset == 0x200000);  // text_offset 0 lies under the boot stub: 2 MiB up
    put(image, 8, 0x80000, 8);
    CHECK(prepare_arm64_kernel({"Image", image})->load_offset == 0x80000);
    put(image, 16, 0, 8);  // no image_size: text_offset is not trusted
    CHECK(prepare_arm64_kernel({"Image", image})->load_offset == 0x80000);
    CHECK(prepare_arm64_kernel({"raw", Bytes(100, 1)})->load_offset == 0x80000);

    put(image, 8, 0, 8);
    put(image, 16, 0x20000, 8);
    Result<Arm64Kernel> z = prepare_arm64_kernel({"vmlinuz", gzip(image)});
    REQUIRE(z);
    CHECK(z->was_gzipped);
    CHECK(z->bytes == image);
    CHECK(z->load_offset == 0x200000);
    CHECK(describe_kernel_format(gzip(image)) == "a gzip-compressed file");
    CHECK(describe_kernel_format(image) == "an arm64 Linux Image");
    Bytes cut = gzip(image);
    cut.resize(cut.size() / 2);
    Result<Arm64Kernel> damaged = prepare_arm64_kernel({"cut.gz", cut});
    REQUIRE_FALSE(damaged);
    CHECK(damaged.error().status == ExitStatus::BadRecording);
}

TEST_CASE("virt: a Linux kernel starts through the boot stub with x0 = the device tree", "[boot]")
{
    TestMachine virt("virt");
    // An Image whose first instruction is a WFI-free loop: b . (0x14000000).
    Bytes image(0x1000, 0);
    put(image, 0, 0x14000000, 4);
    std::memcpy(image.data() + 0x38, "ARM\x64", 4);
    put(image, 16, 0x1000, 8);
    BootImages images;
    images.kernel = BootFile{"Image", image};
    images.initrd = BootFile{"initrd", Bytes(3 << 20, 7)};
    images.append = "console=ttyAMA0";
    REQUIRE(virt.machine->boot(images));
    CHECK(virt.reg("pc") == VirtMachine::kRamBase);
    REQUIRE(virt.machine->run_slice(6) == SliceEnd::Budget);
    // The initrd at RAM + 64 MiB (half of 128 MiB), the tree on the next 2 MiB boundary after it.
    uint64_t dtb = VirtMachine::kRamBase + (64 << 20) + (4 << 20);
    CHECK(virt.reg("pc") == VirtMachine::kRamBase + 0x200000);
    CHECK(virt.reg("x0") == dtb);
    CHECK(virt.reg("x1") == 0);
    CHECK(virt.reg("x3") == 0);
    Bytes magic = virt.read(dtb, 4);
    CHECK(magic == Bytes{0xD0, 0x0D, 0xFE, 0xED});
    CHECK(virt.machine->device_tree().size() == (1u << 20));
    CHECK(virt.read(VirtMachine::kRamBase + (64 << 20), 1)[0] == 7);

}

TEST_CASE("virt and pc refuse boot files they cannot use", "[boot]")
{
    TestMachine virt("virt");
    BootImages images;
    images.kernel = BootFile{"k", Bytes(64, 0)};
    images.modules.push_back({{"m", Bytes(4, 0)}, "m"});
    Result<Done> r = virt.machine->boot(images);
    REQUIRE_FALSE(r);
    CHECK(r.error().status == ExitStatus::Usage);

    TestMachine pc("pc");
    BootImages dtb;
    dtb.kernel = BootFile{"k", Bytes(64, 0)};
    dtb.dtb = BootFile{"t.dtb", Bytes(64, 0)};
    CHECK(pc.machine->boot(dtb).error().status == ExitStatus::Usage);

    TestMachine firmware("virt");
    BootImages both;
    both.kernel = BootFile{"k", Bytes(64, 0)};
    both.bios = BootFile{"b", Bytes(64, 0)};
    CHECK(firmware.machine->boot(both).error().status == ExitStatus::Usage);
}
