#include "cpu/x86/x87_wide.h"

#include <utility>

namespace emu::x86::x87 {

Wide make_wide(bool sign, int32_t exp, u128 sig)
{
    if (sig == 0)
        return Wide{sign, 0, 0};
    uint64_t hi = static_cast<uint64_t>(sig >> 64);
    int z = hi ? __builtin_clzll(hi) : 64 + __builtin_clzll(static_cast<uint64_t>(sig));
    return Wide{sign, exp - z, sig << z};
}

uint64_t isqrt128(u128 n, u128& rem)
{
    // Digit by digit: two bits of the radicand per bit of the root.
    u128 root = 0;
    u128 bit = u128{1} << 126;
    while (bit != 0) {
        if (n >= root + bit) {
            n -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    rem = n;
    return static_cast<uint64_t>(root);
}

Wide wide(Float80 a)
{
    int32_t exp = a.exp() == 0 ? 1 - kBias : static_cast<int32_t>(a.exp()) - kBias;
    return make_wide(a.sign(), exp, u128{a.mant} << 64);
}

Wide wide(uint64_t v) { return make_wide(false, 127, v); }

Wide wide(int32_t exp, uint64_t sig_hi, uint64_t sig_lo) { return Wide{false, exp, (u128{sig_hi} << 64) | sig_lo}; }

Wide negate(Wide a)
{
    a.sign = !a.sign;
    return a;
}

bool less_in_magnitude(const Wide& a, const Wide& b)
{
    if (a.zero() || b.zero())
        return a.zero() && !b.zero();
    return a.exp < b.exp || (a.exp == b.exp && a.sig < b.sig);
}

Wide add(Wide a, Wide b)
{
    if (a.zero())
        return b;
    if (b.zero())
        return a;
    if (less_in_magnitude(a, b))
        std::swap(a, b);
    u128 y = shift_right_jamming(b.sig, static_cast<unsigned>(a.exp - b.exp));
    if (a.sign == b.sign) {
        u128 s = a.sig + y;
        if (s < a.sig)  // carry
            return Wide{a.sign, a.exp + 1, (s >> 1) | (s & 1) | (u128{1} << 127)};
        return Wide{a.sign, a.exp, s};
    }
    return make_wide(a.sign, a.exp, a.sig - y);
}

Wide sub(Wide a, Wide b) { return add(a, negate(b)); }

Wide mul(Wide a, Wide b)
{
    bool sign = a.sign != b.sign;
    if (a.zero() || b.zero())
        return Wide{sign, 0, 0};
    uint64_t ah = static_cast<uint64_t>(a.sig >> 64), al = static_cast<uint64_t>(a.sig);
    uint64_t bh = static_cast<uint64_t>(b.sig >> 64), bl = static_cast<uint64_t>(b.sig);
    u128 hh = u128{ah} * bh, hl = u128{ah} * bl, lh = u128{al} * bh, ll = u128{al} * bl;
    // The 256-bit product hh:ll with the middle terms added at bit 64.
    u128 mid = (ll >> 64) + static_cast<uint64_t>(hl) + static_cast<uint64_t>(lh);
    u128 hi = hh + (hl >> 64) + (lh >> 64) + (mid >> 64);
    uint64_t below = static_cast<uint64_t>(mid);  // product bits 64-127
    int32_t exp = a.exp + b.exp + 1;
    if (!(hi >> 127)) {
        hi = (hi << 1) | (below >> 63);
        below <<= 1;
        exp--;
    }
    bool sticky = below != 0 || static_cast<uint64_t>(ll) != 0;
    return Wide{sign, exp, hi | (sticky ? 1 : 0)};
}

Wide div(Wide a, Wide b)
{
    bool sign = a.sign != b.sign;
    if (a.zero())
        return Wide{sign, 0, 0};
    // Long division, one quotient bit at a time, 128 bits from the leading one.
    int32_t exp = a.exp - b.exp;
    u128 rem = a.sig, q = 0;
    unsigned bits = 128;
    if (rem >= b.sig) {
        rem -= b.sig;
        q = 1;
        bits = 127;
    } else {
        exp--;
    }
    for (unsigned i = 0; i < bits; ++i) {
        bool carry = rem >> 127;
        rem <<= 1;
        q <<= 1;
        if (carry || rem >= b.sig) {
            rem -= b.sig;
            q |= 1;
        }
    }
    return Wide{sign, exp, q | (rem != 0 ? 1 : 0)};
}

Wide scaled(Wide a, int32_t by)
{
    if (!a.zero())
        a.exp += by;
    return a;
}

Unrounded unrounded(const Wide& a, bool inexact)
{
    return Unrounded{a.sign, a.exp, static_cast<uint64_t>(a.sig >> 64),
                     static_cast<uint64_t>(a.sig) | (inexact ? 1 : 0)};
}

}  // namespace emu::x86::x87
