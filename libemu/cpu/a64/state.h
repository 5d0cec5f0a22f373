// AArch64 architectural state the interpreter keeps (EL0 and EL1, no EL2/EL3).
#pragma once

#include <cstdint>

namespace emu::a64 {

// Register slots. Decoders map a 5-bit register field to a slot so that handlers never test
// for register 31: as a source it reads kZr (always zero), as a destination it writes kSink
// (thrown away), and where the encoding means the stack pointer it is kSp.
enum RegSlot : uint8_t {
    kLr = 30,
    kZr = 31,
    kSink = 32,
    kSp = 33,
    kNumSlots = 34,
};

// NZCV as the architecture lays it out in the NZCV register (bits 31..28).
constexpr uint32_t kFlagN = 1u << 31;
constexpr uint32_t kFlagZ = 1u << 30;
constexpr uint32_t kFlagC = 1u << 29;
constexpr uint32_t kFlagV = 1u << 28;

// PSTATE.DAIF bits, in their SPSR/DAIF positions.
constexpr uint32_t kDaifD = 1u << 9;
constexpr uint32_t kDaifA = 1u << 8;
constexpr uint32_t kDaifI = 1u << 7;
constexpr uint32_t kDaifF = 1u << 6;

struct SysRegs {
    uint64_t vbar_el1 = 0;
    uint64_t elr_el1 = 0;
    uint64_t spsr_el1 = 0;
    uint64_t esr_el1 = 0;
    uint64_t far_el1 = 0;
    uint64_t sctlr_el1 = 0x00c50838;  // Cortex-A57 reset value (as QEMU): MMU and caches off
    uint64_t cpacr_el1 = 0;
    uint64_t ttbr0_el1 = 0;
    uint64_t ttbr1_el1 = 0;
    uint64_t tcr_el1 = 0;
    uint64_t mair_el1 = 0;
    uint64_t amair_el1 = 0;
    uint64_t contextidr_el1 = 0;
    uint64_t tpidr_el0 = 0;
    uint64_t tpidrro_el0 = 0;
    uint64_t tpidr_el1 = 0;
    uint64_t par_el1 = 0;
    uint64_t afsr0_el1 = 0;
    uint64_t afsr1_el1 = 0;
    uint64_t mdscr_el1 = 0;
    uint64_t cntkctl_el1 = 0;
    uint64_t csselr_el1 = 0;
    uint64_t oslsr_el1 = 0xA;  // OSLM = 0b10: the OS lock is implemented; OSLK = 1 from reset
    uint64_t osdlr_el1 = 0;    // DLK, the OS double lock
    // Hardware breakpoint and watchpoint registers (6 and 4 on a Cortex-A57), kept but not
    // acted on: no debug exceptions are generated.
    uint64_t dbgbvr[6] = {};
    uint64_t dbgbcr[6] = {};
    uint64_t dbgwvr[4] = {};
    uint64_t dbgwcr[4] = {};
    uint64_t fpcr = 0;
    uint64_t fpsr = 0;
};

// One 128-bit SIMD&FP register (V0..V31): B, H, S, D and Q views are its low bytes, and
// vector lanes are numbered from the least significant end. The host is little-endian.
// Lane offsets wrap at 16 bytes, which no valid lane index reaches.
struct VReg {
    uint64_t d[2] = {};

    template <class T>
    T get(unsigned i) const
    {
        T t;
        __builtin_memcpy(&t, reinterpret_cast<const unsigned char*>(d) + ((i * sizeof(T)) & 15), sizeof(T));
        return t;
    }
    template <class T>
    void set(unsigned i, T t)
    {
        __builtin_memcpy(reinterpret_cast<unsigned char*>(d) + ((i * sizeof(T)) & 15), &t, sizeof(T));
    }
    bool operator==(const VReg&) const = default;
};

// FPCR and FPSR bits an ARMv8.0 CPU without AArch32 and without trapped FP exceptions keeps:
// AHP, DN, FZ and RMode; QC and the cumulative exception flags. The rest is RES0 or RAZ/WI.
constexpr uint64_t kFpcrAhp = 1u << 26;
constexpr uint64_t kFpcrDn = 1u << 25;
constexpr uint64_t kFpcrFz = 1u << 24;
constexpr unsigned kFpcrRModeShift = 22;
constexpr uint64_t kFpcrMask = 0x07C00000;
constexpr uint32_t kFpsrIoc = 1u << 0;
constexpr uint32_t kFpsrDzc = 1u << 1;
constexpr uint32_t kFpsrOfc = 1u << 2;
constexpr uint32_t kFpsrUfc = 1u << 3;
constexpr uint32_t kFpsrIxc = 1u << 4;
constexpr uint32_t kFpsrIdc = 1u << 7;
constexpr uint32_t kFpsrQc = 1u << 27;
constexpr uint64_t kFpsrMask = 0x0800009F;

struct State {
    // X0..X30, then the kZr, kSink and kSp slots described above.
    uint64_t r[kNumSlots] = {};
    uint64_t pc = 0;
    uint32_t nzcv = 0;     // between runs; Cpu::flags while one is under way
    uint32_t daif = kDaifD | kDaifA | kDaifI | kDaifF;
    uint8_t el = 1;        // current exception level, 0 or 1
    uint8_t spsel = 1;     // 1: SP is SP_ELx, 0: SP is SP_EL0
    // The stack pointer not currently in r[kSp]: SP_EL0 when SP_EL1 is selected, and the
    // other way round.
    uint64_t sp_other = 0;
    SysRegs sys;
    VReg v[32];

    uint64_t sp_el0() const { return (el == 0 || spsel == 0) ? r[kSp] : sp_other; }
};

}  // namespace emu::a64
