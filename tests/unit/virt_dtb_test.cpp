// The generated device tree, read back with libfdt: the nodes and properties QEMU's virt has
// for the same devices, /chosen from the boot options, and a user's tree adapted as QEMU does.
#include <catch2/catch.hpp>

extern "C" {
#include <libfdt.h>
}

#include <string>
#include <vector>

#include "machine/virt_dtb.h"

using namespace emu;

namespace {

std::string str_prop(const void* fdt, const char* path, const char* name)
{
    int node = fdt_path_offset(fdt, path);
    REQUIRE(node >= 0);
    int len = 0;
    const char* v = static_cast<const char*>(fdt_getprop(fdt, node, name, &len));
    REQUIRE(v);
    return std::string(v, len);
}

std::vector<uint32_t> cells(const void* fdt, const char* path, const char* name)
{
    int node = fdt_path_offset(fdt, path);
    REQUIRE(node >= 0);
    int len = 0;
    const fdt32_t* v = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, name, &len));
    REQUIRE(v);
    std::vector<uint32_t> out;
    for (int i = 0; i < len / 4; ++i)
        out.push_back(fdt32_to_cpu(v[i]));
    return out;
}

bool has_node(const void* fdt, const char* path) { return fdt_path_offset(fdt, path) >= 0; }

VirtDtbSpec spec()
{
    VirtDtbSpec s;
    s.ram_base = 0x40000000;
    s.ram_size = uint64_t{3} << 30;
    s.bootargs = "console=ttyAMA0 root=/dev/ram";
    s.initrd_start = 0x48000000;
    s.initrd_end = 0x48123456;
    virt_dtb_seed(s, std::vector<uint8_t>{1, 2, 3});
    return s;
}

}  // namespace

TEST_CASE("virt DTB: the board's nodes and properties, as QEMU's virt writes them", "[dtb]")
{
    Result<std::vector<uint8_t>> blob = build_virt_dtb(spec());
    REQUIRE(blob);
    const void* fdt = blob->data();
    REQUIRE(fdt_check_header(fdt) == 0);
    CHECK(fdt_totalsize(fdt) == kVirtDtbBytes);

    CHECK(str_prop(fdt, "/", "compatible") == std::string("linux,dummy-virt\0", 17));
    CHECK(cells(fdt, "/", "#address-cells") == std::vector<uint32_t>{2});
    CHECK(cells(fdt, "/", "interrupt-parent") == std::vector<uint32_t>{0x8002});
    CHECK(cells(fdt, "/memory@40000000", "reg") == std::vector<uint32_t>{0, 0x40000000, 0, 0xC0000000});
    CHECK(str_prop(fdt, "/cpus/cpu@0", "compatible") == std::string("arm,cortex-a57\0", 15));
    CHECK(cells(fdt, "/cpus/cpu-map/socket0/cluster0/core0", "cpu") == std::vector<uint32_t>{0x8001});
    CHECK(str_prop(fdt, "/psci", "method") == std::string("hvc\0", 4));
    CHECK(cells(fdt, "/psci", "cpu_on") == std::vector<uint32_t>{0xC4000003});
    CHECK(cells(fdt, "/psci", "cpu_off") == std::vector<uint32_t>{0x84000002});
    CHECK(str_prop(fdt, "/intc@8000000", "compatible") == std::string("arm,cortex-a15-gic\0", 19));
    CHECK(cells(fdt, "/intc@8000000", "#interrupt-cells") == std::vector<uint32_t>{3});
    CHECK(cells(fdt, "/intc@8000000", "reg") == std::vector<uint32_t>{0, 0x08000000, 0, 0x10000, 0, 0x08010000, 0, 0x10000});
    CHECK(cells(fdt, "/timer", "interrupts") ==
          std::vector<uint32_t>{1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104, 1, 10, 0x104});
    CHECK(str_prop(fdt, "/pl011@9000000", "compatible") == std::string("arm,pl011\0arm,primecell\0", 24));
    CHECK(str_prop(fdt, "/pl011@9000000", "clock-names") == std::string("uartclk\0apb_pclk\0", 17));
    CHECK(cells(fdt, "/pl011@9000000", "interrupts") == std::vector<uint32_t>{0, 1, 4});
    CHECK(cells(fdt, "/pl031@9010000", "interrupts") == std::vector<uint32_t>{0, 2, 4});
    CHECK(cells(fdt, "/apb-pclk", "clock-frequency") == std::vector<uint32_t>{24000000});
    CHECK_FALSE(has_node(fdt, "/flash@0"));

    CHECK(str_prop(fdt, "/chosen", "stdout-path") == std::string("/pl011@9000000\0", 15));
    CHECK(str_prop(fdt, "/chosen", "bootargs") == std::string("console=ttyAMA0 root=/dev/ram\0", 30));
    CHECK(cells(fdt, "/chosen", "linux,initrd-start") == std::vector<uint32_t>{0x48000000});
    CHECK(cells(fdt, "/chosen", "linux,initrd-end") == std::vector<uint32_t>{0x48123456});
    std::vector<uint32_t> seed = cells(fdt, "/chosen", "kaslr-seed");
    REQUIRE(seed.size() == 2);
    CHECK(((uint64_t{seed[0]} << 32) | seed[1]) == spec().kaslr_seed);
    CHECK(cells(fdt, "/chosen", "rng-seed").size() == 8);

    // Every phandle a property names exists.
    for (uint32_t ph : {0x8000u, 0x8001u, 0x8002u})
        CHECK(fdt_node_offset_by_phandle(fdt, ph) >= 0);
}

