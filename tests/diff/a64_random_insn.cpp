#include "a64_random_insn.h"

#include <stdexcept>

#include "core/bits.h"
#include "cpu/a64/op.h"

namespace emu::test {

using namespace a64;

const char* group_name(InsnGroup g)
{
    switch (g) {
    case InsnGroup::DataProcImm: return "data processing (immediate)";
    case InsnGroup::DataProcReg: return "data processing (register)";
    case InsnGroup::Branch: return "branches";
    case InsnGroup::ExceptionGen: return "exception generation";
    case InsnGroup::System: return "system";
    case InsnGroup::LoadStore: return "loads and stores";
    case InsnGroup::SimdFp: return "SIMD and floating point";
    }
    return "?";
}

InsnGroup group_of(const InsnDef& d)
{
    // Every line fixes the bits its group is told apart by; op0 is bits 28:25.
    uint32_t v = d.bits.value;
    uint32_t op0 = bits(v, 28, 25);
    if ((op0 & 0b1110) == 0b1000)
        return InsnGroup::DataProcImm;
    if ((op0 & 0b1110) == 0b1010) {
        if (bits(v, 31, 24) == 0b11010100)
            return InsnGroup::ExceptionGen;
        if (bits(v, 31, 22) == 0b1101010100)
            return InsnGroup::System;
        return InsnGroup::Branch;
    }
    if ((op0 & 0b0101) == 0b0100)
        return InsnGroup::LoadStore;
    if ((op0 & 0b0111) == 0b0101)
        return InsnGroup::DataProcReg;
    if ((op0 & 0b0111) == 0b0111)
        return InsnGroup::SimdFp;
    throw std::logic_error(std::string(d.name) + ": pattern is in an unallocated op0 space");
}

bool has_field(const InsnDef& d, char letter, unsigned hi, unsigned lo)
{
    for (unsigned b = lo; b <= hi; b++)
        if (d.pattern[31 - b] != letter)
            return false;
    return true;
}

bool A64InsnGenerator::fill(const InsnDef& d, SplitMix64& rng, unsigned tries, uint32_t& out)
{
    for (unsigned i = 0; i < tries; i++) {
        uint32_t insn = d.bits.value | (static_cast<uint32_t>(rng.next()) & ~d.bits.mask);
        if (decode(insn) != &d)
            continue;
        Op op{};
        if (d.build(op, insn) == Build::Undefined)
            continue;
        out = insn;
        return true;
    }
    return false;
}

A64InsnGenerator::A64InsnGenerator()
{
    // Reachability is decided once with a fixed generator so that it does not depend on the
    // seed of the run. 4096 fills find any entry that owns at least 1/500 of its space.
    SplitMix64 probe(0x5EED);
    for (const InsnDef& d : insn_table()) {
        uint32_t insn;
        (fill(d, probe, 4096, insn) ? reachable_ : unreachable_).push_back(&d);
    }
}

A64InsnGenerator::Insn A64InsnGenerator::next(SplitMix64& rng)
{
    if (reachable_.empty())
        throw std::logic_error("the decode table has no reachable entry");
    const InsnDef* d = reachable_[rng.below(reachable_.size())];
    uint32_t insn;
    // A reachable entry owns a real share of its space: a million misses means a broken table.
    if (!fill(*d, rng, 1u << 20, insn))
        throw std::logic_error(std::string(d->name) + ": no valid random encoding found");
    return {d, insn};
}

}  // namespace emu::test
