// Internal to the x87 soft-float: 128-bit integer helpers, and a floating-point type with a
// 128-bit significand in which the transcendental functions are evaluated before a single
// rounding to the 80-bit format. All integer arithmetic: the same on every host.
#pragma once

#include <cstdint>

#include "cpu/x86/x87_float.h"

namespace emu::x86::x87 {

using u128 = unsigned __int128;

// x >> n with every bit shifted out ORed into the lowest bit ("jamming"), so that rounding
// still sees that the value was inexact.
inline u128 shift_right_jamming(u128 x, unsigned n)
{
    if (n == 0)
        return x;
    if (n >= 128)
        return x != 0;
    return (x >> n) | ((x << (128 - n)) != 0 ? 1 : 0);
}

// floor(sqrt(n)) of n in [2^126, 2^128), and n - floor(sqrt(n))^2.
uint64_t isqrt128(u128 n, u128& rem);

// sig * 2^(exp - 127), sig normalized (bit 127 set) unless the value is zero.
struct Wide {
    bool sign = false;
    int32_t exp = 0;
    u128 sig = 0;

    bool zero() const { return sig == 0; }
};

// sig * 2^(exp - 127) for any sig, normalized.
Wide make_wide(bool sign, int32_t exp, u128 sig);
// A finite, nonzero Float80 (denormals normalized), exactly.
Wide wide(Float80 a);
Wide wide(uint64_t v);
// The 128-bit constant sig_hi:sig_lo * 2^(exp - 127), for values given in hexadecimal.
Wide wide(int32_t exp, uint64_t sig_hi, uint64_t sig_lo);
Wide negate(Wide a);
Wide add(Wide a, Wide b);
Wide sub(Wide a, Wide b);
Wide mul(Wide a, Wide b);
Wide div(Wide a, Wide b);
Wide scaled(Wide a, int32_t by);  // a * 2^by
// |a| < |b|
bool less_in_magnitude(const Wide& a, const Wide& b);
// For round_extended: the value, with `inexact` ORed into its lowest bit.
Unrounded unrounded(const Wide& a, bool inexact);

// Shared with x87_float.cpp.
Float80 make_float80(bool sign, unsigned exp, uint64_t mant);
// Two operands of which one is a NaN: the NaN the x87 delivers (SDM vol. 1, table 4-7).
Float80 propagate_nan(Env& env, Float80 a, Float80 b);

}  // namespace emu::x86::x87
