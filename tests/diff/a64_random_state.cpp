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

// Single-precision values where IEEE 754 and the ARM rules have their corner cases: zeros,
// infinities, quiet and signalling NaNs, denormals, the ends of the normal range, halves
// (round-to-nearest ties) and the limits of the integer conversions.
constexpr uint32_t kEdgeFloats[] = {
    0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7FC00001, 0x7FA00000,
    0xFF800001, 0x7F800001, 0x00000001, 0x80000001, 0x007FFFFF, 0x807FFFFF, 0x00800000, 0x80800000,
    0x7F7FFFFF, 0xFF7FFFFF, 0x3F800000, 0xBF800000, 0x3F000000, 0xBF000000, 0x3FC00000, 0x40200000,
    0xBFC00000, 0x4F000000, 0x4EFFFFFF, 0xCF000000, 0xCF000001, 0x4F800000, 0x5F000000, 0xDF000000,
    0x5F800000, 0x00400000, 0x33800000, 0x477FE000, 0x38800000, 0x387FC000,
};
constexpr uint64_t kEdgeDoubles[] = {
    0x0000000000000000, 0x8000000000000000, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000,
    0xFFF8000000000000, 0x7FF8000000000001, 0x7FF4000000000000, 0x7FF0000000000001, 0xFFF0000000000001,
    0x0000000000000001, 0x8000000000000001, 0x000FFFFFFFFFFFFF, 0x0010000000000000, 0x8010000000000000,
    0x7FEFFFFFFFFFFFFF, 0xFFEFFFFFFFFFFFFF, 0x3FF0000000000000, 0xBFF0000000000000, 0x3FE0000000000000,
    0x3FF8000000000000, 0x4004000000000000, 0x41E0000000000000, 0x41DFFFFFFFFFFFFF, 0xC1E0000000000000,
    0xC1E0000000200000, 0x41F0000000000000, 0x43E0000000000000, 0xC3E0000000000000, 0x43F0000000000000,
    0x47EFFFFFE0000000, 0x36A0000000000000, 0x380FFFFFC0000000, 0x3810000000000000, 0x40F0000000000000,
};
constexpr uint16_t kEdgeHalves[] = {
    0x0000, 0x8000, 0x7C00, 0xFC00, 0x7E00, 0x7D00, 0x7C01, 0x0001, 0x03FF, 0x0400, 0x7BFF, 0xFBFF,
    0x3C00, 0xBC00, 0x3800, 0x3E00, 0xFFFF, 0x7FFF,
};

// A float with a random sign, a random fraction and an exponent near 1, so that sums and
// products round, or anything at all.
uint32_t random_float(SplitMix64& rng)
{
    switch (rng.below(4)) {
    case 0: return kEdgeFloats[rng.below(std::size(kEdgeFloats))];
    case 1: return static_cast<uint32_t>(rng.next());
    case 2: {
        // An integer-valued or half-integer float, for conversions and rounding to integral.
        float f = static_cast<float>(static_cast<int32_t>(rng.below(1u << 12)) - 2048) * (rng.chance(1, 2) ? 0.5f : 1.0f);
        uint32_t u;
        std::memcpy(&u, &f, 4);
        return u;
    }
    default:
        return (static_cast<uint32_t>(rng.below(2)) << 31) | (static_cast<uint32_t>(112 + rng.below(32)) << 23) |
               static_cast<uint32_t>(rng.below(1u << 23));
    }
}

uint64_t random_double(SplitMix64& rng)
{
    switch (rng.below(4)) {
    case 0: return kEdgeDoubles[rng.below(std::size(kEdgeDoubles))];
    case 1: return rng.next();
    case 2: {
        double f = static_cast<double>(static_cast<int64_t>(rng.below(1u << 16)) - 32768) * (rng.chance(1, 2) ? 0.5 : 1.0);
        uint64_t u;
        std::memcpy(&u, &f, 8);
        return u;
    }
    default:
        return (rng.below(2) << 63) | ((1008 + rng.below(32)) << 52) | rng.below(uint64_t{1} << 52);
    }
}

// 64 bits of a vector register: two floats, a double, four halves, an integer edge, or noise.
uint64_t random_vector_half(SplitMix64& rng)
{
    switch (rng.below(6)) {
    case 0:
    case 1: return random_float(rng) | uint64_t{random_float(rng)} << 32;
    case 2: return random_double(rng);
    case 3: {
        uint64_t v = 0;
        for (unsigned i = 0; i < 4; i++)
            v |= uint64_t{rng.chance(1, 2) ? kEdgeHalves[rng.below(std::size(kEdgeHalves))]
                                           : static_cast<uint16_t>(rng.next())} << (16 * i);
        return v;
    }
    case 4: return interesting_value(rng);
    default: return rng.next();
    }
}

// FPCR in every rounding mode and with FZ, DN and AHP now and then; FPSR with some flags
// already set, as cumulative flags must stay set.
void random_fp_state(SplitMix64& rng, A64Snapshot& s)
{
    s.has_fp = true;
    for (a64::VReg& v : s.v) {
        v.d[0] = random_vector_half(rng);
        v.d[1] = rng.chance(1, 4) ? v.d[0] : random_vector_half(rng);
    }
    s.fpcr = 0;
    if (rng.chance(1, 2)) {
        s.fpcr |= rng.below(4) << a64::kFpcrRModeShift;
        s.fpcr |= rng.chance(1, 3) ? a64::kFpcrFz : 0;
        s.fpcr |= rng.chance(1, 3) ? a64::kFpcrDn : 0;
        s.fpcr |= rng.chance(1, 4) ? a64::kFpcrAhp : 0;
    }
    s.fpsr = rng.chance(1, 2) ? 0 : rng.next() & a64::kFpsrMask;
}

// Makes Vm equal, negated or close to Vn: cancellation, exact ties and equal operands of
// comparisons and min/max happen there.
void relate_vectors(SplitMix64& rng, const a64::InsnDef& d, uint32_t insn, A64Snapshot& s)
{
    if (!has_field(d, 'n', 9, 5) || !has_field(d, 'm', 20, 16))
        return;
    a64::VReg& vm = s.v[bits(insn, 20, 16)];
    const a64::VReg& vn = s.v[bits(insn, 9, 5)];
    switch (rng.below(3)) {
    case 0: vm = vn; break;
    case 1: vm.d[0] = vn.d[0] ^ 0x8000000080000000ull, vm.d[1] = vn.d[1] ^ 0x8000000000000000ull; break;
    default: vm.d[0] = vn.d[0] + rng.below(4), vm.d[1] = vn.d[1] - rng.below(4); break;
    }
}

}  // namespace

// Instructions that use the FP/SIMD register file: the data-processing group and loads and
// stores with V = 1 (bit 26).
bool uses_fp_state(const A64InsnGenerator::Insn& insn)
{
    InsnGroup g = group_of(*insn.def);
    return g == InsnGroup::SimdFp || (g == InsnGroup::LoadStore && bit(insn.def->bits.value, 26) &&
                                      bit(insn.def->bits.mask, 26));
}

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
    case InsnGroup::SimdFp:
    case InsnGroup::DataProcImm:
    case InsnGroup::DataProcReg:
        break;
    }
    if (uses_fp_state(insn)) {
        random_fp_state(rng, s);
        if (rng.chance(1, 4))
            relate_vectors(rng, d, insn.bits, s);
    }
    return c;
}

}  // namespace emu::test
