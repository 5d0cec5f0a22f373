#include "a64_random_insn.h"

#include <iterator>
#include <stdexcept>

#include "core/bits.h"
#include "cpu/a64/op.h"
#include "cpu/a64/sysreg_keys.h"

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

namespace {

// MRS and MSR (register): 1101 0101 00L1 op0<1> op1 CRn CRm op2 Rt, the key in bits 20:5.
constexpr uint32_t kMoveSysregMask = 0xFFD00000, kMoveSysreg = 0xD5100000;

// Registers both CPUs have and the tests can compare. A random 16-bit key almost never names
// one, so half of the MRS and MSR drawn get one of these instead.
constexpr uint32_t kSharedSysregs[] = {
    sysreg::NZCV,     sysreg::DAIF,      sysreg::SPSel,     sysreg::CurrentEL,   sysreg::SP_EL0,
    sysreg::ELR_EL1,  sysreg::SPSR_EL1,  sysreg::VBAR_EL1,  sysreg::TPIDR_EL0,   sysreg::TPIDRRO_EL0,
    sysreg::TPIDR_EL1, sysreg::FPCR,     sysreg::FPSR,      sysreg::DCZID_EL0,
};

}  // namespace

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
    if ((insn & kMoveSysregMask) == kMoveSysreg && rng.chance(1, 2)) {
        uint32_t key = kSharedSysregs[rng.below(std::size(kSharedSysregs))];
        uint32_t with_key = (insn & ~(0xFFFFu << 5)) | (key << 5);
        Op op{};
        if (decode(with_key) == d && d->build(op, with_key) != Build::Undefined)
            insn = with_key;
    }
    return {d, insn};
}

}  // namespace emu::test
