#include "cpu/x86/x87_float.h"

#include <utility>

#include "cpu/x86/x87_wide.h"

namespace emu::x86::x87 {

namespace {

constexpr uint64_t kIntegerBit = 1ull << 63;
constexpr uint64_t kQuietBit = 1ull << 62;
constexpr int32_t kExtendedMin = 1 - kBias, kExtendedMax = kBias;

Float80 make(bool sign, unsigned exp, uint64_t mant) { return make_float80(sign, exp, mant); }
Float80 infinity(bool sign) { return make(sign, 0x7FFF, kIntegerBit); }
Float80 zero(bool sign) { return make(sign, 0, 0); }
Float80 quiet(Float80 a)
{
    a.mant |= kQuietBit;
    return a;
}

// A finite nonzero operand: value = sig * 2^(exp - 63), sig normalized. Denormals and
// pseudo-denormals have the exponent of the smallest normal.
struct Parts {
    bool sign;
    int32_t exp;
    uint64_t sig;
};
Parts unpack(Float80 a)
{
    Parts p{a.sign(), a.exp() == 0 ? kExtendedMin : static_cast<int32_t>(a.exp()) - kBias, a.mant};
    int z = __builtin_clzll(p.sig);
    p.sig <<= z;
    p.exp -= z;
    return p;
}

// The kept bits of hi:lo rounded to their top `keep` bits (1 to 64).
struct RoundBits {
    uint64_t sig;
    bool carry;    // the rounded value is 2^64 (sig is then 0)
    bool inexact;
    bool up;       // the magnitude was increased
};
RoundBits round_bits(uint64_t hi, uint64_t lo, unsigned keep, Rounding rc, bool sign)
{
    uint64_t ulp, mask;
    bool half, sticky;
    if (keep >= 64) {
        ulp = 1;
        mask = 0;
        half = lo >> 63;
        sticky = (lo << 1) != 0;
    } else {
        unsigned drop = 64 - keep;
        ulp = uint64_t{1} << drop;
        mask = ulp - 1;
        half = (hi >> (drop - 1)) & 1;
        sticky = (hi & (mask >> 1)) != 0 || lo != 0;
    }
    uint64_t kept = hi & ~mask;
    bool inexact = half || sticky;
    bool inc = false;
    switch (rc) {
    case Rounding::Nearest: inc = half && (sticky || (kept & ulp)); break;
    case Rounding::Down: inc = inexact && sign; break;
    case Rounding::Up: inc = inexact && !sign; break;
    case Rounding::Zero: break;
    }
    RoundBits r{kept, false, inexact, inc};
    if (inc) {
        r.sig = kept + ulp;
        r.carry = r.sig < kept;
    }
    return r;
}

// A rounded value for any binary format: sig (integer bit at 63, clear for a denormal) *
// 2^(exp - 63), or an infinity; `store` false when an unmasked overflow or underflow leaves a
// memory destination alone.
struct Rounded {
    bool sign = false;
    int32_t exp = 0;
    uint64_t sig = 0;
    bool infinite = false;
    bool store = true;
};

enum class Dest : uint8_t { Register, Memory };

Rounded round_to(Env& env, Unrounded v, unsigned precision, int32_t emin, int32_t emax, Dest dest)
{
    Rounded out;
    out.sign = v.sign;
    if (v.hi == 0 && v.lo == 0) {
        out.exp = emin;
        return out;
    }
    if (!(v.hi & kIntegerBit)) {  // normalize (the callers mostly do)
        u128 x = (u128{v.hi} << 64) | v.lo;
        int z = v.hi ? __builtin_clzll(v.hi) : 64 + __builtin_clzll(v.lo);
        x <<= z;
        v.hi = static_cast<uint64_t>(x >> 64);
        v.lo = static_cast<uint64_t>(x);
        v.exp -= z;
    }
    // Rounded with an unbounded exponent: decides overflow and tininess (after rounding).
    RoundBits r0 = round_bits(v.hi, v.lo, precision, env.rounding, v.sign);
    int32_t e0 = v.exp + (r0.carry ? 1 : 0);
    uint64_t s0 = r0.carry ? kIntegerBit : r0.sig;
    if (e0 > emax) {
        if (!env.masked(kOverflow)) {
            // To memory nothing is stored, so nothing was rounded: no PE, no C1.
            if (dest == Dest::Memory) {
                env.flags |= kOverflow;
                out.store = false;
                return out;
            }
            if (e0 - kBiasAdjust > emax) {
                // Beyond what the re-bias can bring back (FSCALE only): an infinity, rounded up.
                env.flags |= kOverflow | kInexact;
                env.rounded_up = true;
                out.infinite = true;
                return out;
            }
            env.flags |= kOverflow | (r0.inexact ? kInexact : 0);
            env.rounded_up = r0.up;
            out.exp = e0 - kBiasAdjust;
            out.sig = s0;
            return out;
        }
        env.flags |= kOverflow | kInexact;
        Rounding rc = env.rounding;
        bool to_infinity = rc == Rounding::Nearest || (rc == Rounding::Up && !v.sign) || (rc == Rounding::Down && v.sign);
        env.rounded_up = to_infinity;
        if (to_infinity) {
            out.infinite = true;
        } else {
            out.exp = emax;
            out.sig = ~uint64_t{0} << (64 - precision);
        }
        return out;
    }
    if (e0 >= emin) {
        if (r0.inexact)
            env.flags |= kInexact;
        env.rounded_up = r0.up;
        out.exp = e0;
        out.sig = s0;
        return out;
    }
    // Tiny.
    if (!env.masked(kUnderflow)) {
        if (dest == Dest::Memory) {
            env.flags |= kUnderflow;
            out.store = false;
            return out;
        }
        if (e0 + kBiasAdjust < emin) {
            // Beyond what the re-bias can bring back (FSCALE only): a zero, rounded down.
            env.flags |= kUnderflow | kInexact;
            env.rounded_up = false;
            return out;
        }
        env.flags |= kUnderflow | (r0.inexact ? kInexact : 0);
        env.rounded_up = r0.up;
        out.exp = e0 + kBiasAdjust;
        out.sig = s0;
        return out;
    }
    // Masked: denormalized, rounded at the same bit positions as a normal result; underflow
    // only when inexact.
    u128 x = shift_right_jamming((u128{v.hi} << 64) | v.lo, static_cast<unsigned>(emin - v.exp));
    RoundBits r = round_bits(static_cast<uint64_t>(x >> 64), static_cast<uint64_t>(x), precision, env.rounding, v.sign);
    if (r.inexact)
        env.flags |= kUnderflow | kInexact;
    env.rounded_up = r.up;
    out.exp = emin;
    out.sig = r.sig;
    return out;
}

Float80 pack_extended(const Rounded& r)
{
    if (r.infinite)
        return infinity(r.sign);
    if (r.sig == 0)
        return zero(r.sign);
    if (!(r.sig & kIntegerBit))
        return make(r.sign, 0, r.sig);  // denormal
    return make(r.sign, static_cast<unsigned>(r.exp + kBias) & 0x7FFF, r.sig);
}

Float80 invalid(Env& env)
{
    env.flags |= kInvalid;
    return kIndefinite;
}

// The checks every two-operand arithmetic instruction makes first: unsupported formats and
// SNaNs are invalid, NaNs propagate, denormals raise DE. True when `result` is final.
bool special_operands(Env& env, Float80 a, Float80 b, Float80& result)
{
    Kind ka = classify(a), kb = classify(b);
    if (ka == Kind::Unsupported || kb == Kind::Unsupported) {
        result = invalid(env);
        return true;
    }
    if (ka == Kind::QNaN || ka == Kind::SNaN || kb == Kind::QNaN || kb == Kind::SNaN) {
        result = propagate_nan(env, a, b);
        return true;
    }
    if (ka == Kind::Denormal || kb == Kind::Denormal || env.denormal_source)
        env.flags |= kDenormal;
    if (env.suppressed()) {
        result = a;
        return true;
    }
    return false;
}

Float80 round_parts(Env& env, const Parts& p, unsigned precision)
{
    return round_extended(env, Unrounded{p.sign, p.exp, p.sig, 0}, precision);
}

Float80 add_magnitudes(Env& env, Float80 a, Float80 b, bool b_sign)
{
    Kind ka = classify(a), kb = classify(b);
    bool a_sign = a.sign();
    if (ka == Kind::Infinity) {
        if (kb == Kind::Infinity && a_sign != b_sign)
            return invalid(env);
        return infinity(a_sign);
    }
    if (kb == Kind::Infinity)
        return infinity(b_sign);
    if (ka == Kind::Zero && kb == Kind::Zero)
        return zero(a_sign == b_sign ? a_sign : env.rounding == Rounding::Down);
    if (kb == Kind::Zero)
        return round_parts(env, unpack(a), env.precision);
    if (ka == Kind::Zero) {
        Parts pb = unpack(b);
        pb.sign = b_sign;
        return round_parts(env, pb, env.precision);
    }
    Parts pa = unpack(a), pb = unpack(b);
    pb.sign = b_sign;
    if (pb.exp > pa.exp || (pb.exp == pa.exp && pb.sig > pa.sig))
        std::swap(pa, pb);
    u128 x = u128{pa.sig} << 64;
    u128 y = shift_right_jamming(u128{pb.sig} << 64, static_cast<unsigned>(pa.exp - pb.exp));
    int32_t exp = pa.exp;
    u128 r;
    if (pa.sign == pb.sign) {
        r = x + y;
        if (r < x) {  // carry out of bit 127
            r = (r >> 1) | (r & 1) | (u128{1} << 127);
            exp++;
        }
    } else {
        r = x - y;
        if (r == 0)
            return zero(env.rounding == Rounding::Down);
    }
    return round_extended(env, Unrounded{pa.sign, exp, static_cast<uint64_t>(r >> 64), static_cast<uint64_t>(r)},
                          env.precision);
}

// The integer a finite nonzero value rounds to in `rc`: value = sig * 2^(exp - 63).
struct IntegerPart {
    uint64_t magnitude;
    bool overflow;  // 2^64 or more
    bool inexact, up;
};
IntegerPart integer_part(const Parts& p, Rounding rc)
{
    IntegerPart r{0, false, false, false};
    if (p.exp >= 64) {
        r.overflow = true;
    } else if (p.exp == 63) {
        r.magnitude = p.sig;
    } else if (p.exp < 0) {
        // Below one: 0 or 1, and never exact.
        bool half = p.exp == -1;
        bool above_half = half && p.sig != kIntegerBit;
        bool inc = false;
        switch (rc) {
        case Rounding::Nearest: inc = above_half; break;
        case Rounding::Down: inc = p.sign; break;
        case Rounding::Up: inc = !p.sign; break;
        case Rounding::Zero: break;
        }
        r = IntegerPart{inc ? 1u : 0u, false, true, inc};
    } else {
        unsigned keep = static_cast<unsigned>(p.exp) + 1;
        RoundBits b = round_bits(p.sig, 0, keep, rc, p.sign);
        r.inexact = b.inexact;
        r.up = b.up;
        r.magnitude = b.carry ? uint64_t{1} << keep : b.sig >> (64 - keep);
    }
    return r;
}

Float80 loaded(Env& env, Float80 v, bool denormal)
{
    if (denormal)
        env.flags |= kDenormal;
    if (classify(v) == Kind::SNaN) {
        env.flags |= kInvalid;
        return quiet(v);
    }
    return v;
}

Float80 from_magnitude(bool sign, uint64_t m)
{
    if (m == 0)
        return zero(sign);
    int z = __builtin_clzll(m);
    return make(sign, static_cast<unsigned>(63 - z + kBias), m << z);
}

}  // namespace

Float80 make_float80(bool sign, unsigned exp, uint64_t mant)
{
    return {mant, static_cast<uint16_t>((sign ? 0x8000 : 0) | exp)};
}

// An SNaN is made quiet unless the other operand is a QNaN, which wins; of two of a kind, the
// larger significand, and of equal ones the positive.
Float80 propagate_nan(Env& env, Float80 a, Float80 b)
{
    Kind ka = classify(a), kb = classify(b);
    if (ka == Kind::SNaN || kb == Kind::SNaN)
        env.flags |= kInvalid;
    bool a_nan = ka == Kind::QNaN || ka == Kind::SNaN, b_nan = kb == Kind::QNaN || kb == Kind::SNaN;
    if (!a_nan)
        return quiet(b);
    if (!b_nan)
        return quiet(a);
    if (ka != kb)
        return ka == Kind::QNaN ? a : b;
    if (a.mant != b.mant)
        return quiet(a.mant > b.mant ? a : b);
    return quiet(a.se <= b.se ? a : b);
}

Env Env::from_control_word(uint16_t cw)
{
    Env e;
    e.rounding = static_cast<Rounding>((cw >> 10) & 3);
    unsigned pc = (cw >> 8) & 3;
    e.precision = pc == 0 ? 24 : pc == 2 ? 53 : 64;  // PC 01 is reserved: full precision
    e.masks = static_cast<uint8_t>(cw & 0x3F);
    return e;
}

Kind classify(Float80 a)
{
    unsigned e = a.exp();
    uint64_t m = a.mant;
    if (e == 0)
        return m == 0 ? Kind::Zero : Kind::Denormal;
    if (!(m & kIntegerBit))
        return Kind::Unsupported;
    if (e == 0x7FFF) {
        if ((m << 1) == 0)
            return Kind::Infinity;
        return (m & kQuietBit) ? Kind::QNaN : Kind::SNaN;
    }
    return Kind::Normal;
}

Float80 round_extended(Env& env, const Unrounded& v, unsigned precision)
{
    return pack_extended(round_to(env, v, precision, kExtendedMin, kExtendedMax, Dest::Register));
}

Float80 add(Env& env, Float80 a, Float80 b)
{
    Float80 r;
    if (special_operands(env, a, b, r))
        return r;
    return add_magnitudes(env, a, b, b.sign());
}

Float80 sub(Env& env, Float80 a, Float80 b)
{
    Float80 r;
    if (special_operands(env, a, b, r))
        return r;
    return add_magnitudes(env, a, b, !b.sign());
}

Float80 mul(Env& env, Float80 a, Float80 b)
{
    Float80 r;
    if (special_operands(env, a, b, r))
        return r;
    Kind ka = classify(a), kb = classify(b);
    bool sign = a.sign() != b.sign();
    if ((ka == Kind::Infinity && kb == Kind::Zero) || (ka == Kind::Zero && kb == Kind::Infinity))
        return invalid(env);
    if (ka == Kind::Infinity || kb == Kind::Infinity)
        return infinity(sign);
    if (ka == Kind::Zero || kb == Kind::Zero)
        return zero(sign);
    Parts pa = unpack(a), pb = unpack(b);
    u128 p = u128{pa.sig} * pb.sig;
    int32_t exp = pa.exp + pb.exp + 1;
    if (!(p >> 127)) {
        p <<= 1;
        exp--;
    }
    return round_extended(env, Unrounded{sign, exp, static_cast<uint64_t>(p >> 64), static_cast<uint64_t>(p)},
                          env.precision);
}

Float80 div(Env& env, Float80 a, Float80 b)
{
    Kind ka = classify(a), kb = classify(b);
    bool sign = a.sign() != b.sign();
    if (ka == Kind::Unsupported || kb == Kind::Unsupported)
        return invalid(env);
    if (ka == Kind::QNaN || ka == Kind::SNaN || kb == Kind::QNaN || kb == Kind::SNaN)
        return propagate_nan(env, a, b);
    if ((ka == Kind::Zero && kb == Kind::Zero) || (ka == Kind::Infinity && kb == Kind::Infinity))
        return invalid(env);
    // Zero divide outranks the denormal operand (SDM vol. 1, 4.9.2): only one is reported.
    if (kb == Kind::Zero && ka != Kind::Infinity)
        env.flags |= kZeroDivide;
    else if (ka == Kind::Denormal || kb == Kind::Denormal || env.denormal_source)
        env.flags |= kDenormal;
    if (env.suppressed())
        return a;
    if (ka == Kind::Infinity || kb == Kind::Zero)
        return infinity(sign);
    if (ka == Kind::Zero || kb == Kind::Infinity)
        return zero(sign);
    Parts pa = unpack(a), pb = unpack(b);
    int32_t exp = pa.exp - pb.exp;
    u128 n = u128{pa.sig} << 63;
    if (pa.sig < pb.sig) {
        n <<= 1;
        exp--;
    }
    uint64_t q1 = static_cast<uint64_t>(n / pb.sig);
    uint64_t r1 = static_cast<uint64_t>(n % pb.sig);
    u128 n2 = u128{r1} << 64;
    uint64_t q2 = static_cast<uint64_t>(n2 / pb.sig);
    bool sticky = (n2 % pb.sig) != 0;
    return round_extended(env, Unrounded{sign, exp, q1, q2 | (sticky ? 1 : 0)}, env.precision);
}

Float80 sqrt(Env& env, Float80 a)
{
    Kind k = classify(a);
    if (k == Kind::Unsupported)
        return invalid(env);
    if (k == Kind::QNaN || k == Kind::SNaN)
        return propagate_nan(env, a, a);
    if (k == Kind::Zero)
        return a;
    if (a.sign())
        return invalid(env);
    if (k == Kind::Denormal)
        env.flags |= kDenormal;
    if (env.suppressed())
        return a;
    if (k == Kind::Infinity)
        return a;
    Parts p = unpack(a);
    // value = sig * 2^(exp - 63) = n * 2^k with k even and n in [2^126, 2^128).
    int32_t t = p.exp - 63;
    u128 n = u128{p.sig} << 64;
    int32_t k2 = t - 64;
    if (k2 & 1) {
        n = u128{p.sig} << 63;
        k2 = t - 63;
    }
    u128 rem;
    uint64_t s = isqrt128(n, rem);
    // The next bit is 1 exactly when rem > s (the fraction is at least 1/2; never exactly).
    uint64_t lo = (rem > s ? kIntegerBit : 0) | (rem != 0 ? 1 : 0);
    return round_extended(env, Unrounded{false, k2 / 2 + 63, s, lo}, env.precision);
}

Float80 round_to_integer(Env& env, Float80 a)
{
    Kind k = classify(a);
    if (k == Kind::Unsupported)
        return invalid(env);
    if (k == Kind::QNaN || k == Kind::SNaN)
        return propagate_nan(env, a, a);
    if (k == Kind::Denormal)
        env.flags |= kDenormal;
    if (env.suppressed() || k == Kind::Zero || k == Kind::Infinity)
        return a;
    Parts p = unpack(a);
    if (p.exp >= 63)
        return a;
    IntegerPart i = integer_part(p, env.rounding);
    if (i.inexact)
        env.flags |= kInexact;
    env.rounded_up = i.up;
    return from_magnitude(p.sign, i.magnitude);
}

Float80 scale(Env& env, Float80 a, Float80 b)
{
    Float80 r;
    if (special_operands(env, a, b, r))
        return r;
    Kind ka = classify(a), kb = classify(b);
    if (kb == Kind::Infinity) {
        // x * 2^(+inf) and x * 2^(-inf): infinities and zeros, save inf * 0 and 0 * inf.
        if ((ka == Kind::Zero && !b.sign()) || (ka == Kind::Infinity && b.sign()))
            return invalid(env);
        if (ka == Kind::Zero || ka == Kind::Infinity)
            return a;
        return b.sign() ? zero(a.sign()) : infinity(a.sign());
    }
    if (ka == Kind::Zero || ka == Kind::Infinity)
        return a;
    Parts pa = unpack(a);
    int32_t n = 0;
    if (kb != Kind::Zero) {
        Parts pb = unpack(b);
        // trunc(b), clamped far beyond any exponent the result could have.
        int64_t m = pb.exp < 0 ? 0 : pb.exp >= 30 ? (int64_t{1} << 30) : static_cast<int64_t>(pb.sig >> (63 - pb.exp));
        n = static_cast<int32_t>(pb.sign ? -m : m);
    }
    pa.exp += n;
    return round_parts(env, pa, 64);
}

void extract(Env& env, Float80 a, Float80& exponent, Float80& significand)
{
    Kind k = classify(a);
    switch (k) {
    case Kind::Unsupported: exponent = significand = invalid(env); return;
    case Kind::QNaN:
    case Kind::SNaN: exponent = significand = propagate_nan(env, a, a); return;
    case Kind::Zero:
        env.flags |= kZeroDivide;
        exponent = infinity(true);
        significand = a;
        return;
    case Kind::Infinity:
        exponent = infinity(false);
        significand = a;
        return;
    case Kind::Denormal: env.flags |= kDenormal; break;
    case Kind::Normal: break;
    }
    Parts p = unpack(a);
    exponent = from_int(p.exp);
    significand = make(p.sign, kBias, p.sig);
}

Relation compare(Env& env, Float80 a, Float80 b, Compare how)
{
    Kind ka = classify(a), kb = classify(b);
    if (ka == Kind::Unsupported || kb == Kind::Unsupported) {
        env.flags |= kInvalid;
        return Relation::Unordered;
    }
    bool a_nan = ka == Kind::QNaN || ka == Kind::SNaN, b_nan = kb == Kind::QNaN || kb == Kind::SNaN;
    if (a_nan || b_nan) {
        if (ka == Kind::SNaN || kb == Kind::SNaN || how == Compare::Ordered)
            env.flags |= kInvalid;
        return Relation::Unordered;
    }
    if (ka == Kind::Denormal || kb == Kind::Denormal || env.denormal_source)
        env.flags |= kDenormal;
    if (ka == Kind::Zero && kb == Kind::Zero)
        return Relation::Equal;
    // Signed magnitudes ordered by (class, exponent, significand).
    auto key = [](Float80 x, Kind k) -> std::pair<int32_t, uint64_t> {
        if (k == Kind::Zero)
            return {INT32_MIN, 0};
        if (k == Kind::Infinity)
            return {INT32_MAX, 0};
        Parts p = unpack(x);
        return {p.exp, p.sig};
    };
    bool sa = ka != Kind::Zero && a.sign(), sb = kb != Kind::Zero && b.sign();
    if (sa != sb)
        return sa ? Relation::Less : Relation::Greater;
    auto x = key(a, ka), y = key(b, kb);
    if (x == y)
        return Relation::Equal;
    bool less = x < y;
    return (less != sa) ? Relation::Less : Relation::Greater;
}

PartialRemainder remainder(Env& env, Float80 a, Float80 b, Quotient q)
{
    PartialRemainder r;
    Kind ka = classify(a), kb = classify(b);
    if (ka == Kind::Unsupported || kb == Kind::Unsupported) {
        r.value = invalid(env);
        return r;
    }
    if (ka == Kind::QNaN || ka == Kind::SNaN || kb == Kind::QNaN || kb == Kind::SNaN) {
        r.value = propagate_nan(env, a, b);
        return r;
    }
    if (ka == Kind::Infinity || kb == Kind::Zero) {
        r.value = invalid(env);
        return r;
    }
    if (ka == Kind::Denormal || kb == Kind::Denormal)
        env.flags |= kDenormal;
    r.value = a;
    if (env.suppressed() || ka == Kind::Zero)
        return r;
    // A dividend that is its own remainder still passes through the arithmetic: a
    // pseudo-denormal comes out in the normal encoding.
    Parts pa = unpack(a);
    if (kb == Kind::Infinity) {
        r.value = round_parts(env, pa, 64);
        return r;
    }
    Parts pb = unpack(b);
    int32_t d = pa.exp - pb.exp;
    Quotient rounding = q;
    if (d >= 64) {
        // A partial remainder: the exponent comes down by 32 to 63 bits (as AMD documents and
        // Intel's processors do), with the quotient truncated; its bits are not reported.
        int32_t n = 32 + d % 32;
        pb.exp += d - n;
        d = n;
        rounding = Quotient::Truncated;
        r.complete = false;
    }
    if (d < -1) {
        r.value = round_parts(env, pa, 64);  // |a| < |b| / 2: the quotient is 0 whatever the rounding
        return r;
    }
    u128 num, den;
    int32_t unit;  // the remainder's value is R * 2^(unit - 63)
    if (d >= 0) {
        num = u128{pa.sig} << d;
        den = pb.sig;
        unit = pb.exp;
    } else {
        num = pa.sig;
        den = u128{pb.sig} << 1;
        unit = pa.exp;
    }
    u128 quo = num / den, rem = num % den;
    bool flipped = false;
    if (rounding == Quotient::Nearest && (2 * rem > den || (2 * rem == den && (quo & 1)))) {
        quo += 1;
        rem = den - rem;
        flipped = true;
    }
    r.quotient = r.complete ? static_cast<unsigned>(quo & 7) : 0;
    bool sign = pa.sign != flipped;
    if (rem == 0) {
        r.value = zero(pa.sign);
        return r;
    }
    // rem < den < 2^65: place it at the top of 128 bits.
    int z = rem >> 64 ? __builtin_clzll(static_cast<uint64_t>(rem >> 64)) : 64 + __builtin_clzll(static_cast<uint64_t>(rem));
    u128 x = rem << z;
    r.value = round_extended(env, Unrounded{sign, unit + 64 - z, static_cast<uint64_t>(x >> 64), static_cast<uint64_t>(x)}, 64);
    return r;
}

Float80 from_int(int64_t v)
{
    bool sign = v < 0;
    return from_magnitude(sign, sign ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v));
}

