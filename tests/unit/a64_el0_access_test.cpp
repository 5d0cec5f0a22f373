// What EL0 may do with system registers and instructions, as SCTLR_EL1 and CNTKCTL_EL1 say
// (ARM ARM D13.2): identification registers are undefined (Linux emulates MRS of them from
// the Undefined exception); CTR_EL0, DAIF, DC ZVA, cache maintenance, WFI/WFE and the
// counters trap to EL1 with their own syndromes unless their control bit opens them. Also the
// identification values of the MMU and debug features. Encodings from aarch64-linux-gnu-as.
#include <catch2/catch.hpp>

#include "support/test_board.h"

using namespace emu;
using namespace emu::a64;

namespace {

constexpr uint64_t kCode = test::A64TestBoard::kDefaultRamBase;
constexpr uint64_t kVbar = kCode + 0x8000;

constexpr uint32_t MRS_X0_MIDR = 0xd5380000;
constexpr uint32_t MRS_X0_CTR = 0xd53b0020;
constexpr uint32_t MRS_X0_DCZID = 0xd53b00e0;
constexpr uint32_t MRS_X0_MMFR0 = 0xd5380700;
constexpr uint32_t MRS_X0_DFR0 = 0xd5380500;  // mrs x0, id_aa64dfr0_el1
constexpr uint32_t MRS_X0_PMCR = 0xd53b9c00;
constexpr uint32_t MRS_X0_DAIF = 0xd53b4220;
constexpr uint32_t MSR_DAIFSET_2 = 0xd50342df;
constexpr uint32_t MRS_X0_CNTVCT = 0xd53be040;
constexpr uint32_t MRS_X0_CNTFRQ = 0xd53be000;
constexpr uint32_t DC_ZVA_X1 = 0xd50b7421;
constexpr uint32_t DC_CVAU_X1 = 0xd50b7b21;
constexpr uint32_t IC_IVAU_X1 = 0xd50b7521;
constexpr uint32_t DC_IVAC_X1 = 0xd5087621;
constexpr uint32_t IC_IALLU = 0xd508751f;
constexpr uint32_t TLBI_VMALLE1 = 0xd508871f;
constexpr uint32_t WFI = 0xd503207f;
constexpr uint32_t WFE = 0xd503205f;
constexpr uint32_t B_SELF = 0x14000000;

constexpr uint64_t esr(unsigned ec, uint32_t iss) { return (uint64_t{ec} << 26) | (1u << 25) | iss; }
// ISS of a trapped MSR, MRS or system instruction (EC 0x18).
constexpr uint32_t sysreg_iss(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt,
                              bool read)
{
    return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (read ? 1 : 0);
}

constexpr unsigned kSctlrUma = 9, kSctlrDze = 14, kSctlrUct = 15, kSctlrNTwi = 16, kSctlrNTwe = 18,
                   kSctlrUci = 26;

// The CPU at EL0 with SCTLR_EL1 as `sctlr`, about to run `insn`, every vector `b .`.
struct El0 : test::A64TestBoard {
    explicit El0(uint64_t sctlr_bits = 0)
    {
        load(kVbar, std::vector<uint32_t>(0x800 / 4, B_SELF));
        cpu.s.sys.vbar_el1 = kVbar;
        cpu.s.sys.sctlr_el1 = 0x00c50838 & ~((uint64_t{1} << kSctlrNTwi) | (uint64_t{1} << kSctlrNTwe));
        cpu.s.sys.sctlr_el1 |= sctlr_bits;
        cpu.translation_changed();
    }
    void run(uint32_t insn)
    {
        load(kCode, {insn, B_SELF});
        cpu.set_el_and_sp(0, 0);
        cpu.s.sys.esr_el1 = 0;
        cpu.run(1);
    }
};

}  // namespace

TEST_CASE("EL0 reads of identification registers are undefined, as Linux expects", "[a64][el0]")
{
    for (uint32_t insn : {MRS_X0_MIDR, MRS_X0_MMFR0, MRS_X0_DFR0}) {
        El0 b;
        b.run(insn);
        CHECK(b.cpu.s.sys.esr_el1 == esr(0x00, 0));
        CHECK(b.cpu.s.sys.elr_el1 == kCode);
        CHECK(b.cpu.s.pc == kVbar + 0x400);
    }
}

