#include "cpu/a64/sysregs_a57.h"

#include "cpu/a64/sysreg_keys.h"

namespace emu::a64 {

namespace {

using Access = Cpu::SysregAccess;

// Level 1 separate instruction and data caches, a unified level 2 (Ctype1 = 0b011,
// Ctype2 = 0b100); LoUIS and LoUU 1, LoC 2 (Cortex-A57 TRM, and QEMU's value).
constexpr uint64_t kClidrCortexA57 = 0x0a200023;
// CCSIDR_EL1 by CSSELR_EL1 (Level << 1 | InD): 32 KiB 2-way L1 data, 48 KiB 3-way L1
// instruction, 2 MiB 16-way L2, 64-byte lines. Other selections describe no cache and read 0.
constexpr uint64_t kCcsidrCortexA57[16] = {0x701fe00a, 0x201fe012, 0x70ffe07a};
constexpr uint64_t kCsselrMask = 0xf;  // Level and InD; the rest is RES0

// The 6 breakpoint and 4 watchpoint register pairs of ID_AA64DFR0_EL1 (BRPs 5, WRPs 3).
constexpr unsigned kBreakpoints = 6;
constexpr unsigned kWatchpoints = 4;
constexpr unsigned kOslsrOslk = 1;  // OSLSR_EL1.OSLK, bit 1

// The ID space the architecture reserves: op0 3, op1 0, CRn 0, CRm 1-7. Registers that are
// not implemented there read as zero (ARM ARM D12.3.1), so an OS may probe newer features.
bool is_reserved_id(uint32_t key) { return (key >> 7) == (sysreg::key(3, 0, 0, 0, 0) >> 7) && ((key >> 3) & 0xf) != 0; }

// DBGBVRn/DBGBCRn/DBGWVRn/DBGWCRn_EL1 are op0 2, op1 0, CRn 0, CRm n, op2 4/5/6/7.
template <class Regs>
auto debug_register(Regs& r, uint32_t key) -> decltype(&r.dbgbvr[0])
{
    if ((key >> 7) != (sysreg::key(2, 0, 0, 0, 0) >> 7))
        return nullptr;
    unsigned n = (key >> 3) & 0xf;
    switch (key & 7) {
    case 4: return n < kBreakpoints ? &r.dbgbvr[n] : nullptr;
    case 5: return n < kBreakpoints ? &r.dbgbcr[n] : nullptr;
    case 6: return n < kWatchpoints ? &r.dbgwvr[n] : nullptr;
    case 7: return n < kWatchpoints ? &r.dbgwcr[n] : nullptr;
    default: return nullptr;
    }
}

bool is_breakpoint_control(uint32_t key) { return (key >> 7) == (sysreg::key(2, 0, 0, 0, 0) >> 7) && (key & 7) == 5; }

}  // namespace

std::optional<Access> a57_sysreg_read(const SysRegs& r, uint32_t key, uint64_t& value)
{
    using namespace sysreg;
    switch (key) {
    case CLIDR_EL1: value = kClidrCortexA57; return Access::Done;
    case CCSIDR_EL1: value = kCcsidrCortexA57[r.csselr_el1 & kCsselrMask]; return Access::Done;
    case CSSELR_EL1: value = r.csselr_el1; return Access::Done;
    case AIDR_EL1: value = 0; return Access::Done;
    case OSLSR_EL1: value = r.oslsr_el1; return Access::Done;
    case OSLAR_EL1: return Access::Undefined;  // write-only
    // The double lock is kept but has no effect: nothing here powers down.
    case OSDLR_EL1: value = r.osdlr_el1; return Access::Done;
    // Without memory-mapped debug or a debug communications channel.
    case MDRAR_EL1:
    case MDCCINT_EL1: value = 0; return Access::Done;
    default: break;
    }
    if (is_reserved_id(key)) {
        value = 0;
        return Access::Done;
    }
    if (const uint64_t* reg = debug_register(r, key)) {
        value = *reg;
        return Access::Done;
    }
    return std::nullopt;
}

std::optional<Access> a57_sysreg_write(SysRegs& r, uint32_t key, uint64_t value)
{
    using namespace sysreg;
    switch (key) {
    case CSSELR_EL1: r.csselr_el1 = value & kCsselrMask; return Access::Done;
    case OSLAR_EL1:
        r.oslsr_el1 = (r.oslsr_el1 & ~(uint64_t{1} << kOslsrOslk)) | ((value & 1) << kOslsrOslk);
        return Access::Done;
    case OSDLR_EL1: r.osdlr_el1 = value & 1; return Access::Done;
    case MDCCINT_EL1: return Access::Done;
    case CLIDR_EL1:
    case CCSIDR_EL1:
    case AIDR_EL1:
    case OSLSR_EL1:
    case MDRAR_EL1: return Access::Undefined;  // read-only
    default: break;
    }
    if (is_reserved_id(key))
        return Access::Undefined;
    if (uint64_t* reg = debug_register(r, key)) {
        // In a breakpoint control register BAS[3] reads as BAS[2] and BAS[1] as BAS[0]: A64
        // instructions are whole words.
        if (is_breakpoint_control(key))
            value = (value & ~uint64_t{0x140}) | (((value >> 5) & 1) << 6) | (((value >> 7) & 1) << 8);
        *reg = value;
        return Access::Done;
    }
    return std::nullopt;
}

}  // namespace emu::a64