Float80 widen(uint32_t bits, bool& denormal)
{
    bool sign = bits >> 31;
    unsigned e = (bits >> 23) & 0xFF;
    uint64_t f = bits & 0x7FFFFF;
    denormal = e == 0 && f != 0;
    if (e == 0xFF)
        return f == 0 ? infinity(sign) : make(sign, 0x7FFF, kIntegerBit | (f << 40));
    if (e == 0) {
        if (f == 0)
            return zero(sign);
        int z = __builtin_clzll(f);
        return make(sign, static_cast<unsigned>(-126 - (z - 40) + kBias), f << z);
    }
    return make(sign, e - 127 + kBias, kIntegerBit | (f << 40));
}

Float80 widen(uint64_t bits, bool& denormal)
{
    bool sign = bits >> 63;
    unsigned e = (bits >> 52) & 0x7FF;
    uint64_t f = bits & 0xFFFFFFFFFFFFFull;
    denormal = e == 0 && f != 0;
    if (e == 0x7FF)
        return f == 0 ? infinity(sign) : make(sign, 0x7FFF, kIntegerBit | (f << 11));
    if (e == 0) {
        if (f == 0)
            return zero(sign);
        int z = __builtin_clzll(f);
        return make(sign, static_cast<unsigned>(-1022 - (z - 11) + kBias), f << z);
    }
    return make(sign, e - 1023 + kBias, kIntegerBit | (f << 11));
}

