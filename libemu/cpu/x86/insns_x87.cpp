// x87 data, arithmetic, comparison, stack and transcendental instructions (Intel SDM vol. 2,
// the F* pages; vol. 1, chapter 8) on Cpu::s.fpu, computed by the soft-float (x87_float.h).
//
// Every instruction first passes Cpu::fpu_ready (#NM, then a pending unmasked exception: #MF
// or FERR#). Memory operands are read, and results stored, before the FPU state changes, so a
// page fault leaves it as it was. Then: stack faults (an empty operand, a push onto a register
// in use), the operation with the control word's rounding and precision, its flags and C1,
// and the result unless an unmasked invalid, denormal or zero-divide exception withholds it.
// Non-control instructions record their address and opcode (FCS:FIP, FOP) and memory operand
// (FDS:FDP); the control instructions (SDM vol. 1, 8.3.11: FNINIT, FNCLEX, FLDCW, FNSTCW,
// FNSTSW, FLDENV, FNSTENV, FRSTOR, FNSAVE, FINCSTP, FDECSTP, FFREE, FNOP, WAIT) do not. C0, C2
// and C3 are left alone where the SDM calls them undefined.
#include <algorithm>
#include <iterator>
#include <limits>

#include "cpu/x86/operands.h"
#include "cpu/x86/x87_insns.h"
#include "cpu/x86/x87_stack.h"

