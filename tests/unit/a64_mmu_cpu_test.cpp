// The MMU as instructions see it: Data and Instruction Aborts with their exact ESR_EL1 and
// FAR_EL1, alignment, unprivileged and atomic accesses, cache maintenance by VA, AT and
// PAR_EL1, TLB maintenance, TBI, self-modifying code through an alias, and a snapshot taken
// with the MMU on. Syndromes are composed from the ARM ARM's field definitions (D13.2,
// ESR_EL1 and PAR_EL1). Encodings come from aarch64-linux-gnu-as.
#include <catch2/catch.hpp>

#include "core/state_archive.h"
#include "cpu/a64/mmu.h"
#include "support/a64_page_tables.h"
#include "support/test_board.h"

using namespace emu;
using namespace emu::a64;
using namespace emu::test::desc;

namespace {

constexpr uint64_t kRam = 0x40000000;
constexpr uint64_t kRamSize = 8 << 20;
constexpr uint64_t kCode = kRam;             // identity mapped, EL1 only
constexpr uint64_t kVbar = kRam + 0x10000;   // identity mapped, every vector `b .`
constexpr uint64_t kData = kRam + 0x100000;  // test pages, mapped by each test
constexpr uint64_t kTables = kRam + 0x400000;
constexpr uint64_t kVaBase = 0x0000002000000000;  // where tests map their pages (VA != PA)

constexpr uint32_t LDR_X0_X1 = 0xf9400020;
constexpr uint32_t STR_X0_X1 = 0xf9000020;
constexpr uint32_t LDTR_X0_X1 = 0xf8400820;
constexpr uint32_t STTR_X0_X1 = 0xf8000820;
constexpr uint32_t LDADD_X2_X0_X1 = 0xf8220020;
constexpr uint32_t CAS_X2_X0_X1 = 0xc8a27c20;
constexpr uint32_t DC_ZVA_X1 = 0xd50b7421;
constexpr uint32_t DC_CVAC_X1 = 0xd50b7a21;
constexpr uint32_t DC_CIVAC_X1 = 0xd50b7e21;
constexpr uint32_t DC_IVAC_X1 = 0xd5087621;
constexpr uint32_t DC_CVAU_X1 = 0xd50b7b21;
constexpr uint32_t IC_IVAU_X1 = 0xd50b7521;
constexpr uint32_t AT_S1E1R_X1 = 0xd5087801;
constexpr uint32_t AT_S1E1W_X1 = 0xd5087821;
constexpr uint32_t AT_S1E0R_X1 = 0xd5087841;
constexpr uint32_t TLBI_VMALLE1 = 0xd508871f;
constexpr uint32_t TLBI_VAE1_X1 = 0xd5088721;
constexpr uint32_t TLBI_ASIDE1_X1 = 0xd5088741;
constexpr uint32_t TLBI_VAAE1_X1 = 0xd5088761;
constexpr uint32_t TLBI_VALE1_X1 = 0xd50887a1;
constexpr uint32_t TLBI_VAALE1_X1 = 0xd50887e1;
constexpr uint32_t TLBI_VAE1IS_X1 = 0xd5088321;
constexpr uint32_t BR_X1 = 0xd61f0020;
constexpr uint32_t NOP = 0xd503201f;
constexpr uint32_t B_SELF = 0x14000000;
constexpr uint32_t ADD_X0_X0_1 = 0x91000400;
constexpr uint32_t MSR_SCTLR_X0 = 0xd5181000;  // msr sctlr_el1, x0

constexpr uint64_t kSctlrM = 1;
constexpr uint64_t kSctlrA = 2;

constexpr unsigned kEcDabtLower = 0x24, kEcDabtSame = 0x25, kEcIabtLower = 0x20, kEcIabtSame = 0x21;
constexpr uint64_t esr(unsigned ec, uint32_t iss) { return (uint64_t{ec} << 26) | (1u << 25) | iss; }
constexpr uint32_t kWnR = 1u << 6;
constexpr uint32_t kCm = 1u << 8;
// DFSC/IFSC values (ARM ARM D13.2).
constexpr uint32_t kAddressSizeL3 = 0x03;
constexpr uint32_t kTranslationL0 = 0x04;
constexpr uint32_t kTranslationL3 = 0x07;
constexpr uint32_t kAccessFlagL3 = 0x0B;
constexpr uint32_t kPermissionL3 = 0x0F;
constexpr uint32_t kAlignment = 0x21;

constexpr uint64_t kNormal = attr_index(test::kAttrNormal) | kShInner;
constexpr uint64_t kDevice = attr_index(test::kAttrDevice);

// 4 KiB tables for a 39-bit TTBR0 region: code, vectors and the table pool identity mapped at
// EL1, and whatever each test adds.
struct MmuBoard : test::A64TestBoard {
    test::PageTableBuilder pt;

