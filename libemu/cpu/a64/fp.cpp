#include "cpu/a64/fp.h"

#include <algorithm>
#include <bit>

namespace emu::a64::fp {

namespace {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

template <unsigned N>
struct Format;
template <>
struct Format<16> {
    static constexpr int E = 5, F = 10;
};
template <>
struct Format<32> {
    static constexpr int E = 8, F = 23;
};
template <>
struct Format<64> {
    static constexpr int E = 11, F = 52;
};

template <unsigned N>
struct Fmt {
    static constexpr int E = Format<N>::E, F = Format<N>::F;
    static constexpr int kBias = (1 << (E - 1)) - 1;
    static constexpr int kMinExp = 1 - kBias;
    static constexpr uint64_t kSign = uint64_t{1} << (N - 1);
    static constexpr uint64_t kFracMask = (uint64_t{1} << F) - 1;
    static constexpr uint64_t kExpMask = ((uint64_t{1} << E) - 1) << F;
    static constexpr uint64_t kQuiet = uint64_t{1} << (F - 1);

    static constexpr uint64_t sign_bit(bool s) { return s ? kSign : 0; }
    static constexpr uint64_t zero(bool s) { return sign_bit(s); }
    static constexpr uint64_t infinity(bool s) { return sign_bit(s) | kExpMask; }
    static constexpr uint64_t max_normal(bool s) { return sign_bit(s) | (kExpMask - (uint64_t{1} << F)) | kFracMask; }
    static constexpr uint64_t default_nan() { return kExpMask | kQuiet; }
    // 1.0 * 2^e for small e, for the constants 2.0 and 1.5.
    static constexpr uint64_t two() { return uint64_t(kBias + 1) << F; }
    static constexpr uint64_t one_point_five() { return (uint64_t(kBias) << F) | kQuiet; }
};

enum class Type : uint8_t { Zero, Finite, Inf, QNaN, SNaN };

// FPUnpack: a finite nonzero value is mant * 2^exp.
struct Value {
    Type type;
    bool sign;
    int exp;
    uint64_t mant;

