#include "unicorn_deviations.h"

#include <cstring>

#include "core/bits.h"

namespace emu::test {

namespace {

uint64_t reg_or_sp(const A64Snapshot& s, unsigned r) { return r == 31 ? s.sp : s.x[r]; }
uint64_t reg_or_zr(const A64Snapshot& s, unsigned r) { return r == 31 ? 0 : s.x[r]; }

// LD<op> Rs, Rt, [Xn] (atomic memory operations): size 111000 A R 1 Rs o3 opc 00 Rn Rt.
bool is_narrow_min_max(uint32_t insn)
{
    return bits(insn, 29, 24) == 0b111000 && bit(insn, 21) == 1 && bits(insn, 11, 10) == 0 && bit(insn, 15) == 0 &&
           bits(insn, 14, 12) >= 4 && bits(insn, 31, 30) != 3;
}

Deviation patch_min_max(uint32_t insn, const A64Snapshot& before, LockstepRig& rig)
{
    unsigned size = 1u << bits(insn, 31, 30);
    unsigned width = 8 * size;
    uint64_t addr = reg_or_sp(before, bits(insn, 9, 5));
    for (const UnicornA64::Access& a : rig.unicorn.accesses()) {
        if (a.is_write || a.addr != addr || a.size != size || a.before_len != size)
            continue;
        uint64_t old = 0;
        std::memcpy(&old, a.before, size);
        uint64_t rs = reg_or_zr(before, bits(insn, 20, 16)) & ones(width);
        int64_t sold = sign_extend(old, width), srs = sign_extend(rs, width);
        uint64_t result = 0;
        switch (bits(insn, 14, 12)) {
        case 4: result = sold > srs ? old : rs; break;  // SMAX
        case 5: result = sold < srs ? old : rs; break;  // SMIN
        case 6: result = old > rs ? old : rs; break;    // UMAX
        case 7: result = old < rs ? old : rs; break;    // UMIN
        }
        rig.patch_unicorn(addr, &result, size);
        return Deviation::ReferencePatched;
    }
    return Deviation::None;
}

// The load/store exclusive and ordered group: size 001000 o2 L o1 Rs o0 Rt2 Rn Rt. o2:o1 = 00
// exclusive, 01 exclusive pair (size 1x) or CASP (size 0x), 10 load-acquire/store-release,
// 11 CAS.
bool is_misaligned_exclusive_or_ordered(uint32_t insn, const A64Snapshot& before)
{
    if (bits(insn, 29, 24) != 0b001000)
        return false;
    bool o2 = bit(insn, 23), o1 = bit(insn, 21);
    unsigned size = bits(insn, 31, 30);
    if (o1 && (o2 || size < 2))
        return false;  // CAS, CASP: QEMU checks their alignment
    uint64_t align = (o1 ? 2u : 1u) << size;
    return (reg_or_sp(before, bits(insn, 9, 5)) & (align - 1)) != 0;
}

}  // namespace

Deviation known_deviation(uint32_t insn, const A64Snapshot& before, const LockstepRig::OurStep& ours,
                          bool unicorn_completed, LockstepRig& rig)
{
    // ESR_EL1 of a data abort at EL1 that is an Alignment fault: EC 0x25, DFSC 0x21.
    constexpr uint64_t kEcDataAbortSameEl = 0x25, kDfscAlignment = 0x21;
    bool ours_alignment_fault = !ours.completed && (ours.esr >> 26) == kEcDataAbortSameEl &&
                                (ours.esr & 0x3F) == kDfscAlignment;
    if (ours.completed && unicorn_completed && is_narrow_min_max(insn))
        return patch_min_max(insn, before, rig);
    if (ours_alignment_fault && unicorn_completed && is_misaligned_exclusive_or_ordered(insn, before))
        return Deviation::NotComparable;
    // An SP alignment fault (EC 0x26) of a load or store based on a misaligned SP.
    constexpr uint64_t kEcSpAlignment = 0x26;
    bool ours_sp_fault = !ours.completed && (ours.esr >> 26) == kEcSpAlignment;
    if (ours_sp_fault && unicorn_completed && bits(insn, 9, 5) == 31 && (before.sp & 15) != 0)
        return Deviation::NotComparable;
    return Deviation::None;
}

}  // namespace emu::test