    explicit MmuBoard(unsigned granule_bits = 12, unsigned va_bits = 39)
        : A64TestBoard(kRam, kRamSize),
          pt([this](uint64_t a, uint64_t v) { write64(a, v); }, granule_bits, va_bits, kTables, 2 << 20)
    {
        uint64_t g = uint64_t{1} << granule_bits;
        pt.map(kCode, kCode, std::max<uint64_t>(g, 0x10000), kNormal);
        pt.map(kVbar, kVbar, std::max<uint64_t>(g, 0x10000), kNormal);
        std::vector<uint32_t> vectors(0x800 / 4, B_SELF);
        load(kVbar, vectors);
        cpu.s.sys.vbar_el1 = kVbar;
        cpu.s.sys.mair_el1 = test::kTestMair;
        cpu.s.sys.tcr_el1 = test::tcr_for_ttbr0(granule_bits, va_bits);
        cpu.s.sys.ttbr0_el1 = pt.root();
        cpu.s.sys.sctlr_el1 |= kSctlrM;
        cpu.translation_changed();
        cpu.s.pc = kCode;
    }
    // Runs `insns` from kCode: one instruction, or the fault and the vector's `b .`.
    void run_one(std::vector<uint32_t> insns)
    {
        load(kCode, insns);
        cpu.s.sys.esr_el1 = 0;
        cpu.s.sys.far_el1 = 0;
        cpu.run(1);
    }
    void to_el0()
    {
        cpu.set_el_and_sp(0, 0);
        cpu.s.sys.spsr_el1 = 0;
    }
    // X0 as LDR X0, [X1] loads it from `va`.
    uint64_t load_via(uint64_t va)
    {
        cpu.s.r[1] = va;
        run_one({LDR_X0_X1});
        return cpu.s.r[0];
    }
    void tlbi_vae1(uint64_t va)
    {
        cpu.s.r[1] = va >> 12;
        run_one({TLBI_VAE1_X1});
    }
    // The vector the last synchronous exception went to, relative to VBAR_EL1.
    uint64_t vector() const { return cpu.s.pc - kVbar; }
    uint8_t byte_at(uint64_t pa)
    {
        uint8_t b = 0;
        bus.read_bytes(pa, &b, 1);
        return b;
    }
};

}  // namespace

TEST_CASE("loads and stores go through the tables, VA to a different PA", "[a64][mmu]")
{
    MmuBoard b;
    b.pt.map(kVaBase, kData, 0x1000, kNormal);
    b.write64(kData + 0x10, 0x1122334455667788);
    b.cpu.s.r[1] = kVaBase + 0x10;
    b.run_one({LDR_X0_X1});
    CHECK(b.cpu.s.r[0] == 0x1122334455667788);
    b.cpu.s.r[0] = 0xCAFE;
    b.run_one({STR_X0_X1});
    CHECK(b.read64(kData + 0x10) == 0xCAFE);
    // The TLB now holds the page: the same accesses again, and the RAM page is dirty.
    b.run_one({LDR_X0_X1});
    CHECK(b.cpu.s.r[0] == 0xCAFE);
    CHECK(b.bus.ram_regions()[0].dirty_page[(kData - kRam) >> 12] != 0);
}

TEST_CASE("data aborts: translation, access flag, permission and address size syndromes", "[a64][mmu][fault]")
{
    MmuBoard b;
    b.cpu.s.r[1] = kVaBase + 0x28;
    SECTION("load from an unmapped page: translation fault level 3, FAR the address")
    {
        b.pt.map(kVaBase + 0x1000, kData, 0x1000, kNormal);  // the neighbour, so tables exist
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kTranslationL3));
        CHECK(b.cpu.s.sys.far_el1 == kVaBase + 0x28);
        CHECK(b.cpu.s.sys.elr_el1 == kCode);
        CHECK(b.cpu.icount() == 1);  // the load does not retire; the vector's `b .` does
        CHECK(b.vector() == 0x200);
    }
    SECTION("store: the same with WnR")
    {
        b.pt.map(kVaBase + 0x1000, kData, 0x1000, kNormal);
        b.run_one({STR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kWnR | kTranslationL3));
    }
    SECTION("access flag clear: an Access flag fault (no hardware update on the A57)")
    {
        b.pt.set(kVaBase, 3, kData | kNormal | kPage);
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kAccessFlagL3));
        CHECK(b.read64(b.pt.descriptor_address(kVaBase, 3)) == (kData | kNormal | kPage));
    }
    SECTION("store to a read-only page")
    {
        b.pt.map(kVaBase, kData, 0x1000, kNormal | kApReadOnly);
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == 0);
        b.run_one({STR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kWnR | kPermissionL3));
    }
    SECTION("an output address above the 44-bit physical address size")
    {
        b.pt.map(kVaBase, uint64_t{1} << 44, 0x1000, kNormal);
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kAddressSizeL3));
    }
    SECTION("above the 39-bit region: translation fault level 0")
    {
        b.cpu.s.r[1] = uint64_t{1} << 39;
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kTranslationL0));
        CHECK(b.cpu.s.sys.far_el1 == uint64_t{1} << 39);
    }
}

