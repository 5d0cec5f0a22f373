// The stage 1 walk on its own (translate_stage1): tables written by hand, entry by entry, for
// each granule and VA size; every fault kind at every level it can happen; the permissions of
// AP, UXN, PXN, the table controls and WXN. Expected values come from the ARM ARM's descriptor
// formats and fault status codes (D5.3, D13.2 ESR_EL1), not from the walker.
#include <catch2/catch.hpp>

#include "cpu/a64/mmu.h"
#include "support/a64_page_tables.h"
#include "support/test_board.h"

using namespace emu;
using namespace emu::a64;
using namespace emu::test::desc;

namespace {

constexpr uint64_t kRam = 0x40000000;
constexpr uint64_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024, kTiB = kGiB * 1024;
// Tables live from here; test data pages lower down.
constexpr uint64_t kT0 = kRam + 0x100000;
constexpr uint64_t kT1 = kT0 + 0x10000;
constexpr uint64_t kT2 = kT1 + 0x10000;
constexpr uint64_t kT3 = kT2 + 0x10000;
constexpr uint64_t kPageA = kRam + 0x200000;  // 2 MiB aligned, so also a block's base

constexpr uint64_t kSctlrM = 1;
constexpr uint64_t kSctlrWxn = uint64_t{1} << 19;
constexpr uint64_t kTcrEpd0 = uint64_t{1} << 7;
constexpr uint64_t kTcrTbi0 = uint64_t{1} << 37;
constexpr uint64_t kTg0_4K = 0, kTg0_64K = uint64_t{1} << 14, kTg0_16K = uint64_t{2} << 14;
constexpr uint64_t kTg1_4K = uint64_t{2} << 30;
constexpr uint64_t kIps(unsigned v) { return uint64_t{v} << 32; }
// A CPU like the Cortex-A57 but with 16 KiB tables (ID_AA64MMFR0_EL1.TGran16 = 1).
constexpr uint64_t kMmfr0With16K = kIdAa64Mmfr0CortexA57 | (uint64_t{1} << 20);

// Fault status codes (ARM ARM D13.2, ESR_EL1 DFSC).
constexpr uint32_t fsc_address_size(unsigned level) { return 0x00 + level; }
constexpr uint32_t fsc_translation(unsigned level) { return 0x04 + level; }
constexpr uint32_t fsc_access_flag(unsigned level) { return 0x08 + level; }
constexpr uint32_t fsc_permission(unsigned level) { return 0x0C + level; }
constexpr uint32_t fsc_external_walk(unsigned level) { return 0x14 + level; }

struct Walk : test::A64TestBoard {
    Walk() : A64TestBoard(kRam, 4 * kMiB)
    {
        cpu.s.sys.sctlr_el1 |= kSctlrM;
        cpu.s.sys.mair_el1 = test::kTestMair;
    }
    void entry(uint64_t table, unsigned index, uint64_t d) { write64(table + 8 * index, d); }
    TranslationResult walk(uint64_t va, uint64_t mmfr0 = kIdAa64Mmfr0CortexA57, bool fetch = false)
    {
        return translate_stage1(cpu.s.sys, mmfr0, va, fetch, bus);
    }
    uint32_t fsc(uint64_t va, uint64_t mmfr0 = kIdAa64Mmfr0CortexA57)
    {
        TranslationResult r = walk(va, mmfr0);
        REQUIRE(!r.ok());
        return fault_status_code(r.fault);
    }
};

constexpr uint64_t kNormalRw = attr_index(test::kAttrNormal) | kShInner | kAf;

}  // namespace

