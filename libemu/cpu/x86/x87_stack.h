// Shared by the x87 instruction handlers (insns_x87.cpp, insns_x87_state.cpp): the register
// stack and the status word's bookkeeping as the SDM describes them (vol. 1, 8.1-8.5): pushes
// and pops move TOP and the empty bits, exceptions set their flags and, when unmasked, ES and
// B; stack faults are invalid operations with SF set and C1 telling overflow from underflow.
#pragma once

#include "cpu/x86/cpu.h"
#include "cpu/x86/x87_float.h"

namespace emu::x86::fpu_stack {

inline void update_summary(FpuState& f)
{
    bool pending = f.sw & ~f.cw & kFcwMasks;
    f.sw = pending ? static_cast<uint16_t>(f.sw | kFswES | kFswB) : static_cast<uint16_t>(f.sw & ~(kFswES | kFswB));
}

inline void set_c1(FpuState& f, bool v) { f.sw = v ? (f.sw | kFswC1) : (f.sw & ~kFswC1); }

// The flags of an operation and its rounding into the status word (C1: rounded up). False
// when an unmasked invalid, denormal or zero-divide exception leaves the result unwritten.
inline bool report(FpuState& f, const x87::Env& e)
{
    f.sw |= e.flags;
    set_c1(f, e.rounded_up);
    update_summary(f);
    return !e.suppressed();
}

// A stack fault: overflow (pushing onto a register in use, C1 = 1) or underflow (an empty
// operand, C1 = 0). True when masked: the instruction goes on with the QNaN indefinite.
inline bool stack_fault(FpuState& f, bool overflow)
{
    f.sw |= kFswIE | kFswSF;
    set_c1(f, overflow);
    update_summary(f);
    return f.cw & kFswIE;
}

inline void write(FpuState& f, unsigned st, Float80 v)
{
    unsigned p = f.phys(st);
    f.reg[p] = v;
    f.empty &= static_cast<uint8_t>(~(1u << p));
}

inline void push(FpuState& f, Float80 v)
{
    f.set_top(f.top() - 1);
    write(f, 0, v);
}

inline void pop(FpuState& f)
{
    f.empty |= static_cast<uint8_t>(1u << f.top());
    f.set_top(f.top() + 1);
}

// Whether a push would overwrite a register in use.
inline bool push_overflows(const FpuState& f) { return !((f.empty >> ((f.top() - 1) & 7)) & 1); }

inline x87::Env env(const FpuState& f) { return x87::Env::from_control_word(f.cw); }

// The tag word as FSTENV, FSAVE and FXSAVE's callers see it: 00 valid, 01 zero, 10 special
// (NaN, infinity, denormal, unsupported), 11 empty, by physical register.
inline uint16_t tag_word(const FpuState& f)
{
    uint16_t tw = 0;
    for (unsigned i = 0; i < 8; ++i) {
        unsigned t;
        if ((f.empty >> i) & 1) {
            t = 3;
        } else {
            x87::Kind k = x87::classify(f.reg[i]);
            t = k == x87::Kind::Zero ? 1 : k == x87::Kind::Normal ? 0 : 2;
        }
        tw |= static_cast<uint16_t>(t << (2 * i));
    }
    return tw;
}

}  // namespace emu::x86::fpu_stack