TEST_CASE("EL0 and the unprivileged LDTR/STTR use EL0's permissions", "[a64][mmu][permission]")
{
    MmuBoard b;
    b.pt.map(kVaBase, kData, 0x1000, kNormal);                     // EL1 only
    b.pt.map(kVaBase + 0x1000, kData + 0x1000, 0x1000, kNormal | kApEl0);  // EL0 read/write
    b.pt.map(kCode + 0x8000, kCode + 0x8000, 0x1000, kNormal | kApEl0 | kApReadOnly);  // EL0 code
    b.cpu.s.r[1] = kVaBase;
    b.run_one({LDTR_X0_X1});
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kPermissionL3));
    b.run_one({STTR_X0_X1});
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kWnR | kPermissionL3));
    b.cpu.s.r[1] = kVaBase + 0x1000;
    b.write64(kData + 0x1000, 77);
    b.run_one({LDTR_X0_X1});
    CHECK(b.cpu.s.sys.esr_el1 == 0);
    CHECK(b.cpu.s.r[0] == 77);

    // At EL0: the EL1-only page faults with the lower-EL class.
    b.load(kCode + 0x8000, {LDR_X0_X1, B_SELF});
    b.to_el0();
    b.cpu.s.r[1] = kVaBase;
    b.cpu.run(1);
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtLower, kPermissionL3));
    CHECK(b.cpu.s.sys.elr_el1 == kCode + 0x8000);
    CHECK(b.vector() == 0x400);
}

TEST_CASE("instruction aborts at EL1 and EL0, and a block that runs into a faulting page", "[a64][mmu][fault]")
{
    MmuBoard b;
    SECTION("a branch to an unmapped page: the fetch faults, FAR and ELR the target")
    {
        b.cpu.s.r[1] = kVaBase + 0x40;
        b.pt.map(kVaBase + 0x1000, kData, 0x1000, kNormal);
        b.load(kCode, {BR_X1});
        b.cpu.run(2);
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcIabtSame, kTranslationL3));
        CHECK(b.cpu.s.sys.far_el1 == kVaBase + 0x40);
        CHECK(b.cpu.s.sys.elr_el1 == kVaBase + 0x40);
        CHECK(b.cpu.icount() == 2);  // BR and the vector's `b .`
    }
    SECTION("privileged execute-never, and a page EL0 may write, do not execute at EL1")
    {
        b.pt.map(kVaBase, kData, 0x1000, kNormal | kPxn);
        b.pt.map(kVaBase + 0x1000, kData + 0x1000, 0x1000, kNormal | kApEl0);
        b.bus.write_bytes(kData, &NOP, 4);
        b.bus.write_bytes(kData + 0x1000, &NOP, 4);
        for (uint64_t target : {kVaBase, kVaBase + 0x1000}) {
            b.cpu.s.r[1] = target;
            b.load(kCode, {BR_X1});
            b.cpu.run(2);
            CHECK(b.cpu.s.sys.esr_el1 == esr(kEcIabtSame, kPermissionL3));
            CHECK(b.cpu.s.sys.far_el1 == target);
        }
    }
    SECTION("EL0 fetching from a UXN page: EC 0x20")
    {
        b.pt.map(kVaBase, kData, 0x1000, kNormal | kApEl0 | kUxn);
        b.to_el0();
        b.cpu.s.pc = kVaBase + 8;
        b.cpu.run(1);
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcIabtLower, kPermissionL3));
        CHECK(b.cpu.s.sys.far_el1 == kVaBase + 8);
        CHECK(b.vector() == 0x400);
    }
    SECTION("straight-line code running off the end of its page into an unmapped one")
    {
        b.pt.map(kVaBase, kData, 0x1000, kNormal);
        uint32_t two[] = {ADD_X0_X0_1, ADD_X0_X0_1};
        b.bus.write_bytes(kData + 0xFF8, two, 8);
        b.cpu.s.pc = kVaBase + 0xFF8;
        b.cpu.s.r[0] = 0;
        b.cpu.run(3);
        CHECK(b.cpu.s.r[0] == 2);
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcIabtSame, kTranslationL3));
        CHECK(b.cpu.s.sys.far_el1 == kVaBase + 0x1000);
        CHECK(b.cpu.s.sys.elr_el1 == kVaBase + 0x1000);
        CHECK(b.cpu.icount() == 3);
    }
}

TEST_CASE("alignment: Device memory, SCTLR_EL1.A, and accesses that cross into a faulting page",
          "[a64][mmu][fault]")
{
    MmuBoard b;
    b.pt.map(kVaBase, kData, 0x1000, kDevice);
    b.pt.map(kVaBase + 0x1000, kData + 0x1000, 0x1000, kNormal);
    SECTION("Device memory takes aligned accesses only")
    {
        b.cpu.s.r[1] = kVaBase + 8;
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == 0);
        b.cpu.s.r[1] = kVaBase + 9;
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kAlignment));
        CHECK(b.cpu.s.sys.far_el1 == kVaBase + 9);
        b.run_one({STR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kWnR | kAlignment));
    }
    SECTION("SCTLR_EL1.A checks every access, Normal memory too")
    {
        b.cpu.s.r[1] = kVaBase + 0x1004;
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == 0);
        b.cpu.s.sys.sctlr_el1 |= kSctlrA;
        b.cpu.translation_changed();
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kAlignment));
        b.cpu.s.r[1] = kVaBase + 0x1008;
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == 0);
    }
    SECTION("a load or store crossing into an unmapped page: FAR is that page, nothing is written")
    {
        b.cpu.s.r[1] = kVaBase + 0x1FFC;
        b.cpu.s.r[0] = ~uint64_t{0};
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kTranslationL3));
        CHECK(b.cpu.s.sys.far_el1 == kVaBase + 0x2000);
        b.run_one({STR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kWnR | kTranslationL3));
        CHECK(b.cpu.s.sys.far_el1 == kVaBase + 0x2000);
        CHECK(b.byte_at(kData + 0x1FFC) == 0);
    }
    SECTION("a load crossing into a mapped page reads both")
    {
        b.pt.map(kVaBase + 0x2000, kData + 0x5000, 0x1000, kNormal);
        b.write64(kData + 0x1FF8, 0x4433221100000000);
        b.write64(kData + 0x5000, 0x0000000088776655);
        b.cpu.s.r[1] = kVaBase + 0x1FFC;
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.sys.esr_el1 == 0);
        CHECK(b.cpu.s.r[0] == 0x8877665544332211);
    }
}

