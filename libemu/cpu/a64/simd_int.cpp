// Advanced SIMD integer operations: three same, two-register miscellaneous, across lanes,
// shifts by immediate, three different (long, wide, narrow) and by element, in their vector
// and scalar forms.
//
// Each operation is a small functor whose `f` works on one element (or one pair); a handful
// of handler templates run it over the lanes. Elements travel as unsigned integers; functors
// take the signed view where the instruction is signed.
#include "cpu/a64/simd.h"

#include <bit>

namespace emu::a64 {

namespace {

using namespace simd;

template <class T>
constexpr unsigned kBits = 8 * sizeof(T);

template <class T>
i128 sv(T x)
{
    return static_cast<S<T>>(x);
}
template <class T>
i128 uv(T x)
{
    return x;
}

template <class T>
constexpr T all_ones(bool b)
{
    return b ? static_cast<T>(~T{0}) : T{0};
}

// Shifts a value left (positive) or right (negative) with optional rounding of what a right
// shift drops: the "shift by register" family (SSHL, SRSHL, SQSHL, SQRSHL and unsigned).
i128 shift_value(i128 v, int shift, bool rounding)
{
    if (shift >= 0) {
        if (v == 0)
            return 0;
        // Anything shifted this far out of 64 bits is out of every element's range; keep the
        // sign and a magnitude beyond any saturation limit.
        if (shift >= 64)
            return v < 0 ? -(i128{1} << 100) : (i128{1} << 100);
        return v * (i128{1} << shift);
    }
    int s = std::min(-shift, 100);
    if (rounding)
        v += i128{1} << (s - 1);
    return v >> s;
}

template <class T, bool kSigned, bool kRound, bool kSat>
T shift_by_register(T n, T m, bool& qc)
{
    int shift = static_cast<int8_t>(static_cast<uint8_t>(m));
    i128 v = shift_value(kSigned ? sv(n) : uv(n), shift, kRound);
    if constexpr (kSat)
        return kSigned ? static_cast<T>(saturate<S<T>>(v, qc)) : saturate<T>(v, qc);
    return static_cast<T>(v);
}

// --- three same --------------------------------------------------------------------------------

#define SAME_FN(NAME, EXPR)                                      \
    struct NAME {                                                \
        template <class T>                                       \
        static T f(T n, T m, [[maybe_unused]] T d, [[maybe_unused]] bool& qc) \
        {                                                        \
            return static_cast<T>(EXPR);                         \
        }                                                        \
    };

SAME_FN(Shadd, (sv(n) + sv(m)) >> 1)
SAME_FN(Uhadd, (uv(n) + uv(m)) >> 1)
SAME_FN(Srhadd, (sv(n) + sv(m) + 1) >> 1)
SAME_FN(Urhadd, (uv(n) + uv(m) + 1) >> 1)
SAME_FN(Shsub, (sv(n) - sv(m)) >> 1)
SAME_FN(Uhsub, (uv(n) - uv(m)) >> 1)
SAME_FN(Sqadd, saturate<S<T>>(sv(n) + sv(m), qc))
SAME_FN(Uqadd, saturate<T>(uv(n) + uv(m), qc))
SAME_FN(Sqsub, saturate<S<T>>(sv(n) - sv(m), qc))
SAME_FN(Uqsub, saturate<T>(uv(n) - uv(m), qc))
SAME_FN(Cmgt, all_ones<T>(sv(n) > sv(m)))
SAME_FN(Cmhi, all_ones<T>(n > m))
SAME_FN(Cmge, all_ones<T>(sv(n) >= sv(m)))
SAME_FN(Cmhs, all_ones<T>(n >= m))
SAME_FN(Cmtst, all_ones<T>((n & m) != 0))
SAME_FN(Cmeq, all_ones<T>(n == m))
SAME_FN(Sshl, (shift_by_register<T, true, false, false>(n, m, qc)))
SAME_FN(Ushl, (shift_by_register<T, false, false, false>(n, m, qc)))
SAME_FN(Srshl, (shift_by_register<T, true, true, false>(n, m, qc)))
SAME_FN(Urshl, (shift_by_register<T, false, true, false>(n, m, qc)))
SAME_FN(Sqshl, (shift_by_register<T, true, false, true>(n, m, qc)))
SAME_FN(Uqshl, (shift_by_register<T, false, false, true>(n, m, qc)))
SAME_FN(Sqrshl, (shift_by_register<T, true, true, true>(n, m, qc)))
SAME_FN(Uqrshl, (shift_by_register<T, false, true, true>(n, m, qc)))
SAME_FN(Smax, sv(n) > sv(m) ? n : m)
SAME_FN(Umax, n > m ? n : m)
SAME_FN(Smin, sv(n) < sv(m) ? n : m)
SAME_FN(Umin, n < m ? n : m)
SAME_FN(Sabd, sv(n) > sv(m) ? sv(n) - sv(m) : sv(m) - sv(n))
SAME_FN(Uabd, n > m ? n - m : m - n)
SAME_FN(Saba, d + (sv(n) > sv(m) ? sv(n) - sv(m) : sv(m) - sv(n)))
SAME_FN(Uaba, d + (n > m ? n - m : m - n))
SAME_FN(Add, n + m)
SAME_FN(Sub, n - m)
SAME_FN(Mla, uv(d) + uv(n) * uv(m))
SAME_FN(Mls, uv(d) - uv(n) * uv(m))
SAME_FN(Mul, uv(n) * uv(m))
SAME_FN(Sqdmulh, saturate<S<T>>((2 * sv(n) * sv(m)) >> kBits<T>, qc))
SAME_FN(Sqrdmulh, saturate<S<T>>((2 * sv(n) * sv(m) + (i128{1} << (kBits<T> - 1))) >> kBits<T>, qc))
SAME_FN(And, n & m)
SAME_FN(Bic, n & ~m)
SAME_FN(Orr, n | m)
SAME_FN(Orn, n | ~m)
SAME_FN(Eor, n ^ m)
SAME_FN(Bsl, (n & d) | (m & ~d))
SAME_FN(Bit, (d & ~m) | (n & m))
SAME_FN(Bif, (d & m) | (n & ~m))
#undef SAME_FN

// Polynomial (carry-less) multiplication over GF(2), truncated to the element.
struct Pmul {
    template <class T>
    static T f(T n, T m, T, bool&)
    {
        T r = 0;
        for (unsigned i = 0; i < kBits<T>; i++)
            if ((m >> i) & 1)
                r ^= static_cast<T>(n << i);
        return r;
    }
};

struct Same3 {
    template <class F, class T>
    static const Op* run(Cpu& c, const Op* op)
    {
        if (c.fp_trapped())
            return c.fp_access_trap(op);
        const VReg n = c.s.v[op->rn], m = c.s.v[op->rm], d = c.s.v[op->rd];
        VReg r{};
        bool qc = false;
        for (unsigned i = 0; i < op->b; i++)
            r.set<T>(i, F::template f<T>(n.get<T>(i), m.get<T>(i), d.get<T>(i), qc));
        c.s.v[op->rd] = r;
        set_qc(c, qc);
        return c.step(op);
    }
};

// Pairwise: the operation over adjacent elements of Rm:Rn (Rn's pairs first).
struct Pairwise {
    template <class F, class T>
    static const Op* run(Cpu& c, const Op* op)
    {
        if (c.fp_trapped())
            return c.fp_access_trap(op);
        const VReg n = c.s.v[op->rn], m = c.s.v[op->rm];
        VReg r{};
        bool qc = false;
        unsigned half = op->b / 2;
        for (unsigned i = 0; i < op->b; i++) {
            const VReg& src = i < half ? n : m;
            unsigned j = 2 * (i % half);
            r.set<T>(i, F::template f<T>(src.get<T>(j), src.get<T>(j + 1), T{0}, qc));
        }
        c.s.v[op->rd] = r;
        return c.step(op);
    }
};

// Handler families are structs with a `run<F, T>`, so that tables can be made per family.
template <class F, class H>
constexpr Handler kBySize[4] = {&H::template run<F, uint8_t>, &H::template run<F, uint16_t>,
                                &H::template run<F, uint32_t>, &H::template run<F, uint64_t>};

// Allowed sizes as a mask: bit s set when size s is allocated.
constexpr unsigned kAll = 0xF, kNot64 = 0x7, kHS = 0x6, kB = 0x1, kD = 0x8, kBH = 0x3;

// The vector form: 64-bit elements need Q = 1.
template <class F, class H = Same3>
Build build_vector(Op& op, uint32_t insn, unsigned sizes)
{
    unsigned size = size_field(insn);
    if (!((sizes >> size) & 1) || (size == 3 && !q_bit(insn)))
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = kBySize<F, H>[size];
    op.b = lanes(insn, size);
    return Build::Next;
}

// The scalar form: one element.
template <class F, class H = Same3>
Build build_scalar(Op& op, uint32_t insn, unsigned sizes)
{
    unsigned size = size_field(insn);
    if (!((sizes >> size) & 1))
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = kBySize<F, H>[size];
    op.b = 1;
    return Build::Next;
}

// Logical operations have one element type: bytes of 8 or 16.
template <class F>
Build build_logical(Op& op, uint32_t insn)
{
    set_regs(op, insn);
    op.fn = Same3::run<F, uint64_t>;
    op.b = q_bit(insn) ? 2 : 1;
    return Build::Next;
}

// --- two-register miscellaneous ----------------------------------------------------------------

#define MISC_FN(NAME, EXPR)                                                        \
    struct NAME {                                                                  \
        template <class T>                                                         \
        static T f(T n, [[maybe_unused]] T m, [[maybe_unused]] T d, [[maybe_unused]] bool& qc) \
        {                                                                          \
            return static_cast<T>(EXPR);                                           \
        }                                                                          \
    };

MISC_FN(Suqadd, saturate<S<T>>(sv(d) + uv(n), qc))
MISC_FN(Usqadd, saturate<T>(uv(d) + sv(n), qc))
MISC_FN(Cls, std::countl_zero(static_cast<T>(n ^ static_cast<T>(sv(n) >> 1))) - 1)
MISC_FN(Clz, std::countl_zero(n))
MISC_FN(Cnt, std::popcount(n))
MISC_FN(Sqabs, saturate<S<T>>(sv(n) < 0 ? -sv(n) : sv(n), qc))
MISC_FN(Sqneg, saturate<S<T>>(-sv(n), qc))
MISC_FN(CmgtZero, all_ones<T>(sv(n) > 0))
MISC_FN(CmgeZero, all_ones<T>(sv(n) >= 0))
MISC_FN(CmeqZero, all_ones<T>(n == 0))
MISC_FN(CmleZero, all_ones<T>(sv(n) <= 0))
MISC_FN(CmltZero, all_ones<T>(sv(n) < 0))
MISC_FN(Abs, sv(n) < 0 ? -sv(n) : sv(n))
MISC_FN(Neg, -sv(n))
MISC_FN(Not, ~n)
#undef MISC_FN

struct Rbit {
    template <class T>
    static T f(T n, T, T, bool&)
    {
        T r = 0;
        for (unsigned i = 0; i < kBits<T>; i++)
            r |= static_cast<T>(((n >> i) & 1) << (kBits<T> - 1 - i));
        return r;
    }
};

// REV16, REV32, REV64: op->a is the container size in bytes, T the element.
template <class T>
const Op* Rev(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    const VReg n = c.s.v[op->rn];
    VReg r{};
    unsigned per = op->a / sizeof(T);
    for (unsigned i = 0; i < op->b; i++) {
        unsigned base = i - i % per;
        r.set<T>(i, n.get<T>(base + per - 1 - (i - base)));
    }
    c.s.v[op->rd] = r;
    return c.step(op);
}

template <unsigned kContainer>
Build build_rev(Op& op, uint32_t insn)
{
    unsigned size = size_field(insn);
    if ((8u << size) >= kContainer * 8)
        return Build::Undefined;
    set_regs(op, insn);
    static constexpr Handler kRev[4] = {Rev<uint8_t>, Rev<uint16_t>, Rev<uint32_t>, Rev<uint64_t>};
    op.fn = kRev[size];
    op.a = kContainer;
    op.b = lanes(insn, size);
    return Build::Next;
}

// --- narrowing, widening and pairwise-long -----------------------------------------------------

template <class T>
using Wider = UInt<2 * sizeof(T) < 8 ? 2 * sizeof(T) : 8>;
template <class T>
using Narrower = UInt<sizeof(T) / 2 ? sizeof(T) / 2 : 1>;

// XTN, SQXTN, UQXTN, SQXTUN: 2*esize elements of Rn narrowed into the lower half of Rd
// (Q = 0, upper half cleared) or its upper half (Q = 1, the "2" forms; lower half kept).
// op->a: 0 truncate, 1 signed saturate, 2 unsigned saturate, 3 signed to unsigned saturate.
template <class T>
const Op* Narrow(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    using W = Wider<T>;
    const VReg n = c.s.v[op->rn];
    VReg r{};
    bool upper = op->ra;
    if (upper)
        r.d[0] = c.s.v[op->rd].d[0];
    bool qc = false;
    unsigned count = op->b;
    for (unsigned i = 0; i < count; i++) {
        W v = n.get<W>(i);
        T t;
        switch (op->a) {
        case 0: t = static_cast<T>(v); break;
        case 1: t = static_cast<T>(saturate<S<T>>(sv(v), qc)); break;
        case 2: t = saturate<T>(uv(v), qc); break;
        default: t = saturate<T>(sv(v), qc); break;
        }
        r.set<T>(i + (upper ? count : 0), t);
    }
    c.s.v[op->rd] = r;
    set_qc(c, qc);
    return c.step(op);
}

// Vector narrowing: size is the destination element; size 3 is reserved.
Build build_narrow(Op& op, uint32_t insn, uint8_t kind)
{
    unsigned size = size_field(insn);
    if (size == 3)
        return Build::Undefined;
    static constexpr Handler kNarrow[3] = {Narrow<uint8_t>, Narrow<uint16_t>, Narrow<uint32_t>};
    set_regs(op, insn);
    op.fn = kNarrow[size];
    op.a = kind;
    op.ra = q_bit(insn);
    op.b = static_cast<uint8_t>(8 >> size);
    return Build::Next;
}

Build build_narrow_scalar(Op& op, uint32_t insn, uint8_t kind)
{
    Build b = build_narrow(op, insn, kind);
    op.ra = 0;
    op.b = 1;
    return b;
}

// SADDLP, UADDLP, SADALP, UADALP: pairs of T summed into elements of twice the size.
// op->a bit 0: signed; bit 1: accumulate.
template <class T>
const Op* PairLong(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    using W = Wider<T>;
    const VReg n = c.s.v[op->rn], d = c.s.v[op->rd];
    bool is_signed = op->a & 1, accumulate = op->a & 2;
    VReg r{};
    for (unsigned i = 0; i < op->b; i++) {
        i128 a = is_signed ? sv(n.get<T>(2 * i)) : uv(n.get<T>(2 * i));
        i128 b = is_signed ? sv(n.get<T>(2 * i + 1)) : uv(n.get<T>(2 * i + 1));
        W sum = static_cast<W>(a + b);
        r.set<W>(i, accumulate ? static_cast<W>(sum + d.get<W>(i)) : sum);
    }
    c.s.v[op->rd] = r;
    return c.step(op);
}

Build build_pair_long(Op& op, uint32_t insn, uint8_t kind)
{
    unsigned size = size_field(insn);
    if (size == 3)
        return Build::Undefined;
    static constexpr Handler kPL[3] = {PairLong<uint8_t>, PairLong<uint16_t>, PairLong<uint32_t>};
    set_regs(op, insn);
    op.fn = kPL[size];
    op.a = kind;
    op.b = static_cast<uint8_t>(lanes(insn, size) / 2);
    return Build::Next;
}

// --- across lanes ------------------------------------------------------------------------------

// ADDV, SMAXV, ... and the long sums SADDLV/UADDLV (op->a: 1 signed long, 2 unsigned long).
struct Across {
    template <class F, class T>
    static const Op* run(Cpu& c, const Op* op)
    {
        if (c.fp_trapped())
            return c.fp_access_trap(op);
        const VReg n = c.s.v[op->rn];
        VReg r{};
        if (op->a) {
            i128 sum = 0;
            for (unsigned i = 0; i < op->b; i++)
                sum += op->a == 1 ? sv(n.get<T>(i)) : uv(n.get<T>(i));
            r.set<Wider<T>>(0, static_cast<Wider<T>>(sum));
        } else {
            bool qc = false;
            T acc = n.get<T>(0);
            for (unsigned i = 1; i < op->b; i++)
                acc = F::template f<T>(acc, n.get<T>(i), T{0}, qc);
            r.set<T>(0, acc);
        }
        c.s.v[op->rd] = r;
        return c.step(op);
    }
};

template <class F>
Build build_across(Op& op, uint32_t insn, uint8_t kind)
{
    unsigned size = size_field(insn);
    // Bytes and halfwords in 64 or 128 bits; words only in 128 bits.
    if (size == 3 || (size == 2 && !q_bit(insn)))
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = kBySize<F, Across>[size];
    op.a = kind;
    op.b = lanes(insn, size);
    return Build::Next;
}

// --- shifts by immediate -----------------------------------------------------------------------

// op->a the shift; right shifts of 1..esize, left shifts of 0..esize-1.
#define SHIFT_FN(NAME, EXPR)                                                                       \
    struct NAME {                                                                                  \
        template <class T>                                                                         \
        static T f(T n, [[maybe_unused]] T d, [[maybe_unused]] unsigned sh, [[maybe_unused]] bool& qc) \
        {                                                                                          \
            return static_cast<T>(EXPR);                                                           \
        }                                                                                          \
    };

template <class T>
i128 rshift(i128 v, unsigned sh, bool round)
{
    if (round)
        v += i128{1} << (sh - 1);
    return v >> sh;
}

SHIFT_FN(Sshr, rshift<T>(sv(n), sh, false))
SHIFT_FN(Ushr, rshift<T>(uv(n), sh, false))
SHIFT_FN(Srshr, rshift<T>(sv(n), sh, true))
SHIFT_FN(Urshr, rshift<T>(uv(n), sh, true))
SHIFT_FN(Ssra, d + rshift<T>(sv(n), sh, false))
SHIFT_FN(Usra, d + rshift<T>(uv(n), sh, false))
SHIFT_FN(Srsra, d + rshift<T>(sv(n), sh, true))
SHIFT_FN(Ursra, d + rshift<T>(uv(n), sh, true))
SHIFT_FN(Shl, uv(n) << sh)
SHIFT_FN(Sqshlu, saturate<T>(sv(n) * (i128{1} << sh), qc))
SHIFT_FN(SqshlImm, saturate<S<T>>(sv(n) * (i128{1} << sh), qc))
SHIFT_FN(UqshlImm, saturate<T>(uv(n) << sh, qc))
#undef SHIFT_FN

struct Sri {
    template <class T>
    static T f(T n, T d, unsigned sh, bool&)
    {
        if (sh >= kBits<T>)
            return d;
        T mask = static_cast<T>(T(~T{0}) >> sh);
        return static_cast<T>((d & ~mask) | (n >> sh));
    }
};

struct Sli {
    template <class T>
    static T f(T n, T d, unsigned sh, bool&)
    {
        T mask = static_cast<T>(T(~T{0}) << sh);
        return static_cast<T>((d & ~mask) | static_cast<T>(n << sh));
    }
};

struct ShiftImm {
    template <class F, class T>
    static const Op* run(Cpu& c, const Op* op)
    {
        if (c.fp_trapped())
            return c.fp_access_trap(op);
        const VReg n = c.s.v[op->rn], d = c.s.v[op->rd];
        VReg r{};
        bool qc = false;
        for (unsigned i = 0; i < op->b; i++)
            r.set<T>(i, F::template f<T>(n.get<T>(i), d.get<T>(i), op->a, qc));
        c.s.v[op->rd] = r;
        set_qc(c, qc);
        return c.step(op);
    }
};

// immh:immb, with the element size its highest set bit gives.
struct ShiftField {
    unsigned size;   // log2 of the element bytes
    unsigned imm;    // immh:immb
    unsigned esize;  // element bits
};

ShiftField shift_field(uint32_t insn)
{
    unsigned immh = bits(insn, 22, 19);
    unsigned size = 31 - std::countl_zero(immh);
    return {size, bits(insn, 22, 16), 8u << size};
}

// Right shifts (shift = 2 * esize - imm) and left shifts (imm - esize), vector or scalar.
// Scalar forms of the plain shifts exist only for 64-bit elements; `any_scalar` allows all
// (the saturating left shifts).
template <class F>
Build build_shift(Op& op, uint32_t insn, bool left, bool scalar, bool any_scalar = false)
{
    if (bits(insn, 22, 19) == 0)
        return Build::Undefined;
    ShiftField s = shift_field(insn);
    if (scalar ? (!any_scalar && s.size != 3) : (s.size == 3 && !q_bit(insn)))
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = kBySize<F, ShiftImm>[s.size];
    op.a = static_cast<uint8_t>(left ? s.imm - s.esize : 2 * s.esize - s.imm);
    op.b = scalar ? 1 : static_cast<uint8_t>((q_bit(insn) ? 16 : 8) >> s.size);
    return Build::Next;
}

// SHRN, RSHRN, SQSHRN, SQRSHRN, UQSHRN, UQRSHRN, SQSHRUN, SQRSHRUN: elements of 2*esize shifted
// right and narrowed, into the lower or upper half. op->a the shift; op->imm bit 0 round,
// bits 2:1 the saturation (as Narrow's kinds).
template <class T>
const Op* ShiftNarrow(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    using W = Wider<T>;
    const VReg n = c.s.v[op->rn];
    VReg r{};
    bool upper = op->ra;
    if (upper)
        r.d[0] = c.s.v[op->rd].d[0];
    bool qc = false, round = op->imm & 1;
    unsigned kind = static_cast<unsigned>(op->imm >> 1);
    for (unsigned i = 0; i < op->b; i++) {
        W w = n.get<W>(i);
        i128 v = rshift<W>(kind == 2 ? uv(w) : sv(w), op->a, round);
        T t;
        switch (kind) {
        case 0: t = static_cast<T>(v); break;
        case 1: t = static_cast<T>(saturate<S<T>>(v, qc)); break;
        default: t = saturate<T>(v, qc); break;
        }
        r.set<T>(i + (upper ? op->b : 0), t);
    }
    c.s.v[op->rd] = r;
    set_qc(c, qc);
    return c.step(op);
}

// kind: 0 truncate (signed shift, bits kept), 1 signed saturate, 2 unsigned, 3 signed to unsigned.
Build build_shift_narrow(Op& op, uint32_t insn, unsigned kind, bool round, bool scalar)
{
    unsigned immh = bits(insn, 22, 19);
    if (immh == 0 || (immh & 8))
        return Build::Undefined;
    ShiftField s = shift_field(insn);
    static constexpr Handler kSN[3] = {ShiftNarrow<uint8_t>, ShiftNarrow<uint16_t>, ShiftNarrow<uint32_t>};
    set_regs(op, insn);
    op.fn = kSN[s.size];
    op.a = static_cast<uint8_t>(2 * s.esize - s.imm);
    op.imm = (kind << 1) | (round ? 1 : 0);
    op.ra = scalar ? 0 : q_bit(insn);
    op.b = scalar ? 1 : static_cast<uint8_t>(8 >> s.size);
    return Build::Next;
}

// SSHLL, USHLL: op->a the shift, op->ra signed, op->imm the upper half.
template <class T>
const Op* ShiftLong(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    using W = Wider<T>;
    const VReg n = c.s.v[op->rn];
    unsigned part = op->imm ? op->b : 0;
    VReg r{};
    for (unsigned i = 0; i < op->b; i++) {
        T v = n.get<T>(part + i);
        r.set<W>(i, static_cast<W>((op->ra ? sv(v) : uv(v)) * (i128{1} << op->a)));
    }
    c.s.v[op->rd] = r;
    return c.step(op);
}

// --- three different, and long operations by element -------------------------------------------

// Long: elements of the lower (Q = 0) or upper (Q = 1) half of Rn and Rm, extended to twice
// their size, combined with the destination element. `kWide`: Rn already has wide elements.
#define LONG_FN(NAME, EXPR)                                                                        \
    struct NAME {                                                                                  \
        template <class W>                                                                         \
        static W f(i128 n, i128 m, [[maybe_unused]] W d, [[maybe_unused]] bool& qc)               \
        {                                                                                          \
            return static_cast<W>(EXPR);                                                           \
        }                                                                                          \
    };

LONG_FN(LAdd, n + m)
LONG_FN(LSub, n - m)
LONG_FN(LAbd, n > m ? n - m : m - n)
LONG_FN(LAba, d + (n > m ? n - m : m - n))
LONG_FN(LMul, n * m)
LONG_FN(LMla, d + n * m)
LONG_FN(LMls, d - n * m)
LONG_FN(LSqdmull, saturate<S<W>>(2 * n * m, qc))
LONG_FN(LSqdmlal, saturate<S<W>>(sv(d) + sv(saturate<S<W>>(2 * n * m, qc)), qc))
LONG_FN(LSqdmlsl, saturate<S<W>>(sv(d) - sv(saturate<S<W>>(2 * n * m, qc)), qc))
#undef LONG_FN

// SHLL: widen and shift by the element size.
struct LShll {
    template <class W>
    static W f(i128 n, i128, W, bool&)
    {
        return static_cast<W>(n << (4 * sizeof(W)));
    }
};

// op->a bit 0 signed extension; bit 1 Rn wide (the W forms); bit 2 m is element op->ra of
// Rm (by element); op->b the number of results.
struct Long {
    template <class F, class T>
    static const Op* run(Cpu& c, const Op* op)
    {
        if (c.fp_trapped())
            return c.fp_access_trap(op);
        using W = Wider<T>;
        const VReg n = c.s.v[op->rn], m = c.s.v[op->rm], d = c.s.v[op->rd];
        bool is_signed = op->a & 1, wide = op->a & 2, by_elem = op->a & 4;
        unsigned part = op->imm ? op->b : 0;  // the upper half for the "2" forms
        VReg r{};
        bool qc = false;
        auto ext = [&](T v) { return is_signed ? sv(v) : uv(v); };
        for (unsigned i = 0; i < op->b; i++) {
            i128 a = wide ? (is_signed ? sv(n.get<W>(i)) : uv(n.get<W>(i))) : ext(n.get<T>(part + i));
            i128 b = ext(by_elem ? m.get<T>(op->ra) : m.get<T>(part + i));
            r.set<W>(i, F::template f<W>(a, b, d.get<W>(i), qc));
        }
        c.s.v[op->rd] = r;
        set_qc(c, qc);
        return c.step(op);
    }
};

template <class F>
Build build_long(Op& op, uint32_t insn, bool is_signed, bool wide, unsigned sizes = kNot64)
{
    unsigned size = size_field(insn);
    if (!((sizes >> size) & 1))
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = kBySize<F, Long>[size];
    op.a = static_cast<uint8_t>((is_signed ? 1 : 0) | (wide ? 2 : 0));
    op.b = static_cast<uint8_t>(8 >> size);
    op.imm = q_bit(insn);
    return Build::Next;
}

template <class F>
Build build_long_scalar(Op& op, uint32_t insn)
{
    Build b = build_long<F>(op, insn, true, false, kHS);
    op.b = 1;
    op.imm = 0;
    return b;
}

// The element index and Rm of the by-element forms: H:L:M and Rm<3:0> for halfwords, H:L and
// M:Rm<3:0> for words.
bool element_index(uint32_t insn, unsigned size, Op& op)
{
    unsigned h = bit(insn, 11), l = bit(insn, 21), m = bit(insn, 20);
    unsigned rm = bits(insn, 19, 16);
    if (size == 1) {
        op.ra = static_cast<uint8_t>((h << 2) | (l << 1) | m);
        op.rm = static_cast<uint8_t>(rm);
        return true;
    }
    if (size == 2) {
        op.ra = static_cast<uint8_t>((h << 1) | l);
        op.rm = static_cast<uint8_t>((m << 4) | rm);
        return true;
    }
    return false;
}

template <class F>
Build build_long_elem(Op& op, uint32_t insn, bool is_signed, bool scalar = false)
{
    unsigned size = size_field(insn);
    set_regs(op, insn);
    if (!element_index(insn, size, op))
        return Build::Undefined;
    op.fn = kBySize<F, Long>[size];
    op.a = static_cast<uint8_t>((is_signed ? 1 : 0) | 4);
    op.b = scalar ? 1 : static_cast<uint8_t>(8 >> size);
    op.imm = scalar ? 0 : q_bit(insn);
    return Build::Next;
}

// By element, same size: the three-same functors with Rm's element op->ra in every lane.
struct ByElem {
    template <class F, class T>
    static const Op* run(Cpu& c, const Op* op)
    {
        if (c.fp_trapped())
            return c.fp_access_trap(op);
        const VReg n = c.s.v[op->rn], d = c.s.v[op->rd];
        T m = c.s.v[op->rm].get<T>(op->ra);
        VReg r{};
        bool qc = false;
        for (unsigned i = 0; i < op->b; i++)
            r.set<T>(i, F::template f<T>(n.get<T>(i), m, d.get<T>(i), qc));
        c.s.v[op->rd] = r;
        set_qc(c, qc);
        return c.step(op);
    }
};

template <class F>
Build build_elem(Op& op, uint32_t insn, bool scalar = false)
{
    unsigned size = size_field(insn);
    set_regs(op, insn);
    if (!element_index(insn, size, op))
        return Build::Undefined;
    op.fn = kBySize<F, ByElem>[size];
    op.b = scalar ? 1 : lanes(insn, size);
    return Build::Next;
}

// ADDHN, RADDHN, SUBHN, RSUBHN: the high half of each wide sum or difference, narrowed into
// the lower or upper half. op->a bit 0 subtract, bit 1 round.
template <class T>
const Op* HighNarrow(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    using W = Wider<T>;
    const VReg n = c.s.v[op->rn], m = c.s.v[op->rm];
    VReg r{};
    bool upper = op->ra;
    if (upper)
        r.d[0] = c.s.v[op->rd].d[0];
    for (unsigned i = 0; i < op->b; i++) {
        u128 v = (op->a & 1) ? u128{n.get<W>(i)} - m.get<W>(i) : u128{n.get<W>(i)} + m.get<W>(i);
        if (op->a & 2)
            v += u128{1} << (kBits<T> - 1);
        r.set<T>(i + (upper ? op->b : 0), static_cast<T>(v >> kBits<T>));
    }
    c.s.v[op->rd] = r;
    return c.step(op);
}

Build build_high_narrow(Op& op, uint32_t insn, uint8_t kind)
{
    unsigned size = size_field(insn);
    if (size == 3)
        return Build::Undefined;
    static constexpr Handler kHN[3] = {HighNarrow<uint8_t>, HighNarrow<uint16_t>, HighNarrow<uint32_t>};
    set_regs(op, insn);
    op.fn = kHN[size];
    op.a = kind;
    op.ra = q_bit(insn);
    op.b = static_cast<uint8_t>(8 >> size);
    return Build::Next;
}

// SSHLL and USHLL: widen, then shift left by imm - esize (esize from immh<2:0>).
Build build_shift_long(Op& op, uint32_t insn, bool is_signed)
{
    unsigned immh = bits(insn, 22, 19);
    if (immh == 0 || (immh & 8))
        return Build::Undefined;
    ShiftField s = shift_field(insn);
    static constexpr Handler kSL[3] = {ShiftLong<uint8_t>, ShiftLong<uint16_t>, ShiftLong<uint32_t>};
    set_regs(op, insn);
    op.fn = kSL[s.size];
    op.a = static_cast<uint8_t>(s.imm - s.esize);
    op.ra = is_signed;
    op.imm = q_bit(insn);
    op.b = static_cast<uint8_t>(8 >> s.size);
    return Build::Next;
}

}  // namespace

// clang-format off
#define VEC(NAME, FN, SIZES) Build build_##NAME##_v(Op& op, uint32_t insn) { return build_vector<FN>(op, insn, SIZES); }
#define SCA(NAME, FN, SIZES) Build build_##NAME##_s(Op& op, uint32_t insn) { return build_scalar<FN>(op, insn, SIZES); }
#define PAIR(NAME, FN, SIZES) Build build_##NAME##_v(Op& op, uint32_t insn) { return build_vector<FN, Pairwise>(op, insn, SIZES); }

VEC(SHADD, Shadd, kNot64) VEC(UHADD, Uhadd, kNot64) VEC(SRHADD, Srhadd, kNot64) VEC(URHADD, Urhadd, kNot64)
VEC(SHSUB, Shsub, kNot64) VEC(UHSUB, Uhsub, kNot64)
VEC(SQADD, Sqadd, kAll) VEC(UQADD, Uqadd, kAll) VEC(SQSUB, Sqsub, kAll) VEC(UQSUB, Uqsub, kAll)
VEC(CMGT, Cmgt, kAll) VEC(CMHI, Cmhi, kAll) VEC(CMGE, Cmge, kAll) VEC(CMHS, Cmhs, kAll)
VEC(CMTST, Cmtst, kAll) VEC(CMEQ, Cmeq, kAll)
VEC(SSHL, Sshl, kAll) VEC(USHL, Ushl, kAll) VEC(SRSHL, Srshl, kAll) VEC(URSHL, Urshl, kAll)
VEC(SQSHL, Sqshl, kAll) VEC(UQSHL, Uqshl, kAll) VEC(SQRSHL, Sqrshl, kAll) VEC(UQRSHL, Uqrshl, kAll)
VEC(SMAX, Smax, kNot64) VEC(UMAX, Umax, kNot64) VEC(SMIN, Smin, kNot64) VEC(UMIN, Umin, kNot64)
VEC(SABD, Sabd, kNot64) VEC(UABD, Uabd, kNot64) VEC(SABA, Saba, kNot64) VEC(UABA, Uaba, kNot64)
VEC(ADD, Add, kAll) VEC(SUB, Sub, kAll) VEC(MLA, Mla, kNot64) VEC(MLS, Mls, kNot64) VEC(MUL, Mul, kNot64)
VEC(PMUL, Pmul, kB) VEC(SQDMULH, Sqdmulh, kHS) VEC(SQRDMULH, Sqrdmulh, kHS)
PAIR(SMAXP, Smax, kNot64) PAIR(UMAXP, Umax, kNot64) PAIR(SMINP, Smin, kNot64) PAIR(UMINP, Umin, kNot64)
PAIR(ADDP, Add, kAll)

Build build_AND_v(Op& op, uint32_t insn) { return build_logical<And>(op, insn); }
Build build_BIC_v(Op& op, uint32_t insn) { return build_logical<Bic>(op, insn); }
Build build_ORR_v(Op& op, uint32_t insn) { return build_logical<Orr>(op, insn); }
Build build_ORN_v(Op& op, uint32_t insn) { return build_logical<Orn>(op, insn); }
Build build_EOR_v(Op& op, uint32_t insn) { return build_logical<Eor>(op, insn); }
Build build_BSL_v(Op& op, uint32_t insn) { return build_logical<Bsl>(op, insn); }
Build build_BIT_v(Op& op, uint32_t insn) { return build_logical<Bit>(op, insn); }
Build build_BIF_v(Op& op, uint32_t insn) { return build_logical<Bif>(op, insn); }

SCA(SQADD, Sqadd, kAll) SCA(UQADD, Uqadd, kAll) SCA(SQSUB, Sqsub, kAll) SCA(UQSUB, Uqsub, kAll)
SCA(CMGT, Cmgt, kD) SCA(CMHI, Cmhi, kD) SCA(CMGE, Cmge, kD) SCA(CMHS, Cmhs, kD) SCA(CMTST, Cmtst, kD) SCA(CMEQ, Cmeq, kD)
SCA(SSHL, Sshl, kD) SCA(USHL, Ushl, kD) SCA(SRSHL, Srshl, kD) SCA(URSHL, Urshl, kD)
SCA(SQSHL, Sqshl, kAll) SCA(UQSHL, Uqshl, kAll) SCA(SQRSHL, Sqrshl, kAll) SCA(UQRSHL, Uqrshl, kAll)
SCA(ADD, Add, kD) SCA(SUB, Sub, kD) SCA(SQDMULH, Sqdmulh, kHS) SCA(SQRDMULH, Sqrdmulh, kHS)

VEC(SUQADD, Suqadd, kAll) VEC(USQADD, Usqadd, kAll) VEC(CLS, Cls, kNot64) VEC(CLZ, Clz, kNot64) VEC(CNT, Cnt, kB)
VEC(SQABS, Sqabs, kAll) VEC(SQNEG, Sqneg, kAll)
VEC(CMGT_zero, CmgtZero, kAll) VEC(CMGE_zero, CmgeZero, kAll) VEC(CMEQ_zero, CmeqZero, kAll)
VEC(CMLE_zero, CmleZero, kAll) VEC(CMLT_zero, CmltZero, kAll) VEC(ABS, Abs, kAll) VEC(NEG, Neg, kAll)
VEC(NOT, Not, kB)
// RBIT's size field is 01 and its elements are bytes.
Build build_RBIT_v(Op& op, uint32_t insn)
{
    set_regs(op, insn);
    op.fn = Same3::run<Rbit, uint8_t>;
    op.b = lanes(insn, 0);
    return Build::Next;
}

SCA(SUQADD, Suqadd, kAll) SCA(USQADD, Usqadd, kAll) SCA(SQABS, Sqabs, kAll) SCA(SQNEG, Sqneg, kAll)
SCA(CMGT_zero, CmgtZero, kD) SCA(CMGE_zero, CmgeZero, kD) SCA(CMEQ_zero, CmeqZero, kD)
SCA(CMLE_zero, CmleZero, kD) SCA(CMLT_zero, CmltZero, kD) SCA(ABS, Abs, kD) SCA(NEG, Neg, kD)

Build build_REV64_v(Op& op, uint32_t insn) { return build_rev<8>(op, insn); }
Build build_REV32_v(Op& op, uint32_t insn) { return build_rev<4>(op, insn); }
Build build_REV16_v(Op& op, uint32_t insn) { return build_rev<2>(op, insn); }
Build build_XTN_v(Op& op, uint32_t insn) { return build_narrow(op, insn, 0); }
Build build_SQXTN_v(Op& op, uint32_t insn) { return build_narrow(op, insn, 1); }
Build build_UQXTN_v(Op& op, uint32_t insn) { return build_narrow(op, insn, 2); }
Build build_SQXTUN_v(Op& op, uint32_t insn) { return build_narrow(op, insn, 3); }
Build build_SQXTN_s(Op& op, uint32_t insn) { return build_narrow_scalar(op, insn, 1); }
Build build_UQXTN_s(Op& op, uint32_t insn) { return build_narrow_scalar(op, insn, 2); }
Build build_SQXTUN_s(Op& op, uint32_t insn) { return build_narrow_scalar(op, insn, 3); }
Build build_SADDLP_v(Op& op, uint32_t insn) { return build_pair_long(op, insn, 1); }
Build build_UADDLP_v(Op& op, uint32_t insn) { return build_pair_long(op, insn, 0); }
Build build_SADALP_v(Op& op, uint32_t insn) { return build_pair_long(op, insn, 3); }
Build build_UADALP_v(Op& op, uint32_t insn) { return build_pair_long(op, insn, 2); }
Build build_SHLL_v(Op& op, uint32_t insn) { return build_long<LShll>(op, insn, false, false); }

Build build_SADDLV(Op& op, uint32_t insn) { return build_across<Add>(op, insn, 1); }
Build build_UADDLV(Op& op, uint32_t insn) { return build_across<Add>(op, insn, 2); }
Build build_ADDV(Op& op, uint32_t insn) { return build_across<Add>(op, insn, 0); }
Build build_SMAXV(Op& op, uint32_t insn) { return build_across<Smax>(op, insn, 0); }
Build build_UMAXV(Op& op, uint32_t insn) { return build_across<Umax>(op, insn, 0); }
Build build_SMINV(Op& op, uint32_t insn) { return build_across<Smin>(op, insn, 0); }
Build build_UMINV(Op& op, uint32_t insn) { return build_across<Umin>(op, insn, 0); }
Build build_ADDP_s(Op& op, uint32_t insn)
{
    if (size_field(insn) != 3)
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = Across::run<Add, uint64_t>;  // the sum of Rn's two doublewords
    op.b = 2;
    return Build::Next;
}

#define SHIFT_V(NAME, FN, LEFT) Build build_##NAME##_v(Op& op, uint32_t insn) { return build_shift<FN>(op, insn, LEFT, false); }
#define SHIFT_S(NAME, FN, LEFT, ANY) Build build_##NAME##_s(Op& op, uint32_t insn) { return build_shift<FN>(op, insn, LEFT, true, ANY); }
SHIFT_V(SSHR, Sshr, false) SHIFT_V(USHR, Ushr, false) SHIFT_V(SRSHR, Srshr, false) SHIFT_V(URSHR, Urshr, false)
SHIFT_V(SSRA, Ssra, false) SHIFT_V(USRA, Usra, false) SHIFT_V(SRSRA, Srsra, false) SHIFT_V(URSRA, Ursra, false)
SHIFT_V(SRI, Sri, false) SHIFT_V(SHL, Shl, true) SHIFT_V(SLI, Sli, true) SHIFT_V(SQSHLU, Sqshlu, true)
SHIFT_V(SQSHL_imm, SqshlImm, true) SHIFT_V(UQSHL_imm, UqshlImm, true)
SHIFT_S(SSHR, Sshr, false, false) SHIFT_S(USHR, Ushr, false, false) SHIFT_S(SRSHR, Srshr, false, false)
SHIFT_S(URSHR, Urshr, false, false) SHIFT_S(SSRA, Ssra, false, false) SHIFT_S(USRA, Usra, false, false)
SHIFT_S(SRSRA, Srsra, false, false) SHIFT_S(URSRA, Ursra, false, false) SHIFT_S(SRI, Sri, false, false)
SHIFT_S(SHL, Shl, true, false) SHIFT_S(SLI, Sli, true, false) SHIFT_S(SQSHLU, Sqshlu, true, true)
SHIFT_S(SQSHL_imm, SqshlImm, true, true) SHIFT_S(UQSHL_imm, UqshlImm, true, true)

Build build_SHRN_v(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 0, false, false); }
Build build_RSHRN_v(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 0, true, false); }
Build build_SQSHRN_v(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 1, false, false); }
Build build_SQRSHRN_v(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 1, true, false); }
Build build_UQSHRN_v(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 2, false, false); }
Build build_UQRSHRN_v(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 2, true, false); }
Build build_SQSHRUN_v(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 3, false, false); }
Build build_SQRSHRUN_v(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 3, true, false); }
Build build_SQSHRN_s(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 1, false, true); }
Build build_SQRSHRN_s(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 1, true, true); }
Build build_UQSHRN_s(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 2, false, true); }
Build build_UQRSHRN_s(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 2, true, true); }
Build build_SQSHRUN_s(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 3, false, true); }
Build build_SQRSHRUN_s(Op& op, uint32_t insn) { return build_shift_narrow(op, insn, 3, true, true); }