TEST_CASE("4 KiB granule, 39-bit VA: a level 1, 2 and 3 walk to a page", "[a64][mmu]")
{
    Walk w;
    w.cpu.s.sys.tcr_el1 = 25 | kTg0_4K | kIps(4);  // T0SZ 25: the walk starts at level 1
    w.cpu.s.sys.ttbr0_el1 = kT1;
    constexpr uint64_t va = 3 * kGiB + 5 * 2 * kMiB + 7 * 4 * kKiB + 0x123;  // indices 3, 5, 7
    w.entry(kT1, 3, kT2 | kTable);
    w.entry(kT2, 5, kT3 | kTable);
    w.entry(kT3, 7, kPageA | kNormalRw | kPage);
    TranslationResult r = w.walk(va);
    REQUIRE(r.ok());
    CHECK(r.t.pa == kPageA + 0x123);
    CHECK(r.t.level == 3);
    CHECK(r.t.block_bits == 12);
    CHECK(r.t.attr == 0xFF);
    CHECK(r.t.sh == 3);

    SECTION("a 1 GiB block at level 1")
    {
        w.entry(kT1, 3, 0x80000000 | kNormalRw | kBlock);
        r = w.walk(va);
        REQUIRE(r.ok());
        CHECK(r.t.pa == 0x80000000 + (va & (kGiB - 1)));
        CHECK(r.t.level == 1);
        CHECK(r.t.block_bits == 30);
    }
    SECTION("a 2 MiB block at level 2")
    {
        w.entry(kT2, 5, kPageA | kNormalRw | kBlock);
        r = w.walk(va);
        REQUIRE(r.ok());
        CHECK(r.t.pa == kPageA + 7 * 4 * kKiB + 0x123);
        CHECK(r.t.level == 2);
        CHECK(r.t.block_bits == 21);
    }
    SECTION("the table base's low bits and TTBR0's ASID and CnP are not part of the address")
    {
        w.cpu.s.sys.ttbr0_el1 = kT1 | (uint64_t{0xABCD} << 48) | 1;
        CHECK(w.walk(va).ok());
    }
}

TEST_CASE("4 KiB granule, 48-bit VA: the walk starts at level 0", "[a64][mmu]")
{
    Walk w;
    w.cpu.s.sys.tcr_el1 = 16 | kTg0_4K | kIps(5);
    w.cpu.s.sys.ttbr0_el1 = kT0;
    constexpr uint64_t va = 2 * 512 * kGiB + 3 * kGiB + 5 * 2 * kMiB + 7 * 4 * kKiB + 0x456;
    w.entry(kT0, 2, kT1 | kTable);
    w.entry(kT1, 3, kT2 | kTable);
    w.entry(kT2, 5, kT3 | kTable);
    w.entry(kT3, 7, kPageA | kNormalRw | kPage);
    TranslationResult r = w.walk(va);
    REQUIRE(r.ok());
    CHECK(r.t.pa == kPageA + 0x456);
    w.entry(kT0, 2, 0);
    CHECK(w.fsc(va) == fsc_translation(0));
    // Level 0 has no blocks with 4 KiB tables: a Translation fault at level 0.
    w.entry(kT0, 2, 0x0 | kNormalRw | kBlock);
    CHECK(w.fsc(va) == fsc_translation(0));
}