TEST_CASE("atomics need write permission even when nothing is written", "[a64][mmu][permission]")
{
    MmuBoard b;
    b.pt.map(kVaBase, kData, 0x1000, kNormal | kApReadOnly | kApEl0);
    b.pt.map(kVaBase + 0x1000, kData + 0x1000, 0x1000, kNormal);  // EL1 only
    b.write64(kData, 5);
    b.cpu.s.r[1] = kVaBase;
    b.cpu.s.r[2] = 7;  // CAS compares with 7: no match, no store
    b.run_one({CAS_X2_X0_X1});
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kWnR | kPermissionL3));
    b.run_one({LDADD_X2_X0_X1});
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kWnR | kPermissionL3));
    CHECK(b.read64(kData) == 5);
    // At EL0 on a page EL0 cannot even read: the read fails first, WnR 0.
    b.pt.map(kCode + 0x8000, kCode + 0x8000, 0x1000, kNormal | kApEl0 | kApReadOnly);
    b.load(kCode + 0x8000, {LDADD_X2_X0_X1});
    b.to_el0();
    b.cpu.s.r[1] = kVaBase + 0x1000;
    b.cpu.run(1);
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtLower, kPermissionL3));
}

TEST_CASE("DC ZVA through the MMU: write permission, Device memory, FAR the register", "[a64][mmu][cache]")
{
    MmuBoard b;
    b.pt.map(kVaBase, kData, 0x1000, kNormal);
    b.pt.map(kVaBase + 0x1000, kData + 0x1000, 0x1000, kNormal | kApReadOnly);
    b.pt.map(kVaBase + 0x2000, kData + 0x2000, 0x1000, kDevice);
    for (unsigned i = 0; i < 0x3000; i += 8)
        b.write64(kData + i, ~uint64_t{0});
    b.cpu.s.r[1] = kVaBase + 0x47;
    b.run_one({DC_ZVA_X1});
    CHECK(b.cpu.s.sys.esr_el1 == 0);
    CHECK(b.read64(kData + 0x40) == 0);
    CHECK(b.read64(kData + 0x78) == 0);
    CHECK(b.read64(kData + 0x38) == ~uint64_t{0});
    CHECK(b.read64(kData + 0x80) == ~uint64_t{0});
    b.cpu.s.r[1] = kVaBase + 0x1047;
    b.run_one({DC_ZVA_X1});
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kWnR | kPermissionL3));
    CHECK(b.cpu.s.sys.far_el1 == kVaBase + 0x1047);
    b.cpu.s.r[1] = kVaBase + 0x2040;
    b.run_one({DC_ZVA_X1});
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kWnR | kAlignment));
    b.cpu.s.r[1] = kVaBase + 0x3047;
    b.run_one({DC_ZVA_X1});
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kWnR | kTranslationL3));
    CHECK(b.cpu.s.sys.far_el1 == kVaBase + 0x3047);
}

TEST_CASE("DC ZVA through a TLB entry: zeroes, marks the page written, and rewrites code", "[a64][mmu][cache]")
{
    MmuBoard b;
    b.pt.map(kVaBase, kData, 0x2000, kNormal);
    for (unsigned i = 0; i < 0x2000; i += 8)
        b.write64(kData + i, ~uint64_t{0});
    // A store fills the page's TLB entry for writing; then the page is marked unwritten.
    RamRegion& ram = b.bus.ram_regions()[0];
    b.cpu.s.r[1] = kVaBase + 0x100;
    b.cpu.s.r[0] = 5;
    b.run_one({STR_X0_X1});
    ram.dirty_page[(kData - kRam) >> 12] = 0;
    b.cpu.s.r[1] = kVaBase + 0x87;
    b.run_one({DC_ZVA_X1});
    CHECK(b.cpu.s.sys.esr_el1 == 0);
    CHECK(b.cpu.s.pc == kCode + 4);
    CHECK(b.read64(kData + 0x80) == 0);
    CHECK(b.read64(kData + 0xB8) == 0);
    CHECK(b.read64(kData + 0x78) == ~uint64_t{0});
    CHECK(b.read64(kData + 0xC0) == ~uint64_t{0});
    CHECK(ram.dirty_page[(kData - kRam) >> 12] != 0);
    // The second page is in the TLB (a store) before code in it runs, so that its page holds
    // translated code; then DC ZVA clears the code's block: the cleared words are UDF #0, and
    // running there again takes Undefined. Nothing else writes code in between.
    b.load(kCode, {STR_X0_X1, DC_ZVA_X1});
    b.cpu.s.pc = kCode;
    b.cpu.s.r[1] = kVaBase + 0x1800;
    b.cpu.run(1);
    // The code is a whole block of two instructions, so that a run of two uses the cached
    // block (a shorter budget would decode it afresh).
    uint32_t code[] = {ADD_X0_X0_1, BR_X1};
    b.bus.write_bytes(kData + 0x1000, code, sizeof code);
    b.cpu.s.pc = kVaBase + 0x1000;
    b.cpu.s.r[0] = 0;
    b.cpu.s.r[1] = kVbar;
    b.cpu.run(2);
    REQUIRE(b.cpu.s.r[0] == 1);
    b.cpu.s.pc = kCode + 4;
    b.cpu.s.r[1] = kVaBase + 0x1000;
    b.cpu.run(1);
    REQUIRE(b.cpu.s.sys.esr_el1 == 0);
    b.cpu.s.pc = kVaBase + 0x1000;
    b.cpu.s.r[1] = kVbar;
    b.cpu.run(2);
    CHECK(b.cpu.s.r[0] == 1);
    CHECK(b.vector() == 0x200);
    CHECK(b.cpu.s.sys.esr_el1 == esr(0, 0));
}