Build build_SSHLL_v(Op& op, uint32_t insn) { return build_shift_long(op, insn, true); }
Build build_USHLL_v(Op& op, uint32_t insn) { return build_shift_long(op, insn, false); }

#define LONG3(NAME, FN, SIGNED, WIDE) Build build_##NAME(Op& op, uint32_t insn) { return build_long<FN>(op, insn, SIGNED, WIDE); }
LONG3(SADDL, LAdd, true, false) LONG3(UADDL, LAdd, false, false) LONG3(SADDW, LAdd, true, true) LONG3(UADDW, LAdd, false, true)
LONG3(SSUBL, LSub, true, false) LONG3(USUBL, LSub, false, false) LONG3(SSUBW, LSub, true, true) LONG3(USUBW, LSub, false, true)
LONG3(SABAL, LAba, true, false) LONG3(UABAL, LAba, false, false) LONG3(SABDL, LAbd, true, false) LONG3(UABDL, LAbd, false, false)
LONG3(SMLAL, LMla, true, false) LONG3(UMLAL, LMla, false, false) LONG3(SMLSL, LMls, true, false) LONG3(UMLSL, LMls, false, false)
LONG3(SMULL, LMul, true, false) LONG3(UMULL, LMul, false, false)
Build build_SQDMLAL(Op& op, uint32_t insn) { return build_long<LSqdmlal>(op, insn, true, false, kHS); }
Build build_SQDMLSL(Op& op, uint32_t insn) { return build_long<LSqdmlsl>(op, insn, true, false, kHS); }
Build build_SQDMULL(Op& op, uint32_t insn) { return build_long<LSqdmull>(op, insn, true, false, kHS); }
Build build_SQDMLAL_s(Op& op, uint32_t insn) { return build_long_scalar<LSqdmlal>(op, insn); }
Build build_SQDMLSL_s(Op& op, uint32_t insn) { return build_long_scalar<LSqdmlsl>(op, insn); }
Build build_SQDMULL_s(Op& op, uint32_t insn) { return build_long_scalar<LSqdmull>(op, insn); }
Build build_ADDHN(Op& op, uint32_t insn) { return build_high_narrow(op, insn, 0); }
Build build_SUBHN(Op& op, uint32_t insn) { return build_high_narrow(op, insn, 1); }
Build build_RADDHN(Op& op, uint32_t insn) { return build_high_narrow(op, insn, 2); }
Build build_RSUBHN(Op& op, uint32_t insn) { return build_high_narrow(op, insn, 3); }