TEST_CASE("CTR_EL0 at EL0 traps with EC 0x18 unless SCTLR_EL1.UCT", "[a64][el0]")
{
    El0 b;
    b.run(MRS_X0_CTR);
    CHECK(b.cpu.s.sys.esr_el1 == esr(0x18, sysreg_iss(3, 3, 0, 0, 1, 0, true)));
    CHECK(b.cpu.s.sys.elr_el1 == kCode);
    CHECK(b.cpu.icount() == 1);  // counted as QEMU counts it; the vector is not reached
    El0 open(uint64_t{1} << kSctlrUct);
    open.run(MRS_X0_CTR);
    CHECK(open.cpu.s.sys.esr_el1 == 0);
    CHECK(open.cpu.s.r[0] == 0x8444c004);
}

TEST_CASE("DC ZVA at EL0: DCZID_EL0.DZP and the trap follow SCTLR_EL1.DZE", "[a64][el0]")
{
    El0 b;
    b.run(MRS_X0_DCZID);
    CHECK(b.cpu.s.r[0] == 0x14);  // 64-byte blocks, prohibited
    b.cpu.s.r[1] = kCode + 0x1000;
    b.run(DC_ZVA_X1);
    CHECK(b.cpu.s.sys.esr_el1 == esr(0x18, sysreg_iss(1, 3, 7, 4, 1, 1, false)));
    El0 open(uint64_t{1} << kSctlrDze);
    open.run(MRS_X0_DCZID);
    CHECK(open.cpu.s.r[0] == 0x4);
    open.cpu.s.r[1] = kCode + 0x1000;
    open.run(DC_ZVA_X1);
    CHECK(open.cpu.s.sys.esr_el1 == 0);
}

TEST_CASE("cache maintenance at EL0: UCI opens the clean operations; the others are undefined", "[a64][el0]")
{
    El0 b;
    b.cpu.s.r[1] = kCode;
    b.run(DC_CVAU_X1);
    CHECK(b.cpu.s.sys.esr_el1 == esr(0x18, sysreg_iss(1, 3, 7, 11, 1, 1, false)));
    b.run(IC_IVAU_X1);
    CHECK(b.cpu.s.sys.esr_el1 == esr(0x18, sysreg_iss(1, 3, 7, 5, 1, 1, false)));
    El0 open(uint64_t{1} << kSctlrUci);
    open.cpu.s.r[1] = kCode;
    open.run(DC_CVAU_X1);
    CHECK(open.cpu.s.sys.esr_el1 == 0);
    for (uint32_t insn : {DC_IVAC_X1, IC_IALLU, TLBI_VMALLE1}) {
        open.run(insn);
        CHECK(open.cpu.s.sys.esr_el1 == esr(0x00, 0));
    }
}

TEST_CASE("DAIF at EL0 traps unless SCTLR_EL1.UMA, for MRS and for MSR DAIFSet", "[a64][el0]")
{
    El0 b;
    b.run(MRS_X0_DAIF);
    CHECK(b.cpu.s.sys.esr_el1 == esr(0x18, sysreg_iss(3, 3, 4, 2, 1, 0, true)));
    b.run(MSR_DAIFSET_2);
    CHECK(b.cpu.s.sys.esr_el1 == esr(0x18, sysreg_iss(0, 3, 4, 2, 6, 31, false)));
    El0 open(uint64_t{1} << kSctlrUma);
    open.run(MSR_DAIFSET_2);
    CHECK(open.cpu.s.sys.esr_el1 == 0);
}

TEST_CASE("WFI and WFE at EL0 trap with EC 0x01 unless nTWI/nTWE", "[a64][el0]")
{
    El0 b;
    b.run(WFI);
    CHECK(b.cpu.s.sys.esr_el1 == esr(0x01, (1u << 24) | (0xEu << 20)));
    CHECK(b.cpu.s.sys.elr_el1 == kCode);
    b.run(WFE);
    CHECK(b.cpu.s.sys.esr_el1 == esr(0x01, (1u << 24) | (0xEu << 20) | 1));
    El0 open((uint64_t{1} << kSctlrNTwi) | (uint64_t{1} << kSctlrNTwe));
    open.run(WFE);
    CHECK(open.cpu.s.sys.esr_el1 == 0);
    CHECK(open.cpu.s.pc == kCode + 4);
}

