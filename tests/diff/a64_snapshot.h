// The architectural state the two engines must agree on, in one shape whichever engine it was
// read from: captured from our Cpu or from Unicorn, applied to either, compared field by field
// with register names, and printed so that a failing case can be replayed by hand.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "cpu/a64/cpu.h"
#include "unicorn_a64.h"

namespace emu::test {

// System registers whose values both engines hold the same way and that a test sets before
// and compares after an instruction. Identification, timer and memory-system registers are
// left out: their values legitimately differ between the two CPUs.
struct ComparedSysreg {
    const char* name;
    uint32_t key;
    uint64_t compared_bits;  // RES0 bits may be stored or not, as the CPU likes
};
inline constexpr unsigned kNumComparedSysregs = 8;
extern const std::array<ComparedSysreg, kNumComparedSysregs> kComparedSysregs;

struct A64Snapshot {
    std::array<uint64_t, 31> x{};
    uint64_t sp = 0;  // the stack pointer PSTATE.SP selects
    uint64_t pc = 0;
    uint32_t nzcv = 0;
    uint32_t daif = a64::kDaifD | a64::kDaifA | a64::kDaifI | a64::kDaifF;
    uint8_t el = 1;
    uint8_t spsel = 1;
    // Present only where system instructions may have changed them (reading them from
    // Unicorn costs more than the instruction).
    bool has_sys = false;
    std::array<uint64_t, kNumComparedSysregs> sys{};
    // Present only around FP/SIMD instructions (32 vector registers cost Unicorn 32 calls).
    // FPCR and FPSR are compared in the bits an ARMv8.0 CPU keeps (a64::kFpcrMask and
    // kFpsrMask); Unicorn's CPU keeps more (FZ16, Len, Stride, the AArch32 NZCV).
    bool has_fp = false;
    std::array<a64::VReg, 32> v{};
    uint64_t fpcr = 0;
    uint64_t fpsr = 0;
};

A64Snapshot capture(const a64::Cpu& cpu, bool with_sys, bool with_fp = false);
A64Snapshot capture(const UnicornA64& uc, bool with_sys, bool with_fp = false);

// Loads `s` into a CPU that the caller has just reset (EL1h, all interrupts masked, the
// exclusive monitor clear); only EL1h snapshots can be applied. Unicorn is returned to its
// saved context first.
void apply(const A64Snapshot& s, a64::Cpu& cpu);
void apply(const A64Snapshot& s, UnicornA64& uc);

// One line per field that differs: "X3: ours 0x5 unicorn 0x7". X registers whose bit is set in
// `ignore_x` are not compared.
std::vector<std::string> differences(const A64Snapshot& ours, const A64Snapshot& unicorn, uint32_t ignore_x = 0);

// Every field, a few per line.
std::string format(const A64Snapshot& s);

}  // namespace emu::test
