// System register keys: the 16-bit op0:op1:CRn:CRm:op2 field of MRS/MSR (bits 20:5).
#pragma once

#include <cstdint>

namespace emu::a64::sysreg {

constexpr uint32_t key(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2)
{
    return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

// Special-purpose registers.
constexpr uint32_t NZCV = key(3, 3, 4, 2, 0);
constexpr uint32_t DAIF = key(3, 3, 4, 2, 1);
constexpr uint32_t CurrentEL = key(3, 0, 4, 2, 2);
constexpr uint32_t SPSel = key(3, 0, 4, 2, 0);
constexpr uint32_t SP_EL0 = key(3, 0, 4, 1, 0);
constexpr uint32_t ELR_EL1 = key(3, 0, 4, 0, 1);
constexpr uint32_t SPSR_EL1 = key(3, 0, 4, 0, 0);
constexpr uint32_t FPCR = key(3, 3, 4, 4, 0);
constexpr uint32_t FPSR = key(3, 3, 4, 4, 1);

// Identification.
constexpr uint32_t MIDR_EL1 = key(3, 0, 0, 0, 0);
constexpr uint32_t MPIDR_EL1 = key(3, 0, 0, 0, 5);
constexpr uint32_t REVIDR_EL1 = key(3, 0, 0, 0, 6);
constexpr uint32_t ID_AA64PFR0_EL1 = key(3, 0, 0, 4, 0);
constexpr uint32_t ID_AA64PFR1_EL1 = key(3, 0, 0, 4, 1);
constexpr uint32_t ID_AA64DFR0_EL1 = key(3, 0, 0, 5, 0);
constexpr uint32_t ID_AA64DFR1_EL1 = key(3, 0, 0, 5, 1);
constexpr uint32_t ID_AA64ISAR0_EL1 = key(3, 0, 0, 6, 0);
constexpr uint32_t ID_AA64ISAR1_EL1 = key(3, 0, 0, 6, 1);
constexpr uint32_t ID_AA64MMFR0_EL1 = key(3, 0, 0, 7, 0);
constexpr uint32_t ID_AA64MMFR1_EL1 = key(3, 0, 0, 7, 1);
constexpr uint32_t ID_AA64MMFR2_EL1 = key(3, 0, 0, 7, 2);
constexpr uint32_t MVFR0_EL1 = key(3, 0, 0, 3, 0);
constexpr uint32_t MVFR1_EL1 = key(3, 0, 0, 3, 1);
constexpr uint32_t MVFR2_EL1 = key(3, 0, 0, 3, 2);
constexpr uint32_t CTR_EL0 = key(3, 3, 0, 0, 1);
constexpr uint32_t DCZID_EL0 = key(3, 3, 0, 0, 7);
constexpr uint32_t CCSIDR_EL1 = key(3, 1, 0, 0, 0);
constexpr uint32_t CLIDR_EL1 = key(3, 1, 0, 0, 1);
constexpr uint32_t AIDR_EL1 = key(3, 1, 0, 0, 7);
constexpr uint32_t CSSELR_EL1 = key(3, 2, 0, 0, 0);

// Exception handling and memory system.
constexpr uint32_t SCTLR_EL1 = key(3, 0, 1, 0, 0);
constexpr uint32_t ACTLR_EL1 = key(3, 0, 1, 0, 1);
constexpr uint32_t CPACR_EL1 = key(3, 0, 1, 0, 2);
constexpr uint32_t TTBR0_EL1 = key(3, 0, 2, 0, 0);
constexpr uint32_t TTBR1_EL1 = key(3, 0, 2, 0, 1);
constexpr uint32_t TCR_EL1 = key(3, 0, 2, 0, 2);
constexpr uint32_t AFSR0_EL1 = key(3, 0, 5, 1, 0);
constexpr uint32_t AFSR1_EL1 = key(3, 0, 5, 1, 1);
constexpr uint32_t ESR_EL1 = key(3, 0, 5, 2, 0);
constexpr uint32_t FAR_EL1 = key(3, 0, 6, 0, 0);
constexpr uint32_t PAR_EL1 = key(3, 0, 7, 4, 0);
constexpr uint32_t MAIR_EL1 = key(3, 0, 10, 2, 0);
constexpr uint32_t AMAIR_EL1 = key(3, 0, 10, 3, 0);
constexpr uint32_t VBAR_EL1 = key(3, 0, 12, 0, 0);
constexpr uint32_t CONTEXTIDR_EL1 = key(3, 0, 13, 0, 1);
constexpr uint32_t TPIDR_EL1 = key(3, 0, 13, 0, 4);
constexpr uint32_t TPIDR_EL0 = key(3, 3, 13, 0, 2);
constexpr uint32_t TPIDRRO_EL0 = key(3, 3, 13, 0, 3);

// Debug.
constexpr uint32_t MDSCR_EL1 = key(2, 0, 0, 2, 2);
constexpr uint32_t MDCCINT_EL1 = key(2, 0, 0, 2, 0);
constexpr uint32_t MDRAR_EL1 = key(2, 0, 1, 0, 0);
constexpr uint32_t OSLAR_EL1 = key(2, 0, 1, 0, 4);
constexpr uint32_t OSLSR_EL1 = key(2, 0, 1, 1, 4);
constexpr uint32_t OSDLR_EL1 = key(2, 0, 1, 3, 4);

// Generic timer.
constexpr uint32_t CNTKCTL_EL1 = key(3, 0, 14, 1, 0);
constexpr uint32_t CNTFRQ_EL0 = key(3, 3, 14, 0, 0);
constexpr uint32_t CNTPCT_EL0 = key(3, 3, 14, 0, 1);
constexpr uint32_t CNTVCT_EL0 = key(3, 3, 14, 0, 2);
constexpr uint32_t CNTP_TVAL_EL0 = key(3, 3, 14, 2, 0);
constexpr uint32_t CNTP_CTL_EL0 = key(3, 3, 14, 2, 1);
constexpr uint32_t CNTP_CVAL_EL0 = key(3, 3, 14, 2, 2);
constexpr uint32_t CNTV_TVAL_EL0 = key(3, 3, 14, 3, 0);
constexpr uint32_t CNTV_CTL_EL0 = key(3, 3, 14, 3, 1);
constexpr uint32_t CNTV_CVAL_EL0 = key(3, 3, 14, 3, 2);

constexpr bool is_timer(uint32_t k)
{
    switch (k) {
    case CNTFRQ_EL0:
    case CNTPCT_EL0:
    case CNTVCT_EL0:
    case CNTP_TVAL_EL0:
    case CNTP_CTL_EL0:
    case CNTP_CVAL_EL0:
    case CNTV_TVAL_EL0:
    case CNTV_CTL_EL0:
    case CNTV_CVAL_EL0:
        return true;
    default:
        return false;
    }
}

}  // namespace emu::a64::sysreg