// FLD m32fp and m64fp: an SNaN is invalid and loads quiet; a denormal raises DE.
Float80 from_float32(Env& env, uint32_t bits)
{
    bool denormal;
    Float80 v = widen(bits, denormal);
    return loaded(env, v, denormal);
}

Float80 from_float64(Env& env, uint64_t bits)
{
    bool denormal;
    Float80 v = widen(bits, denormal);
    return loaded(env, v, denormal);
}

uint32_t to_float32(Env& env, Float80 a)
{
    bool sign = a.sign();
    uint32_t s = sign ? 0x80000000u : 0;
    switch (classify(a)) {
    case Kind::Unsupported: env.flags |= kInvalid; return 0xFFC00000u;
    case Kind::SNaN: env.flags |= kInvalid; [[fallthrough]];
    case Kind::QNaN: return s | 0x7FC00000u | static_cast<uint32_t>((a.mant << 1) >> 41);
    case Kind::Infinity: return s | 0x7F800000u;
    case Kind::Zero: return s;
    case Kind::Denormal:
    case Kind::Normal: break;
    }
    Parts p = unpack(a);
    Rounded r = round_to(env, Unrounded{p.sign, p.exp, p.sig, 0}, 24, -126, 127, Dest::Memory);
    if (r.infinite)
        return s | 0x7F800000u;
    if (!(r.sig & kIntegerBit))
        return s | static_cast<uint32_t>(r.sig >> 40);
    return s | (static_cast<uint32_t>(r.exp + 127) << 23) | (static_cast<uint32_t>(r.sig >> 40) & 0x7FFFFF);
}

