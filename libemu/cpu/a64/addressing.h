// How A64 loads and stores form their addresses, shared by the integer and the SIMD&FP
// load/store handlers: the builder picks a Mode, the handler computes one address and
// writes the base back after its accesses succeeded.
#pragma once

#include <cstdint>

#include "cpu/a64/cpu.h"

namespace emu::a64 {

// How an access forms its address.
enum class Mode {
    Offset,   // base + immediate: the unsigned-offset, unscaled and unprivileged forms
    Pre,      // base + immediate, written back to the base
    Post,     // base; base + immediate written back
    RegUxtw,  // base + (UInt(Wm) << amount)
    RegSxtw,  // base + (SInt(Wm) << amount)
    RegX,     // base + (Xm << amount): LSL and SXTX alike, as Xm is already 64 bits wide
    Literal,  // pc + immediate
};

// kShift: the register offset's shift amount when the handler knows it, or -1 for op->a.
template <Mode A, int kShift = -1>
inline uint64_t address(const Cpu& c, const Op* op)
{
    const unsigned amount = kShift < 0 ? op->a : static_cast<unsigned>(kShift);
    if constexpr (A == Mode::Offset || A == Mode::Pre)
        return c.s.r[op->rn] + op->imm;
    else if constexpr (A == Mode::Post)
        return c.s.r[op->rn];
    else if constexpr (A == Mode::RegUxtw)
        return c.s.r[op->rn] + (uint64_t{static_cast<uint32_t>(c.s.r[op->rm])} << amount);
    else if constexpr (A == Mode::RegSxtw)
        return c.s.r[op->rn] + (static_cast<uint64_t>(int64_t{static_cast<int32_t>(c.s.r[op->rm])}) << amount);
    else if constexpr (A == Mode::RegX)
        return c.s.r[op->rn] + (c.s.r[op->rm] << amount);
    else
        return c.pc_of(op) + op->imm;
}

template <Mode A>
inline void write_back(Cpu& c, const Op* op, uint64_t addr)
{
    if constexpr (A == Mode::Pre)
        c.s.r[op->rn] = addr;
    else if constexpr (A == Mode::Post)
        c.s.r[op->rn] = addr + op->imm;
}

}  // namespace emu::a64
