// Random-instruction lockstep against Unicorn: every entry of the decode table, filled with
// random fields, runs once from a random state on our interpreter and on Unicorn, and every
// register, the flags, PSTATE and the whole shared memory window must come out the same.
// Traps in both engines are skipped and counted; a trap in only one is a divergence, except
// for exception-generating and system instructions. Places where Unicorn is known to be wrong
// are handled in unicorn_deviations.h. The run prints, per table entry, how often it was
// generated, compared, skipped or excused, and fails if an entry was barely exercised.
//
// CI runs fixed seeds. For a longer or different run:
//     RR_DIFF_SEED=<n>          one run with that seed instead of the CI seeds
//     RR_DIFF_ITERATIONS=<n>    instructions per seed
// A failure names its seed and iteration; RR_DIFF_SEED=s RR_DIFF_ITERATIONS=i+1 replays it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "a64_disasm.h"
#include "a64_lockstep_rig.h"
#include "a64_random_insn.h"
#include "a64_random_state.h"
#include "a64_snapshot.h"
#include "core/format.h"
#include "cpu/a64/sysreg_keys.h"
#include "core/bits.h"
#include "support/a64_page_tables.h"
#include "unicorn_deviations.h"

using namespace emu;
using namespace emu::test;

namespace {

// 2 MiB of RAM with the code page in the middle: LDR (literal) reaches +-1 MiB from it.
constexpr uint64_t kRamBase = 0x40000000;
constexpr uint64_t kRamSize = 2u << 20;
constexpr uint64_t kCodeOffset = 1u << 20;
constexpr DataWindow window_at(uint64_t base) { return {base, kRamSize, base + kCodeOffset, 64u << 10}; }
// Unicorn may execute only the code page and the one after it (where `B .` follows the last
// word), and these hold nothing but `B .` around the instruction under test. A branch that
// lands anywhere else makes Unicorn fail its next fetch instead of translating random words,
// some of which make QEMU abort.
constexpr uint64_t kCodeRegionSize = 2 * kPageSize;

constexpr uint64_t kCiSeeds[] = {0x1, 0x2, 0x3, 0x4};
constexpr uint64_t kCiIterationsPerSeed = 50000;
// CI grows the run when the table grows so that each entry is drawn about this often.
constexpr uint64_t kTargetDrawsPerEntry = 600;

// A state where both engines trap (a base that came out misaligned for an exclusive, an index
// that sends the address out of the window) says nothing; the instruction is tried again from
// a new state this many times before it counts as skipped.
constexpr unsigned kAttempts = 4;

// Skips allowed, in per cent, for groups that should not trap at all.
constexpr double kMaxSkipPercentPerGroup = 3.0;
constexpr double kMaxSkipPercentPerEntry = 10.0;
constexpr uint32_t kBranchToSelf = 0x14000000;  // B .
// Instructions between whole-window memory checks.
constexpr uint64_t kStretch = 512;
// Divergences collected before the run gives up, at most one per entry.
constexpr unsigned kMaxReportedDivergences = 12;

struct EntryStats {
    uint64_t generated = 0;
    uint64_t compared = 0;
    uint64_t skipped = 0;     // both engines trapped on every attempt
    uint64_t one_sided = 0;   // system and exception-generating only: one engine trapped
    uint64_t deviations = 0;  // a known Unicorn deviation made the case incomparable
    uint64_t patched = 0;     // compared after correcting a known Unicorn deviation
    bool diverged = false;
};

uint64_t env_u64(const char* name, uint64_t fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

// MRS of a register whose value is the CPU's own business (identification, timers, memory
// system) legitimately differs; its destination is not compared. The registers in this list
// hold state both engines were given.
uint32_t ignored_destinations(uint32_t insn)
{
    using namespace a64::sysreg;
    constexpr uint32_t kMrsMask = 0xFFF00000, kMrs = 0xD5300000;
    if ((insn & kMrsMask) != kMrs)
        return 0;
    uint32_t key = bits(insn, 20, 5);
    switch (key) {
    case NZCV:
    case DAIF:
    case CurrentEL:
    case SPSel:
    case SCTLR_EL1:
    case DCZID_EL0:
    case FPCR:
    case FPSR:
        return 0;
    default:
        for (const ComparedSysreg& r : kComparedSysregs)
            if (r.key == key)
                return 0;
        unsigned rt = bits(insn, 4, 0);
        return rt == 31 ? 0 : 1u << rt;
    }
}

class RandomLockstep {
public:
    // `mmu`: run with stage 1 translation on, the window at its virtual base.
    explicit RandomLockstep(std::optional<RigMmu> mmu = std::nullopt)
        : window_(window_at(mmu ? mmu->va_base : kRamBase)),
          code_region_base_(window_.code_page),
          rig_(kRamBase, kRamSize, UC_PROT_READ | UC_PROT_WRITE, std::move(mmu)),
          stats_(a64::insn_table().size()),
          code_region_(kCodeRegionSize / 4, kBranchToSelf),
          last_pc_(code_region_base_)
    {
        rig_.protect_unicorn(code_region_base_, kCodeRegionSize, UC_PROT_ALL);
    }

    const A64InsnGenerator& generator() const { return gen_; }
    // Table entries that trap in both engines whatever the state (the setup denies them their
    // memory): their skips are not held against the coverage.
    void set_always_trap(std::vector<std::string> names) { always_trap_ = std::move(names); }
    const std::vector<std::string>& divergences() const { return divergences_; }
    uint64_t replays() const { return replays_; }

    // Runs `iterations` random instructions; false once enough divergences were collected.
    bool run_seed(uint64_t seed, uint64_t iterations)
    {
        // The window starts as noise derived from the seed; after that it carries whatever
        // earlier instructions stored, identically in both engines.
        SplitMix64 fill(seed ^ 0xF111F111F111F111ull);
        std::vector<uint8_t> bytes(window_.size);
        for (size_t i = 0; i < bytes.size(); i += 8) {
            uint64_t v = fill.next();
            std::memcpy(&bytes[i], &v, 8);
        }
        rig_.fill(bytes);
        restore_code_region();

        // A stretch of instructions first runs comparing, after each instruction, only the
        // memory near its registers and accesses (comparing 2 MiB per instruction would cost
        // most of the run), then the whole window once. Any difference replays the stretch
        // from its checkpoint comparing the whole window after every instruction: a store that
        // went astray is then blamed on the instruction that made it, not on a later one that
        // happened to look at the spot.
        for (uint64_t first = 0; first < iterations; first += kStretch) {
            uint64_t end = std::min(iterations, first + kStretch);
            std::memcpy(bytes.data(), rig_.our_ram(), window_.size);
            std::vector<EntryStats> stats = stats_;
            bool clean = true;
            for (uint64_t i = first; i < end && clean; i++)
                clean = run_one(seed, i, Compare::Near) == Outcome::Agreed;
            if (clean && rig_.memory_equal(window_.base, window_.size))
                continue;
            rig_.fill(bytes);
            stats_ = stats;
            replays_++;
            for (uint64_t i = first; i < end; i++)
                if (run_one(seed, i, Compare::Whole) == Outcome::Stop)
                    return false;
        }
        return true;
    }

    void print_table() const
    {
        std::printf("%-14s %-28s %9s %9s %8s %9s %9s %8s\n", "entry", "group", "generated", "compared", "skipped",
                    "one-sided", "deviation", "patched");
        for (size_t i = 0; i < stats_.size(); i++) {
            const a64::InsnDef& d = a64::insn_table()[i];
            const EntryStats& s = stats_[i];
            std::printf("%-14s %-28s %9" PRIu64 " %9" PRIu64 " %8" PRIu64 " %9" PRIu64 " %9" PRIu64 " %8" PRIu64
                        "%s\n",
                        d.name, group_name(group_of(d)), s.generated, s.compared, s.skipped, s.one_sided,
                        s.deviations, s.patched, s.diverged ? "  DIVERGED" : "");
        }
    }

    // Prints per-group totals and checks coverage and skips. Returns the failures.
    std::vector<std::string> check_coverage(uint64_t total) const
    {
        std::vector<std::string> failures;
        for (const a64::InsnDef* d : gen_.unreachable())
            failures.push_back(std::string(d->name) + ": no random encoding decodes to it and builds");
        size_t n = gen_.reachable().size();
        uint64_t min_count = n ? total / n / 3 : 0;
        struct Group {
            uint64_t generated = 0, compared = 0, skipped = 0, one_sided = 0;
        } groups[kNumInsnGroups];
        for (size_t i = 0; i < stats_.size(); i++) {
            const a64::InsnDef& d = a64::insn_table()[i];
            const EntryStats& s = stats_[i];
            if (std::find(always_trap_.begin(), always_trap_.end(), d.name) != always_trap_.end())
                continue;
            InsnGroup g = group_of(d);
            Group& t = groups[static_cast<unsigned>(g)];
            t.generated += s.generated;
            t.compared += s.compared;
            t.skipped += s.skipped;
            t.one_sided += s.one_sided;
            if (s.diverged)
                continue;  // already reported
            bool system = may_trap_one_sided(g);
            uint64_t exercised = system ? s.generated : s.compared;
            if (exercised < min_count)
                failures.push_back(std::string(d.name) + ": " + (system ? "generated" : "compared") + " only " +
                                   std::to_string(exercised) + " times (want " + std::to_string(min_count) + ")");
            if (!system && s.generated && 100.0 * s.skipped / s.generated > kMaxSkipPercentPerEntry)
                failures.push_back(std::string(d.name) + ": skipped " + std::to_string(s.skipped) + " of " +
                                   std::to_string(s.generated));
        }
        for (unsigned g = 0; g < kNumInsnGroups; g++) {
            const Group& t = groups[g];
            if (!t.generated)
                continue;
            double skip = 100.0 * (t.skipped + t.one_sided) / t.generated;
            std::printf("%-28s generated %8" PRIu64 " compared %8" PRIu64 " skipped %6" PRIu64
                            " one-sided %6" PRIu64 " (%.2f%% not compared)\n",
                            group_name(static_cast<InsnGroup>(g)), t.generated, t.compared, t.skipped, t.one_sided,
                            skip);
            if (!may_trap_one_sided(static_cast<InsnGroup>(g)) && skip > kMaxSkipPercentPerGroup)
                failures.push_back(std::string(group_name(static_cast<InsnGroup>(g))) + ": " + std::to_string(skip) +
                                   "% of instructions skipped");
        }
        return failures;
    }

private:
    enum class Compare { Near, Whole };

    // Compares the pages within the window margin of every register that points into the
    // window, and those Unicorn accessed; or the whole window.
    bool memory_matches(const A64Snapshot& before, Compare how)
    {
        if (how == Compare::Whole)
            return rig_.memory_equal(window_.base, window_.size);
        near_pages_.assign(window_.size / kPageSize, 0);
        auto mark = [&](uint64_t lo, uint64_t hi) {
            lo = std::max(lo, window_.base);
            hi = std::min(hi, window_.base + window_.size);
            for (uint64_t a = lo; a < hi; a = (a | (kPageSize - 1)) + 1)
                near_pages_[(a - window_.base) / kPageSize] = 1;
        };
        auto mark_pointer = [&](uint64_t v) {
            if (v >= window_.base && v - window_.base < window_.size)
                mark(v < window_.margin ? 0 : v - window_.margin, v + window_.margin);
        };
        for (uint64_t x : before.x)
            mark_pointer(x);
        mark_pointer(before.sp);
        for (const UnicornA64::Access& a : rig_.unicorn.accesses())
            mark(a.addr, a.addr + a.size);
        for (size_t p = 0; p < near_pages_.size(); p++)
            if (near_pages_[p] && !rig_.memory_equal(window_.base + p * kPageSize, kPageSize))
                return false;
        return true;
    }

    // Puts back `B .` where the last instruction was, and everywhere a store changed it.
    void restore_code_region()
    {
        rig_.write(last_pc_, &kBranchToSelf, 4);
        uint64_t off = code_region_base_ - window_.base;
        if (std::memcmp(rig_.our_ram() + off, code_region_.data(), kCodeRegionSize) != 0 ||
            std::memcmp(rig_.unicorn_ram() + off, code_region_.data(), kCodeRegionSize) != 0)
            rig_.write(code_region_base_, code_region_.data(), kCodeRegionSize);
    }

    // After a case whose memory is not compared (a trap in either engine; what a faulting
    // instruction leaves in memory is its own business). Under Compare::Near a difference may
    // be an earlier store's that the near check missed, so the stretch must be replayed (false);
    // under Compare::Whole it is this instruction's, and Unicorn is brought in line.
    bool settle_memory(Compare how)
    {
        if (rig_.memory_equal(window_.base, window_.size))
            return true;
        if (how == Compare::Near)
            return false;
        rig_.resync_unicorn_from_ours();
        return true;
    }

    enum class Outcome {
        Agreed,    // compared equal, or not comparable
        Diverged,  // Compare::Near only: something differs; replay comparing everything
        Stop,      // enough divergences reported
    };

    Outcome run_one(uint64_t seed, uint64_t iteration, Compare how)
    {
        SplitMix64 rng = SplitMix64::for_case(seed, iteration);
        A64InsnGenerator::Insn insn = gen_.next(rng);
        size_t idx = static_cast<size_t>(insn.def - a64::insn_table().data());
        EntryStats& st = stats_[idx];
        st.generated++;
        InsnGroup group = group_of(*insn.def);

        for (unsigned attempt = 0; attempt < kAttempts; attempt++) {
            restore_code_region();
            RandomCase c = random_case(rng, insn, window_);
            last_pc_ = c.state.pc;
            for (const Poke& p : c.pokes)
                rig_.write(p.addr, p.bytes, p.len);
            // The `B .` after the instruction ends Unicorn's translation block there.
            rig_.write(c.state.pc, &insn.bits, 4);
            rig_.reset_ours(c.state.pc);
            apply(c.state, rig_.cpu);
            apply(c.state, rig_.unicorn);

            LockstepRig::OurStep ours = rig_.step_ours();
            UnicornA64::StepResult theirs = rig_.unicorn.step(1);
            Deviation dev = known_deviation(insn.bits, c.state, ours, theirs.completed, rig_);
            if (dev == Deviation::NotComparable) {
                st.deviations++;
                rig_.undo_unicorn_stores();  // the store that ours rightly refused
                return settle_memory(how) ? Outcome::Agreed : Outcome::Diverged;
            }
            if (!ours.completed && !theirs.completed) {
                if (!settle_memory(how))
                    return Outcome::Diverged;
                continue;
            }
            if (ours.completed != theirs.completed && may_trap_one_sided(group)) {
                st.one_sided++;
                return settle_memory(how) ? Outcome::Agreed : Outcome::Diverged;
            }

            bool with_sys = c.state.has_sys;
            A64Snapshot after_ours = capture(rig_.cpu, with_sys, c.state.has_fp);
            A64Snapshot after_uc = capture(rig_.unicorn, with_sys, c.state.has_fp);
            std::vector<std::string> diffs;
            if (ours.completed != theirs.completed)
                diffs.push_back(std::string("trap: ours ") + (ours.completed ? "completed" : ours.what) + ", unicorn " +
                                theirs.text());
            for (std::string& s : differences(after_ours, after_uc, ignored_destinations(insn.bits)))
                diffs.push_back(std::move(s));
            for (std::string& s : rig_.our_invariant_failures())
                diffs.push_back(std::move(s));
            if (!memory_matches(c.state, how))
                for (std::string& s : rig_.memory_differences(window_.base, window_.size))
                    diffs.push_back("memory " + s);
            if (diffs.empty()) {
                st.compared++;
                st.patched += dev == Deviation::ReferencePatched;
                return Outcome::Agreed;
            }
            if (how == Compare::Near)
                return Outcome::Diverged;
            return report(seed, iteration, attempt, insn, c.state, diffs, st) ? Outcome::Agreed : Outcome::Stop;
        }
        st.skipped++;
        return Outcome::Agreed;
    }

    bool report(uint64_t seed, uint64_t iteration, unsigned attempt, const A64InsnGenerator::Insn& insn,
                const A64Snapshot& before, const std::vector<std::string>& diffs, EntryStats& st)
    {
        st.compared++;
        if (!st.diverged) {
            st.diverged = true;
            char head[256];
            std::snprintf(head, sizeof head,
                          "%s %08x  %s\nseed %" PRIu64 ", iteration %" PRIu64 ", attempt %u\n"
                          "replay: RR_DIFF_SEED=%" PRIu64 " RR_DIFF_ITERATIONS=%" PRIu64 "\n",
                          insn.def->name, insn.bits, disassemble_a64(insn.bits, before.pc).c_str(), seed, iteration,
                          attempt, seed, iteration + 1);
            std::string text = head;
            text += "initial state:\n" + format(before);
            if (!rig_.unicorn.accesses().empty()) {
                text += "memory accesses (as Unicorn made them; bytes before the access):\n";
                for (const UnicornA64::Access& a : rig_.unicorn.accesses()) {
                    text += std::string("  ") + (a.is_write ? "write " : "read  ") + std::to_string(a.size) + "B " +
                            format_bytes(a.addr, a.before, a.before_len);
                    if (a.is_write)
                        text += "  <- " + hex(a.value);
                    text += "\n";
                }
            }
            text += "differences:\n";
            for (const std::string& d : diffs)
                text += "  " + d + "\n";
            divergences_.push_back(text);
        }
        // Go on from equal memory so that later instructions are still tested.
        rig_.resync_unicorn_from_ours();
        return divergences_.size() < kMaxReportedDivergences;
    }

    DataWindow window_;
    uint64_t code_region_base_;
    LockstepRig rig_;
    A64InsnGenerator gen_;
    std::vector<EntryStats> stats_;
    std::vector<std::string> divergences_;
    std::vector<uint8_t> near_pages_;
    uint64_t replays_ = 0;
    std::vector<uint32_t> code_region_;
    uint64_t last_pc_;
    std::vector<std::string> always_trap_;
};

// Runs `run` over the CI seeds (or RR_DIFF_SEED), `per_seed` instructions each unless the
// table needs more to draw each entry kTargetDrawsPerEntry times over `seeds` (or
// RR_DIFF_ITERATIONS), and fails on any divergence or coverage gap.
void run_and_check(RandomLockstep& run, std::vector<uint64_t> seeds, uint64_t per_seed)
{
    uint64_t per_entry_need = kTargetDrawsPerEntry * run.generator().reachable().size();
    uint64_t iterations = std::max(per_seed, (per_entry_need + seeds.size() - 1) / seeds.size());
    if (std::getenv("RR_DIFF_SEED"))
        seeds = {env_u64("RR_DIFF_SEED", 0)};
    iterations = env_u64("RR_DIFF_ITERATIONS", iterations);

    auto t0 = std::chrono::steady_clock::now();
    uint64_t total = 0;
    for (uint64_t seed : seeds) {
        bool go_on = run.run_seed(seed, iterations);
        total += iterations;
        if (!go_on)
            break;
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    run.print_table();
    std::vector<std::string> coverage = run.check_coverage(total);
    std::printf("%" PRIu64 " random instructions over %zu seed(s) in %.1f s (%.1f us each); %" PRIu64
                " stretches of %" PRIu64 " replayed comparing all memory\n",
                total, seeds.size(), seconds, 1e6 * seconds / static_cast<double>(total ? total : 1), run.replays(),
                kStretch);

    std::string failure;
    for (const std::string& d : run.divergences())
        failure += "DIVERGENCE " + d + "\n";
    // After divergences the coverage figures are incomplete and say nothing more.
    if (run.divergences().empty())
        for (const std::string& c : coverage)
            failure += "COVERAGE " + c + "\n";
    if (!failure.empty())
        FAIL(failure);
}

// The window's pages through the tables: the code region executable, everything else not
// (so a stray branch faults in both engines), open to EL0 (so that LDTR/STTR work), and, so
// that faults of every kind happen in both, some pages read-only, EL1-only, unmapped, or
// without the access flag.
uint64_t mixed_leaf_bits(uint64_t offset, uint64_t leaf_size)
{
    using namespace desc;
    const uint64_t normal = attr_index(kAttrNormal) | kShInner | kAf;
    if (offset <= kCodeOffset && kCodeOffset < offset + leaf_size)
        return normal;
    const uint64_t data = normal | kPxn | kUxn;
    switch ((offset / leaf_size) % 32) {
    case 3: return data;
    case 7: return data | kApEl0 | kApReadOnly;
    case 11: return 0;
    case 13: return (data & ~kAf) | kApEl0;
    default: return data | kApEl0;
    }
}

}  // namespace

TEST_CASE("random A64 instructions run the same on our interpreter and on Unicorn", "[diff][a64][lockstep]")
{
    RandomLockstep run;
    run_and_check(run, std::vector<uint64_t>(std::begin(kCiSeeds), std::end(kCiSeeds)), kCiIterationsPerSeed);
}

// With the MMU on: the same random instructions, their data and fetches translated through
// tables both engines walk, the window at a virtual address away from its physical one.
// (No 16 KiB tables: the Cortex-A57 has none and walks them as 4 KiB ones, where Unicorn's
// CPU has them; the unit tests cover that walk.)
TEST_CASE("random A64 instructions with the MMU on: 4 KiB pages, 39-bit VA", "[diff][a64][lockstep][mmu]")
{
    RigMmu mmu;
    mmu.granule_bits = 12;
    mmu.va_bits = 39;
    mmu.va_base = 0x0000001240000000;
    mmu.leaf_bits = [](uint64_t off) { return mixed_leaf_bits(off, 4096); };
    RandomLockstep run(mmu);
    run_and_check(run, {0x11, 0x12}, kCiIterationsPerSeed / 2);
}

TEST_CASE("random A64 instructions with the MMU on: 64 KiB pages, 48-bit VA, TBI", "[diff][a64][lockstep][mmu]")
{
    RigMmu mmu;
    mmu.granule_bits = 16;
    mmu.va_bits = 48;
    mmu.va_base = 0x0000A5B600000000;
    mmu.tbi = true;
    mmu.leaf_bits = [](uint64_t off) { return mixed_leaf_bits(off, 65536); };
    RandomLockstep run(mmu);
    run_and_check(run, {0x21, 0x22}, kCiIterationsPerSeed / 2);
}

TEST_CASE("random A64 instructions with the MMU on: a 2 MiB block, identity mapped", "[diff][a64][lockstep][mmu]")
{
    RigMmu mmu;
    mmu.granule_bits = 12;
    mmu.va_bits = 39;
    mmu.leaf_level = 2;
    mmu.va_base = kRamBase;
    RandomLockstep run(mmu);
    // The one block must be executable at EL1, so EL0 may not use it: the unprivileged forms
    // fault in both engines every time (the page runs above cover them).
    run.set_always_trap({"STTR", "LDTR", "LDTRS", "LDTRSW"});
    run_and_check(run, {0x31, 0x32}, kCiIterationsPerSeed / 2);
}
