// Exception entry and return, EL0/EL1 and stack pointer banking, interrupts and WFI.
// Encodings come from aarch64-linux-gnu-as.
#include <catch2/catch.hpp>

#include "support/test_board.h"

using namespace emu;
using namespace emu::a64;
using emu::RunEnd;
using emu::StopKind;

namespace {

constexpr uint64_t kCode = test::A64TestBoard::kDefaultRamBase;
constexpr uint64_t kVbar = kCode + 0x8000;

constexpr uint32_t SVC_0x12 = 0xd4000241;
constexpr uint32_t ERET = 0xd69f03e0;
constexpr uint32_t BRK_1 = 0xd4200020;
constexpr uint32_t HVC_0 = 0xd4000002;
constexpr uint32_t HLT_1 = 0xd4400020;
constexpr uint32_t WFI = 0xd503207f;
constexpr uint32_t NOP = 0xd503201f;
constexpr uint32_t MRS_X0_CURRENTEL = 0xd5384240;
constexpr uint32_t MSR_DAIFCLR_2 = 0xd50342ff;
constexpr uint32_t UDF_0 = 0x00000000;
constexpr uint32_t FADD_S0 = 0x1e202800;

constexpr uint64_t esr(ExceptionClass ec, uint32_t iss) { return (uint64_t(ec) << 26) | (1u << 25) | iss; }

struct Board : test::A64TestBoard {
    Board() { cpu.s.sys.vbar_el1 = kVbar; }
};

}  // namespace

TEST_CASE("SVC at EL1h enters the current-EL SPx vector and ERET returns", "[a64][exception]")
{
    Board b;
    b.load(kVbar + 0x200, {ERET});
    b.load(kCode, {SVC_0x12, NOP});
    b.cpu.s.nzcv = kFlagC;
    b.cpu.s.daif = 0;
    b.cpu.s.r[kSp] = 0x1234;

    REQUIRE(b.cpu.run(1) == RunEnd::Budget);
    CHECK(b.cpu.icount() == 1);  // SVC retires
    CHECK(b.cpu.s.pc == kVbar + 0x200);
    CHECK(b.cpu.s.sys.esr_el1 == esr(ExceptionClass::Svc, 0x12));
    CHECK(b.cpu.s.sys.elr_el1 == kCode + 4);
    CHECK(b.cpu.s.sys.spsr_el1 == (kFlagC | 0x5));  // EL1h, nothing masked
    CHECK(b.cpu.s.daif == (kDaifD | kDaifA | kDaifI | kDaifF));
    CHECK(b.cpu.s.el == 1);
    CHECK(b.cpu.s.r[kSp] == 0x1234);

    b.cpu.s.nzcv = 0;
    REQUIRE(b.cpu.run(1) == RunEnd::Budget);  // ERET
    CHECK(b.cpu.s.pc == kCode + 4);
    CHECK(b.cpu.s.nzcv == kFlagC);
    CHECK(b.cpu.s.daif == 0);
    CHECK(b.cpu.icount() == 2);
}

TEST_CASE("ERET to EL0 switches to SP_EL0; SVC from EL0 uses the lower-EL vector", "[a64][exception]")
{
    Board b;
    constexpr uint64_t kUser = kCode + 0x1000;
    b.load(kUser, {SVC_0x12});
    b.load(kCode, {ERET});
    b.cpu.s.sys.spsr_el1 = 0;  // EL0t, nothing masked
    b.cpu.s.sys.elr_el1 = kUser;
    b.cpu.s.r[kSp] = 0xE1E1;       // SP_EL1
    b.cpu.s.sp_other = 0x0E0E;     // SP_EL0

    b.cpu.run(1);
    CHECK(b.cpu.s.el == 0);
    CHECK(b.cpu.s.pc == kUser);
    CHECK(b.cpu.s.r[kSp] == 0x0E0E);

    b.cpu.run(1);
    CHECK(b.cpu.s.el == 1);
    CHECK(b.cpu.s.spsel == 1);
    CHECK(b.cpu.s.pc == kVbar + 0x400);
    CHECK(b.cpu.s.r[kSp] == 0xE1E1);
    CHECK(b.cpu.s.sp_el0() == 0x0E0E);
    CHECK(b.cpu.s.sys.spsr_el1 == 0);
    CHECK(b.cpu.s.sys.elr_el1 == kUser + 4);
    CHECK(b.cpu.s.sys.esr_el1 == esr(ExceptionClass::Svc, 0x12));
}