TEST_CASE("64 KiB granule: 42-bit VA from level 2, 48-bit from level 1, 512 MiB blocks", "[a64][mmu]")
{
    Walk w;
    SECTION("42 bits: an 8192-entry level 2 table, then a 64 KiB page")
    {
        w.cpu.s.sys.tcr_el1 = 22 | kTg0_64K | kIps(4);
        w.cpu.s.sys.ttbr0_el1 = kT1;  // 64 KiB aligned
        constexpr uint64_t va = 5000 * 512 * kMiB + 7 * 64 * kKiB + 0x1234;
        w.entry(kT1, 5000, kT2 | kTable);
        w.entry(kT2, 7, kPageA | kNormalRw | kPage);
        TranslationResult r = w.walk(va);
        REQUIRE(r.ok());
        CHECK(r.t.pa == kPageA + 0x1234);
        CHECK(r.t.block_bits == 16);
        // Bits [15:12] of a 64 KiB page descriptor are not address bits.
        w.entry(kT2, 7, kPageA | 0xF000 | kNormalRw | kPage);
        CHECK(w.walk(va).t.pa == kPageA + 0x1234);
        // A 512 MiB block at level 2.
        w.entry(kT1, 5000, 0x20000000 | kNormalRw | kBlock);
        r = w.walk(va);
        REQUIRE(r.ok());
        CHECK(r.t.pa == 0x20000000 + 7 * 64 * kKiB + 0x1234);
        CHECK(r.t.level == 2);
        CHECK(r.t.block_bits == 29);
    }
    SECTION("48 bits: a 64-entry level 1 table; level 1 blocks are reserved")
    {
        w.cpu.s.sys.tcr_el1 = 16 | kTg0_64K | kIps(4);
        w.cpu.s.sys.ttbr0_el1 = kT0;
        constexpr uint64_t va = 9 * 4 * kTiB + 3 * 512 * kMiB + 2 * 64 * kKiB + 0x10;
        w.entry(kT0, 9, kT1 | kTable);
        w.entry(kT1, 3, kT2 | kTable);
        w.entry(kT2, 2, kPageA | kNormalRw | kPage);
        TranslationResult r = w.walk(va);
        REQUIRE(r.ok());
        CHECK(r.t.pa == kPageA + 0x10);
        w.entry(kT0, 9, 0 | kNormalRw | kBlock);
        CHECK(w.fsc(va) == fsc_translation(1));
    }
}

TEST_CASE("16 KiB granule on a CPU that has it: 36 and 47-bit VAs, 32 MiB blocks", "[a64][mmu]")
{
    Walk w;
    SECTION("36 bits: a 2048-entry level 2 table, then a 16 KiB page")
    {
        w.cpu.s.sys.tcr_el1 = 28 | kTg0_16K | kIps(4);
        w.cpu.s.sys.ttbr0_el1 = kT1;
        constexpr uint64_t va = 1500 * 32 * kMiB + 9 * 16 * kKiB + 0x3210;
        w.entry(kT1, 1500, kT2 | kTable);
        w.entry(kT2, 9, kPageA | kNormalRw | kPage);
        TranslationResult r = w.walk(va, kMmfr0With16K);
        REQUIRE(r.ok());
        CHECK(r.t.pa == kPageA + 0x3210);
        CHECK(r.t.block_bits == 14);
        w.entry(kT1, 1500, 0x42000000 | kNormalRw | kBlock);
        r = w.walk(va, kMmfr0With16K);
        REQUIRE(r.ok());
        CHECK(r.t.pa == 0x42000000 + 9 * 16 * kKiB + 0x3210);
        CHECK(r.t.block_bits == 25);
    }
    SECTION("47 bits: from level 1, where blocks are reserved")
    {
        w.cpu.s.sys.tcr_el1 = 17 | kTg0_16K | kIps(4);
        w.cpu.s.sys.ttbr0_el1 = kT0;
        constexpr uint64_t va = 100 * 64 * kGiB + 3 * 32 * kMiB + 4 * 16 * kKiB + 8;
        w.entry(kT0, 100, kT1 | kTable);
        w.entry(kT1, 3, kT2 | kTable);
        w.entry(kT2, 4, kPageA | kNormalRw | kPage);
        TranslationResult r = w.walk(va, kMmfr0With16K);
        REQUIRE(r.ok());
        CHECK(r.t.pa == kPageA + 8);
        w.entry(kT0, 100, 0 | kNormalRw | kBlock);
        CHECK(w.fsc(va, kMmfr0With16K) == fsc_translation(1));
    }
}

