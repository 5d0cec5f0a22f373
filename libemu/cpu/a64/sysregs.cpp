// MRS/MSR: the system registers a bare-metal runtime and a small kernel touch. Anything not
// listed is undefined, as on a CPU without that register. Identification registers describe
// a Cortex-A57 as QEMU's `-cpu cortex-a57` does, minus what we do not implement (EL2, EL3,
// AArch32) and plus what we do (LSE atomics).
#include "cpu/a64/cpu.h"
#include "cpu/a64/sysreg_keys.h"

namespace emu::a64 {

namespace {

constexpr uint64_t kMidrCortexA57 = 0x411fd070;
constexpr uint64_t kMpidrUniprocessor = uint64_t{1} << 31;  // RES1; affinity 0.0.0
// EL0 and EL1 AArch64 only; FP and AdvSIMD fields 0: ARMv8.0 FP and Advanced SIMD with
// half-precision conversions only.
constexpr uint64_t kIdAa64Pfr0 = 0x0000000000000011;
// Atomic 2: LSE (CAS, LDADD, SWP, ...); CRC32 1; SHA2 1 (SHA256); SHA1 1; AES 2 (AES and
// PMULL/PMULL2 on 64-bit lanes).
constexpr uint64_t kIdAa64Isar0 = 0x0000000000211120;
// The AArch32 view of the same FP/SIMD unit, as a Cortex-A57 reports it: 32 double registers,
// single and double precision, divide, square root, rounding modes; FZ, DN, NaN propagation;
// half-precision conversions, Advanced SIMD integer and single-precision operations, fused
// multiply-add; directed rounding and VMAXNM/VMINNM.
constexpr uint64_t kMvfr0 = 0x10110222;
constexpr uint64_t kMvfr1 = 0x12111111;
constexpr uint64_t kMvfr2 = 0x00000043;
constexpr uint64_t kIdAa64Mmfr0 = 0x0000000000001124;
constexpr uint64_t kIdAa64Dfr0 = 0x0000000010305106;
constexpr uint64_t kCtrCortexA57 = 0x8444c004;
constexpr uint64_t kDczid64Bytes = 4;  // log2(words) of the DC ZVA block: 16 words

// CNTKCTL_EL1 bits that open the timer to EL0.
constexpr uint64_t kEl0PctEn = 1u << 0;
constexpr uint64_t kEl0VctEn = 1u << 1;
constexpr uint64_t kEl0VtEn = 1u << 8;
constexpr uint64_t kEl0PtEn = 1u << 9;

bool el0_may_access(const State& s, uint32_t key, bool is_write)
{
    using namespace sysreg;
    switch (key) {
    case NZCV:
    case FPCR:
    case FPSR:
    case TPIDR_EL0:
        return true;
    case DAIF:
        return (s.sys.sctlr_el1 >> 9) & 1;  // SCTLR_EL1.UMA
    case TPIDRRO_EL0:
    case CTR_EL0:
    case DCZID_EL0:
    case CNTFRQ_EL0:
        return !is_write;
    case CNTPCT_EL0:
        return !is_write && (s.sys.cntkctl_el1 & (kEl0PctEn | kEl0PtEn));
    case CNTVCT_EL0:
        return !is_write && (s.sys.cntkctl_el1 & (kEl0VctEn | kEl0VtEn));
    case CNTP_TVAL_EL0:
    case CNTP_CTL_EL0:
    case CNTP_CVAL_EL0:
        return s.sys.cntkctl_el1 & kEl0PtEn;
    case CNTV_TVAL_EL0:
    case CNTV_CTL_EL0:
    case CNTV_CVAL_EL0:
        return s.sys.cntkctl_el1 & kEl0VtEn;
    default:
        return false;
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

bool Cpu::sysreg_read(uint32_t key, uint64_t& value, const Op* op)
{
    using namespace sysreg;
    if (s.el == 0 && !el0_may_access(s, key, false))
        return false;
    if (is_timer(key)) {
        clock_.set_icount(exact_icount(op));
        return platform_.timer_read(*this, key, value);
    }
    if (uint64_t* reg = storage(s.sys, key)) {
        value = *reg;
        return true;
    }
    switch (key) {
    case NZCV: value = s.nzcv; return true;
    case FPCR: value = s.sys.fpcr; return true;
    case FPSR: value = s.sys.fpsr; return true;
    case DAIF: value = s.daif; return true;
    case CurrentEL: value = uint64_t{s.el} << 2; return true;
    case SPSel: value = s.spsel; return true;
    case SP_EL0:
        if (s.spsel == 0)
            return false;  // SP_EL0 is the current SP: MRS SP_EL0 is undefined then
        value = s.sp_other;
        return true;
    case SCTLR_EL1: value = s.sys.sctlr_el1; return true;
    case ACTLR_EL1: value = 0; return true;
    case MIDR_EL1: value = kMidrCortexA57; return true;
    case MPIDR_EL1: value = kMpidrUniprocessor; return true;
    case REVIDR_EL1: value = 0; return true;
    case ID_AA64PFR0_EL1: value = kIdAa64Pfr0; return true;
    case ID_AA64ISAR0_EL1: value = kIdAa64Isar0; return true;
    case MVFR0_EL1: value = kMvfr0; return true;
    case MVFR1_EL1: value = kMvfr1; return true;
    case MVFR2_EL1: value = kMvfr2; return true;
    case ID_AA64MMFR0_EL1: value = kIdAa64Mmfr0; return true;
    case ID_AA64DFR0_EL1: value = kIdAa64Dfr0; return true;
    case ID_AA64PFR1_EL1:
    case ID_AA64DFR1_EL1:
    case ID_AA64ISAR1_EL1:
    case ID_AA64MMFR1_EL1:
    case ID_AA64MMFR2_EL1: value = 0; return true;
    case CTR_EL0: value = kCtrCortexA57; return true;
    case DCZID_EL0: value = kDczid64Bytes; return true;
    default: return false;
    }
}

bool Cpu::sysreg_write(uint32_t key, uint64_t value, const Op* op)
{
    using namespace sysreg;
    if (s.el == 0 && !el0_may_access(s, key, true))
        return false;
    if (is_timer(key)) {
        clock_.set_icount(exact_icount(op));
        return platform_.timer_write(*this, key, value);
    }
    if (uint64_t* reg = storage(s.sys, key)) {
        *reg = value;
        return true;
    }
    switch (key) {
    case NZCV: s.nzcv = value & 0xF0000000u; return true;
    case FPCR: s.sys.fpcr = value & kFpcrMask; return true;
    case FPSR: s.sys.fpsr = value & kFpsrMask; return true;
    case DAIF: s.daif = value & (kDaifD | kDaifA | kDaifI | kDaifF); return true;
    case SPSel: set_el_and_sp(s.el, value & 1); return true;
    case SP_EL0:
        if (s.spsel == 0)
            return false;
        s.sp_other = value;
        return true;
    case SCTLR_EL1:
        // Refused before anything changes: the run ends in the state before the MSR.
        if (value & 1) {
            stop_unsupported(op, "the stage 1 MMU (SCTLR_EL1.M = 1) is not implemented yet");
            return true;
        }
        s.sys.sctlr_el1 = value;
        return true;
    case ACTLR_EL1: return true;
    default: return false;
    }
}

}  // namespace emu::a64