TEST_CASE("cache maintenance by VA translates its address: CM and WnR set on a fault", "[a64][mmu][cache]")
{
    MmuBoard b;
    b.pt.map(kVaBase, kData, 0x1000, kNormal | kApReadOnly);
    b.pt.map(kVaBase + 0x1000, kData + 0x1000, 0x1000, kNormal);  // EL1 only
    constexpr uint64_t kUnmapped = kVaBase + 0x5000;
    for (uint32_t insn : {DC_CVAC_X1, DC_CIVAC_X1, DC_CVAU_X1, IC_IVAU_X1, DC_IVAC_X1}) {
        b.cpu.s.r[1] = kUnmapped + 0x10;
        b.run_one({insn});
        CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kCm | kWnR | kTranslationL3));
        CHECK(b.cpu.s.sys.far_el1 == kUnmapped + 0x10);
    }
    // At EL1 a read-only page is fine for cleaning; DC IVAC needs write permission.
    b.cpu.s.r[1] = kVaBase;
    for (uint32_t insn : {DC_CVAC_X1, DC_CIVAC_X1, DC_CVAU_X1, IC_IVAU_X1}) {
        b.run_one({insn});
        CHECK(b.cpu.s.sys.esr_el1 == 0);
    }
    b.run_one({DC_IVAC_X1});
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kCm | kWnR | kPermissionL3));
    // The same once the TLB holds the page for reading.
    b.run_one({LDR_X0_X1});
    REQUIRE(b.cpu.s.sys.esr_el1 == 0);
    b.run_one({DC_CIVAC_X1});
    CHECK(b.cpu.s.sys.esr_el1 == 0);
    b.run_one({DC_IVAC_X1});
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kCm | kWnR | kPermissionL3));
    // EL0 (with SCTLR_EL1.UCI) needs read permission.
    b.cpu.s.sys.sctlr_el1 |= uint64_t{1} << 26;
    b.pt.map(kCode + 0x8000, kCode + 0x8000, 0x1000, kNormal | kApEl0 | kApReadOnly);
    b.load(kCode + 0x8000, {DC_CVAU_X1});
    b.to_el0();
    b.cpu.s.r[1] = kVaBase + 0x1000;
    b.cpu.run(1);
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtLower, kCm | kWnR | kPermissionL3));
}

TEST_CASE("AT writes PAR_EL1: PA, attributes and shareability, or the fault", "[a64][mmu][at]")
{
    MmuBoard b;
    b.pt.map(kVaBase, kData, 0x1000, kNormal | kApReadOnly);
    b.pt.map(kVaBase + 0x1000, kData + 0x1000, 0x1000, attr_index(test::kAttrNonCacheable) | kShOuter);
    b.pt.map(kVaBase + 0x2000, kData + 0x2000, 0x1000, kDevice | kApEl0);
    b.pt.set(kVaBase + 0x3000, 3, (kData + 0x3000) | kNormal | kPage);  // access flag clear
    constexpr uint64_t kRes1 = 1u << 11, kNs = 1u << 9;
    auto par = [&](uint32_t at, uint64_t va) {
        b.cpu.s.r[1] = va;
        b.run_one({at});
        REQUIRE(b.cpu.s.sys.esr_el1 == 0);
        return b.cpu.s.sys.par_el1;
    };
    // Success: ATTR[63:56], PA[47:12], RES1, NS, SH[8:7].
    CHECK(par(AT_S1E1R_X1, kVaBase + 0x123) == ((uint64_t{0xFF} << 56) | kData | kRes1 | kNs | (3u << 7)));
    CHECK(par(AT_S1E1R_X1, kVaBase + 0x1FFF) == ((uint64_t{0x44} << 56) | (kData + 0x1000) | kRes1 | kNs | (2u << 7)));
    CHECK(par(AT_S1E0R_X1, kVaBase + 0x2000) == ((kData + 0x2000) | kRes1 | kNs));
    // Failure: F, FST[6:1], RES1.
    CHECK(par(AT_S1E1W_X1, kVaBase) == (kRes1 | (kPermissionL3 << 1) | 1));
    CHECK(par(AT_S1E0R_X1, kVaBase) == (kRes1 | (kPermissionL3 << 1) | 1));
    CHECK(par(AT_S1E1R_X1, kVaBase + 0x3000) == (kRes1 | (kAccessFlagL3 << 1) | 1));
    CHECK(par(AT_S1E1R_X1, kVaBase + 0x4000) == (kRes1 | (kTranslationL3 << 1) | 1));
    CHECK(par(AT_S1E1R_X1, uint64_t{1} << 39) == (kRes1 | (kTranslationL0 << 1) | 1));
    // With the MMU off: the address itself, Device-nGnRnE.
    b.cpu.s.sys.sctlr_el1 &= ~kSctlrM;
    b.cpu.translation_changed();
    CHECK(par(AT_S1E1R_X1, 0x40123456) == (0x40123000 | kRes1 | kNs));
    // AT is undefined at EL0.
    b.to_el0();
    b.cpu.s.sys.sctlr_el1 |= kSctlrM;
    b.cpu.translation_changed();
    b.pt.map(kCode + 0x8000, kCode + 0x8000, 0x1000, kNormal | kApEl0 | kApReadOnly);
    b.load(kCode + 0x8000, {AT_S1E1R_X1});
    b.cpu.run(1);
    CHECK(b.cpu.s.sys.esr_el1 == esr(0, 0));
}

