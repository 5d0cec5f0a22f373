// The x87's transcendental instructions and constants. Each function is evaluated with a
// 128-bit significand (x87_wide.h: series after an exact argument reduction) and rounded once
// to 64 bits in the rounding mode, so results are correctly rounded but for values within
// about 2^-120 of a rounding boundary; a P6 guarantees less than one unit in the last place.
// FSIN, FCOS, FSINCOS and FPTAN reduce their argument exactly modulo the FPU's own 66-bit
// approximation of pi (SDM vol. 1, 8.3.8), as the hardware does. Special operands follow the
// tables of the SDM's instruction pages; where it leaves a result undefined (F2XM1 beyond
// [-1, 1], FYL2XP1 beyond its range) the operation is invalid, as QEMU has it.
#include "cpu/x86/x87_float.h"
#include "cpu/x86/x87_wide.h"

namespace emu::x86::x87 {

namespace {

// Truncated to 128 bits: pi, ln 2, log2(e), log2(10), log10(2), sqrt(2).
const Wide kPi = wide(1, 0xC90FDAA22168C234, 0xC4C6628B80DC1CD1);
const Wide kLn2 = wide(-1, 0xB17217F7D1CF79AB, 0xC9E3B39803F2F6AF);
const Wide kLog2E = wide(0, 0xB8AA3B295C17F0BB, 0xBE87FED0691D3E88);
const Wide kLog2Ten = wide(1, 0xD49A784BCD1B8AFE, 0x492BF6FF4DAFDB4C);
const Wide kLog10Two = wide(-2, 0x9A209A84FBCFF798, 0x8F8959AC0B7C9178);
constexpr u128 kSqrt2Sig = (u128{0xB504F333F9DE6484} << 64) | 0x597D89B3754ABE9F;
// The FPU's pi has 66 significant bits: 0.C90FDAA22168C234C (hex) * 4. Its half is this
// integer times 2^-65.
constexpr u128 kHalfPi66 = (u128{0x3} << 64) | 0x243F6A8885A308D3;

// Series stop once a term is this many bits below the sum.
constexpr int32_t kNegligible = 136;

Float80 invalid(Env& env)
{
    env.flags |= kInvalid;
    return kIndefinite;
}

Float80 infinity(bool sign) { return make_float80(sign, 0x7FFF, 1ull << 63); }
Float80 zero(bool sign) { return make_float80(sign, 0, 0); }

bool nan_kind(Kind k) { return k == Kind::QNaN || k == Kind::SNaN; }

Wide wide_int(int64_t v)
{
    Wide w = wide(static_cast<uint64_t>(v < 0 ? -v : v));
    w.sign = v < 0;
    return w;
}

// A rounded result of a transcendental function: 64 bits whatever the precision control,
// inexact.
Float80 result(Env& env, const Wide& w) { return round_extended(env, unrounded(w, true), 64); }

// e^y - 1, |y| < 1.
Wide expm1_series(const Wide& y)
{
    Wide term = y, sum = y;
    for (uint64_t n = 2; n < 80; ++n) {
        term = div(mul(term, y), wide(n));
        if (term.zero() || term.exp < sum.exp - kNegligible)
            break;
        sum = add(sum, term);
    }
    return sum;
}

// atanh(s) = s + s^3/3 + s^5/5 + ..., |s| < 0.2.
Wide atanh_series(const Wide& s)
{
    Wide s2 = mul(s, s), power = s, sum = s;
    for (uint64_t n = 3; n < 400; n += 2) {
        power = mul(power, s2);
        Wide term = div(power, wide(n));
        if (term.zero() || term.exp < sum.exp - kNegligible)
            break;
        sum = add(sum, term);
    }
    return sum;
}

// atan(t) = t - t^3/3 + t^5/5 - ..., |t| <= 1/2.
Wide atan_series(const Wide& t)
{
    Wide t2 = mul(t, t), power = t, sum = t;
    for (uint64_t n = 3; n < 400; n += 2) {
        power = mul(power, t2);
        Wide term = div(power, wide(n));
        if (term.zero() || term.exp < sum.exp - kNegligible)
            break;
        sum = ((n >> 1) & 1) ? sub(sum, term) : add(sum, term);
    }
    return sum;
}

// atan(t) for 0 <= t <= 1: past 1/2 through atan(t) = pi/4 + atan((t - 1) / (t + 1)).
Wide atan_unit(const Wide& t)
{
    if (t.zero() || t.exp < -1)
        return atan_series(t);
    Wide one = wide(1);
    return add(scaled(kPi, -2), atan_series(div(sub(t, one), add(t, one))));
}

// sin(r) and cos(r), |r| <= pi/4.
void sin_cos_series(const Wide& r, Wide& s, Wide& c)
{
    Wide r2 = mul(r, r);
    Wide term = r;
    s = r;
    for (uint64_t n = 2; n < 80; n += 2) {
        term = div(mul(term, r2), wide(n * (n + 1)));
        if (term.zero() || term.exp < s.exp - kNegligible)
            break;
        s = (n & 2) ? sub(s, term) : add(s, term);
    }
    term = wide(1);
    c = term;
    for (uint64_t n = 1; n < 80; n += 2) {
        term = div(mul(term, r2), wide(n * (n + 1)));
        if (term.zero() || term.exp < -kNegligible)
            break;
        c = (n & 2) ? add(c, term) : sub(c, term);
    }
}

// log2(x) for a finite positive x.
Wide log2_of(Float80 x)
{
    Wide m = wide(x);
    int32_t e = m.exp;
    m.exp = 0;  // x = m * 2^e with m in [1, 2), taken to [sqrt(2)/2, sqrt(2))
    if (m.sig > kSqrt2Sig) {
        m.exp = -1;
        e++;
    }
    Wide one = wide(1);
    Wide s = div(sub(m, one), add(m, one));
    Wide ln = scaled(atanh_series(s), 1);
    return add(mul(ln, kLog2E), wide_int(e));
}

// x = k * (pi/2) + r with the FPU's pi, |r| <= pi/4, for a finite nonzero |x| < 2^63: r exactly
// and the quadrant k mod 4.
void reduce(Float80 x, Wide& r, unsigned& quadrant)
{
    Wide w = wide(x);
    quadrant = 0;
    r = w;
    if (w.exp < -1)
        return;  // below 1/2, within pi/4
    // x = n * 2^-65 and pi/2 = kHalfPi66 * 2^-65: the remainder is exact.
    uint64_t mant = static_cast<uint64_t>(w.sig >> 64);
    u128 n = u128{mant} << (w.exp + 2);
    u128 k = n / kHalfPi66, rem = n % kHalfPi66;
    bool flipped = false;
    if (2 * rem > kHalfPi66 || (2 * rem == kHalfPi66 && (k & 1))) {
        k++;
        rem = kHalfPi66 - rem;
        flipped = true;
    }
    r = make_wide(x.sign() != flipped, 127 - 65, rem);
    unsigned q = static_cast<unsigned>(k & 3);
    quadrant = x.sign() ? (4 - q) & 3 : q;
}

}  // namespace

Float80 f2xm1(Env& env, Float80 x)
{
    Kind k = classify(x);
    if (k == Kind::Unsupported)
        return invalid(env);
    if (nan_kind(k))
        return propagate_nan(env, x, x);
    if (k == Kind::Zero)
        return x;
    // Beyond [-1, 1] the SDM leaves the result undefined; invalid, as in QEMU.
    if (x.exp() > kBias || (x.exp() == kBias && x.mant != (1ull << 63)))
        return invalid(env);
    if (x.exp() == kBias)
        return x.sign() ? make_float80(true, kBias - 1, 1ull << 63) : kPlusOne;  // -0.5 or 1
    if (k == Kind::Denormal)
        env.flags |= kDenormal;
    if (env.suppressed())
        return x;
    return result(env, expm1_series(mul(wide(x), kLn2)));
}

Float80 fyl2x(Env& env, Float80 x, Float80 y)
{
    Kind kx = classify(x), ky = classify(y);
    if (kx == Kind::Unsupported || ky == Kind::Unsupported)
        return invalid(env);
    if (nan_kind(kx) || nan_kind(ky))
        return propagate_nan(env, x, y);
    if (x.sign() && kx != Kind::Zero)
        return invalid(env);
    if (kx == Kind::Denormal || ky == Kind::Denormal)
        env.flags |= kDenormal;
    const bool ys = y.sign();
    if (kx == Kind::Zero) {
        // log2(0) = -inf.
        if (ky == Kind::Zero)
            return invalid(env);
        if (ky != Kind::Infinity)
            env.flags |= kZeroDivide;
        return env.suppressed() ? y : infinity(!ys);
    }
    if (env.suppressed())
        return y;
    if (kx == Kind::Infinity) {
        if (ky == Kind::Zero)
            return invalid(env);
        return infinity(ys);
    }
    const bool is_one = x.exp() == kBias && x.mant == (1ull << 63);
    const bool below_one = x.exp() < kBias;
    if (ky == Kind::Infinity) {
        if (is_one)
            return invalid(env);
        return infinity(below_one ? !ys : ys);
    }
    if (ky == Kind::Zero || is_one)
        return zero(below_one ? !ys : ys);
    // A power of two has an exact logarithm, and the product may be exact too.
    Wide l = x.mant == (1ull << 63) ? wide_int(x.exp() - kBias) : log2_of(x);
    bool exact = x.mant == (1ull << 63);
    Wide p = mul(wide(y), l);
    return round_extended(env, unrounded(p, !exact), 64);
}

Float80 fyl2xp1(Env& env, Float80 x, Float80 y)
{
    Kind kx = classify(x), ky = classify(y);
    if (kx == Kind::Unsupported || ky == Kind::Unsupported)
        return invalid(env);
    if (nan_kind(kx) || nan_kind(ky))
        return propagate_nan(env, x, y);
    // The range: |x| < 1 - sqrt(2)/2 by Intel's manual; AMD's sqrt(2)/2 - 1 < x < sqrt(2) - 1,
    // accepted here as by QEMU. Beyond it (undefined in the SDM): invalid.
    if (kx != Kind::Zero && kx != Kind::Denormal &&
        (x.exp() > kBias - 2 ||
         (x.exp() == kBias - 2 && x.mant > (x.sign() ? 0x95F619980C4336F7ull : 0xD413CCCFE7799211ull))))
        return invalid(env);
    if (kx == Kind::Denormal || ky == Kind::Denormal)
        env.flags |= kDenormal;
    const bool sign = x.sign() != y.sign();
    if (kx == Kind::Zero) {
        if (ky == Kind::Infinity)
            return invalid(env);
        return env.suppressed() ? y : zero(sign);
    }
    if (env.suppressed())
        return y;
    if (ky == Kind::Infinity)
        return infinity(sign);
    if (ky == Kind::Zero)
        return zero(sign);
    // log2(1 + x) = 2 atanh(x / (2 + x)) * log2(e).
    Wide w = wide(x);
    Wide s = div(w, add(wide(2), w));
    Wide l = mul(scaled(atanh_series(s), 1), kLog2E);
    return result(env, mul(wide(y), l));
}

Float80 fpatan(Env& env, Float80 y, Float80 x)
{
    Kind kx = classify(x), ky = classify(y);
    if (kx == Kind::Unsupported || ky == Kind::Unsupported)
        return invalid(env);
    if (nan_kind(kx) || nan_kind(ky))
        return propagate_nan(env, x, y);
    if (kx == Kind::Denormal || ky == Kind::Denormal)
        env.flags |= kDenormal;
    if (env.suppressed())
        return y;
    const bool ys = y.sign(), xs = x.sign();
    auto with_sign = [&](Wide w) {
        w.sign = ys;
        return result(env, w);
    };
    if (ky == Kind::Zero)
        return xs ? with_sign(kPi) : zero(ys);  // x = -0 counts as negative
    if (ky == Kind::Infinity) {
        if (kx == Kind::Infinity)
            return with_sign(xs ? mul(kPi, wide(-1, 0xC000000000000000, 0)) : scaled(kPi, -2));  // 3pi/4, pi/4
        return with_sign(scaled(kPi, -1));
    }
    if (kx == Kind::Zero)
        return with_sign(scaled(kPi, -1));
    if (kx == Kind::Infinity)
        return xs ? with_sign(kPi) : zero(ys);
    Wide ay = wide(y), ax = wide(x);
    ay.sign = ax.sign = false;
    Wide angle;
    if (!less_in_magnitude(ax, ay)) {  // |y| <= |x|
        angle = atan_unit(div(ay, ax));
        if (xs)
            angle = sub(kPi, angle);
    } else {
        Wide a = atan_unit(div(ax, ay));
        angle = xs ? add(scaled(kPi, -1), a) : sub(scaled(kPi, -1), a);
    }
    return with_sign(angle);
}

bool sin_cos(Env& env, Float80 x, Float80* sin, Float80* cos)
{
    Kind k = classify(x);
    auto both = [&](Float80 v) {
        if (sin)
            *sin = v;
        if (cos)
            *cos = v;
        return true;
    };
    if (k == Kind::Unsupported || k == Kind::Infinity)
        return both(invalid(env));
    if (nan_kind(k))
        return both(propagate_nan(env, x, x));
    if (k == Kind::Zero) {
        if (sin)
            *sin = x;
        if (cos)
            *cos = kPlusOne;
        return true;
    }
    if (x.exp() >= kBias + 63)
        return false;
    if (k == Kind::Denormal)
        env.flags |= kDenormal;
    if (env.suppressed())
        return both(x);
    Wide r, s, c;
    unsigned q;
    reduce(x, r, q);
    sin_cos_series(r, s, c);
    // sin and cos of k * pi/2 + r, by the quadrant.
    Wide sx = (q & 1) ? c : s, cx = (q & 1) ? s : c;
    if (q == 2 || q == 3)
        sx = negate(sx);
    if (q == 1 || q == 2)
        cx = negate(cx);
    // FSINCOS rounds both into one env: its flags are both results', C1 the cosine's (ST0).
    if (sin)
        *sin = result(env, sx);
    if (cos)
        *cos = result(env, cx);
    return true;
}

bool tan(Env& env, Float80 x, Float80& t)
{
    Kind k = classify(x);
    if (k == Kind::Unsupported || k == Kind::Infinity) {
        t = invalid(env);
        return true;
    }
    if (nan_kind(k)) {
        t = propagate_nan(env, x, x);
        return true;
    }
    if (k == Kind::Zero) {
        t = x;
        return true;
    }
    if (x.exp() >= kBias + 63)
        return false;
    if (k == Kind::Denormal)
        env.flags |= kDenormal;
    if (env.suppressed()) {
        t = x;
        return true;
    }
    Wide r, s, c;
    unsigned q;
    reduce(x, r, q);
    sin_cos_series(r, s, c);
    Wide v = (q & 1) ? negate(div(c, s)) : div(s, c);
    t = result(env, v);
    return true;
}

Float80 constant(Constant c, Rounding rc)
{
    Env env;
    env.rounding = rc;
    switch (c) {
    case Constant::One: return kPlusOne;
    case Constant::Zero: return kPlusZero;
    case Constant::L2T: return result(env, kLog2Ten);
    case Constant::L2E: return result(env, kLog2E);
    case Constant::Pi: return result(env, kPi);
    case Constant::LG2: return result(env, kLog10Two);
    case Constant::LN2: return result(env, kLn2);
    }
    return kPlusZero;
}

}  // namespace emu::x86::x87