Build build_MLA_elem(Op& op, uint32_t insn) { return build_elem<Mla>(op, insn); }
Build build_MLS_elem(Op& op, uint32_t insn) { return build_elem<Mls>(op, insn); }
Build build_MUL_elem(Op& op, uint32_t insn) { return build_elem<Mul>(op, insn); }
Build build_SQDMULH_elem(Op& op, uint32_t insn) { return build_elem<Sqdmulh>(op, insn); }
Build build_SQRDMULH_elem(Op& op, uint32_t insn) { return build_elem<Sqrdmulh>(op, insn); }
Build build_SQDMULH_elem_s(Op& op, uint32_t insn) { return build_elem<Sqdmulh>(op, insn, true); }
Build build_SQRDMULH_elem_s(Op& op, uint32_t insn) { return build_elem<Sqrdmulh>(op, insn, true); }
Build build_SMLAL_elem(Op& op, uint32_t insn) { return build_long_elem<LMla>(op, insn, true); }
Build build_UMLAL_elem(Op& op, uint32_t insn) { return build_long_elem<LMla>(op, insn, false); }
Build build_SMLSL_elem(Op& op, uint32_t insn) { return build_long_elem<LMls>(op, insn, true); }
Build build_UMLSL_elem(Op& op, uint32_t insn) { return build_long_elem<LMls>(op, insn, false); }
Build build_SMULL_elem(Op& op, uint32_t insn) { return build_long_elem<LMul>(op, insn, true); }
Build build_UMULL_elem(Op& op, uint32_t insn) { return build_long_elem<LMul>(op, insn, false); }
Build build_SQDMLAL_elem(Op& op, uint32_t insn) { return build_long_elem<LSqdmlal>(op, insn, true); }
Build build_SQDMLSL_elem(Op& op, uint32_t insn) { return build_long_elem<LSqdmlsl>(op, insn, true); }
Build build_SQDMULL_elem(Op& op, uint32_t insn) { return build_long_elem<LSqdmull>(op, insn, true); }
Build build_SQDMLAL_elem_s(Op& op, uint32_t insn) { return build_long_elem<LSqdmlal>(op, insn, true, true); }
Build build_SQDMLSL_elem_s(Op& op, uint32_t insn) { return build_long_elem<LSqdmlsl>(op, insn, true, true); }
Build build_SQDMULL_elem_s(Op& op, uint32_t insn) { return build_long_elem<LSqdmull>(op, insn, true, true); }
// clang-format on
#undef VEC
#undef SCA
#undef PAIR
#undef SHIFT_V
#undef SHIFT_S
#undef LONG3

}  // namespace emu::a64
