#include "machine/virt_dtb.h"

#include <cstdio>

extern "C" {
#include <libfdt.h>
}
#include <xxhash.h>

namespace emu {

namespace {

// QEMU's phandles for the same nodes (it allocates them from 0x8000 in this order).
constexpr uint32_t kClockPhandle = 0x8000;
constexpr uint32_t kCpuPhandle = 0x8001;
constexpr uint32_t kGicPhandle = 0x8002;

constexpr uint64_t kGicDist = 0x08000000, kGicCpu = 0x08010000, kGicSize = 0x10000;
constexpr uint64_t kUart = 0x09000000, kRtc = 0x09010000, kDeviceSize = 0x1000;
constexpr uint64_t kFlashBank = 0x04000000;
constexpr uint32_t kApbClockHz = 24000000;

// GIC interrupt specifiers: type (0 SPI, 1 PPI), number, flags.
constexpr uint32_t kSpi = 0, kPpi = 1;
constexpr uint32_t kLevelHigh = 4;
constexpr uint32_t kPpiOneCpu = 1 << 8;  // CPU mask of one CPU, bits [15:8]

// PSCI 0.2 function IDs QEMU lists (SMC64 where there is one).
constexpr uint32_t kPsciCpuSuspend = 0xC4000001, kPsciCpuOff = 0x84000002, kPsciCpuOn = 0xC4000003,
                   kPsciMigrate = 0xC4000005;

// Records the first libfdt error of a sequence of calls, so that building stays linear.
class Tree {
public:
    explicit Tree(std::vector<uint8_t>& blob) : fdt_(blob.data()) {}

