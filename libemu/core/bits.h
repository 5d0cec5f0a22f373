// Bit-field helpers used by every decoder.
#pragma once

#include <cstdint>

namespace emu {

// Bits [hi:lo] of v, inclusive, as the architecture manuals write them.
constexpr uint32_t bits(uint32_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((hi - lo == 31) ? ~0u : ((1u << (hi - lo + 1)) - 1u));
}

constexpr uint32_t bit(uint32_t v, unsigned n) { return (v >> n) & 1u; }

// Sign-extends the low `width` bits of v.
constexpr int64_t sign_extend(uint64_t v, unsigned width)
{
    unsigned shift = 64 - width;
    return static_cast<int64_t>(v << shift) >> shift;
}

constexpr uint64_t ones(unsigned n) { return n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1; }

}  // namespace emu