    bool is_nan() const { return type == Type::QNaN || type == Type::SNaN; }
};

template <unsigned N>
Value unpack(uint64_t x, Env& env)
{
    using T = Fmt<N>;
    bool sign = (x & T::kSign) != 0;
    int e = static_cast<int>((x & T::kExpMask) >> T::F);
    uint64_t frac = x & T::kFracMask;
    if (e == 0) {
        if (frac == 0)
            return {Type::Zero, sign, 0, 0};
        // Half precision inputs are never flushed in ARMv8.0 (FZ16 came with ARMv8.2).
        if (N != 16 && env.fz()) {
            env.flags |= kFpsrIdc;
            return {Type::Zero, sign, 0, 0};
        }
        return {Type::Finite, sign, T::kMinExp - T::F, frac};
    }
    if (e == (1 << T::E) - 1 && !(N == 16 && env.ahp())) {
        if (frac == 0)
            return {Type::Inf, sign, 0, 0};
        return {(frac & T::kQuiet) ? Type::QNaN : Type::SNaN, sign, 0, 0};
    }
    return {Type::Finite, sign, e - T::kBias - T::F, frac | (uint64_t{1} << T::F)};
}

// FPProcessNaN.
template <unsigned N>
uint64_t process_nan(Type type, uint64_t x, Env& env)
{
    if (type == Type::SNaN) {
        x |= Fmt<N>::kQuiet;
        env.flags |= kFpsrIoc;
    }
    return env.dn() ? Fmt<N>::default_nan() : x;
}

// FPProcessNaNs: signalling NaNs before quiet ones, then the first operand before the second.
template <unsigned N>
bool process_nans(const Value& va, const Value& vb, uint64_t a, uint64_t b, Env& env, uint64_t& out)
{
    if (va.type == Type::SNaN)
        out = process_nan<N>(va.type, a, env);
    else if (vb.type == Type::SNaN)
        out = process_nan<N>(vb.type, b, env);
    else if (va.type == Type::QNaN)
        out = process_nan<N>(va.type, a, env);
    else if (vb.type == Type::QNaN)
        out = process_nan<N>(vb.type, b, env);
    else
        return false;
    return true;
}

template <unsigned N>
bool process_nans3(const Value& v1, const Value& v2, const Value& v3, uint64_t a, uint64_t b, uint64_t c, Env& env,
                   uint64_t& out)
{
    if (v1.type == Type::SNaN)
        out = process_nan<N>(v1.type, a, env);
    else if (v2.type == Type::SNaN)
        out = process_nan<N>(v2.type, b, env);
    else if (v3.type == Type::SNaN)
        out = process_nan<N>(v3.type, c, env);
    else if (v1.type == Type::QNaN)
        out = process_nan<N>(v1.type, a, env);
    else if (v2.type == Type::QNaN)
        out = process_nan<N>(v2.type, b, env);
    else if (v3.type == Type::QNaN)
        out = process_nan<N>(v3.type, c, env);
    else
        return false;
    return true;
}

int bit_length(u128 v)
{
    uint64_t hi = static_cast<uint64_t>(v >> 64);
    return hi ? 128 - std::countl_zero(hi) : 64 - std::countl_zero(static_cast<uint64_t>(v));
}

// How far a truncated value lies above its integer part: exactly on it, below half an
// ulp, on the half, above it.
enum class Rest : uint8_t { Zero, BelowHalf, Half, AboveHalf };

// mant >> r, and what was shifted out.
u128 shift_right(u128 mant, int r, Rest& rest)
{
    if (r <= 0) {
        rest = Rest::Zero;
        return mant << -r;
    }
    if (r > 128) {
        rest = mant ? Rest::BelowHalf : Rest::Zero;
        return 0;
    }
    u128 half = u128{1} << (r - 1);
    u128 low = r == 128 ? mant : mant & ((half << 1) - 1);
    rest = low == 0 ? Rest::Zero : low < half ? Rest::BelowHalf : low == half ? Rest::Half : Rest::AboveHalf;
    return r == 128 ? 0 : mant >> r;
}

// FPRound (FPRoundBase): mant * 2^exp, mant nonzero, to the format. An inexact operand
// carries a set bit below all of its exact bits (see add_exact), so that the Rest of any
// shift is still right.
template <unsigned N>
uint64_t round(bool sign, int exp, u128 mant, Rounding mode, Env& env)
{
    using T = Fmt<N>;
    int exponent = exp + bit_length(mant) - 1;
    if (N != 16 && env.fz() && exponent < T::kMinExp) {
        env.flags |= kFpsrUfc;
        return T::zero(sign);
    }
    int biased = std::max(exponent - T::kMinExp + 1, 0);
    int e_eff = biased == 0 ? T::kMinExp : exponent;
    Rest rest;
    uint64_t int_mant = static_cast<uint64_t>(shift_right(mant, e_eff - T::F - exp, rest));
    bool inexact = rest != Rest::Zero;
    if (biased == 0 && inexact)
        env.flags |= kFpsrUfc;
    bool round_up = false, overflow_to_inf = false;
    switch (mode) {
    case Rounding::TieEven:
        round_up = rest == Rest::AboveHalf || (rest == Rest::Half && (int_mant & 1));
        overflow_to_inf = true;
        break;
    case Rounding::TieAway:
        round_up = rest == Rest::AboveHalf || rest == Rest::Half;
        overflow_to_inf = true;
        break;
    case Rounding::PosInf:
        round_up = inexact && !sign;
        overflow_to_inf = !sign;
        break;
    case Rounding::NegInf:
        round_up = inexact && sign;
        overflow_to_inf = sign;
        break;
    case Rounding::Zero:
    case Rounding::Odd:
        break;
    }
    if (round_up) {
        int_mant++;
        if (int_mant == uint64_t{1} << T::F)
            biased = 1;
        if (int_mant == uint64_t{2} << T::F) {
            biased++;
            int_mant >>= 1;
        }
    }
    if (inexact && mode == Rounding::Odd)
        int_mant |= 1;
    uint64_t result;
    if (N != 16 || !env.ahp()) {
        if (biased >= (1 << T::E) - 1) {
            result = overflow_to_inf ? T::infinity(sign) : T::max_normal(sign);
            env.flags |= kFpsrOfc;
            inexact = true;
        } else {
            result = T::sign_bit(sign) | (uint64_t(biased) << T::F) | (int_mant & T::kFracMask);
        }
    } else {
        // Alternative half precision has no infinities: out of range is Invalid Operation.
        if (biased >= (1 << T::E)) {
            result = T::sign_bit(sign) | (T::kSign - 1);
            env.flags |= kFpsrIoc;
            inexact = false;
        } else {
            result = T::sign_bit(sign) | (uint64_t(biased) << T::F) | (int_mant & T::kFracMask);
        }
    }
    if (inexact)
        env.flags |= kFpsrIxc;
    return result;
}

// An exact (or sticky, see round) intermediate value: (-1)^sign * mant * 2^exp.
struct Exact {
    bool sign;
    int exp;
    u128 mant;
};

// The exact sum of two values whose significands have at most 106 bits. The larger one is
// kept exactly in 125 bits; the smaller one loses only bits far below the result's rounding
// point, and then leaves a sticky bit one place below everything that was kept.
Exact add_exact(bool sa, int ea, u128 ma, bool sb, int eb, u128 mb)
{
    int top = std::max(ea + bit_length(ma), eb + bit_length(mb));
    int base = top - 125;
    bool sticky = false;
    auto align = [&](int e, u128 m) {
        Rest rest;
        u128 r = shift_right(m, base - e, rest);
        sticky |= rest != Rest::Zero;
        return r;
    };
    u128 a = align(ea, ma), b = align(eb, mb);
    if (sticky) {
        // Only the smaller operand can have lost bits; it is the one below the other's top.
        bool a_smaller = ea + bit_length(ma) < eb + bit_length(mb);
        a <<= 1;
        b <<= 1;
        (a_smaller ? a : b) |= 1;
        base--;
    }
    if (sa == sb)
        return {sa, base, a + b};
    if (a >= b)
        return {sa, base, a - b};
    return {sb, base, b - a};
}

template <unsigned N>
uint64_t round_exact(const Exact& x, Env& env)
{
    // An exact zero from a sum of nonzero values is +0, or -0 when rounding towards -inf.
    if (x.mant == 0)
        return Fmt<N>::zero(env.rounding() == Rounding::NegInf);
    return round<N>(x.sign, x.exp, x.mant, env.rounding(), env);
}

// A total order on non-NaN values for comparisons, min and max: zeros are equal.
template <unsigned N>
int64_t order_key(const Value& v, uint64_t x)
{
    if (v.type == Type::Zero)
        return 0;
    int64_t mag = static_cast<int64_t>(x & ~Fmt<N>::kSign);
    return v.sign ? -mag : mag;
}

template <unsigned N>
uint64_t add_values(const Value& va, const Value& vb, uint64_t a, uint64_t b, Env& env)
{
    using T = Fmt<N>;
    uint64_t r;
    if (process_nans<N>(va, vb, a, b, env, r))
        return r;
    bool inf1 = va.type == Type::Inf, inf2 = vb.type == Type::Inf;
    bool zero1 = va.type == Type::Zero, zero2 = vb.type == Type::Zero;
    if (inf1 && inf2 && va.sign != vb.sign) {
        env.flags |= kFpsrIoc;
        return T::default_nan();
    }
    if ((inf1 && !va.sign) || (inf2 && !vb.sign))
        return T::infinity(false);
    if ((inf1 && va.sign) || (inf2 && vb.sign))
        return T::infinity(true);
    if (zero1 && zero2)
        return va.sign == vb.sign ? T::zero(va.sign) : T::zero(env.rounding() == Rounding::NegInf);
    if (zero1)
        return round<N>(vb.sign, vb.exp, vb.mant, env.rounding(), env);
    if (zero2)
        return round<N>(va.sign, va.exp, va.mant, env.rounding(), env);
    return round_exact<N>(add_exact(va.sign, va.exp, va.mant, vb.sign, vb.exp, vb.mant), env);
}

// FPMax and FPMin: `want_max` picks the larger value; equal zeros give +0 for max, -0 for min.
template <unsigned N>
uint64_t min_max(uint64_t a, uint64_t b, bool want_max, Env& env)
{
    Value va = unpack<N>(a, env), vb = unpack<N>(b, env);
    uint64_t r;
    if (process_nans<N>(va, vb, a, b, env, r))
        return r;
    int64_t ka = order_key<N>(va, a), kb = order_key<N>(vb, b);
    const Value& v = (want_max ? ka > kb : ka < kb) ? va : vb;
    uint64_t x = (want_max ? ka > kb : ka < kb) ? a : b;
    if (v.type == Type::Zero)
        return Fmt<N>::zero(want_max ? (va.sign && vb.sign) : (va.sign || vb.sign));
    if (v.type == Type::Inf)
        return x;
    // FPRound of the unpacked value: the same bits, unless FZ flushed the input.
    return round<N>(v.sign, v.exp, v.mant, env.rounding(), env);
}

// FPMaxNum and FPMinNum: a single quiet NaN loses against a number.
template <unsigned N>
uint64_t min_max_num(uint64_t a, uint64_t b, bool want_max, Env& env)
{
    auto is_qnan = [](uint64_t x) {
        return (x & Fmt<N>::kExpMask) == Fmt<N>::kExpMask && (x & Fmt<N>::kQuiet);
    };
    uint64_t loser = Fmt<N>::infinity(want_max);
    if (is_qnan(a) && !is_qnan(b))
        a = loser;
    else if (!is_qnan(a) && is_qnan(b))
        b = loser;
    return min_max<N>(a, b, want_max, env);
}

// Truncates |v| * 2^scale towards zero into `q`: false if |q| is 2^66 or more (out of range for
// any integer destination). `rest` tells what was cut off.
bool truncate(const Value& v, int scale, u128& q, Rest& rest)
{
    int e = v.exp + scale;
    if (e > 0 && bit_length(v.mant) + e > 66)
        return false;
    q = shift_right(v.mant, -e, rest);
    return true;
}

// RoundDown and the rounding-mode adjustment shared by FPToFixed and FPRoundInt: the signed
// integer result and whether it is inexact.
i128 round_integer(bool sign, u128 q, Rest rest, Rounding mode)
{
    // Work on floor(value) and the error value - floor(value), as the pseudocode does.
    i128 int_result = sign ? -static_cast<i128>(q) : static_cast<i128>(q);
    Rest error = rest;
    if (sign && rest != Rest::Zero) {
        int_result -= 1;
        error = rest == Rest::BelowHalf ? Rest::AboveHalf : rest == Rest::AboveHalf ? Rest::BelowHalf : Rest::Half;
    }
    bool round_up = false;
    switch (mode) {
    case Rounding::TieEven:
        round_up = error == Rest::AboveHalf || (error == Rest::Half && (int_result & 1));
        break;
    case Rounding::PosInf: round_up = error != Rest::Zero; break;
    case Rounding::NegInf: break;
    case Rounding::Zero: round_up = error != Rest::Zero && int_result < 0; break;
    case Rounding::TieAway:
        round_up = error == Rest::AboveHalf || (error == Rest::Half && int_result >= 0);
        break;
    case Rounding::Odd: break;  // not an integer rounding mode
    }
    return int_result + (round_up ? 1 : 0);
}

// RecipEstimate: a in [256, 512) as a fixed-point number in [0.5, 1.0).
unsigned recip_estimate_table(unsigned a)
{
    a = a * 2 + 1;
    unsigned b = (1u << 19) / a;
    return (b + 1) / 2;
}

// RecipSqrtEstimate: a in [128, 512) as a fixed-point number in [0.25, 1.0).
unsigned rsqrt_estimate_table(unsigned a)
{
    if (a < 256)
        a = a * 2 + 1;
    else {
        a = (a >> 1) << 1;
        a = (a + 1) * 2;
    }
    unsigned b = 512;
    while (uint64_t{a} * (b + 1) * (b + 1) < (uint64_t{1} << 28))
        b++;
    return (b + 1) / 2;
}

}  // namespace

template <unsigned N>
uint64_t add(uint64_t a, uint64_t b, Env& env)
{
    Value va = unpack<N>(a, env), vb = unpack<N>(b, env);
    return add_values<N>(va, vb, a, b, env);
}

template <unsigned N>
uint64_t sub(uint64_t a, uint64_t b, Env& env)
{
    // FPSub: NaNs come out of b unnegated, so negate the unpacked value, not the operand.
    Value va = unpack<N>(a, env), vb = unpack<N>(b, env);
    if (!vb.is_nan())
        vb.sign = !vb.sign;
    return add_values<N>(va, vb, a, b, env);
}

template <unsigned N>
uint64_t abd(uint64_t a, uint64_t b, Env& env)
{
    uint64_t r = sub<N>(a, b, env);
    return fp::abs<N>(r);
}

namespace {

template <unsigned N>
uint64_t mul_impl(uint64_t a, uint64_t b, bool is_mulx, Env& env)
{
    using T = Fmt<N>;
    Value va = unpack<N>(a, env), vb = unpack<N>(b, env);
    uint64_t r;
    if (process_nans<N>(va, vb, a, b, env, r))
        return r;
    bool inf1 = va.type == Type::Inf, inf2 = vb.type == Type::Inf;
    bool zero1 = va.type == Type::Zero, zero2 = vb.type == Type::Zero;
    bool sign = va.sign != vb.sign;
    if ((inf1 && zero2) || (zero1 && inf2)) {
        if (is_mulx)
            return T::sign_bit(sign) | T::two();
        env.flags |= kFpsrIoc;
        return T::default_nan();
    }
    if (inf1 || inf2)
        return T::infinity(sign);
    if (zero1 || zero2)
        return T::zero(sign);
    return round<N>(sign, va.exp + vb.exp, u128{va.mant} * vb.mant, env.rounding(), env);
}

// FPMulAdd with the operands already negated as the instruction wants.
template <unsigned N>
uint64_t muladd_values(uint64_t addend, uint64_t a, uint64_t b, Env& env)
{
    using T = Fmt<N>;
    Value vc = unpack<N>(addend, env), va = unpack<N>(a, env), vb = unpack<N>(b, env);
    bool inf1 = va.type == Type::Inf, inf2 = vb.type == Type::Inf;
    bool zero1 = va.type == Type::Zero, zero2 = vb.type == Type::Zero;
    uint64_t r;
    bool done = process_nans3<N>(vc, va, vb, addend, a, b, env, r);
    // A quiet NaN addend does not hide the Invalid Operation of infinity times zero.
    if (vc.type == Type::QNaN && ((inf1 && zero2) || (zero1 && inf2))) {
        env.flags |= kFpsrIoc;
        return T::default_nan();
    }
    if (done)
        return r;
    bool inf_c = vc.type == Type::Inf, zero_c = vc.type == Type::Zero;
    bool sign_p = va.sign != vb.sign, inf_p = inf1 || inf2, zero_p = zero1 || zero2;
    if ((inf1 && zero2) || (zero1 && inf2) || (inf_c && inf_p && vc.sign != sign_p)) {
        env.flags |= kFpsrIoc;
        return T::default_nan();
    }
    if ((inf_c && !vc.sign) || (inf_p && !sign_p))
        return T::infinity(false);
    if ((inf_c && vc.sign) || (inf_p && sign_p))
        return T::infinity(true);
    if (zero_c && zero_p)
        return vc.sign == sign_p ? T::zero(vc.sign) : T::zero(env.rounding() == Rounding::NegInf);
    if (zero_p)
        return round<N>(vc.sign, vc.exp, vc.mant, env.rounding(), env);
    u128 prod = u128{va.mant} * vb.mant;
    int eprod = va.exp + vb.exp;
    if (zero_c)
        return round<N>(sign_p, eprod, prod, env.rounding(), env);
    return round_exact<N>(add_exact(vc.sign, vc.exp, vc.mant, sign_p, eprod, prod), env);
}

// FPRecipStepFused and FPRSqrtStepFused: constant + (-a) * b, fused; the rsqrt step halves.
template <unsigned N>
uint64_t step_fused(uint64_t a, uint64_t b, bool is_rsqrt, Env& env)
{
    using T = Fmt<N>;
    a = fp::neg<N>(a);
    Value va = unpack<N>(a, env), vb = unpack<N>(b, env);
    uint64_t r;
    if (process_nans<N>(va, vb, a, b, env, r))
        return r;
    bool inf1 = va.type == Type::Inf, inf2 = vb.type == Type::Inf;
    bool zero1 = va.type == Type::Zero, zero2 = vb.type == Type::Zero;
    if ((inf1 && zero2) || (zero1 && inf2))
        return is_rsqrt ? T::one_point_five() : T::two();
    if (inf1 || inf2)
        return T::infinity(va.sign != vb.sign);
    // 2 = 1 * 2^1 and 3 = 3 * 2^0; halving is one off the exponent.
    int ec = is_rsqrt ? 0 : 1;
    u128 mc = is_rsqrt ? 3 : 1;
    Exact x = zero1 || zero2 ? Exact{false, ec, mc}
                             : add_exact(false, ec, mc, va.sign != vb.sign, va.exp + vb.exp, u128{va.mant} * vb.mant);
    if (is_rsqrt)
        x.exp -= 1;
    return round_exact<N>(x, env);
}

u128 isqrt(u128 v, u128& remainder)
{
    u128 res = 0, one = u128{1} << 126;
    while (one > v)
        one >>= 2;
    while (one) {
        if (v >= res + one) {
            v -= res + one;
            res = (res >> 1) + one;
        } else {
            res >>= 1;
        }
        one >>= 2;
    }
    remainder = v;
    return res;
}

}  // namespace

template <unsigned N>
uint64_t mul(uint64_t a, uint64_t b, Env& env)
{
    return mul_impl<N>(a, b, false, env);
}

template <unsigned N>
uint64_t mulx(uint64_t a, uint64_t b, Env& env)
{
    return mul_impl<N>(a, b, true, env);
}

template <unsigned N>
uint64_t div(uint64_t a, uint64_t b, Env& env)
{
    using T = Fmt<N>;
    Value va = unpack<N>(a, env), vb = unpack<N>(b, env);
    uint64_t r;
    if (process_nans<N>(va, vb, a, b, env, r))
        return r;
    bool inf1 = va.type == Type::Inf, inf2 = vb.type == Type::Inf;
    bool zero1 = va.type == Type::Zero, zero2 = vb.type == Type::Zero;
    bool sign = va.sign != vb.sign;
    if ((inf1 && inf2) || (zero1 && zero2)) {
        env.flags |= kFpsrIoc;
        return T::default_nan();
    }
    if (inf1 || zero2) {
        if (!inf1)
            env.flags |= kFpsrDzc;
        return T::infinity(sign);
    }
    if (zero1 || inf2)
        return T::zero(sign);
    // The dividend's top bit at 127 and the divisor's at 63: at least 64 quotient bits.
    int sa = 127 - (bit_length(va.mant) - 1), sb = 63 - (bit_length(vb.mant) - 1);
    u128 num = u128{va.mant} << sa, den = u128{vb.mant} << sb;
    u128 q = num / den;
    int exp = va.exp - sa - vb.exp + sb;
    if (num % den) {
        q = (q << 1) | 1;
        exp--;
    }
    return round<N>(sign, exp, q, env.rounding(), env);
}

template <unsigned N>
uint64_t sqrt(uint64_t a, Env& env)
{
    using T = Fmt<N>;
    Value v = unpack<N>(a, env);
    if (v.is_nan())
        return process_nan<N>(v.type, a, env);
    if (v.type == Type::Zero)
        return T::zero(v.sign);
    if (v.sign) {
        env.flags |= kFpsrIoc;
        return T::default_nan();
    }
    if (v.type == Type::Inf)
        return T::infinity(false);
    u128 m = v.mant;
    int e = v.exp;
    if (e & 1) {
        m <<= 1;
        e--;
    }
    int shift = (125 - (bit_length(m) - 1)) & ~1;
    m <<= shift;
    e -= shift;
    u128 rem;
    u128 root = isqrt(m, rem);
    e /= 2;
    if (rem) {
        root = (root << 1) | 1;
        e--;
    }
    return round<N>(false, e, root, env.rounding(), env);
}

template <unsigned N>
uint64_t muladd(uint64_t addend, uint64_t a, uint64_t b, Env& env)
{
    return muladd_values<N>(addend, a, b, env);
}

template <unsigned N>
uint64_t max(uint64_t a, uint64_t b, Env& env)
{
    return min_max<N>(a, b, true, env);
}

template <unsigned N>
uint64_t min(uint64_t a, uint64_t b, Env& env)
{
    return min_max<N>(a, b, false, env);
}

template <unsigned N>
uint64_t maxnum(uint64_t a, uint64_t b, Env& env)
{
    return min_max_num<N>(a, b, true, env);
}

template <unsigned N>
uint64_t minnum(uint64_t a, uint64_t b, Env& env)
{
    return min_max_num<N>(a, b, false, env);
}

template <unsigned N>
uint64_t recip_step(uint64_t a, uint64_t b, Env& env)
{
    return step_fused<N>(a, b, false, env);
}

template <unsigned N>
uint64_t rsqrt_step(uint64_t a, uint64_t b, Env& env)
{
    return step_fused<N>(a, b, true, env);
}

template <unsigned N>
uint64_t recip_estimate(uint64_t a, Env& env)
{
    using T = Fmt<N>;
    Value v = unpack<N>(a, env);
    if (v.is_nan())
        return process_nan<N>(v.type, a, env);
    if (v.type == Type::Inf)
        return T::zero(v.sign);
    if (v.type == Type::Zero) {
        env.flags |= kFpsrDzc;
        return T::infinity(v.sign);
    }
    int exponent = v.exp + bit_length(v.mant) - 1;
    // Below 2^-128 (single) or 2^-1024 (double) the reciprocal overflows.
    if (exponent < -(T::kBias + 1)) {
        bool to_inf = false;
        switch (env.rounding()) {
        case Rounding::TieEven: to_inf = true; break;
        case Rounding::PosInf: to_inf = !v.sign; break;
        case Rounding::NegInf: to_inf = v.sign; break;
        default: break;
        }
        env.flags |= kFpsrOfc | kFpsrIxc;
        return to_inf ? T::infinity(v.sign) : T::max_normal(v.sign);
    }
    // At 2^126 (single) or 2^1022 (double) and above the reciprocal is denormal.
    if (env.fz() && exponent >= T::kBias - 1) {
        env.flags |= kFpsrUfc;
        return T::zero(v.sign);
    }
    // The fraction as a 52-bit double-precision fraction, scaled into [0.5, 1.0).
    uint64_t fraction = (a & T::kFracMask) << (52 - T::F);
    int exp = static_cast<int>((a & T::kExpMask) >> T::F);
    if (exp == 0) {
        if (!(fraction >> 51)) {
            exp = -1;
            fraction = (fraction << 2) & ((uint64_t{1} << 52) - 1);
        } else {
            fraction = (fraction << 1) & ((uint64_t{1} << 52) - 1);
        }
    }
    unsigned scaled = 256 | static_cast<unsigned>(fraction >> 44);
    int result_exp = (N == 32 ? 253 : 2045) - exp;
    unsigned estimate = recip_estimate_table(scaled);
    fraction = uint64_t{estimate & 0xFF} << 44;
    if (result_exp == 0) {
        fraction = (uint64_t{1} << 51) | (fraction >> 1);
    } else if (result_exp == -1) {
        fraction = (uint64_t{1} << 50) | (fraction >> 2);
        result_exp = 0;
    }
    return T::sign_bit(v.sign) | ((uint64_t(result_exp) << T::F) & T::kExpMask) | (fraction >> (52 - T::F));
}

template <unsigned N>
uint64_t rsqrt_estimate(uint64_t a, Env& env)
{
    using T = Fmt<N>;
    Value v = unpack<N>(a, env);
    if (v.is_nan())
        return process_nan<N>(v.type, a, env);
    if (v.type == Type::Zero) {
        env.flags |= kFpsrDzc;
        return T::infinity(v.sign);
    }
    if (v.sign) {
        env.flags |= kFpsrIoc;
        return T::default_nan();
    }
    if (v.type == Type::Inf)
        return T::zero(false);
    uint64_t fraction = (a & T::kFracMask) << (52 - T::F);
    int exp = static_cast<int>((a & T::kExpMask) >> T::F);
    constexpr uint64_t kFrac52 = (uint64_t{1} << 52) - 1;
    if (exp == 0) {
        while (!(fraction >> 51)) {
            fraction = (fraction << 1) & kFrac52;
            exp--;
        }
        fraction = (fraction << 1) & kFrac52;
    }
    // An even exponent scales into [0.5, 1.0) as '1':fraction<51:44>, an odd one into
    // [0.25, 0.5) as '01':fraction<51:45>.
    unsigned scaled = (exp & 1) == 0 ? (256 | static_cast<unsigned>(fraction >> 44))
                                     : (128 | static_cast<unsigned>(fraction >> 45));
    int result_exp = ((N == 32 ? 380 : 3068) - exp) / 2;
    unsigned estimate = rsqrt_estimate_table(scaled);
    return (uint64_t(result_exp) << T::F) | (uint64_t{estimate & 0xFF} << (T::F - 8));
}

template <unsigned N>
uint64_t recip_exponent(uint64_t a, Env& env)
{
    using T = Fmt<N>;
    Value v = unpack<N>(a, env);
    if (v.is_nan())
        return process_nan<N>(v.type, a, env);
    uint64_t exp = (a & T::kExpMask) >> T::F;
    uint64_t max_exp = (uint64_t{1} << T::E) - 2;
    uint64_t e = exp == 0 ? max_exp : (~exp & ((uint64_t{1} << T::E) - 1));
    return T::sign_bit(v.sign) | (e << T::F);
}

uint32_t unsigned_recip_estimate(uint32_t a)
{
    if (!(a >> 31))
        return 0xFFFFFFFF;
    return recip_estimate_table(a >> 23) << 23;
}

uint32_t unsigned_rsqrt_estimate(uint32_t a)
{
    if (!(a >> 30))
        return 0xFFFFFFFF;
    return rsqrt_estimate_table(a >> 23) << 23;
}

template <unsigned N>
uint32_t compare(uint64_t a, uint64_t b, bool signal_nans, Env& env)
{
    Value va = unpack<N>(a, env), vb = unpack<N>(b, env);
    if (va.is_nan() || vb.is_nan()) {
        if (va.type == Type::SNaN || vb.type == Type::SNaN || signal_nans)
            env.flags |= kFpsrIoc;
        return kFlagC | kFlagV;
    }
    int64_t ka = order_key<N>(va, a), kb = order_key<N>(vb, b);
    if (ka == kb)
        return kFlagZ | kFlagC;
    return ka < kb ? kFlagN : kFlagC;
}

template <unsigned N>
bool compare_eq(uint64_t a, uint64_t b, Env& env)
{
    Value va = unpack<N>(a, env), vb = unpack<N>(b, env);
    if (va.is_nan() || vb.is_nan()) {
        if (va.type == Type::SNaN || vb.type == Type::SNaN)
            env.flags |= kFpsrIoc;
        return false;
    }
    return order_key<N>(va, a) == order_key<N>(vb, b);
}

template <unsigned N>
bool compare_ge(uint64_t a, uint64_t b, Env& env)
{
    Value va = unpack<N>(a, env), vb = unpack<N>(b, env);
    if (va.is_nan() || vb.is_nan()) {
        env.flags |= kFpsrIoc;
        return false;
    }
    return order_key<N>(va, a) >= order_key<N>(vb, b);
}

template <unsigned N>
bool compare_gt(uint64_t a, uint64_t b, Env& env)
{
    Value va = unpack<N>(a, env), vb = unpack<N>(b, env);
    if (va.is_nan() || vb.is_nan()) {
        env.flags |= kFpsrIoc;
        return false;
    }
    return order_key<N>(va, a) > order_key<N>(vb, b);
}

template <unsigned From, unsigned To>
uint64_t convert(uint64_t a, Env& env, Rounding mode)
{
    using S = Fmt<From>;
    using D = Fmt<To>;
    Value v = unpack<From>(a, env);
    bool alt_hp = To == 16 && env.ahp();
    if (v.is_nan()) {
        uint64_t r;
        if (alt_hp) {
            r = D::zero(v.sign);
        } else if (env.dn()) {
            r = D::default_nan();
        } else {
            // FPConvertNaN: the sign, a quiet NaN, and the top of the payload.
            uint64_t payload = a & (S::kFracMask >> 1);
            payload = S::F > D::F ? payload >> (S::F - D::F) : payload << (D::F - S::F);
            r = D::sign_bit(v.sign) | D::kExpMask | D::kQuiet | payload;
        }
        if (v.type == Type::SNaN || alt_hp)
            env.flags |= kFpsrIoc;
        return r;
    }
    if (v.type == Type::Inf) {
        if (alt_hp) {
            env.flags |= kFpsrIoc;
            return D::sign_bit(v.sign) | (D::kSign - 1);
        }
        return D::infinity(v.sign);
    }
    if (v.type == Type::Zero)
        return D::zero(v.sign);
    // FPRoundCV: converting to half precision ignores FZ (it would be FZ16).
    return round<To>(v.sign, v.exp, v.mant, mode, env);
}

template <unsigned N>
uint64_t to_fixed(uint64_t a, unsigned fbits, bool is_unsigned, unsigned int_bits, Rounding mode, Env& env)
{
    Value v = unpack<N>(a, env);
    uint64_t max_u = int_bits == 64 ? ~uint64_t{0} : (uint64_t{1} << int_bits) - 1;
    i128 smax = static_cast<i128>(max_u >> 1), smin = -smax - 1;
    i128 lo = is_unsigned ? 0 : smin, hi = is_unsigned ? static_cast<i128>(max_u) : smax;
    auto saturate = [&](bool negative) {
        env.flags |= kFpsrIoc;
        return static_cast<uint64_t>(negative ? lo : hi) & max_u;
    };
    if (v.is_nan()) {
        env.flags |= kFpsrIoc;
        return 0;
    }
    if (v.type == Type::Inf)
        return saturate(v.sign);
    if (v.type == Type::Zero)
        return 0;
    u128 q;
    Rest rest;
    if (!truncate(v, static_cast<int>(fbits), q, rest))
        return saturate(v.sign);
    i128 r = round_integer(v.sign, q, rest, mode);
    if (r < lo || r > hi)
        return saturate(r < 0);
    if (rest != Rest::Zero)
        env.flags |= kFpsrIxc;
    return static_cast<uint64_t>(r) & max_u;
}

template <unsigned N>
uint64_t from_fixed(uint64_t v, unsigned fbits, bool is_unsigned, unsigned int_bits, Rounding mode, Env& env)
{
    bool sign = false;
    uint64_t mag = int_bits == 64 ? v : v & ((uint64_t{1} << int_bits) - 1);
    if (!is_unsigned && ((mag >> (int_bits - 1)) & 1)) {
        sign = true;
        mag = (~mag + 1) & (int_bits == 64 ? ~uint64_t{0} : (uint64_t{1} << int_bits) - 1);
    }
    if (mag == 0)
        return Fmt<N>::zero(false);
    return round<N>(sign, -static_cast<int>(fbits), mag, mode, env);
}

template <unsigned N>
uint64_t round_int(uint64_t a, Rounding mode, bool exact, Env& env)
{
    using T = Fmt<N>;
    Value v = unpack<N>(a, env);
    if (v.is_nan())
        return process_nan<N>(v.type, a, env);
    if (v.type == Type::Inf)
        return T::infinity(v.sign);
    if (v.type == Type::Zero)
        return T::zero(v.sign);
    if (v.exp >= 0)
        return a;  // already an integer
    u128 q;
    Rest rest;
    truncate(v, 0, q, rest);
    i128 r = round_integer(v.sign, q, rest, mode);
    if (rest != Rest::Zero && exact)
        env.flags |= kFpsrIxc;
    if (r == 0)
        return T::zero(v.sign);
    u128 mag = r < 0 ? static_cast<u128>(-r) : static_cast<u128>(r);
    return round<N>(r < 0, 0, mag, Rounding::Zero, env);
}

template <unsigned N>
uint64_t expand_imm8(uint32_t imm8)
{
    using T = Fmt<N>;
    // sign : NOT(b) : Replicate(b, E - 3) : cd : efgh : Zeros(F - 4)
    uint64_t sign = (imm8 >> 7) & 1, b = (imm8 >> 6) & 1, cd = (imm8 >> 4) & 3, efgh = imm8 & 15;
    uint64_t exp = ((b ^ 1) << (T::E - 1)) | ((b ? (uint64_t{1} << (T::E - 3)) - 1 : 0) << 2) | cd;
    return (sign << (N - 1)) | (exp << T::F) | (efgh << (T::F - 4));
}

#define FP_INSTANTIATE(N)                                                                              \
    template uint64_t add<N>(uint64_t, uint64_t, Env&);                                                \
    template uint64_t sub<N>(uint64_t, uint64_t, Env&);                                                \
    template uint64_t mul<N>(uint64_t, uint64_t, Env&);                                                \
    template uint64_t mulx<N>(uint64_t, uint64_t, Env&);                                               \
    template uint64_t div<N>(uint64_t, uint64_t, Env&);                                                \
    template uint64_t sqrt<N>(uint64_t, Env&);                                                         \
    template uint64_t muladd<N>(uint64_t, uint64_t, uint64_t, Env&);                                   \
    template uint64_t max<N>(uint64_t, uint64_t, Env&);                                                \
    template uint64_t min<N>(uint64_t, uint64_t, Env&);                                                \
    template uint64_t maxnum<N>(uint64_t, uint64_t, Env&);                                             \
    template uint64_t minnum<N>(uint64_t, uint64_t, Env&);                                             \
    template uint64_t abd<N>(uint64_t, uint64_t, Env&);                                                \
    template uint64_t recip_estimate<N>(uint64_t, Env&);                                               \
    template uint64_t rsqrt_estimate<N>(uint64_t, Env&);                                               \
    template uint64_t recip_step<N>(uint64_t, uint64_t, Env&);                                         \
    template uint64_t rsqrt_step<N>(uint64_t, uint64_t, Env&);                                         \
    template uint64_t recip_exponent<N>(uint64_t, Env&);                                               \
    template uint32_t compare<N>(uint64_t, uint64_t, bool, Env&);                                      \
    template bool compare_eq<N>(uint64_t, uint64_t, Env&);                                             \
    template bool compare_ge<N>(uint64_t, uint64_t, Env&);                                             \
    template bool compare_gt<N>(uint64_t, uint64_t, Env&);                                             \
    template uint64_t to_fixed<N>(uint64_t, unsigned, bool, unsigned, Rounding, Env&);                 \
    template uint64_t from_fixed<N>(uint64_t, unsigned, bool, unsigned, Rounding, Env&);               \
    template uint64_t round_int<N>(uint64_t, Rounding, bool, Env&);                                    \
    template uint64_t expand_imm8<N>(uint32_t);

FP_INSTANTIATE(32)
FP_INSTANTIATE(64)
#undef FP_INSTANTIATE

template uint64_t convert<16, 32>(uint64_t, Env&, Rounding);
template uint64_t convert<16, 64>(uint64_t, Env&, Rounding);
template uint64_t convert<32, 16>(uint64_t, Env&, Rounding);
template uint64_t convert<32, 64>(uint64_t, Env&, Rounding);
template uint64_t convert<64, 16>(uint64_t, Env&, Rounding);
template uint64_t convert<64, 32>(uint64_t, Env&, Rounding);

}  // namespace emu::a64::fp