namespace emu::x86 {

namespace {

using namespace fpu_stack;
using handlers::fpu::Arith;
using handlers::fpu::Mem;
using handlers::fpu::Order;
using handlers::fpu::Pops;
using handlers::fpu::Unary;
using x87::Relation;

constexpr Cpu::FpuWait kWaits = Cpu::FpuWait::Yes;

unsigned pops(Pops p) { return p == Pops::Two ? 2 : p == Pops::One ? 1 : 0; }

// The instruction and data pointers of a non-control instruction.
void note(Cpu& c, const Op* op)
{
    FpuState& f = c.s.fpu;
    f.fip = c.eip_of(op);
    f.fcs = c.s.seg[kCs].selector;
    f.fop = static_cast<uint16_t>(op->imm2 & 0x7FF);
    if (op->rm == kNoReg) {
        f.fdp = c.ea(op);
        f.fds = c.s.seg[op->seg].selector;
    }
}

// --- memory operands ---------------------------------------------------------------------------

bool read_f80(Cpu& c, const Op* op, Float80& v)
{
    uint32_t at = c.ea(op);
    return c.read<uint64_t>(op->seg, at, v.mant, op) && c.read<uint16_t>(op->seg, at + 8, v.se, op);
}

bool write_f80(Cpu& c, const Op* op, Float80 v)
{
    uint32_t at = c.ea(op);
    return c.write<uint64_t>(op->seg, at, v.mant, op) && c.write<uint16_t>(op->seg, at + 8, v.se, op);
}

// An arithmetic instruction's memory operand, exactly in extended precision.
template <Mem M>
bool read_operand(Cpu& c, const Op* op, Float80& v, bool& denormal)
{
    denormal = false;
    uint32_t at = c.ea(op);
    if constexpr (M == Mem::F32) {
        uint32_t bits;
        if (!c.read<uint32_t>(op->seg, at, bits, op))
            return false;
        v = x87::widen(bits, denormal);
    } else if constexpr (M == Mem::F64) {
        uint64_t bits;
        if (!c.read<uint64_t>(op->seg, at, bits, op))
            return false;
        v = x87::widen(bits, denormal);
    } else if constexpr (M == Mem::I16) {
        uint16_t x;
        if (!c.read<uint16_t>(op->seg, at, x, op))
            return false;
        v = x87::from_int(static_cast<int16_t>(x));
    } else if constexpr (M == Mem::I32) {
        uint32_t x;
        if (!c.read<uint32_t>(op->seg, at, x, op))
            return false;
        v = x87::from_int(static_cast<int32_t>(x));
    } else if constexpr (M == Mem::I64) {
        uint64_t x;
        if (!c.read<uint64_t>(op->seg, at, x, op))
            return false;
        v = x87::from_int(static_cast<int64_t>(x));
    } else if constexpr (M == Mem::F80) {
        return read_f80(c, op, v);
    } else {
        uint8_t bcd[10];
        uint64_t lo;
        uint16_t hi;
        if (!c.read<uint64_t>(op->seg, at, lo, op) || !c.read<uint16_t>(op->seg, at + 8, hi, op))
            return false;
        for (unsigned i = 0; i < 8; ++i)
            bcd[i] = static_cast<uint8_t>(lo >> (8 * i));
        bcd[8] = static_cast<uint8_t>(hi);
        bcd[9] = static_cast<uint8_t>(hi >> 8);
        v = x87::from_bcd(bcd);
    }
    return true;
}

// --- arithmetic and comparisons ------------------------------------------------------------------

Float80 compute(Arith a, x87::Env& e, Float80 dst, Float80 src)
{
    switch (a) {
    case Arith::Add: return x87::add(e, dst, src);
    case Arith::Mul: return x87::mul(e, dst, src);
    case Arith::Sub: return x87::sub(e, dst, src);
    case Arith::SubR: return x87::sub(e, src, dst);
    case Arith::Div: return x87::div(e, dst, src);
    case Arith::DivR: return x87::div(e, src, dst);
    case Arith::Com:
    case Arith::ComP: break;
    }
    return dst;
}

// C3, C2, C0 from a comparison; C1 cleared.
void compare_codes(FpuState& f, Relation r)
{
    unsigned cc = r == Relation::Less ? kFswC0 : r == Relation::Equal ? kFswC3 : r == Relation::Unordered ? kFswC3 | kFswC2 | kFswC0 : 0;
    f.sw = static_cast<uint16_t>((f.sw & ~kFswConditions) | cc);
}

// A comparison's flags, and its result unless an unmasked invalid operation withholds it.
bool report_compare(FpuState& f, const x87::Env& e, Relation r)
{
    f.sw |= e.flags;
    update_summary(f);
    if (e.flags & ~e.masks & x87::kInvalid) {
        set_c1(f, false);
        return false;
    }
    compare_codes(f, r);
    return true;
}

template <Arith A, Mem M>
const Op* arith_mem(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    Float80 src;
    bool denormal;
    if (!read_operand<M>(c, op, src, denormal))
        return nullptr;
    note(c, op);
    FpuState& f = c.s.fpu;
    constexpr bool kCompare = A == Arith::Com || A == Arith::ComP;
    if (f.st_empty(0)) {
        if (stack_fault(f, false)) {
            if (kCompare)
                compare_codes(f, Relation::Unordered);
            else
                write(f, 0, x87::kIndefinite);
            if (A == Arith::ComP)
                pop(f);
        }
        return c.next(op);
    }
    x87::Env e = env(f);
    e.denormal_source = denormal;
    if constexpr (kCompare) {
        Relation r = x87::compare(e, f.st(0), src, x87::Compare::Ordered);
        if (report_compare(f, e, r) && A == Arith::ComP)
            pop(f);
    } else {
        Float80 r = compute(A, e, f.st(0), src);
        if (report(f, e))
            write(f, 0, r);
    }
    return c.next(op);
}

template <Arith A>
const Op* arith_st0(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    note(c, op);
    FpuState& f = c.s.fpu;
    if (f.st_empty(0) || f.st_empty(op->rm)) {
        if (stack_fault(f, false))
            write(f, 0, x87::kIndefinite);
        return c.step(op);
    }
    x87::Env e = env(f);
    Float80 r = compute(A, e, f.st(0), f.st(op->rm));
    if (report(f, e))
        write(f, 0, r);
    return c.step(op);
}

template <Arith A, Pops P>
const Op* arith_sti(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    note(c, op);
    FpuState& f = c.s.fpu;
    if (f.st_empty(0) || f.st_empty(op->rm)) {
        if (stack_fault(f, false)) {
            write(f, op->rm, x87::kIndefinite);
            if (P == Pops::One)
                pop(f);
        }
        return c.step(op);
    }
    x87::Env e = env(f);
    Float80 r = compute(A, e, f.st(op->rm), f.st(0));
    if (report(f, e)) {
        write(f, op->rm, r);
        if (P == Pops::One)
            pop(f);
    }
    return c.step(op);
}

template <Order O, Pops P>
const Op* compare_st(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    note(c, op);
    FpuState& f = c.s.fpu;
    if (f.st_empty(0) || f.st_empty(op->rm)) {
        if (stack_fault(f, false)) {
            compare_codes(f, Relation::Unordered);
            for (unsigned i = 0; i < pops(P); ++i)
                pop(f);
        }
        return c.step(op);
    }
    x87::Env e = env(f);
    Relation r = x87::compare(e, f.st(0), f.st(op->rm), O == Order::Ordered ? x87::Compare::Ordered : x87::Compare::Unordered);
    if (report_compare(f, e, r))
        for (unsigned i = 0; i < pops(P); ++i)
            pop(f);
    return c.step(op);
}

// FCOMI and friends: ZF, PF, CF as C3, C2, C0 would be; OF, SF and AF cleared.
void compare_eflags_from(Cpu& c, Relation r)
{
    uint32_t fl = r == Relation::Less ? kCF : r == Relation::Equal ? kZF : r == Relation::Unordered ? kZF | kPF | kCF : 0;
    c.flags() = (c.flags() & ~kStatusFlags) | fl;
}

template <Order O, Pops P>
const Op* compare_eflags(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    note(c, op);
    FpuState& f = c.s.fpu;
    if (f.st_empty(0) || f.st_empty(op->rm)) {
        if (stack_fault(f, false)) {
            compare_eflags_from(c, Relation::Unordered);
            if (P == Pops::One)
                pop(f);
        }
        return c.step(op);
    }
    x87::Env e = env(f);
    Relation r = x87::compare(e, f.st(0), f.st(op->rm), O == Order::Ordered ? x87::Compare::Ordered : x87::Compare::Unordered);
    f.sw |= e.flags;
    set_c1(f, false);
    update_summary(f);
    if (!(e.flags & ~e.masks & x87::kInvalid)) {
        compare_eflags_from(c, r);
        if (P == Pops::One)
            pop(f);
    }
    return c.step(op);
}

const Op* conditional_move(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    note(c, op);
    FpuState& f = c.s.fpu;
    if (f.st_empty(0) || f.st_empty(op->rm)) {
        if (stack_fault(f, false))
            write(f, 0, x87::kIndefinite);
        return c.step(op);
    }
    if (condition(c.flags(), op->aux))
        write(f, 0, f.st(op->rm));
    return c.step(op);
}

// --- loads and stores ----------------------------------------------------------------------------

template <Mem M>
const Op* load(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    FpuState& f = c.s.fpu;
    Float80 v;
    bool denormal;
    x87::Env e = env(f);
    if constexpr (M == Mem::F32 || M == Mem::F64) {
        using Bits = std::conditional_t<M == Mem::F32, uint32_t, uint64_t>;
        Bits bits;
        if (!c.read<Bits>(op->seg, c.ea(op), bits, op))
            return nullptr;
        v = M == Mem::F32 ? x87::from_float32(e, static_cast<uint32_t>(bits)) : x87::from_float64(e, bits);
    } else if (!read_operand<M>(c, op, v, denormal)) {
        return nullptr;
    }
    note(c, op);
    if (push_overflows(f)) {
        if (stack_fault(f, true))
            push(f, x87::kIndefinite);
        return c.next(op);
    }
    // An SNaN loads quiet, a denormal with DE; only an unmasked invalid operation stops the load.
    f.sw |= e.flags;
    set_c1(f, false);
    update_summary(f);
    if (!(e.flags & ~e.masks & x87::kInvalid))
        push(f, v);
    return c.next(op);
}

template <Mem M, Pops P>
const Op* store(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    FpuState& f = c.s.fpu;
    uint32_t at = c.ea(op);
    const bool underflow = f.st_empty(0);
    if (underflow && !(f.cw & kFswIE)) {
        note(c, op);
        stack_fault(f, false);
        return c.next(op);
    }
    x87::Env e = env(f);
    // The value to store: the format's indefinite on a masked underflow.
    bool ok;
    if constexpr (M == Mem::F32) {
        uint32_t v = underflow ? 0xFFC00000u : x87::to_float32(e, f.st(0));
        ok = (e.flags & ~e.masks & (x87::kInvalid | x87::kOverflow | x87::kUnderflow)) || c.write<uint32_t>(op->seg, at, v, op);
    } else if constexpr (M == Mem::F64) {
        uint64_t v = underflow ? 0xFFF8000000000000ull : x87::to_float64(e, f.st(0));
        ok = (e.flags & ~e.masks & (x87::kInvalid | x87::kOverflow | x87::kUnderflow)) || c.write<uint64_t>(op->seg, at, v, op);
    } else if constexpr (M == Mem::F80) {
        ok = write_f80(c, op, underflow ? x87::kIndefinite : f.st(0));
    } else if constexpr (M == Mem::Bcd) {
        uint8_t bcd[10];
        if (underflow) {
            static constexpr uint8_t kIndefiniteBcd[10] = {0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF};
            std::copy(std::begin(kIndefiniteBcd), std::end(kIndefiniteBcd), bcd);
        } else {
            x87::to_bcd(e, f.st(0), bcd);
        }
        uint64_t lo = 0;
        for (unsigned i = 0; i < 8; ++i)
            lo |= uint64_t{bcd[i]} << (8 * i);
        ok = (e.flags & ~e.masks & x87::kInvalid) ||
             (c.write<uint64_t>(op->seg, at, lo, op) && c.write<uint16_t>(op->seg, at + 8, bcd[8] | (bcd[9] << 8), op));
    } else {
        constexpr unsigned kBits = M == Mem::I16 ? 16 : M == Mem::I32 ? 32 : 64;
        int64_t v = underflow ? std::numeric_limits<int64_t>::min() >> (64 - kBits) : x87::to_int(e, f.st(0), kBits);
        if (e.flags & ~e.masks & x87::kInvalid)
            ok = true;
        else if constexpr (kBits == 16)
            ok = c.write<uint16_t>(op->seg, at, static_cast<uint16_t>(v), op);
        else if constexpr (kBits == 32)
            ok = c.write<uint32_t>(op->seg, at, static_cast<uint32_t>(v), op);
        else
            ok = c.write<uint64_t>(op->seg, at, static_cast<uint64_t>(v), op);
    }
    if (!ok)
        return nullptr;
    note(c, op);
    if (underflow) {
        stack_fault(f, false);
    } else {
        bool stored = !(e.flags & ~e.masks & (x87::kInvalid | x87::kOverflow | x87::kUnderflow));
        f.sw |= e.flags;
        set_c1(f, e.rounded_up);
        update_summary(f);
        if (!stored)
            return c.next(op);
    }
    if (P == Pops::One)
        pop(f);
    return c.next(op);
}

const Op* load_st(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    note(c, op);
    FpuState& f = c.s.fpu;
    Float80 v = f.st(op->rm);
    bool underflow = f.st_empty(op->rm);
    if (push_overflows(f)) {
        if (stack_fault(f, true))
            push(f, x87::kIndefinite);
        return c.step(op);
    }
    if (underflow) {
        if (!stack_fault(f, false))
            return c.step(op);
        v = x87::kIndefinite;
    } else {
        set_c1(f, false);
    }
    push(f, v);
    return c.step(op);
}

template <Pops P>
const Op* store_st(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    note(c, op);
    FpuState& f = c.s.fpu;
    Float80 v = f.st(0);
    if (f.st_empty(0)) {
        if (!stack_fault(f, false))
            return c.step(op);
        v = x87::kIndefinite;
    } else {
        set_c1(f, false);
    }
    write(f, op->rm, v);
    if (P == Pops::One)
        pop(f);
    return c.step(op);
}

const Op* exchange(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    note(c, op);
    FpuState& f = c.s.fpu;
    unsigned i = op->rm;
    if (f.st_empty(0) || f.st_empty(i)) {
        // Masked, an empty register takes part as the QNaN indefinite.
        if (!stack_fault(f, false))
            return c.step(op);
        if (f.st_empty(0))
            write(f, 0, x87::kIndefinite);
        if (f.st_empty(i))
            write(f, i, x87::kIndefinite);
    } else {
        set_c1(f, false);
    }
    Float80 t = f.st(0);
    write(f, 0, f.st(i));
    write(f, i, t);
    return c.step(op);
}

template <Pops P>
const Op* free_register(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    FpuState& f = c.s.fpu;
    f.empty |= static_cast<uint8_t>(1u << f.phys(op->rm));
    if (P == Pops::One)
        pop(f);
    return c.step(op);
}

template <x87::Constant K>
const Op* load_constant(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    note(c, op);
    FpuState& f = c.s.fpu;
    if (push_overflows(f)) {
        if (stack_fault(f, true))
            push(f, x87::kIndefinite);
        return c.step(op);
    }
    set_c1(f, false);
    push(f, x87::constant(K, static_cast<x87::Rounding>((f.cw >> 10) & 3)));
    return c.step(op);
}

// --- one-register instructions, the transcendentals and the stack pointer ---------------------

// FXAM's classes in C3, C2, C0.
uint16_t examine(const FpuState& f)
{
    if (f.st_empty(0))
        return kFswC3 | kFswC0;
    switch (x87::classify(f.st(0))) {
    case x87::Kind::Unsupported: return 0;
    case x87::Kind::QNaN:
    case x87::Kind::SNaN: return kFswC0;
    case x87::Kind::Normal: return kFswC2;
    case x87::Kind::Infinity: return kFswC2 | kFswC0;
    case x87::Kind::Zero: return kFswC3;
    case x87::Kind::Denormal: return kFswC3 | kFswC2;
    }
    return 0;
}

// Operations on ST(0) alone, or on ST(0) and ST(1).
template <Unary U>
const Op* unary(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, kWaits))
        return nullptr;
    // FNOP, FINCSTP and FDECSTP are control instructions: they leave the pointers alone.
    if (U != Unary::Fnop && U != Unary::Fincstp && U != Unary::Fdecstp)
        note(c, op);
    FpuState& f = c.s.fpu;
    constexpr bool kTwo = U == Unary::Fyl2x || U == Unary::Fyl2xp1 || U == Unary::Fpatan || U == Unary::Fprem ||
                          U == Unary::Fprem1 || U == Unary::Fscale;
    constexpr bool kPushes = U == Unary::Fptan || U == Unary::Fsincos || U == Unary::Fxtract;
    constexpr bool kIntoSt1 = U == Unary::Fyl2x || U == Unary::Fyl2xp1 || U == Unary::Fpatan;

