// MRS/MSR: the system registers a bare-metal runtime and a small kernel touch. Anything not
// listed is undefined, as on a CPU without that register. Identification registers describe
// a Cortex-A57 as QEMU's `-cpu cortex-a57` does, minus what we do not implement (EL2, EL3,
// AArch32, the PMU). The cache and debug registers are in sysregs_a57.cpp.
#include "core/bits.h"
#include "cpu/a64/cpu.h"
#include "cpu/a64/sysreg_keys.h"
#include "cpu/a64/sysregs_a57.h"

namespace emu::a64 {

namespace {

constexpr uint64_t kMidrCortexA57 = 0x411fd070;
constexpr uint64_t kMpidrUniprocessor = uint64_t{1} << 31;  // RES1; affinity 0.0.0
// EL0 and EL1 AArch64 only; FP and AdvSIMD fields 0: ARMv8.0 FP and Advanced SIMD with
// half-precision conversions only.
constexpr uint64_t kIdAa64Pfr0 = 0x0000000000000011;
// CRC32 1; SHA2 1 (SHA256); SHA1 1; AES 2 (AES and PMULL/PMULL2 on 64-bit lanes). Atomic 0,
// as on a Cortex-A57: the LSE instructions execute, but an OS must not choose them (Linux
// would patch itself to other code than under QEMU's cortex-a57).
constexpr uint64_t kIdAa64Isar0 = 0x0000000000011120;
// The AArch32 view of the same FP/SIMD unit, as a Cortex-A57 reports it: 32 double registers,
// single and double precision, divide, square root, rounding modes; FZ, DN, NaN propagation;
// half-precision conversions, Advanced SIMD integer and single-precision operations, fused
// multiply-add; directed rounding and VMAXNM/VMINNM.
constexpr uint64_t kMvfr0 = 0x10110222;
constexpr uint64_t kMvfr1 = 0x12111111;
constexpr uint64_t kMvfr2 = 0x00000043;
// QEMU's cortex-a57 value with PMUVer (bits [11:8]) 0: there is no PMU, and its registers
// are undefined.
constexpr uint64_t kIdAa64Dfr0 = 0x0000000010305006;
constexpr uint64_t kCtrCortexA57 = 0x8444c004;
constexpr uint64_t kDczid64Bytes = 4;  // log2(words) of the DC ZVA block: 16 words
constexpr uint64_t kDczidProhibited = 1u << 4;  // DZP: DC ZVA is not allowed

// SCTLR_EL1 bits that open EL0 to registers, or that we cannot honour.
constexpr unsigned kSctlrUma = 9;
constexpr unsigned kSctlrDze = 14;
constexpr unsigned kSctlrUct = 15;
constexpr uint64_t kSctlrEndianness = (uint64_t{1} << 24) | (uint64_t{1} << 25);  // E0E, EE

// CNTKCTL_EL1 bits that open the timer to EL0.
constexpr uint64_t kEl0PctEn = 1u << 0;
constexpr uint64_t kEl0VctEn = 1u << 1;
constexpr uint64_t kEl0VtEn = 1u << 8;
constexpr uint64_t kEl0PtEn = 1u << 9;

// What an MRS or MSR at EL0 does: the registers EL0 may use, those a control bit can deny
// it (the access then traps to EL1 with EC 0x18, as ARM ARM D13 describes each register),
// and everything else, which is undefined at EL0.
enum class El0Access { Allowed, Trapped, Undefined };

El0Access el0_access(const State& s, uint32_t key, bool is_write)
{
    using namespace sysreg;
    auto open_if = [](bool open) { return open ? El0Access::Allowed : El0Access::Trapped; };
    auto read_only = [&](El0Access a) { return is_write ? El0Access::Undefined : a; };
    uint64_t kctl = s.sys.cntkctl_el1;
    switch (key) {
    case NZCV:
    case FPCR:
    case FPSR:
    case TPIDR_EL0:
        return El0Access::Allowed;
    case DAIF:
        return open_if((s.sys.sctlr_el1 >> kSctlrUma) & 1);
    case TPIDRRO_EL0:
    case DCZID_EL0:
        return read_only(El0Access::Allowed);
    case CTR_EL0:
        return read_only(open_if((s.sys.sctlr_el1 >> kSctlrUct) & 1));
    case CNTFRQ_EL0:
        return read_only(open_if(kctl & (kEl0PctEn | kEl0VctEn)));
    case CNTPCT_EL0:
        return read_only(open_if(kctl & kEl0PctEn));
    case CNTVCT_EL0:
        return read_only(open_if(kctl & kEl0VctEn));
    case CNTP_TVAL_EL0:
    case CNTP_CTL_EL0:
    case CNTP_CVAL_EL0:
        return open_if(kctl & kEl0PtEn);
    case CNTV_TVAL_EL0:
    case CNTV_CTL_EL0:
    case CNTV_CVAL_EL0:
        return open_if(kctl & kEl0VtEn);
    default:
        return El0Access::Undefined;
    }
}

// The plain storage registers, by key.
uint64_t* storage(SysRegs& r, uint32_t key)
{
    using namespace sysreg;
    switch (key) {
    case ELR_EL1: return &r.elr_el1;
    case SPSR_EL1: return &r.spsr_el1;
    case VBAR_EL1: return &r.vbar_el1;
    case ESR_EL1: return &r.esr_el1;
    case FAR_EL1: return &r.far_el1;
    case CPACR_EL1: return &r.cpacr_el1;
    case TTBR0_EL1: return &r.ttbr0_el1;
    case TTBR1_EL1: return &r.ttbr1_el1;
    case TCR_EL1: return &r.tcr_el1;
    case MAIR_EL1: return &r.mair_el1;
    case AMAIR_EL1: return &r.amair_el1;
    case CONTEXTIDR_EL1: return &r.contextidr_el1;
    case TPIDR_EL0: return &r.tpidr_el0;
    case TPIDRRO_EL0: return &r.tpidrro_el0;
    case TPIDR_EL1: return &r.tpidr_el1;
    case PAR_EL1: return &r.par_el1;
    case AFSR0_EL1: return &r.afsr0_el1;
    case AFSR1_EL1: return &r.afsr1_el1;
    case MDSCR_EL1: return &r.mdscr_el1;
    case CNTKCTL_EL1: return &r.cntkctl_el1;
    default: return nullptr;
    }
}

}  // namespace

const Op* Cpu::sysreg_trap(const Op* op)
{
    // ISS for EC 0x18: Op0, Op2, Op1, CRn, Rt, CRm and the direction (1 for MRS), which the
    // encodings of MRS, MSR (register and immediate) and SYS hold in one layout. QEMU 7.2
    // counts a trapped MRS, MSR or SYS instruction as executed (with the rest of its
    // translation block), and a trapped MSR DAIFSet/DAIFClr not.
    uint32_t i = op->insn;
    uint32_t iss = (bits(i, 20, 19) << 20) | (bits(i, 7, 5) << 17) | (bits(i, 18, 16) << 14) | (bits(i, 15, 12) << 10) |
                   (bits(i, 4, 0) << 5) | (bits(i, 11, 8) << 1) | bit(i, 21);
    constexpr uint32_t kMsrImmMask = 0xFFF8F01F, kMsrImm = 0xD500401F;
    bool counted = (i & kMsrImmMask) != kMsrImm;
    return raise(op, ExceptionClass::SysRegTrap, iss, pc_of(op), counted);
}

const Op* Cpu::wfx_trap(const Op* op, bool is_wfe)
{
    constexpr uint32_t kIssCondAlways = (1u << 24) | (0xEu << 20);  // CV = 1, COND = AL
    return raise(op, ExceptionClass::WfxTrap, kIssCondAlways | (is_wfe ? 1 : 0), pc_of(op), true);
}

Cpu::SysregAccess Cpu::sysreg_read(uint32_t key, uint64_t& value, const Op* op)
{
    using namespace sysreg;
    if (s.el == 0) {
        El0Access a = el0_access(s, key, false);
        if (a != El0Access::Allowed)
            return a == El0Access::Trapped ? SysregAccess::Trapped : SysregAccess::Undefined;
    }
    if (is_timer(key)) {
        clock_.set_icount(exact_icount(op));
        return platform_.timer_read(*this, key, value) ? SysregAccess::Done : SysregAccess::Undefined;
    }
    if (uint64_t* reg = storage(s.sys, key)) {
        value = *reg;
        return SysregAccess::Done;
    }
    switch (key) {
    case NZCV: value = flags.packed(); return SysregAccess::Done;
    case FPCR: value = s.sys.fpcr; return SysregAccess::Done;
    case FPSR: value = s.sys.fpsr; return SysregAccess::Done;
    case DAIF: value = s.daif; return SysregAccess::Done;
    case CurrentEL: value = uint64_t{s.el} << 2; return SysregAccess::Done;
    case SPSel: value = s.spsel; return SysregAccess::Done;
    case SP_EL0:
        if (s.spsel == 0)
            return SysregAccess::Undefined;  // SP_EL0 is the current SP: MRS SP_EL0 is undefined then
        value = s.sp_other;
        return SysregAccess::Done;
    case SCTLR_EL1: value = s.sys.sctlr_el1; return SysregAccess::Done;
    case ACTLR_EL1: value = 0; return SysregAccess::Done;
    case MIDR_EL1: value = kMidrCortexA57; return SysregAccess::Done;
    case MPIDR_EL1: value = kMpidrUniprocessor; return SysregAccess::Done;
    case REVIDR_EL1: value = 0; return SysregAccess::Done;
    case ID_AA64PFR0_EL1: value = kIdAa64Pfr0; return SysregAccess::Done;
    case ID_AA64ISAR0_EL1: value = kIdAa64Isar0; return SysregAccess::Done;
    case MVFR0_EL1: value = kMvfr0; return SysregAccess::Done;
    case MVFR1_EL1: value = kMvfr1; return SysregAccess::Done;
    case MVFR2_EL1: value = kMvfr2; return SysregAccess::Done;
    case ID_AA64MMFR0_EL1: value = kIdAa64Mmfr0CortexA57; return SysregAccess::Done;
    case ID_AA64DFR0_EL1: value = kIdAa64Dfr0; return SysregAccess::Done;
    case ID_AA64PFR1_EL1:
    case ID_AA64DFR1_EL1:
    case ID_AA64ISAR1_EL1:
    case ID_AA64MMFR1_EL1:
    case ID_AA64MMFR2_EL1: value = 0; return SysregAccess::Done;
    case CTR_EL0: value = kCtrCortexA57; return SysregAccess::Done;
    case DCZID_EL0:
        value = kDczid64Bytes | (s.el == 0 && !((s.sys.sctlr_el1 >> kSctlrDze) & 1) ? kDczidProhibited : 0);
        return SysregAccess::Done;
    default: return a57_sysreg_read(s.sys, key, value).value_or(SysregAccess::Undefined);
    }
}

Cpu::SysregAccess Cpu::sysreg_write(uint32_t key, uint64_t value, const Op* op)
{
    using namespace sysreg;
    if (s.el == 0) {
        El0Access a = el0_access(s, key, true);
        if (a != El0Access::Allowed)
            return a == El0Access::Trapped ? SysregAccess::Trapped : SysregAccess::Undefined;
    }
    if (is_timer(key)) {
        clock_.set_icount(exact_icount(op));
        return platform_.timer_write(*this, key, value) ? SysregAccess::Done : SysregAccess::Undefined;
    }
    if (uint64_t* reg = storage(s.sys, key)) {
        *reg = value;
        if (key == TTBR0_EL1 || key == TTBR1_EL1 || key == TCR_EL1 || key == MAIR_EL1)
            translation_changed();
        return SysregAccess::Done;
    }
    switch (key) {
    case NZCV: flags = Flags::unpack(static_cast<uint32_t>(value)); return SysregAccess::Done;
    case FPCR: s.sys.fpcr = value & kFpcrMask; return SysregAccess::Done;
    case FPSR: s.sys.fpsr = value & kFpsrMask; return SysregAccess::Done;
    case DAIF: s.daif = value & (kDaifD | kDaifA | kDaifI | kDaifF); return SysregAccess::Done;
    case SPSel: set_el_and_sp(s.el, value & 1); return SysregAccess::Done;
    case SP_EL0:
        if (s.spsel == 0)
            return SysregAccess::Undefined;
        s.sp_other = value;
        return SysregAccess::Done;
    case SCTLR_EL1:
        // Refused before anything changes: the run ends in the state before the MSR.
        if (value & kSctlrEndianness) {
            stop_unsupported(op, "big-endian data (SCTLR_EL1.EE or E0E set) is not implemented");
            return SysregAccess::Done;
        }
        s.sys.sctlr_el1 = value;
        translation_changed();
        return SysregAccess::Done;
    case ACTLR_EL1: return SysregAccess::Done;
    default: return a57_sysreg_write(s.sys, key, value).value_or(SysregAccess::Undefined);
    }
}

}  // namespace emu::a64