uint64_t to_float64(Env& env, Float80 a)
{
    bool sign = a.sign();
    uint64_t s = sign ? 0x8000000000000000ull : 0;
    switch (classify(a)) {
    case Kind::Unsupported: env.flags |= kInvalid; return 0xFFF8000000000000ull;
    case Kind::SNaN: env.flags |= kInvalid; [[fallthrough]];
    case Kind::QNaN: return s | 0x7FF8000000000000ull | ((a.mant << 1) >> 12);
    case Kind::Infinity: return s | 0x7FF0000000000000ull;
    case Kind::Zero: return s;
    case Kind::Denormal:
    case Kind::Normal: break;
    }
    Parts p = unpack(a);
    Rounded r = round_to(env, Unrounded{p.sign, p.exp, p.sig, 0}, 53, -1022, 1023, Dest::Memory);
    if (r.infinite)
        return s | 0x7FF0000000000000ull;
    if (!(r.sig & kIntegerBit))
        return s | (r.sig >> 11);
    return s | (static_cast<uint64_t>(r.exp + 1023) << 52) | ((r.sig >> 11) & 0xFFFFFFFFFFFFFull);
}

int64_t to_int(Env& env, Float80 a, unsigned bits)
{
    const int64_t indefinite = bits == 64 ? INT64_MIN : -(int64_t{1} << (bits - 1));
    Kind k = classify(a);
    if (k == Kind::Zero)
        return 0;
    if (k != Kind::Normal && k != Kind::Denormal) {
        env.flags |= kInvalid;
        return indefinite;
    }
    Parts p = unpack(a);
    IntegerPart i = integer_part(p, env.rounding);
    uint64_t limit = (uint64_t{1} << (bits - 1)) - (p.sign ? 0 : 1);
    if (i.overflow || i.magnitude > limit) {
        env.flags |= kInvalid;
        return indefinite;
    }
    if (i.inexact)
        env.flags |= kInexact;
    env.rounded_up = i.up;
    return p.sign ? static_cast<int64_t>(0 - i.magnitude) : static_cast<int64_t>(i.magnitude);
}