    switch (U) {
    case Unary::Fnop: return c.step(op);
    case Unary::Xam:
        f.sw = static_cast<uint16_t>((f.sw & ~kFswConditions) | examine(f) | (f.st(0).sign() ? kFswC1 : 0));
        return c.step(op);
    case Unary::Fdecstp:
    case Unary::Fincstp:
        // C1 is cleared, C0, C2 and C3 are undefined: cleared too, as QEMU does.
        f.set_top(U == Unary::Fincstp ? f.top() + 1 : f.top() - 1);
        f.sw &= static_cast<uint16_t>(~kFswConditions);
        return c.step(op);
    default: break;
    }

    if (f.st_empty(0) || (kTwo && f.st_empty(1)) || (kPushes && push_overflows(f))) {
        bool overflow = kPushes && !f.st_empty(0) && push_overflows(f);
        if (!stack_fault(f, overflow))
            return c.step(op);
        if (U == Unary::Tst) {
            compare_codes(f, Relation::Unordered);
        } else if (kIntoSt1) {
            write(f, 1, x87::kIndefinite);
            pop(f);
        } else {
            write(f, 0, x87::kIndefinite);
            if (kPushes)
                push(f, x87::kIndefinite);
        }
        return c.step(op);
    }

    x87::Env e = env(f);
    Float80 a = f.st(0);
    switch (U) {
    case Unary::Chs:
    case Unary::Abs:
        a.se = U == Unary::Chs ? a.se ^ 0x8000 : a.se & 0x7FFF;
        write(f, 0, a);
        set_c1(f, false);
        break;
    case Unary::Tst: {
        Relation r = x87::compare(e, a, x87::kPlusZero, x87::Compare::Ordered);
        report_compare(f, e, r);
        break;
    }
    case Unary::F2xm1:
    case Unary::Fsqrt:
    case Unary::Frndint: {
        Float80 r = U == Unary::F2xm1 ? x87::f2xm1(e, a) : U == Unary::Fsqrt ? x87::sqrt(e, a) : x87::round_to_integer(e, a);
        if (U == Unary::Fsqrt && a.sign()) {
            // C0, C2 and C3 are undefined; for a negative operand QEMU reports C2 alone.
            f.sw = static_cast<uint16_t>((f.sw & ~kFswConditions) | kFswC2);
        }
        if (report(f, e))
            write(f, 0, r);
        break;
    }
    case Unary::Fscale: {
        Float80 r = x87::scale(e, a, f.st(1));
        if (report(f, e))
            write(f, 0, r);
        break;
    }
    case Unary::Fyl2x:
    case Unary::Fyl2xp1:
    case Unary::Fpatan: {
        Float80 b = f.st(1);
        Float80 r = U == Unary::Fyl2x ? x87::fyl2x(e, a, b) : U == Unary::Fyl2xp1 ? x87::fyl2xp1(e, a, b) : x87::fpatan(e, b, a);
        if (report(f, e)) {
            write(f, 1, r);
            pop(f);
        }
        break;
    }
    case Unary::Fprem:
    case Unary::Fprem1: {
        x87::PartialRemainder r =
            x87::remainder(e, a, f.st(1), U == Unary::Fprem ? x87::Quotient::Truncated : x87::Quotient::Nearest);
        f.sw &= static_cast<uint16_t>(~kFswConditions);
        if (report(f, e)) {
            write(f, 0, r.value);
            unsigned cc = (r.complete ? 0u : kFswC2) | ((r.quotient & 4) ? kFswC0 : 0) | ((r.quotient & 2) ? kFswC3 : 0) |
                          ((r.quotient & 1) ? kFswC1 : 0);
            f.sw = static_cast<uint16_t>((f.sw & ~kFswConditions) | cc);
        }
        break;
    }
    case Unary::Fxtract: {
        Float80 exponent, significand;
        x87::extract(e, a, exponent, significand);
        if (report(f, e)) {
            write(f, 0, exponent);
            push(f, significand);
        }
        break;
    }
    case Unary::Fsin:
    case Unary::Fcos:
    case Unary::Fsincos:
    case Unary::Fptan: {
        Float80 s = a, co = a;
        bool in_range = U == Unary::Fptan ? x87::tan(e, a, s)
                                          : x87::sin_cos(e, a, U == Unary::Fcos ? nullptr : &s, U == Unary::Fsin ? nullptr : &co);
        if (!in_range) {
            f.sw |= kFswC2;  // the operand is left for the program to reduce
            break;
        }
        f.sw &= static_cast<uint16_t>(~kFswC2);
        if (!report(f, e))
            break;
        if (U == Unary::Fcos) {
            write(f, 0, co);
        } else {
            write(f, 0, s);
            if (U == Unary::Fsincos)
                push(f, co);
            else if (U == Unary::Fptan)
                push(f, x87::kPlusOne);
        }
        break;
    }
    default: break;
    }
    return c.step(op);
}

}  // namespace

