// The pc board's MP and ACPI tables: where a guest finds them, their checksums and lengths,
// and the entries that describe the interrupt wiring (ISA IRQ 0 on I/O APIC pin 2). The same
// tables are read by guests/i386/firmware_tables and compared with what QEMU's firmware gives.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "core/bus.h"
#include "machine/pc_firmware_tables.h"

using emu::PcFirmwareTables;

namespace {

uint8_t sum(const std::vector<uint8_t>& b, uint32_t at, uint32_t len)
{
    uint8_t s = 0;
    for (uint32_t i = 0; i < len; ++i)
        s = static_cast<uint8_t>(s + b.at(at + i));
    return s;
}
uint16_t u16(const std::vector<uint8_t>& b, uint32_t at) { return static_cast<uint16_t>(b.at(at) | b.at(at + 1) << 8); }
uint32_t u32(const std::vector<uint8_t>& b, uint32_t at) { return u16(b, at) | uint32_t{u16(b, at + 2)} << 16; }
std::string sig(const std::vector<uint8_t>& b, uint32_t at, unsigned n) { return std::string(b.begin() + at, b.begin() + at + n); }
// A table's offset from its physical address.
uint32_t off(uint32_t phys) { return phys - PcFirmwareTables::kBase; }

}  // namespace

TEST_CASE("pc tables: the MP floating pointer and configuration table", "[pc][tables]")
{
    PcFirmwareTables t = emu::build_pc_firmware_tables();
    const auto& b = t.bytes;
    REQUIRE(t.mp_floating % 16 == 0);
    CHECK(sig(b, t.mp_floating, 4) == "_MP_");
    CHECK(sum(b, t.mp_floating, 16) == 0);
    CHECK(b[t.mp_floating + 8] == 1);
    CHECK(b[t.mp_floating + 9] == 4);
    CHECK(b[t.mp_floating + 11] == 0);  // a configuration table, no default configuration
    CHECK(b[t.mp_floating + 12] == 0);  // no IMCR: virtual wire mode
    uint32_t c = off(u32(b, t.mp_floating + 4));
    REQUIRE(c == t.mp_config);
    CHECK(sig(b, c, 4) == "PCMP");
    uint16_t len = u16(b, c + 4);
    CHECK(sum(b, c, len) == 0);
    CHECK(sig(b, c + 8, 8) == "BOCHSCPU");
    CHECK(u32(b, c + 36) == 0xFEE00000);

    // Walk the entries: one processor, the ISA bus, the I/O APIC, 11 ISA interrupts and the
    // two local interrupts.
    std::vector<std::pair<unsigned, unsigned>> isa;  // (IRQ, pin)
    unsigned processors = 0, buses = 0, ioapics = 0, locals = 0;
    uint32_t e = c + 44;
    for (unsigned i = 0; i < u16(b, c + 34); ++i) {
        switch (b[e]) {
        case 0:
            processors++;
            CHECK(b[e + 3] == 3);
            CHECK((u32(b, e + 8) & (1u << 9)) != 0);  // the APIC feature
            e += 20;
            break;
        case 1:
            buses++;
            CHECK(sig(b, e + 2, 6) == "ISA   ");
            e += 8;
            break;
        case 2:
            ioapics++;
            CHECK(u32(b, e + 4) == 0xFEC00000);
            e += 8;
            break;
        case 3:
            isa.emplace_back(b[e + 5], b[e + 7]);
            e += 8;
            break;
        case 4:
            locals++;
            e += 8;
            break;
        default: FAIL("entry type " << int(b[e]));
        }
    }
    CHECK(e == c + len);
    CHECK(processors == 1);
    CHECK(buses == 1);
    CHECK(ioapics == 1);
    CHECK(locals == 2);
    CHECK(isa == std::vector<std::pair<unsigned, unsigned>>{{0, 2}, {1, 1}, {3, 3}, {4, 4}, {6, 6}, {7, 7},
                                                              {8, 8}, {12, 12}, {13, 13}, {14, 14}, {15, 15}});
}