TEST_CASE("TLBI: after each form, a changed descriptor is seen", "[a64][mmu][tlb]")
{
    MmuBoard b;
    b.pt.map(kVaBase, kData, 0x1000, kNormal);
    b.write64(kData, 1);
    b.write64(kData + 0x1000, 2);
    uint64_t pte = b.pt.descriptor_address(kVaBase, 3);
    struct Form {
        const char* name;
        uint32_t insn;
        uint64_t xt;
    };
    const uint64_t page = kVaBase >> 12;
    const uint64_t asid = uint64_t{0x55} << 48;
    for (Form f : {Form{"VMALLE1", TLBI_VMALLE1, 0}, Form{"VAE1", TLBI_VAE1_X1, page | asid},
                   Form{"ASIDE1", TLBI_ASIDE1_X1, asid}, Form{"VAAE1", TLBI_VAAE1_X1, page},
                   Form{"VALE1", TLBI_VALE1_X1, page | asid}, Form{"VAALE1", TLBI_VAALE1_X1, page},
                   Form{"VAE1IS", TLBI_VAE1IS_X1, page | asid}}) {
        INFO(f.name);
        b.cpu.s.sys.ttbr0_el1 = b.pt.root() | asid;
        b.cpu.translation_changed();
        b.write64(pte, kData | kNormal | kAf | kPage);
        b.cpu.s.r[1] = kVaBase;
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.r[0] == 1);
        b.write64(pte, (kData + 0x1000) | kNormal | kAf | kPage);
        b.cpu.s.r[1] = f.xt;
        b.run_one({f.insn});
        b.cpu.s.r[1] = kVaBase;
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.r[0] == 2);
    }
}

TEST_CASE("TLB: no TLBI is needed after making an entry valid, or after switching TTBR0", "[a64][mmu][tlb]")
{
    MmuBoard b;
    b.pt.map(kVaBase + 0x1000, kData, 0x1000, kNormal);
    b.write64(kData + 0x2000, 9);
    b.cpu.s.r[1] = kVaBase;
    b.run_one({LDR_X0_X1});
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kTranslationL3));
    // Faults are never cached: the new entry is used at once.
    b.pt.map(kVaBase, kData + 0x2000, 0x1000, kNormal);
    b.run_one({LDR_X0_X1});
    CHECK(b.cpu.s.sys.esr_el1 == 0);
    CHECK(b.cpu.s.r[0] == 9);
    // Another address space (another ASID) maps the page elsewhere.
    test::PageTableBuilder other([&](uint64_t a, uint64_t v) { b.write64(a, v); }, 12, 39, kTables + (1 << 20),
                                 1 << 20);
    other.map(kCode, kCode, 0x10000, kNormal);
    other.map(kVbar, kVbar, 0x10000, kNormal);
    other.map(kVaBase, kData + 0x3000, 0x1000, kNormal);
    b.write64(kData + 0x3000, 10);
    b.cpu.s.sys.ttbr0_el1 = other.root() | (uint64_t{2} << 48);
    b.cpu.translation_changed();
    b.run_one({LDR_X0_X1});
    CHECK(b.cpu.s.r[0] == 10);
}