    int node(int parent, const char* name)
    {
        if (err_)
            return 0;
        int n = fdt_add_subnode(fdt_, parent, name);
        return n < 0 ? fail(n) : n;
    }
    void str(int node, const char* prop, const std::string& v) { check(fdt_setprop_string(fdt_, node, prop, v.c_str())); }
    // Strings of a string list, NUL-separated.
    void strs(int node, const char* prop, std::initializer_list<const char*> list)
    {
        std::string v;
        for (const char* s : list)
            v.append(s).push_back('\0');
        check(fdt_setprop(fdt_, node, prop, v.data(), static_cast<int>(v.size())));
    }
    void cells(int node, const char* prop, std::initializer_list<uint64_t> list)
    {
        std::vector<fdt32_t> v;
        for (uint64_t c : list)
            v.push_back(cpu_to_fdt32(static_cast<uint32_t>(c)));
        check(fdt_setprop(fdt_, node, prop, v.data(), static_cast<int>(v.size() * sizeof(fdt32_t))));
    }
    // (address, size) pairs in two cells each, as #address-cells = #size-cells = 2 say.
    void reg(int node, std::initializer_list<uint64_t> list)
    {
        std::vector<fdt32_t> v;
        for (uint64_t x : list) {
            v.push_back(cpu_to_fdt32(static_cast<uint32_t>(x >> 32)));
            v.push_back(cpu_to_fdt32(static_cast<uint32_t>(x)));
        }
        check(fdt_setprop(fdt_, node, "reg", v.data(), static_cast<int>(v.size() * sizeof(fdt32_t))));
    }
    void u64(int node, const char* prop, uint64_t v) { check(fdt_setprop_u64(fdt_, node, prop, v)); }
    // One cell when the value fits, two otherwise (QEMU writes the initrd bounds in one cell).
    void address(int node, const char* prop, uint64_t v)
    {
        if (v >> 32)
            u64(node, prop, v);
        else
            cells(node, prop, {v});
    }
    void empty(int node, const char* prop) { check(fdt_setprop_empty(fdt_, node, prop)); }
    void bytes(int node, const char* prop, const std::vector<uint8_t>& v)
    {
        check(fdt_setprop(fdt_, node, prop, v.data(), static_cast<int>(v.size())));
    }
    int error() const { return err_; }

private:
    void check(int rc)
    {
        if (rc < 0 && !err_)
            err_ = rc;
    }
    int fail(int rc)
    {
        err_ = rc;
        return 0;
    }
    void* fdt_;
    int err_ = 0;
};

void add_chosen(Tree& t, int chosen, const VirtDtbSpec& spec)
{
    if (!spec.bootargs.empty())
        t.str(chosen, "bootargs", spec.bootargs);
    if (spec.initrd_start) {
        t.address(chosen, "linux,initrd-start", *spec.initrd_start);
        t.address(chosen, "linux,initrd-end", spec.initrd_end);
    }
}

// The virtio-mmio transports: QEMU lists all 32, with a device or not (a driver skips those
// whose device id is 0), created from the highest address down so that the lowest comes first.
void add_virtio_mmio_slots(Tree& t, int root)
{
    constexpr uint64_t kBase = 0x0a000000, kWindow = 0x200;
    constexpr unsigned kSlots = 32, kFirstSpi = 16;
    constexpr uint32_t kEdgeRising = 1;
    for (unsigned slot = kSlots; slot-- > 0;) {
        uint64_t base = kBase + kWindow * slot;
        char name[32];
        std::snprintf(name, sizeof name, "virtio_mmio@%llx", static_cast<unsigned long long>(base));
        int n = t.node(root, name);
        t.str(n, "compatible", "virtio,mmio");
        t.reg(n, {base, kWindow});
        t.cells(n, "interrupts", {kSpi, kFirstSpi + slot, kEdgeRising});
        t.empty(n, "dma-coherent");
    }
}

}  // namespace

void virt_dtb_seed(VirtDtbSpec& spec, std::span<const uint8_t> boot_image)
{
    uint64_t h = XXH3_64bits(boot_image.data(), boot_image.size());
    h = XXH3_64bits_withSeed(spec.bootargs.data(), spec.bootargs.size(), h ^ spec.ram_size);
    spec.kaslr_seed = h;
    spec.rng_seed.clear();
    for (uint64_t i = 1; i <= 4; ++i) {
        uint64_t word = XXH3_64bits_withSeed(&h, sizeof h, i);
        for (int b = 0; b < 8; ++b)
            spec.rng_seed.push_back(static_cast<uint8_t>(word >> (8 * b)));
    }
}

Result<std::vector<uint8_t>> build_virt_dtb(const VirtDtbSpec& spec)
{
    std::vector<uint8_t> blob(kVirtDtbBytes, 0);
    if (int rc = fdt_create_empty_tree(blob.data(), static_cast<int>(blob.size())); rc < 0)
        return Error{ExitStatus::Internal, std::string("device tree: ") + fdt_strerror(rc)};
    Tree t(blob);
    int root = 0;
    t.str(root, "compatible", "linux,dummy-virt");
    t.cells(root, "#address-cells", {2});
    t.cells(root, "#size-cells", {2});
    t.str(root, "model", "linux,dummy-virt");
    t.cells(root, "interrupt-parent", {kGicPhandle});

    // Properties in QEMU's order of creation (libfdt puts each new one first).
    int chosen = t.node(root, "chosen");
    t.u64(chosen, "kaslr-seed", spec.kaslr_seed);
    t.bytes(chosen, "rng-seed", spec.rng_seed);
    t.str(chosen, "stdout-path", "/pl011@9000000");
    add_chosen(t, chosen, spec);

    int clock = t.node(root, "apb-pclk");
    t.str(clock, "compatible", "fixed-clock");
    t.cells(clock, "#clock-cells", {0});
    t.cells(clock, "clock-frequency", {kApbClockHz});
    t.str(clock, "clock-output-names", "clk24mhz");
    t.cells(clock, "phandle", {kClockPhandle});

    int timer = t.node(root, "timer");
    t.strs(timer, "compatible", {"arm,armv8-timer", "arm,armv7-timer"});
    t.empty(timer, "always-on");
    // Secure physical, non-secure physical, virtual and hypervisor timers: PPIs 13, 14, 11, 10.
    uint64_t flags = kPpiOneCpu | kLevelHigh;
    t.cells(timer, "interrupts", {kPpi, 13, flags, kPpi, 14, flags, kPpi, 11, flags, kPpi, 10, flags});

    int cpus = t.node(root, "cpus");
    t.cells(cpus, "#address-cells", {1});
    t.cells(cpus, "#size-cells", {0});
    // QEMU names an enable-method only with more than one CPU.
    int cpu = t.node(cpus, "cpu@0");
    t.str(cpu, "device_type", "cpu");
    t.str(cpu, "compatible", "arm,cortex-a57");
    t.cells(cpu, "reg", {0});
    t.cells(cpu, "phandle", {kCpuPhandle});
    int map = t.node(cpus, "cpu-map");
    int core = t.node(t.node(t.node(map, "socket0"), "cluster0"), "core0");
    t.cells(core, "cpu", {kCpuPhandle});

    if (spec.flash) {
        int flash = t.node(root, "flash@0");
        t.str(flash, "compatible", "cfi-flash");
        t.reg(flash, {0, kFlashBank, kFlashBank, kFlashBank});
        t.cells(flash, "bank-width", {4});
    }

    int gic = t.node(root, "intc@8000000");
    t.cells(gic, "#interrupt-cells", {3});
    t.empty(gic, "interrupt-controller");
    t.cells(gic, "#address-cells", {2});
    t.cells(gic, "#size-cells", {2});
    t.empty(gic, "ranges");
    t.str(gic, "compatible", "arm,cortex-a15-gic");
    t.reg(gic, {kGicDist, kGicSize, kGicCpu, kGicSize});
    t.cells(gic, "phandle", {kGicPhandle});

    int uart = t.node(root, "pl011@9000000");
    t.strs(uart, "compatible", {"arm,pl011", "arm,primecell"});
    t.reg(uart, {kUart, kDeviceSize});
    t.cells(uart, "interrupts", {kSpi, 1, kLevelHigh});
    t.cells(uart, "clocks", {kClockPhandle, kClockPhandle});
    t.strs(uart, "clock-names", {"uartclk", "apb_pclk"});

    int rtc = t.node(root, "pl031@9010000");
    t.strs(rtc, "compatible", {"arm,pl031", "arm,primecell"});
    t.reg(rtc, {kRtc, kDeviceSize});
    t.cells(rtc, "interrupts", {kSpi, 2, kLevelHigh});
    t.cells(rtc, "clocks", {kClockPhandle});
    t.str(rtc, "clock-names", "apb_pclk");

    add_virtio_mmio_slots(t, root);

    char memory_name[32];
    std::snprintf(memory_name, sizeof memory_name, "memory@%llx", static_cast<unsigned long long>(spec.ram_base));
    int memory = t.node(root, memory_name);
    t.str(memory, "device_type", "memory");
    t.reg(memory, {spec.ram_base, spec.ram_size});

    int psci = t.node(root, "psci");
    t.strs(psci, "compatible", {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"});
    t.str(psci, "method", "hvc");
    t.cells(psci, "cpu_suspend", {kPsciCpuSuspend});
    t.cells(psci, "cpu_off", {kPsciCpuOff});
    t.cells(psci, "cpu_on", {kPsciCpuOn});
    t.cells(psci, "migrate", {kPsciMigrate});

    if (t.error())
        return Error{ExitStatus::Internal, std::string("device tree: ") + fdt_strerror(t.error())};
    return blob;
}

Result<std::vector<uint8_t>> adapt_user_dtb(std::span<const uint8_t> dtb, const std::string& name,
                                            const VirtDtbSpec& spec)
{
    auto bad = [&](const std::string& why) { return Error{ExitStatus::BadRecording, name + ": " + why}; };
    if (dtb.size() < sizeof(fdt_header) || fdt_check_header(dtb.data()) != 0)
        return bad("not a flattened device tree (bad header)");
    uint32_t total = fdt_totalsize(dtb.data());
    if (total > dtb.size())
        return bad("the device tree says it is " + std::to_string(total) + " bytes, the file has " +
                   std::to_string(dtb.size()));
    // The room QEMU's loader gives a tree from a file: twice its size plus 10000 bytes.
    std::vector<uint8_t> blob((dtb.size() + 10000) * 2, 0);
    if (int rc = fdt_open_into(dtb.data(), blob.data(), static_cast<int>(blob.size())); rc < 0)
        return bad(std::string("malformed device tree: ") + fdt_strerror(rc));
    const fdt32_t* ac = static_cast<const fdt32_t*>(fdt_getprop(blob.data(), 0, "#address-cells", nullptr));
    const fdt32_t* sc = static_cast<const fdt32_t*>(fdt_getprop(blob.data(), 0, "#size-cells", nullptr));
    if (!ac || !sc || fdt32_to_cpu(*ac) != 2 || fdt32_to_cpu(*sc) != 2)
        return bad("the root node must have #address-cells = #size-cells = 2 (as QEMU's virt tree has)");
    Tree t(blob);
    int memory = fdt_path_offset(blob.data(), "/memory");
    if (memory < 0) {
        memory = t.node(0, "memory");
        t.str(memory, "device_type", "memory");
    }
    t.reg(memory, {spec.ram_base, spec.ram_size});
    int chosen = fdt_path_offset(blob.data(), "/chosen");
    if (chosen < 0)
        chosen = t.node(0, "chosen");
    add_chosen(t, chosen, spec);
    if (t.error())
        return bad(std::string("cannot be adapted: ") + fdt_strerror(t.error()));
    return blob;
}

}  // namespace emu