Float80 from_bcd(const uint8_t (&bcd)[10])
{
    // Digits beyond 9 are undefined; they weigh what their binary value says.
    uint64_t v = 0;
    for (int i = 8; i >= 0; --i)
        v = v * 100 + (bcd[i] >> 4) * 10 + (bcd[i] & 0xF);
    return from_magnitude(bcd[9] & 0x80, v);
}

void to_bcd(Env& env, Float80 a, uint8_t (&bcd)[10])
{
    static constexpr uint64_t kLimit = 1000000000000000000ull;  // 10^18
    Kind k = classify(a);
    Parts p{a.sign(), 0, 0};
    IntegerPart i{0, false, false, false};
    bool valid = k == Kind::Zero || k == Kind::Normal || k == Kind::Denormal;
    if (valid && k != Kind::Zero) {
        p = unpack(a);
        i = integer_part(p, env.rounding);
        valid = !i.overflow && i.magnitude < kLimit;
    }
    if (!valid) {
        // The packed BCD indefinite.
        env.flags |= kInvalid;
        for (unsigned n = 0; n < 7; ++n)
            bcd[n] = 0;
        bcd[7] = 0xC0;
        bcd[8] = bcd[9] = 0xFF;
        return;
    }
    if (i.inexact)
        env.flags |= kInexact;
    env.rounded_up = i.up;
    uint64_t v = i.magnitude;
    for (unsigned n = 0; n < 9; ++n) {
        unsigned two = static_cast<unsigned>(v % 100);
        v /= 100;
        bcd[n] = static_cast<uint8_t>(((two / 10) << 4) | (two % 10));
    }
    bcd[9] = a.sign() ? 0x80 : 0;
}

}  // namespace emu::x86::x87