TEST_CASE("TLBI by address invalidates a whole block or 64 KiB page", "[a64][mmu][tlb]")
{
    SECTION("a 2 MiB block, invalidated by an address in its last 4 KiB")
    {
        MmuBoard b;
        b.pt.map(kVaBase, kRam + 0x200000, 0x200000, kNormal, 2);
        b.write64(kRam + 0x200000 + 0x5000, 1);
        b.write64(kRam + 0x400000 + 0x5000, 2);
        b.cpu.s.r[1] = kVaBase + 0x5000;
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.r[0] == 1);
        b.write64(b.pt.descriptor_address(kVaBase, 2), (kRam + 0x400000) | kNormal | kAf | kBlock);
        b.cpu.s.r[1] = (kVaBase + 0x1FF000) >> 12;
        b.run_one({TLBI_VAE1_X1});
        b.cpu.s.r[1] = kVaBase + 0x5000;
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.r[0] == 2);
    }
    SECTION("a 64 KiB page, invalidated by an address in its middle")
    {
        MmuBoard b(16, 42);
        b.pt.map(kVaBase, kRam + 0x200000, 0x10000, kNormal);
        b.write64(kRam + 0x200000 + 0xF000, 1);
        b.write64(kRam + 0x210000 + 0xF000, 2);
        b.cpu.s.r[1] = kVaBase + 0xF000;
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.r[0] == 1);
        b.write64(b.pt.descriptor_address(kVaBase, 3), (kRam + 0x210000) | kNormal | kAf | kPage);
        b.cpu.s.r[1] = (kVaBase + 0x8000) >> 12;
        b.run_one({TLBI_VAE1_X1});
        b.cpu.s.r[1] = kVaBase + 0xF000;
        b.run_one({LDR_X0_X1});
        CHECK(b.cpu.s.r[0] == 2);
    }
}

// Linux maps its kernel with blocks and invalidates user pages by address all the time: such
// a TLBI must not cost the kernel's entries. Keeping an entry whose descriptor changed without
// its own TLBI is what a TLB may do, and shows that the entry was kept.
TEST_CASE("TLBI by address keeps the entries of blocks that do not hold the address", "[a64][mmu][tlb]")
{
    MmuBoard b;
    constexpr uint64_t kBlockVa = kVaBase + 0x200000, kPageVa = kVaBase + 0x1000;
    b.pt.map(kBlockVa, kRam + 0x200000, 0x200000, kNormal, 2);
    b.pt.map(kPageVa, kData, 0x1000, kNormal);
    b.write64(kRam + 0x200000 + 0x5000, 1);
    b.write64(kRam + 0x400000 + 0x5000, 2);
    b.write64(kData + 0x10, 3);
    b.write64(kData + 0x1010, 4);
    REQUIRE(b.load_via(kBlockVa + 0x5000) == 1);
    REQUIRE(b.load_via(kPageVa + 0x10) == 3);
    // Both descriptors change; only the page's is invalidated.
    b.write64(b.pt.descriptor_address(kBlockVa, 2), (kRam + 0x400000) | kNormal | kAf | kBlock);
    b.write64(b.pt.descriptor_address(kPageVa, 3), (kData + 0x1000) | kNormal | kAf | kPage);
    b.tlbi_vae1(kPageVa);
    CHECK(b.load_via(kPageVa + 0x10) == 4);
    CHECK(b.load_via(kBlockVa + 0x5000) == 1);
    // The block's own TLBI, by another of its pages, reaches the entry.
    b.tlbi_vae1(kBlockVa + 0x100000);
    CHECK(b.load_via(kBlockVa + 0x5000) == 2);
}

TEST_CASE("TBI: tagged pointers for data, and branches drop the tag", "[a64][mmu][tbi]")
{
    MmuBoard b;
    b.pt.map(kVaBase, kData, 0x1000, kNormal);
    b.write64(kData + 0x20, 42);
    constexpr uint64_t kTag = uint64_t{0xA5} << 56;
    b.cpu.s.r[1] = kTag | (kVaBase + 0x20);
    b.run_one({LDR_X0_X1});
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kTranslationL0));
    CHECK(b.cpu.s.sys.far_el1 == (kTag | (kVaBase + 0x20)));
    b.cpu.s.sys.tcr_el1 |= uint64_t{1} << 37;  // TBI0
    b.cpu.translation_changed();
    b.run_one({LDR_X0_X1});
    CHECK(b.cpu.s.sys.esr_el1 == 0);
    CHECK(b.cpu.s.r[0] == 42);
    // A fault keeps the tag in FAR_EL1 (as QEMU reports it).
    b.cpu.s.r[1] = kTag | (kVaBase + 0x1000);
    b.run_one({LDR_X0_X1});
    CHECK(b.cpu.s.sys.esr_el1 == esr(kEcDabtSame, kTranslationL3));
    CHECK(b.cpu.s.sys.far_el1 == (kTag | (kVaBase + 0x1000)));
    // BR to a tagged address: the PC is the address with the top byte copied from bit 55.
    b.bus.write_bytes(kData + 0x100, &B_SELF, 4);
    b.cpu.s.r[1] = kTag | (kVaBase + 0x100);
    b.run_one({BR_X1});
    CHECK(b.cpu.s.pc == kVaBase + 0x100);
}

TEST_CASE("self-modifying code through an alias mapping invalidates what runs", "[a64][mmu][smc]")
{
    MmuBoard b;
    constexpr uint64_t kExec = kVaBase, kAlias = kVaBase + 0x10000;
    b.pt.map(kExec, kData, 0x1000, kNormal | kApReadOnly);
    b.pt.map(kAlias, kData, 0x1000, kNormal | kPxn);
    uint32_t code[] = {ADD_X0_X0_1, B_SELF};
    b.bus.write_bytes(kData, code, sizeof code);
    b.cpu.s.pc = kExec;
    b.cpu.s.r[0] = 0;
    b.cpu.run(2);
    CHECK(b.cpu.s.r[0] == 1);
    // Through the alias, the add becomes add x0, x0, #2 (a store the TLB may not shortcut).
    constexpr uint32_t ADD_X0_X0_2 = 0x91000800;
    b.load(kCode, {0xb9000022 /* str w2, [x1] */});
    b.cpu.s.r[1] = kAlias;
    b.cpu.s.r[2] = ADD_X0_X0_2;
    b.cpu.run(1);
    REQUIRE(b.cpu.s.sys.esr_el1 == 0);
    b.cpu.s.pc = kExec;
    b.cpu.run(1);
    CHECK(b.cpu.s.r[0] == 3);
}