TEST_CASE("virt DTB: the seeds follow the run configuration and nothing else", "[dtb]")
{
    VirtDtbSpec a = spec(), b = spec();
    CHECK(a.kaslr_seed == b.kaslr_seed);
    CHECK(a.rng_seed == b.rng_seed);
    b.bootargs += " x";
    virt_dtb_seed(b, std::vector<uint8_t>{1, 2, 3});
    CHECK(a.kaslr_seed != b.kaslr_seed);
    VirtDtbSpec c = spec();
    virt_dtb_seed(c, std::vector<uint8_t>{1, 2, 4});
    CHECK(a.kaslr_seed != c.kaslr_seed);
    CHECK(*build_virt_dtb(a) == *build_virt_dtb(spec()));
}

TEST_CASE("virt DTB: flash banks and no /chosen extras for firmware", "[dtb]")
{
    VirtDtbSpec s;
    s.ram_base = 0x40000000;
    s.ram_size = 128 << 20;
    s.flash = true;
    Result<std::vector<uint8_t>> blob = build_virt_dtb(s);
    REQUIRE(blob);
    const void* fdt = blob->data();
    CHECK(str_prop(fdt, "/flash@0", "compatible") == std::string("cfi-flash\0", 10));
    CHECK(cells(fdt, "/flash@0", "reg") == std::vector<uint32_t>{0, 0, 0, 0x4000000, 0, 0x4000000, 0, 0x4000000});
    CHECK(cells(fdt, "/flash@0", "bank-width") == std::vector<uint32_t>{4});
    int chosen = fdt_path_offset(fdt, "/chosen");
    CHECK(fdt_getprop(fdt, chosen, "bootargs", nullptr) == nullptr);
    CHECK(fdt_getprop(fdt, chosen, "linux,initrd-start", nullptr) == nullptr);
}

TEST_CASE("virt DTB: a user's tree gets /memory, bootargs and the initrd, and junk is refused", "[dtb]")
{
    std::vector<uint8_t> user(4096, 0);
    REQUIRE(fdt_create_empty_tree(user.data(), static_cast<int>(user.size())) == 0);
    fdt32_t two = cpu_to_fdt32(2);
    fdt_setprop(user.data(), 0, "#address-cells", &two, 4);
    fdt_setprop(user.data(), 0, "#size-cells", &two, 4);
    fdt_setprop_string(user.data(), 0, "model", "mine");
    fdt_pack(user.data());
    user.resize(fdt_totalsize(user.data()));
    Result<std::vector<uint8_t>> adapted = adapt_user_dtb(user, "mine.dtb", spec());
    REQUIRE(adapted);
    const void* fdt = adapted->data();
    CHECK(adapted->size() == (user.size() + 10000) * 2);  // QEMU's room for a tree from a file
    CHECK(str_prop(fdt, "/", "model") == std::string("mine\0", 5));
    CHECK(cells(fdt, "/memory", "reg") == std::vector<uint32_t>{0, 0x40000000, 0, 0xC0000000});
    CHECK(str_prop(fdt, "/memory", "device_type") == std::string("memory\0", 7));
    CHECK(str_prop(fdt, "/chosen", "bootargs") == std::string("console=ttyAMA0 root=/dev/ram\0", 30));
    CHECK(cells(fdt, "/chosen", "linux,initrd-end") == std::vector<uint32_t>{0x48123456});

    Result<std::vector<uint8_t>> junk = adapt_user_dtb(std::vector<uint8_t>(100, 0x41), "junk.dtb", spec());
    REQUIRE_FALSE(junk);
    CHECK(junk.error().status == ExitStatus::BadRecording);
    CHECK(junk.error().message.rfind("junk.dtb: ", 0) == 0);
    std::vector<uint8_t> cut(user.begin(), user.begin() + 64);
    CHECK_FALSE(adapt_user_dtb(cut, "cut.dtb", spec()));
}
