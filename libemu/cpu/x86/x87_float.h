// 80-bit extended-precision arithmetic in software, as the x87 FPU of a P6 computes it (Intel
// SDM vol. 1, chapters 4 and 8): rounding to 24, 53 or 64 bits in the four rounding modes,
// tininess detected after rounding, the six exception flags with the masked responses, and for
// unmasked overflow and underflow the result with its exponent biased by 24576 that the FPU
// leaves in a register. Denormal and pseudo-denormal operands are used with the denormal
// flag; unnormals, pseudo-NaNs and pseudo-infinities are invalid operands. Nothing here uses
// the host's floating point: the results are bit-exact on any host.
//
// x87_float.cpp has the arithmetic, comparisons, conversions and the partial remainder;
// x87_transcendental.cpp the transcendental functions and the constants.
#pragma once

#include <cstdint>

namespace emu::x86 {

// An 80-bit register or memory operand: a 64-bit significand with an explicit integer bit
// (bit 63), a 15-bit biased exponent and a sign.
struct Float80 {
    uint64_t mant = 0;
    uint16_t se = 0;  // sign in bit 15, biased exponent in bits 0-14

    bool sign() const { return se >> 15; }
    unsigned exp() const { return se & 0x7FFF; }
    bool operator==(const Float80& o) const { return mant == o.mant && se == o.se; }
};

namespace x87 {

constexpr int kBias = 16383;
constexpr int kBiasAdjust = 24576;  // an unmasked overflow or underflow scales by 2^(-/+24576)

// The QNaN an invalid operation delivers ("real indefinite").
constexpr Float80 kIndefinite{0xC000000000000000ull, 0xFFFF};
constexpr Float80 kPlusZero{0, 0};
constexpr Float80 kPlusOne{0x8000000000000000ull, kBias};

enum class Rounding : uint8_t { Nearest, Down, Up, Zero };  // the control word's RC

// The status word's exception flags.
enum Exception : uint8_t {
    kInvalid = 1,
    kDenormal = 2,
    kZeroDivide = 4,
    kOverflow = 8,
    kUnderflow = 16,
    kInexact = 32,
};

// What an operation rounds with (from the control word), and what it reports.
struct Env {
    Rounding rounding = Rounding::Nearest;
    unsigned precision = 64;  // significant bits of FADD..FDIV and FSQRT results: 24, 53 or 64
    uint8_t masks = 0x3F;     // the control word's exception masks
    uint8_t flags = 0;        // raised
    bool rounded_up = false;  // the result's magnitude was rounded up (C1)
    // A single or double precision memory operand (widened exactly) was a denormal: it
    // raises the denormal flag as a denormal register operand would.
    bool denormal_source = false;