TEST_CASE("the Cortex-A57 has no 16 KiB granule: TG0 = 16 KiB walks 4 KiB tables, as QEMU", "[a64][mmu]")
{
    Walk w;
    w.cpu.s.sys.tcr_el1 = 25 | kTg0_16K | kIps(4);
    w.cpu.s.sys.ttbr0_el1 = kT1;
    constexpr uint64_t va = 3 * kGiB + 5 * 2 * kMiB + 7 * 4 * kKiB + 0x123;
    w.entry(kT1, 3, kT2 | kTable);
    w.entry(kT2, 5, kT3 | kTable);
    w.entry(kT3, 7, kPageA | kNormalRw | kPage);
    TranslationResult r = w.walk(va);
    REQUIRE(r.ok());
    CHECK(r.t.pa == kPageA + 0x123);
    CHECK(((kIdAa64Mmfr0CortexA57 >> 20) & 0xF) == 0);  // TGran16: not implemented
}

TEST_CASE("TTBR1 translates the top of the address space with TG1's granule", "[a64][mmu]")
{
    Walk w;
    w.cpu.s.sys.tcr_el1 = (uint64_t{25} << 16) | kTg1_4K | kIps(4) | kTcrEpd0;
    w.cpu.s.sys.ttbr1_el1 = kT1;
    constexpr uint64_t va = ~((uint64_t{1} << 39) - 1) + 3 * kGiB + 5 * 2 * kMiB + 7 * 4 * kKiB + 0x99;
    w.entry(kT1, 3, kT2 | kTable);
    w.entry(kT2, 5, kT3 | kTable);
    w.entry(kT3, 7, kPageA | kNormalRw | kPage);
    TranslationResult r = w.walk(va);
    REQUIRE(r.ok());
    CHECK(r.t.pa == kPageA + 0x99);
    // TTBR0's half is disabled by EPD0: a level 0 Translation fault.
    CHECK(w.fsc(0x1000) == fsc_translation(0));
    // Between the halves: VA[63:39] neither all zeros nor all ones.
    CHECK(w.fsc(0xFFFF7F8000000000) == fsc_translation(0));
}

TEST_CASE("Translation faults at every level and for every kind of bad address", "[a64][mmu][fault]")
{
    Walk w;
    w.cpu.s.sys.tcr_el1 = 25 | kTg0_4K | kIps(4);
    w.cpu.s.sys.ttbr0_el1 = kT1;
    constexpr uint64_t va = 3 * kGiB + 5 * 2 * kMiB + 7 * 4 * kKiB;
    CHECK(w.fsc(va) == fsc_translation(1));
    w.entry(kT1, 3, kT2 | kTable);
    CHECK(w.fsc(va) == fsc_translation(2));
    w.entry(kT2, 5, kT3 | kTable);
    CHECK(w.fsc(va) == fsc_translation(3));
    // 01 at level 3 is reserved, not a block.
    w.entry(kT3, 7, kPageA | kNormalRw | kBlock);
    CHECK(w.fsc(va) == fsc_translation(3));
    w.entry(kT3, 7, kPageA | kNormalRw | kPage);
    REQUIRE(w.walk(va).ok());

    // Above the 39-bit region, with a tag byte and TBI0 off, or with EPD0: level 0.
    CHECK(w.fsc(uint64_t{1} << 39) == fsc_translation(0));
    CHECK(w.fsc(va | (uint64_t{0x5A} << 56)) == fsc_translation(0));
    w.cpu.s.sys.tcr_el1 |= kTcrTbi0;
    CHECK(w.walk(va | (uint64_t{0x5A} << 56)).t.pa == kPageA);
    // ARMv8.0 has no TCR_EL1.TBID: TBI applies to fetch addresses alike.
    CHECK(w.walk(va | (uint64_t{0x5A} << 56), kIdAa64Mmfr0CortexA57, true).t.pa == kPageA);
    w.cpu.s.sys.tcr_el1 |= kTcrEpd0;
    CHECK(w.fsc(va) == fsc_translation(0));
    // T0SZ outside 16..39 (no FEAT_LVA, no FEAT_TTST): a level 0 Translation fault.
    w.cpu.s.sys.tcr_el1 = 15 | kTg0_4K | kIps(4);
    CHECK(w.fsc(va) == fsc_translation(0));
    w.cpu.s.sys.tcr_el1 = 40 | kTg0_4K | kIps(4);
    CHECK(w.fsc(va) == fsc_translation(0));
}