TEST_CASE("EL0 may not read CurrentEL or call the hypervisor", "[a64][exception]")
{
    Board b;
    constexpr uint64_t kUser = kCode + 0x1000;
    b.load(kUser, {MRS_X0_CURRENTEL});
    b.load(kCode, {ERET});
    b.cpu.s.sys.spsr_el1 = 0;
    b.cpu.s.sys.elr_el1 = kUser;
    b.cpu.run(2);
    CHECK(b.cpu.s.pc == kVbar + 0x400);
    CHECK(b.cpu.s.sys.esr_el1 == esr(ExceptionClass::Unknown, 0));
    CHECK(b.cpu.s.sys.elr_el1 == kUser);

    Board h;
    h.load(kUser, {HVC_0});
    h.load(kCode, {ERET});
    h.cpu.s.sys.spsr_el1 = 0;
    h.cpu.s.sys.elr_el1 = kUser;
    h.cpu.run(2);
    CHECK(h.cpu.s.sys.esr_el1 == esr(ExceptionClass::Unknown, 0));
    CHECK(h.platform.hypervisor_calls.empty());
}

TEST_CASE("FP/SIMD traps while CPACR_EL1.FPEN says so, and runs otherwise", "[a64][exception]")
{
    Board trapped;
    trapped.load(kCode, {FADD_S0});
    trapped.cpu.run(1);
    CHECK(trapped.cpu.s.sys.esr_el1 == 0x1fe00000);  // EC 0x07, IL, CV = 1, COND = AL (QEMU agrees)
    CHECK(trapped.cpu.s.sys.elr_el1 == kCode);

    // With access enabled FADD runs; an unallocated encoding in the FP space (floating-point
    // data-processing with ftype = 10) is undefined.
    constexpr uint32_t kFpUnallocated = 0x1EA04000;
    Board enabled;
    enabled.cpu.s.sys.cpacr_el1 = 3u << 20;
    enabled.load(kCode, {FADD_S0, kFpUnallocated});
    enabled.cpu.run(2);
    CHECK(enabled.cpu.s.sys.elr_el1 == kCode + 4);
    CHECK(enabled.cpu.s.sys.esr_el1 == esr(ExceptionClass::Unknown, 0));
}

TEST_CASE("undefined and BRK instructions take synchronous exceptions", "[a64][exception]")
{
    for (uint32_t insn : {UDF_0, HLT_1}) {
        Board b;
        b.load(kCode, {NOP, insn});
        b.cpu.run(2);
        INFO(std::hex << insn);
        CHECK(b.cpu.icount() == 2);
        CHECK(b.cpu.s.pc == kVbar + 0x200);
        CHECK(b.cpu.s.sys.esr_el1 == esr(ExceptionClass::Unknown, 0));
        CHECK(b.cpu.s.sys.elr_el1 == kCode + 4);
    }
    Board b;
    b.load(kCode, {BRK_1});
    b.cpu.run(1);
    CHECK(b.cpu.s.sys.esr_el1 == esr(ExceptionClass::Brk, 1));
    CHECK(b.cpu.s.sys.elr_el1 == kCode);  // BRK returns to itself
}

TEST_CASE("HVC reaches the platform and continues after the call", "[a64][exception]")
{
    Board b;
    b.load(kCode, {HVC_0, NOP});
    b.cpu.run(2);
    REQUIRE(b.platform.hypervisor_calls.size() == 1);
    CHECK_FALSE(b.platform.hypervisor_calls[0].is_smc);
    CHECK(b.cpu.s.pc == kCode + 8);

    Board r;
    r.platform.accept_hypervisor_calls = false;  // no PSCI: HVC is undefined
    r.load(kCode, {HVC_0});
    r.cpu.run(1);
    CHECK(r.cpu.s.sys.esr_el1 == esr(ExceptionClass::Unknown, 0));
}

TEST_CASE("an unmasked IRQ is taken right after the instruction that unmasks it", "[a64][exception][irq]")
{
    Board b;
    b.load(kVbar + 0x280, {NOP, NOP});
    b.load(kCode, {NOP, NOP, MSR_DAIFCLR_2, NOP, NOP, NOP});
    b.cpu.set_irq(true);
    b.cpu.run(2);
    CHECK(b.cpu.s.pc == kCode + 8);  // masked: nothing taken
    b.cpu.run(1);                    // DAIFClr #2 clears I
    b.cpu.run(1);                    // the interrupt comes before the next instruction retires
    CHECK(b.cpu.s.sys.elr_el1 == kCode + 12);
    CHECK(b.cpu.s.pc == kVbar + 0x280 + 4);
    CHECK(b.cpu.s.sys.spsr_el1 == (0x5u | kDaifD | kDaifA | kDaifF));
}

TEST_CASE("WFI idles until an interrupt is pending, even a masked one", "[a64][exception][irq]")
{
    Board b;
    b.load(kCode, {WFI, NOP, NOP});
    CHECK(b.cpu.run(10) == RunEnd::Idle);
    CHECK(b.cpu.icount() == 1);
    CHECK(b.cpu.s.pc == kCode + 4);
    CHECK(b.cpu.run(10) == RunEnd::Idle);  // still nothing pending
    b.cpu.set_irq(true);                         // masked by DAIF.I after reset
    CHECK(b.cpu.run(2) == RunEnd::Budget);
    CHECK(b.cpu.s.pc == kCode + 12);
}
