#include "a64_random_state.h"

#include <cstring>
#include <iterator>

#include "a64_lockstep_rig.h"
#include "cpu/a64/sysreg_keys.h"
#include "core/bits.h"

namespace emu::test {

namespace {

// Values at which carries, overflows, sign and width boundaries happen.
constexpr uint64_t kEdgeValues[] = {
    0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
    0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0x100000000, 0xFFFFFFFF80000000,
    0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0x8000000000000001, 0xFFFFFFFFFFFFFFFE, 0xFFFFFFFFFFFFFFFF,
};

// A register value: small, an edge case, or anything.
uint64_t interesting_value(SplitMix64& rng)
{
    switch (rng.below(8)) {
    case 0: return rng.below(64);
    case 1: return 0 - rng.below(64);
    case 2:
    case 3: return kEdgeValues[rng.below(std::size(kEdgeValues))];
    case 4: return static_cast<uint32_t>(rng.next());
    case 5: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(rng.next())));
    default: return rng.next();
    }
}

// An address in the window, away from its ends; mostly 16-byte aligned so that exclusives
// and atomics, which fault when misaligned, usually run.
uint64_t window_pointer(SplitMix64& rng, const DataWindow& w)
{
    uint64_t p = w.base + w.margin + rng.below(w.size - 2 * w.margin);
    return rng.chance(15, 16) ? p & ~uint64_t{15} : p;
}

// A register index for register-offset addressing: small, and now and then negative so that
// sign-extending forms see negative offsets (zero-extending ones then fault and are retried).
uint64_t small_index(SplitMix64& rng)
{
    uint64_t v = rng.below(2048);
    return rng.chance(1, 4) ? 0 - v : v;
}

// SPSR values that ERET can return with on both CPUs: EL0t, EL1t or EL1h, any flags and
// interrupt masks, nothing else (no illegal returns, no debug or PAN state we do not model).
uint64_t legal_spsr(SplitMix64& rng)
{
    constexpr uint64_t kModes[] = {0x0, 0x4, 0x5};
    return kModes[rng.below(3)] | (rng.below(16) << 6) | (rng.below(16) << 28);
}

void random_sysregs(SplitMix64& rng, const DataWindow& w, A64Snapshot& s)
{
    using namespace a64::sysreg;
    s.has_sys = true;
    for (unsigned i = 0; i < kNumComparedSysregs; i++) {
        uint64_t v;
        switch (kComparedSysregs[i].key) {
        case SP_EL0: v = rng.chance(1, 2) ? window_pointer(rng, w) : interesting_value(rng); break;
        case ELR_EL1: v = rng.chance(3, 4) ? window_pointer(rng, w) & ~uint64_t{3} : interesting_value(rng); break;
        case SPSR_EL1: v = legal_spsr(rng); break;
        case VBAR_EL1: v = LockstepRig::kVectorPage; break;  // see LockstepRig
        default: v = interesting_value(rng); break;
        }
        s.sys[i] = v;
    }
}

}  // namespace


// Makes Rm equal, opposite, complementary or adjacent to Rn: carries and comparisons have
// their corner cases where the operands are related (x + ~x, x - x, x + 1).
void relate_operands(SplitMix64& rng, const A64InsnGenerator::Insn& insn, A64Snapshot& s)
{
    const a64::InsnDef& d = *insn.def;
    if (!has_field(d, 'n', 9, 5) || !has_field(d, 'm', 20, 16))
        return;
    unsigned n = bits(insn.bits, 9, 5), m = bits(insn.bits, 20, 16);
    if (n == 31 || m == 31)
        return;
    uint64_t v = s.x[n];
    switch (rng.below(5)) {
    case 0: s.x[m] = v; break;
    case 1: s.x[m] = 0 - v; break;
    case 2: s.x[m] = ~v; break;
    case 3: s.x[m] = v + 1; break;
    default: s.x[m] = v - 1; break;
    }
}

RandomCase random_case(SplitMix64& rng, const A64InsnGenerator::Insn& insn, const DataWindow& w)
{
    RandomCase c;
    A64Snapshot& s = c.state;
    for (uint64_t& x : s.x)
        x = interesting_value(rng);
    if (rng.chance(1, 4))
        relate_operands(rng, insn, s);
    s.sp = interesting_value(rng);
    s.nzcv = static_cast<uint32_t>(rng.below(16)) << 28;
    s.pc = w.code_page + 4 * rng.below(kPageSize / 4);

    const a64::InsnDef& d = *insn.def;
    auto set = [&](unsigned r, uint64_t v) {
        if (r == 31)
            s.sp = v;
        else
            s.x[r] = v;
    };
    switch (group_of(d)) {
    case InsnGroup::LoadStore: {
        // Base registers (and SP) point into the window; index registers stay small. The
        // index is set first so that a base that is also the index still points somewhere.
        s.sp = window_pointer(rng, w);
        if (has_field(d, 'm', 20, 16) && bits(insn.bits, 20, 16) != 31)
            s.x[bits(insn.bits, 20, 16)] = small_index(rng);
        if (has_field(d, 'n', 9, 5)) {
            unsigned n = bits(insn.bits, 9, 5);
            set(n, window_pointer(rng, w));
            // Compare-and-swap: now and then make memory hold the expected value(s), so that
            // the swap happens. Rs and Rs+1 as two doublewords or two words cover CAS and CASP
            // of both sizes.
            if (has_field(d, 's', 20, 16) && rng.chance(1, 2)) {
                unsigned rs = bits(insn.bits, 20, 16);
                auto reg = [&](unsigned r) { return r >= 31 ? uint64_t{0} : s.x[r]; };
                uint64_t addr = n == 31 ? s.sp : s.x[n];
                Poke p{addr, {}, 16};
                uint64_t lo = reg(rs), hi = reg(rs + 1);
                if (rng.chance(1, 2)) {
                    std::memcpy(p.bytes, &lo, 8);
                    std::memcpy(p.bytes + 8, &hi, 8);
                } else {
                    uint32_t l = static_cast<uint32_t>(lo), h = static_cast<uint32_t>(hi);
                    std::memcpy(p.bytes, &l, 4);
                    std::memcpy(p.bytes + 4, &h, 4);
                    p.len = 8;
                }
                c.pokes.push_back(p);
            }
        }
        break;
    }
    case InsnGroup::System:
        // DC ZVA and AT take an address in Xt.
        if (has_field(d, 't', 4, 0) && rng.chance(1, 2))
            set(bits(insn.bits, 4, 0), window_pointer(rng, w));
        random_sysregs(rng, w, s);
        break;
    case InsnGroup::Branch:
    case InsnGroup::ExceptionGen:
        random_sysregs(rng, w, s);  // ERET reads ELR_EL1 and SPSR_EL1
        break;
    case InsnGroup::DataProcImm:
    case InsnGroup::DataProcReg:
    case InsnGroup::SimdFp:
        break;
    }
    return c;
}

}  // namespace emu::test