TEST_CASE("Address size faults: TTBR, table and output addresses above the output size", "[a64][mmu][fault]")
{
    Walk w;
    w.cpu.s.sys.tcr_el1 = 25 | kTg0_4K | kIps(5);  // IPS 48 bits, but the A57 has 44
    constexpr uint64_t va = 3 * kGiB + 5 * 2 * kMiB + 7 * 4 * kKiB;
    constexpr uint64_t kBit44 = uint64_t{1} << 44;
    w.entry(kT1, 3, kT2 | kTable);
    w.entry(kT2, 5, kT3 | kTable);
    w.entry(kT3, 7, kPageA | kNormalRw | kPage);
    w.cpu.s.sys.ttbr0_el1 = kT1 | kBit44;
    CHECK(w.fsc(va) == fsc_address_size(0));
    w.cpu.s.sys.ttbr0_el1 = kT1;
    w.entry(kT1, 3, kT2 | kBit44 | kTable);
    CHECK(w.fsc(va) == fsc_address_size(1));
    w.entry(kT1, 3, kT2 | kTable);
    w.entry(kT2, 5, kPageA | kBit44 | kNormalRw | kBlock);
    CHECK(w.fsc(va) == fsc_address_size(2));
    w.entry(kT2, 5, kT3 | kTable);
    w.entry(kT3, 7, kPageA | (uint64_t{1} << 47) | kNormalRw | kPage);
    CHECK(w.fsc(va) == fsc_address_size(3));
    // IPS 32 bits: an output address at 4 GiB is too large.
    w.cpu.s.sys.tcr_el1 = 25 | kTg0_4K | kIps(0);
    w.entry(kT3, 7, 0x100000000 | kNormalRw | kPage);
    CHECK(w.fsc(va) == fsc_address_size(3));
    // ... and the address size fault comes before the access flag fault.
    w.entry(kT3, 7, 0x100000000 | (kNormalRw & ~kAf) | kPage);
    CHECK(w.fsc(va) == fsc_address_size(3));
}

TEST_CASE("Access flag faults at the level of the block or page", "[a64][mmu][fault]")
{
    Walk w;
    w.cpu.s.sys.tcr_el1 = 25 | kTg0_4K | kIps(4);
    w.cpu.s.sys.ttbr0_el1 = kT1;
    constexpr uint64_t va = 3 * kGiB + 5 * 2 * kMiB + 7 * 4 * kKiB;
    constexpr uint64_t kNoAf = kNormalRw & ~kAf;
    w.entry(kT1, 3, 0x80000000 | kNoAf | kBlock);
    CHECK(w.fsc(va) == fsc_access_flag(1));
    w.entry(kT1, 3, kT2 | kTable);
    w.entry(kT2, 5, kPageA | kNoAf | kBlock);
    CHECK(w.fsc(va) == fsc_access_flag(2));
    w.entry(kT2, 5, kT3 | kTable);
    w.entry(kT3, 7, kPageA | kNoAf | kPage);
    CHECK(w.fsc(va) == fsc_access_flag(3));
}

TEST_CASE("a table in no memory at all: a synchronous external abort on the walk", "[a64][mmu][fault]")
{
    Walk w;
    w.cpu.s.sys.tcr_el1 = 25 | kTg0_4K | kIps(4);
    w.cpu.s.sys.ttbr0_el1 = kT1;
    constexpr uint64_t va = 3 * kGiB;
    w.entry(kT1, 3, 0x10000000 | kTable);  // no RAM or device there
    CHECK(w.fsc(va) == fsc_external_walk(2));
}