    static Env from_control_word(uint16_t cw);
    bool masked(uint8_t e) const { return masks & e; }
    // An unmasked invalid-operand, denormal-operand or zero-divide exception: the
    // instruction leaves its destination (and the stack) alone.
    bool suppressed() const { return flags & ~masks & (kInvalid | kDenormal | kZeroDivide); }
};

enum class Kind : uint8_t { Zero, Denormal, Normal, Infinity, QNaN, SNaN, Unsupported };
// Pseudo-denormals (exponent 0, integer bit set) are Denormal; unnormals, pseudo-NaNs and
// pseudo-infinities (integer bit clear with a nonzero exponent) Unsupported.
Kind classify(Float80 a);
inline bool is_nan(Float80 a) { Kind k = classify(a); return k == Kind::QNaN || k == Kind::SNaN; }

// An exact value before rounding: (hi + lo / 2^64) * 2^(exp - 63), hi's bit 63 set unless the
// value is zero.
struct Unrounded {
    bool sign = false;
    int32_t exp = 0;
    uint64_t hi = 0, lo = 0;
};
// Rounds to the extended format in `precision` bits (an unmasked overflow or underflow
// biases the exponent, as a register destination takes it).
Float80 round_extended(Env& env, const Unrounded& v, unsigned precision);

// Arithmetic, rounded to env.precision.
Float80 add(Env& env, Float80 a, Float80 b);
Float80 sub(Env& env, Float80 a, Float80 b);
Float80 mul(Env& env, Float80 a, Float80 b);
Float80 div(Env& env, Float80 a, Float80 b);
Float80 sqrt(Env& env, Float80 a);

// FRNDINT: to an integer in the rounding mode.
Float80 round_to_integer(Env& env, Float80 a);
// FSCALE: a * 2^trunc(b).
Float80 scale(Env& env, Float80 a, Float80 b);
// FXTRACT: the exponent and the significand (with exponent 0) of a.
void extract(Env& env, Float80 a, Float80& exponent, Float80& significand);

enum class Relation : uint8_t { Less, Equal, Greater, Unordered };
// FCOM and friends (a QNaN operand is invalid) or FUCOM (only an SNaN is).
enum class Compare : uint8_t { Ordered, Unordered };
Relation compare(Env& env, Float80 a, Float80 b, Compare how);

// FPREM (truncated quotient) and FPREM1 (quotient rounded to nearest): complete when the
// exponents are less than 64 apart, else a partial reduction to be repeated (C2).
struct PartialRemainder {
    Float80 value;
    bool complete = true;
    unsigned quotient = 0;  // its low three bits: C0 = bit 2, C3 = bit 1, C1 = bit 0
};
enum class Quotient : uint8_t { Truncated, Nearest };
PartialRemainder remainder(Env& env, Float80 a, Float80 b, Quotient q);

// Conversions. Loads of single and double precision are exact (an SNaN is invalid and made
// quiet, a denormal raises the denormal flag); stores round in the rounding mode to the
// memory format's precision and range; a caller must not store when the invalid,
// overflow or underflow exception it raised is unmasked.
Float80 from_int(int64_t v);
Float80 from_float32(Env& env, uint32_t bits);
// The exact extended value of a single or double precision arithmetic operand: an SNaN stays
// signaling for the operation to report; `denormal` tells a denormal (see Env).
Float80 widen(uint32_t bits, bool& denormal);
Float80 widen(uint64_t bits, bool& denormal);
Float80 from_float64(Env& env, uint64_t bits);
uint32_t to_float32(Env& env, Float80 a);
uint64_t to_float64(Env& env, Float80 a);
// FIST: to a signed integer of `bits` (16, 32, 64) in the rounding mode; out of range,
// NaNs and infinities are invalid and give the integer indefinite (the most negative value).
int64_t to_int(Env& env, Float80 a, unsigned bits);
// FBLD and FBSTP: 18 packed BCD digits and a sign byte.
Float80 from_bcd(const uint8_t (&bcd)[10]);
void to_bcd(Env& env, Float80 a, uint8_t (&bcd)[10]);

// Transcendental instructions (x87_transcendental.cpp); results in 64 bits whatever the
// precision control, in the rounding mode.
Float80 f2xm1(Env& env, Float80 x);                 // 2^x - 1, -1 <= x <= 1
Float80 fyl2x(Env& env, Float80 x, Float80 y);      // y * log2(x)
Float80 fyl2xp1(Env& env, Float80 x, Float80 y);    // y * log2(x + 1)
Float80 fpatan(Env& env, Float80 y, Float80 x);     // the angle of (x, y)
// FSIN, FCOS, FSINCOS, FPTAN: false when |x| >= 2^63, which leaves the operand unchanged (C2).
// The argument is reduced modulo the FPU's 66-bit approximation of pi, as a P6 does.
bool sin_cos(Env& env, Float80 x, Float80* sin, Float80* cos);
bool tan(Env& env, Float80 x, Float80& t);

// FLD1 and the other constants: FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2 give the FPU's 66-bit
// internal value rounded in the rounding mode.
enum class Constant : uint8_t { One, L2T, L2E, Pi, LG2, LN2, Zero };
Float80 constant(Constant c, Rounding rc);

}  // namespace x87

}  // namespace emu::x86