TEST_CASE("pc tables: RSDP, RSDT, FADT, FACS, DSDT and MADT", "[pc][tables]")
{
    PcFirmwareTables t = emu::build_pc_firmware_tables();
    const auto& b = t.bytes;
    REQUIRE(t.rsdp % 16 == 0);
    CHECK(sig(b, t.rsdp, 8) == "RSD PTR ");
    CHECK(sum(b, t.rsdp, 20) == 0);
    CHECK(b[t.rsdp + 15] == 0);
    REQUIRE(off(u32(b, t.rsdp + 16)) == t.rsdt);

    auto table = [&](uint32_t at, const char* signature) {
        CHECK(sig(b, at, 4) == signature);
        CHECK(sum(b, at, u32(b, at + 4)) == 0);
        CHECK(sig(b, at + 10, 6) == "BOCHS ");
    };
    table(t.rsdt, "RSDT");
    CHECK(u32(b, t.rsdt + 4) == 36 + 8);
    CHECK(off(u32(b, t.rsdt + 36)) == t.fadt);
    CHECK(off(u32(b, t.rsdt + 40)) == t.madt);

    table(t.fadt, "FACP");
    CHECK(u32(b, t.fadt + 4) == 116);  // the ACPI 1.0 FADT
    CHECK(off(u32(b, t.fadt + 36)) == t.facs);
    CHECK(off(u32(b, t.fadt + 40)) == t.dsdt);
    CHECK(u16(b, t.fadt + 46) == 9);
    CHECK(u32(b, t.fadt + 48) == 0);       // no SMI command port: ACPI mode from the start
    CHECK(u32(b, t.fadt + 56) == 0x600);   // PM1a event block, 4 bytes
    CHECK(u32(b, t.fadt + 64) == 0x604);   // PM1a control block, 2 bytes
    CHECK(u32(b, t.fadt + 76) == 0x608);   // PM timer, 4 bytes (24-bit: TMR_VAL_EXT clear)
    CHECK(b[t.fadt + 88] == 4);
    CHECK(b[t.fadt + 89] == 2);
    CHECK(b[t.fadt + 91] == 4);
    CHECK((u32(b, t.fadt + 112) & (1u << 8)) == 0);
    CHECK(t.facs % 64 == 0);
    CHECK(sig(b, t.facs, 4) == "FACS");
    CHECK(u32(b, t.facs + 4) == 64);
    table(t.dsdt, "DSDT");
    // Name (_S5, Package (4) { Zero, Zero, Zero, Zero }) and nothing else.
    CHECK(u32(b, t.dsdt + 4) == 36 + 12);
    CHECK(std::vector<uint8_t>(b.begin() + t.dsdt + 36, b.begin() + t.dsdt + 48) ==
          std::vector<uint8_t>{0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00});

    table(t.madt, "APIC");
    CHECK(u32(b, t.madt + 36) == 0xFEE00000);
    CHECK(u32(b, t.madt + 40) == 1);
    std::vector<std::string> entries;
    uint32_t end = t.madt + u32(b, t.madt + 4);
    for (uint32_t e = t.madt + 44; e < end; e += b[e + 1]) {
        REQUIRE(b[e + 1] > 0);
        switch (b[e]) {
        case 0: entries.push_back("cpu " + std::to_string(b[e + 3]) + " flags " + std::to_string(u32(b, e + 4))); break;
        case 1: entries.push_back("ioapic " + std::to_string(b[e + 2]) + " gsi " + std::to_string(u32(b, e + 8))); break;
        case 2:
            entries.push_back("irq " + std::to_string(b[e + 3]) + " gsi " + std::to_string(u32(b, e + 4)) + " flags " +
                              std::to_string(u16(b, e + 8)));
            break;
        case 4: entries.push_back("nmi lint" + std::to_string(b[e + 5])); break;
        default: entries.push_back("type " + std::to_string(b[e]));
        }
    }
    CHECK(entries == std::vector<std::string>{"cpu 0 flags 1", "ioapic 0 gsi 0", "irq 0 gsi 2 flags 0",
                                              "irq 5 gsi 5 flags 13", "irq 9 gsi 9 flags 13",
                                              "irq 10 gsi 10 flags 13", "irq 11 gsi 11 flags 13", "nmi lint1"});
}

TEST_CASE("pc tables: installed in the BIOS area of RAM", "[pc][tables]")
{
    emu::Bus bus;
    bus.add_ram(0, 2 << 20);
    REQUIRE(emu::install_pc_firmware_tables(bus));
    PcFirmwareTables t = emu::build_pc_firmware_tables();
    CHECK(t.bytes.size() < 0x1000);
    std::vector<uint8_t> in_ram(t.bytes.size());
    REQUIRE(bus.read_bytes(PcFirmwareTables::kBase, in_ram.data(), in_ram.size()));
    CHECK(in_ram == t.bytes);
    emu::Bus small;
    small.add_ram(0, 0x80000);
    CHECK_FALSE(emu::install_pc_firmware_tables(small));
}