TEST_CASE("the flat map with the MMU off: Device data, bits above 44 an address size fault", "[a64][mmu]")
{
    Walk w;
    w.cpu.s.sys.sctlr_el1 &= ~kSctlrM;
    TranslationResult r = w.walk(0x40001234);
    REQUIRE(r.ok());
    CHECK(r.t.pa == 0x40001234);
    CHECK(r.t.attr == 0x00);  // Device-nGnRnE
    CHECK(r.t.perms == 0x3F);
    CHECK(w.fsc(uint64_t{1} << 44) == fsc_address_size(0));
    // TBI applies with the MMU off too.
    w.cpu.s.sys.tcr_el1 = kTcrTbi0;
    CHECK(w.walk(0x40001234 | (uint64_t{0x77} << 56)).t.pa == 0x40001234);
}

TEST_CASE("permissions of AP[2:1], UXN and PXN at EL0 and EL1", "[a64][mmu][permission]")
{
    Walk w;
    w.cpu.s.sys.tcr_el1 = 25 | kTg0_4K | kIps(4);
    w.cpu.s.sys.ttbr0_el1 = kT1;
    constexpr uint64_t va = 3 * kGiB + 5 * 2 * kMiB + 7 * 4 * kKiB;
    w.entry(kT1, 3, kT2 | kTable);
    w.entry(kT2, 5, kT3 | kTable);
    auto perms = [&](uint64_t bits) {
        w.entry(kT3, 7, kPageA | kNormalRw | bits | kPage);
        TranslationResult r = w.walk(va);
        REQUIRE(r.ok());
        return r.t.perms;
    };
    constexpr uint8_t R1 = kPermRead1, W1 = kPermWrite1, X1 = kPermExec1, R0 = kPermRead0, W0 = kPermWrite0,
                      X0 = kPermExec0;
    // AP[2:1] 00: EL1 read/write, no EL0 data access; EL0 may still execute (UXN governs).
    CHECK(perms(0) == (R1 | W1 | X1 | X0));
    // 01: both read/write; EL1 never executes what EL0 may write.
    CHECK(perms(kApEl0) == (R1 | W1 | R0 | W0 | X0));
    // 10: EL1 read-only.
    CHECK(perms(kApReadOnly) == (R1 | X1 | X0));
    // 11: read-only at both.
    CHECK(perms(kApReadOnly | kApEl0) == (R1 | R0 | X1 | X0));
    CHECK(perms(kApReadOnly | kApEl0 | kUxn) == (R1 | R0 | X1));
    CHECK(perms(kApReadOnly | kApEl0 | kPxn) == (R1 | R0 | X0));

    SECTION("table controls apply to everything below")
    {
        w.entry(kT2, 5, kT3 | kTable | kApTableNoEl0);
        CHECK(perms(kApEl0) == (R1 | W1 | X1 | X0));  // no longer EL0-writable, so EL1 may execute
        w.entry(kT2, 5, kT3 | kTable | kApTableReadOnly);
        CHECK(perms(kApEl0) == (R1 | R0 | X1 | X0));
        w.entry(kT1, 3, kT2 | kTable | kUxnTable);  // from the level above, too
        w.entry(kT2, 5, kT3 | kTable);
        CHECK(perms(0) == (R1 | W1 | X1));
        w.entry(kT1, 3, kT2 | kTable | kPxnTable);
        CHECK(perms(0) == (R1 | W1 | X0));
    }
    SECTION("SCTLR_EL1.WXN: writable means execute-never")
    {
        w.cpu.s.sys.sctlr_el1 |= kSctlrWxn;
        CHECK(perms(0) == (R1 | W1 | X0));             // writable at EL1 only
        CHECK(perms(kApEl0) == (R1 | W1 | R0 | W0));   // writable at both
        CHECK(perms(kApReadOnly | kApEl0) == (R1 | R0 | X1 | X0));
    }
}