TEST_CASE("the counters at EL0 follow CNTKCTL_EL1", "[a64][el0]")
{
    El0 b;
    b.run(MRS_X0_CNTVCT);
    CHECK(b.cpu.s.sys.esr_el1 == esr(0x18, sysreg_iss(3, 3, 14, 0, 2, 0, true)));
    b.run(MRS_X0_CNTFRQ);
    CHECK(b.cpu.s.sys.esr_el1 == esr(0x18, sysreg_iss(3, 3, 14, 0, 0, 0, true)));
    b.cpu.s.sys.cntkctl_el1 = 2;  // EL0VCTEN
    b.run(MRS_X0_CNTVCT);
    CHECK(b.cpu.s.sys.esr_el1 == 0);
    b.run(MRS_X0_CNTFRQ);
    CHECK(b.cpu.s.sys.esr_el1 == 0);
}

TEST_CASE("ID_AA64MMFR0_EL1 is the Cortex-A57's; no PMU: PMUVer 0 and PMU registers undefined", "[a64][el0]")
{
    test::A64TestBoard b;
    b.load(kCode, {MRS_X0_MMFR0});
    b.cpu.run(1);
    // PARange 44 bits, 16-bit ASIDs, mixed endian, 4 KiB and 64 KiB granules but not 16 KiB.
    CHECK(b.cpu.s.r[0] == 0x1124);
    b.load(kCode, {MRS_X0_DFR0});
    b.cpu.run(1);
    CHECK(((b.cpu.s.r[0] >> 8) & 0xF) == 0);
    b.cpu.s.sys.vbar_el1 = kVbar;
    b.load(kVbar + 0x200, {B_SELF});
    b.load(kCode, {MRS_X0_PMCR});
    b.cpu.run(1);
    CHECK(b.cpu.s.sys.esr_el1 == esr(0x00, 0));
}

TEST_CASE("SP alignment checking follows SCTLR_EL1.SA at EL1 and SA0 at EL0", "[a64][sp]")
{
    constexpr uint32_t LDR_X0_SP = 0xf94003e0;
    constexpr uint32_t PRFM_SP = 0xf98003e0;
    constexpr uint32_t STP_X0_X1_SP_PRE = 0xa9bf07e0;
    constexpr uint32_t LDXR_X0_SP = 0xc85f7fe0;
    constexpr uint32_t LDR_X0_SP_X1 = 0xf8616be0;
    constexpr uint64_t kSa = 1u << 3, kSa0 = 1u << 4;
    constexpr uint64_t kMisaligned = kCode + 0x2008;
    auto run_el1 = [](test::A64TestBoard& b, uint32_t insn, uint64_t sp) {
        b.load(kCode, {insn, B_SELF});
        b.cpu.s.r[kSp] = sp;
        b.cpu.s.r[1] = 0;
        b.cpu.s.sys.esr_el1 = 0;
        b.cpu.run(1);
        return b.cpu.s.sys.esr_el1;
    };
    test::A64TestBoard b;
    b.load(kVbar, std::vector<uint32_t>(0x800 / 4, B_SELF));
    b.cpu.s.sys.vbar_el1 = kVbar;
    REQUIRE((b.cpu.s.sys.sctlr_el1 & (kSa | kSa0)) == (kSa | kSa0));  // the A57's reset value
    for (uint32_t insn : {LDR_X0_SP, STP_X0_X1_SP_PRE, LDXR_X0_SP, LDR_X0_SP_X1}) {
        CHECK(run_el1(b, insn, kMisaligned) == esr(0x26, 0));
        CHECK(b.cpu.s.sys.elr_el1 == kCode);
        CHECK(b.cpu.s.r[kSp] == kMisaligned);  // no writeback
        CHECK(run_el1(b, insn, kMisaligned + 8) == 0);
    }
    CHECK(run_el1(b, PRFM_SP, kMisaligned) == 0);  // prefetches do not check
    b.cpu.s.sys.sctlr_el1 &= ~kSa;
    CHECK(run_el1(b, LDR_X0_SP, kMisaligned) == 0);

    // At EL0, SA0 decides.
    El0 u(kSa0);
    u.cpu.s.sp_other = kMisaligned;  // SP_EL0, selected once run() drops to EL0
    u.run(LDR_X0_SP);
    CHECK(u.cpu.s.sys.esr_el1 == esr(0x26, 0));
    El0 v;
    v.cpu.s.sys.sctlr_el1 &= ~kSa0;
    v.cpu.s.sp_other = kMisaligned;
    v.run(LDR_X0_SP);
    CHECK(v.cpu.s.sys.esr_el1 == 0);
}
