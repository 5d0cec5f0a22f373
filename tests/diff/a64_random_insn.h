// Random valid A64 encodings drawn from the decode table: an entry is picked uniformly, its
// field bits are filled at random, and the encoding is kept only if it decodes back to that
// entry and our builder accepts it. Whatever the table holds is what gets tested. One nudge:
// half of the MRS and MSR (register) drawn name a system register both CPUs have, since a
// random key almost never does.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/a64/decoder.h"
#include "split_mix.h"

namespace emu::test {

// The top-level A64 encoding groups (ARM ARM C4.1), read from an entry's fixed bits.
enum class InsnGroup {
    DataProcImm,
    DataProcReg,
    Branch,         // branches, including the branch-register group (BR, RET, ERET)
    ExceptionGen,   // SVC, HVC, SMC, BRK, HLT, DCPS
    System,         // hints, barriers, PSTATE writes, SYS, MRS, MSR
    LoadStore,
    SimdFp,
};
inline constexpr unsigned kNumInsnGroups = 7;
const char* group_name(InsnGroup g);
InsnGroup group_of(const a64::InsnDef& d);
// Exception-generating and system instructions may trap in one engine and not in the other
// (platform calls, semihosting, registers one CPU lacks); their unit tests cover that.
inline bool may_trap_one_sided(InsnGroup g) { return g == InsnGroup::ExceptionGen || g == InsnGroup::System; }

// True when bits [hi:lo] of the pattern are exactly the field `letter`.
bool has_field(const a64::InsnDef& d, char letter, unsigned hi, unsigned lo);

class A64InsnGenerator {
public:
    struct Insn {
        const a64::InsnDef* def;
        uint32_t bits;
    };

    A64InsnGenerator();

    Insn next(SplitMix64& rng);

    // Entries for which no random fill was accepted: shadowed by more specific lines, or
    // rejected by their builder every time.
    const std::vector<const a64::InsnDef*>& unreachable() const { return unreachable_; }
    const std::vector<const a64::InsnDef*>& reachable() const { return reachable_; }

private:
    // A random fill of the entry's field bits that decodes to it and builds; false if none
    // was found in `tries` attempts.
    static bool fill(const a64::InsnDef& d, SplitMix64& rng, unsigned tries, uint32_t& out);

    std::vector<const a64::InsnDef*> reachable_;
    std::vector<const a64::InsnDef*> unreachable_;
};

}  // namespace emu::test
