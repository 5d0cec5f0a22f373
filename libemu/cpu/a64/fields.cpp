#include "cpu/a64/fields.h"

#include <bit>

namespace emu::a64 {

namespace {

uint64_t replicate(uint64_t v, unsigned esize, unsigned datasize)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < datasize; i += esize)
        r |= v << i;
    return r;
}

uint64_t ror_esize(uint64_t v, unsigned r, unsigned esize)
{
    uint64_t mask = ones(esize);
    v &= mask;
    if (r == 0)
        return v;
    return ((v >> r) | (v << (esize - r))) & mask;
}

}  // namespace

std::optional<BitMasks> decode_bit_masks(unsigned n, unsigned imms, unsigned immr, bool immediate, unsigned datasize)
{
    unsigned combined = (n << 6) | (~imms & 0x3F);
    if (combined == 0)
        return std::nullopt;
    int len = 31 - std::countl_zero(static_cast<uint32_t>(combined));
    if (len < 1)
        return std::nullopt;
    unsigned esize = 1u << len;
    if (esize > datasize)
        return std::nullopt;
    unsigned levels = esize - 1;
    if (immediate && (imms & levels) == levels)
        return std::nullopt;
    unsigned s = imms & levels;
    unsigned r = immr & levels;
    int diff = static_cast<int>(s) - static_cast<int>(r);
    unsigned d = static_cast<unsigned>(diff) & levels;
    uint64_t welem = ones(s + 1);
    uint64_t telem = ones(d + 1);
    return BitMasks{replicate(ror_esize(welem, r, esize), esize, datasize) & ones(datasize),
                    replicate(telem, esize, datasize) & ones(datasize)};
}

}  // namespace emu::a64
