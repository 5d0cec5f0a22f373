#include "cpu/a64/decoder.h"

#include <algorithm>
#include <array>
#include <bit>
#include <vector>

namespace emu::a64 {

#define A64_INSN(name, pattern) Build build_##name(Op&, uint32_t);
#include "cpu/a64/insns.inc"
#undef A64_INSN

namespace {

constexpr InsnDef kTable[] = {
#define A64_INSN(name, pattern) {#name, pattern, parse_pattern(pattern), build_##name},
#include "cpu/a64/insns.inc"
#undef A64_INSN
};

// Entries bucketed by bits 28:25 (the A64 top-level op0 field), most specific first.
struct Buckets {
    std::array<std::vector<const InsnDef*>, 16> by_op0;

    Buckets()
    {
        std::vector<const InsnDef*> sorted;
        for (const InsnDef& d : kTable)
            sorted.push_back(&d);
        std::stable_sort(sorted.begin(), sorted.end(), [](const InsnDef* a, const InsnDef* b) {
            return std::popcount(a->bits.mask) > std::popcount(b->bits.mask);
        });
        constexpr uint32_t kOp0 = 0xFu << 25;
        for (uint32_t op0 = 0; op0 < 16; op0++)
            for (const InsnDef* d : sorted)
                if (((op0 << 25) & d->bits.mask & kOp0) == (d->bits.value & kOp0))
                    by_op0[op0].push_back(d);
    }
};

const Buckets& buckets()
{
    static const Buckets b;
    return b;
}

}  // namespace

std::span<const InsnDef> insn_table() { return kTable; }

const InsnDef* decode(uint32_t insn)
{
    for (const InsnDef* d : buckets().by_op0[(insn >> 25) & 0xF])
        if ((insn & d->bits.mask) == d->bits.value)
            return d;
    return nullptr;
}

}  // namespace emu::a64