TEST_CASE("a snapshot taken with the MMU on restores into a CPU that goes on alike", "[a64][mmu][snapshot]")
{
    MmuBoard a;
    a.pt.map(kVaBase, kData, 0x1000, kNormal);
    a.write64(kData, 5);
    a.cpu.s.r[1] = kVaBase;
    a.load(kCode, {LDR_X0_X1, ADD_X0_X0_1, STR_X0_X1, B_SELF});
    a.cpu.run(1);
    StateWriter save;
    a.cpu.serialize(save);
    std::vector<uint8_t> ram(a.bus.ram_regions()[0].host.get(), a.bus.ram_regions()[0].host.get() + kRamSize);

    MmuBoard b;
    b.bus.write_bytes(kRam, ram.data(), ram.size());
    StateReader load(save.bytes());
    b.cpu.serialize(load);
    CHECK(b.cpu.s.sys.sctlr_el1 & kSctlrM);
    a.cpu.run(2);
    b.cpu.run(2);
    CHECK(a.read64(kData) == 6);
    CHECK(b.read64(kData) == 6);
    CHECK(b.cpu.icount() == a.cpu.icount());
}

TEST_CASE("SCTLR_EL1: setting M through MSR runs on translated; EE and E0E are refused", "[a64][mmu]")
{
    MmuBoard b;
    b.cpu.s.sys.sctlr_el1 &= ~kSctlrM;
    b.cpu.translation_changed();
    b.load(kCode, {MSR_SCTLR_X0, NOP, NOP});
    b.cpu.s.r[0] = b.cpu.s.sys.sctlr_el1 | kSctlrM;
    CHECK(b.cpu.run(3) == RunEnd::Budget);
    CHECK(b.cpu.s.pc == kCode + 12);
    b.load(kCode, {MSR_SCTLR_X0});
    b.cpu.s.r[0] = b.cpu.s.sys.sctlr_el1 | (uint64_t{1} << 25);
    CHECK(b.cpu.run(1) == RunEnd::Stopped);
    CHECK(b.cpu.stop()->kind == StopKind::Unsupported);
    CHECK((b.cpu.s.sys.sctlr_el1 & (uint64_t{1} << 25)) == 0);
}

TEST_CASE("with the MMU on, running blocks whole and one instruction at a time agree", "[a64][mmu][engine]")
{
    // A loop over a translated data page whose body spans two code pages: chaining within a
    // page, across pages and back, against the run loop's full translation every time.
    const std::vector<uint32_t> first_page = {0xd2800003, 0xd2801904, 0xf8637825, 0x8b0300a5, 0xf8237845,
                                              0x91000463, 0x92401463, 0xf1000484, 0x54007f60, 0x140003f7};
    const std::vector<uint32_t> second_page = {0x8b0500c6, 0xf10000df, 0x17fffc00, B_SELF};
    constexpr uint64_t kCodeVa = kVaBase + 0x10000, kSrcVa = kVaBase, kDstVa = kVaBase + 0x1000;
    auto prepare = [&](MmuBoard& b) {
        b.pt.map(kCodeVa, kData + 0x10000, 0x2000, kNormal | kApReadOnly);
        b.pt.map(kSrcVa, kData, 0x2000, kNormal);
        b.load(kData + 0x10000, first_page);
        b.load(kData + 0x11000, second_page);
        for (unsigned i = 0; i < 64; i++)
            b.write64(kData + 8 * i, 0x1000 * i + 7);
        b.cpu.s.pc = kCodeVa;
        b.cpu.s.r[1] = kSrcVa;
        b.cpu.s.r[2] = kDstVa;
    };
    MmuBoard whole, stepped;
    prepare(whole);
    prepare(stepped);
    constexpr uint64_t kInsns = 4000;
    whole.cpu.run(kInsns);
    for (uint64_t i = 0; i < kInsns; i++)
        stepped.cpu.run(1);
    CHECK(whole.cpu.s.pc == kCodeVa + 0x100C);  // at the final `b .`
    CHECK(whole.cpu.icount() == kInsns);
    CHECK(stepped.cpu.icount() == kInsns);
    CHECK(stepped.cpu.s.pc == whole.cpu.s.pc);
    for (unsigned r = 0; r < 8; r++)
        CHECK(stepped.cpu.s.r[r] == whole.cpu.s.r[r]);
    for (unsigned i = 0; i < 64; i++)
        CHECK(stepped.read64(kData + 0x1000 + 8 * i) == whole.read64(kData + 0x1000 + 8 * i));
    CHECK(whole.read64(kData + 0x1000 + 8 * 5) == 0x5000 + 7 + 5);
    CHECK(whole.cpu.s.sys.esr_el1 == 0);
}