namespace handlers::fpu {

namespace {

// Instantiations by run-time arguments: one handler per (operation, operand format).
template <Arith A>
Handler arith_mem_by_format(Mem m)
{
    switch (m) {
    case Mem::F32: return x86::arith_mem<A, Mem::F32>;
    case Mem::F64: return x86::arith_mem<A, Mem::F64>;
    case Mem::I16: return x86::arith_mem<A, Mem::I16>;
    case Mem::I32: return x86::arith_mem<A, Mem::I32>;
    case Mem::I64:
    case Mem::F80:
    case Mem::Bcd: break;
    }
    return nullptr;
}

}  // namespace

Handler arith_mem(Arith a, Mem m)
{
    switch (a) {
    case Arith::Add: return arith_mem_by_format<Arith::Add>(m);
    case Arith::Mul: return arith_mem_by_format<Arith::Mul>(m);
    case Arith::Com: return arith_mem_by_format<Arith::Com>(m);
    case Arith::ComP: return arith_mem_by_format<Arith::ComP>(m);
    case Arith::Sub: return arith_mem_by_format<Arith::Sub>(m);
    case Arith::SubR: return arith_mem_by_format<Arith::SubR>(m);
    case Arith::Div: return arith_mem_by_format<Arith::Div>(m);
    case Arith::DivR: return arith_mem_by_format<Arith::DivR>(m);
    }
    return nullptr;
}

Handler arith_st0(Arith a)
{
    switch (a) {
    case Arith::Add: return x86::arith_st0<Arith::Add>;
    case Arith::Mul: return x86::arith_st0<Arith::Mul>;
    case Arith::Sub: return x86::arith_st0<Arith::Sub>;
    case Arith::SubR: return x86::arith_st0<Arith::SubR>;
    case Arith::Div: return x86::arith_st0<Arith::Div>;
    case Arith::DivR: return x86::arith_st0<Arith::DivR>;
    case Arith::Com:
    case Arith::ComP: break;
    }
    return nullptr;
}

Handler arith_sti(Arith a, Pops p)
{
    bool pop = p == Pops::One;
    switch (a) {
    case Arith::Add: return pop ? x86::arith_sti<Arith::Add, Pops::One> : x86::arith_sti<Arith::Add, Pops::None>;
    case Arith::Mul: return pop ? x86::arith_sti<Arith::Mul, Pops::One> : x86::arith_sti<Arith::Mul, Pops::None>;
    case Arith::Sub: return pop ? x86::arith_sti<Arith::Sub, Pops::One> : x86::arith_sti<Arith::Sub, Pops::None>;
    case Arith::SubR: return pop ? x86::arith_sti<Arith::SubR, Pops::One> : x86::arith_sti<Arith::SubR, Pops::None>;
    case Arith::Div: return pop ? x86::arith_sti<Arith::Div, Pops::One> : x86::arith_sti<Arith::Div, Pops::None>;
    case Arith::DivR: return pop ? x86::arith_sti<Arith::DivR, Pops::One> : x86::arith_sti<Arith::DivR, Pops::None>;
    case Arith::Com:
    case Arith::ComP: break;
    }
    return nullptr;
}

Handler load(Mem m)
{
    switch (m) {
    case Mem::F32: return x86::load<Mem::F32>;
    case Mem::F64: return x86::load<Mem::F64>;
    case Mem::F80: return x86::load<Mem::F80>;
    case Mem::I16: return x86::load<Mem::I16>;
    case Mem::I32: return x86::load<Mem::I32>;
    case Mem::I64: return x86::load<Mem::I64>;
    case Mem::Bcd: return x86::load<Mem::Bcd>;
    }
    return nullptr;
}

Handler store(Mem m, Pops p)
{
    bool pop = p == Pops::One;
    switch (m) {
    case Mem::F32: return pop ? x86::store<Mem::F32, Pops::One> : x86::store<Mem::F32, Pops::None>;
    case Mem::F64: return pop ? x86::store<Mem::F64, Pops::One> : x86::store<Mem::F64, Pops::None>;
    case Mem::I16: return pop ? x86::store<Mem::I16, Pops::One> : x86::store<Mem::I16, Pops::None>;
    case Mem::I32: return pop ? x86::store<Mem::I32, Pops::One> : x86::store<Mem::I32, Pops::None>;
    case Mem::F80: return x86::store<Mem::F80, Pops::One>;
    case Mem::I64: return x86::store<Mem::I64, Pops::One>;
    case Mem::Bcd: return x86::store<Mem::Bcd, Pops::One>;
    }
    return nullptr;
}

Handler load_st() { return x86::load_st; }
Handler store_st(Pops p) { return p == Pops::One ? x86::store_st<Pops::One> : x86::store_st<Pops::None>; }
Handler exchange() { return x86::exchange; }
Handler free_register(Pops p) { return p == Pops::One ? x86::free_register<Pops::One> : x86::free_register<Pops::None>; }

Handler compare_st(Order o, Pops p)
{
    if (o == Order::Ordered)
        return p == Pops::Two ? x86::compare_st<Order::Ordered, Pops::Two>
             : p == Pops::One ? x86::compare_st<Order::Ordered, Pops::One>
                              : x86::compare_st<Order::Ordered, Pops::None>;
    return p == Pops::Two ? x86::compare_st<Order::Unordered, Pops::Two>
         : p == Pops::One ? x86::compare_st<Order::Unordered, Pops::One>
                          : x86::compare_st<Order::Unordered, Pops::None>;
}

Handler compare_eflags(Order o, Pops p)
{
    bool pop = p == Pops::One;
    if (o == Order::Ordered)
        return pop ? x86::compare_eflags<Order::Ordered, Pops::One> : x86::compare_eflags<Order::Ordered, Pops::None>;
    return pop ? x86::compare_eflags<Order::Unordered, Pops::One> : x86::compare_eflags<Order::Unordered, Pops::None>;
}

Handler conditional_move() { return x86::conditional_move; }

Handler unary(Unary u)
{
    switch (u) {
    case Unary::Chs: return x86::unary<Unary::Chs>;
    case Unary::Abs: return x86::unary<Unary::Abs>;
    case Unary::Tst: return x86::unary<Unary::Tst>;
    case Unary::Xam: return x86::unary<Unary::Xam>;
    case Unary::F2xm1: return x86::unary<Unary::F2xm1>;
    case Unary::Fyl2x: return x86::unary<Unary::Fyl2x>;
    case Unary::Fptan: return x86::unary<Unary::Fptan>;
    case Unary::Fpatan: return x86::unary<Unary::Fpatan>;
    case Unary::Fxtract: return x86::unary<Unary::Fxtract>;
    case Unary::Fprem1: return x86::unary<Unary::Fprem1>;
    case Unary::Fdecstp: return x86::unary<Unary::Fdecstp>;
    case Unary::Fincstp: return x86::unary<Unary::Fincstp>;
    case Unary::Fprem: return x86::unary<Unary::Fprem>;
    case Unary::Fyl2xp1: return x86::unary<Unary::Fyl2xp1>;
    case Unary::Fsqrt: return x86::unary<Unary::Fsqrt>;
    case Unary::Fsincos: return x86::unary<Unary::Fsincos>;
    case Unary::Frndint: return x86::unary<Unary::Frndint>;
    case Unary::Fscale: return x86::unary<Unary::Fscale>;
    case Unary::Fsin: return x86::unary<Unary::Fsin>;
    case Unary::Fcos: return x86::unary<Unary::Fcos>;
    case Unary::Fnop: return x86::unary<Unary::Fnop>;
    }
    return nullptr;
}

Handler load_constant(x87::Constant k)
{
    using x87::Constant;
    switch (k) {
    case Constant::One: return x86::load_constant<Constant::One>;
    case Constant::L2T: return x86::load_constant<Constant::L2T>;
    case Constant::L2E: return x86::load_constant<Constant::L2E>;
    case Constant::Pi: return x86::load_constant<Constant::Pi>;
    case Constant::LG2: return x86::load_constant<Constant::LG2>;
    case Constant::LN2: return x86::load_constant<Constant::LN2>;
    case Constant::Zero: return x86::load_constant<Constant::Zero>;
    }
    return nullptr;
}

}  // namespace handlers::fpu

}  // namespace emu::x86
