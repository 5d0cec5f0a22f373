// Random-instruction lockstep of our i386 interpreter against Unicorn, in 32-bit protected
// mode, real mode and 16-bit protected mode (X86Mode): each case is one random valid
// instruction (x86_random_insn.h) from a random state, run once on each engine. In the 16-bit
// modes the segment selectors are compared too, and segment loads, far transfers and IRET are
// among the cases. Compared after every case: the eight general registers, EIP, the defined EFLAGS
// bits (CF PF AF ZF SF OF DF IF) minus those the SDM leaves undefined for that instruction from
// that state, and the shared RAM byte for byte. An exception must be the same in both (by
// vector; Unicorn has no error codes) and must leave the same state. REP string instructions
// run, one iteration per step, until EIP leaves the instruction, and the end state is compared
// (Unicorn counts a last, non-retiring "ECX is zero" pass as a step, so the per-iteration
// counts of the two engines need not agree).
//
// CI runs fixed seeds, split over several test cases so that each stays short. For a longer
// or different run:
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
#include <map>
#include <string>
#include <vector>

#include "x86_lockstep_rig.h"
#include "x86_random_insn.h"

using namespace emu;
using namespace emu::test;

namespace {

using L = X86Layout;

constexpr uint64_t kCiIterationsPerSeed = 100000;
// Cases between whole-RAM comparisons; a difference found there replays the stretch comparing
// all of RAM after every case, to blame the instruction that made it.
constexpr uint64_t kStretch = 256;
// Divergences reported in full: at most one per instruction form and two per class, so that
// one broken mechanism (say the stack) does not hide the others. The run goes on to the end
// and the table counts every divergence per class.
constexpr unsigned kMaxReportedPerClass = 2;
// A REP string instruction with at most 12 iterations ends well within this many steps.
constexpr unsigned kMaxRepSteps = 64;
// The code region is filled with HLT: every byte a branch can land on is an instruction, and
// it ends a translation block in both engines, so that neither translates hundreds of
// instructions after the one under test (with NOPs, Unicorn spent 0.4 ms per case translating
// them). Neither engine executes it: a step stops before the next instruction.
constexpr uint8_t kHlt = 0xF4;
constexpr uint32_t kDefinedFlags = x86::kCF | x86::kPF | x86::kAF | x86::kZF | x86::kSF | x86::kOF | x86::kDF | x86::kIF;

uint64_t env_u64(const char* name, uint64_t fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

// The places where Unicorn 2.0.1 (QEMU 5.0 inside) is known to differ from the Intel SDM, and
// what the test does about each. Each was found by this test and checked by hand:
//
//  - LOCK NEG m8/m16/m32: the stored result is right, but SF, ZF and PF come from the operand
//    before negation (QEMU's locked path leaves the old value where the flags are computed
//    from). E.g. LOCK NEG byte [mem] of 0xE3 stores 0x1D; the SDM gives CF AF PF, Unicorn
//    reports CF AF SF. (CF, AF and OF agree: ZF and OF would be the same for the old value.)
//    Unicorn's SF ZF PF are recomputed from the stored result.
//  - A UC_HOOK_MEM_WRITE hook corrupts several results (see unicorn_x86.h); the rig installs
//    none.
//
// Returns true when Unicorn's EFLAGS were corrected.
bool correct_unicorn(const X86Case& c, X86LockstepRig& rig, X86Regs& theirs)
{
    if ((c.features & kFeatLock) && c.name.rfind("NEG r/m", 0) == 0) {
        if (!c.has_mem || c.mem_addr - L::kRamBase >= L::kRamSize - 4)
            return false;
        unsigned size = c.name == "NEG r/m8" ? 1 : c.name == "NEG r/m16" ? 2 : 4;
        uint32_t result = 0;
        std::memcpy(&result, rig.unicorn_ram() + (c.mem_addr - L::kRamBase), size);
        uint32_t f = theirs.eflags & ~(x86::kSF | x86::kZF | x86::kPF);
        uint32_t width_mask = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
        if ((result & width_mask) == 0)
            f |= x86::kZF;
        if ((result >> (8 * size - 1)) & 1)
            f |= x86::kSF;
        if (!(__builtin_popcount(result & 0xFF) & 1))
            f |= x86::kPF;
        theirs.eflags = f;
        return true;
    }
    return false;
}

struct ClassStats {
    uint64_t generated = 0;
    uint64_t compared = 0;      // both completed and agreed
    uint64_t both_faulted = 0;  // both raised the same exception and agreed
    uint64_t diverged = 0;
    uint64_t corrected = 0;  // compared after correcting a known Unicorn deviation
};

class RandomX86Lockstep {
public:
    explicit RandomX86Lockstep(X86Mode mode) : mode_(mode), rig_(L::kRamBase, L::kRamSize, mode) {}

    const std::vector<std::string>& divergences() const { return divergences_; }
    uint64_t replays() const { return replays_; }

    // Runs cases [0, iterations) of `seed`.
    bool run_seed(uint64_t seed, uint64_t iterations)
    {
        SplitMix64 fill(seed ^ 0x8086808680868086ull);
        std::vector<uint8_t> bytes(L::kRamSize);
        for (size_t i = 0; i < bytes.size(); i += 8) {
            uint64_t v = fill.next();
            std::memcpy(&bytes[i], &v, 8);
        }
        std::memset(bytes.data() + (L::kCode - L::kRamBase), kHlt, L::kCodeSize);
        rig_.fill(bytes);
        rig_.enter_mode();

        for (uint64_t first = 0; first < iterations; first += kStretch) {
            uint64_t end = std::min(iterations, first + kStretch);
            std::memcpy(bytes.data(), rig_.our_ram(), L::kRamSize);
            std::vector<ClassStats> stats = stats_;
            std::vector<uint64_t> features = features_;
            bool clean = true;
            for (uint64_t i = first; i < end && clean; i++)
                clean = run_one(seed, i, Compare::Near) == Outcome::Agreed;
            if (clean && rig_.memory_equal(L::kRamBase, L::kRamSize))
                continue;
            rig_.fill(bytes);
            stats_ = stats;
            features_ = features;
            replays_++;
            for (uint64_t i = first; i < end; i++)
                if (run_one(seed, i, Compare::Whole) == Outcome::Stop)
                    return false;
        }
        return true;
    }

    // Prints the per-class and per-feature table; returns coverage failures.
    std::vector<std::string> coverage(uint64_t total) const
    {
        std::vector<std::string> failures;
        std::printf("%-22s %9s %9s %9s %9s %9s\n", "class", "generated", "compared", "faulted", "diverged", "corrected");
        unsigned classes = 0;
        for (unsigned k = 0; k < kNumX86Classes; k++)
            classes += class_in_mode(static_cast<X86Class>(k), mode_);
        uint64_t min_class = total / classes / 3;
        for (unsigned k = 0; k < kNumX86Classes; k++) {
            if (!class_in_mode(static_cast<X86Class>(k), mode_))
                continue;
            const ClassStats& s = stats_[k];
            std::printf("%-22s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 "\n",
                        class_name(static_cast<X86Class>(k)), s.generated, s.compared, s.both_faulted, s.diverged,
                        s.corrected);
            if (s.compared + s.both_faulted < min_class)
                failures.push_back(std::string(class_name(static_cast<X86Class>(k))) + ": compared only " +
                                   std::to_string(s.compared + s.both_faulted) + " times (want " +
                                   std::to_string(min_class) + ")");
        }
        // Each feature is drawn with a known probability; these floors are well below it.
        static constexpr unsigned kFloorPerMille[kNumX86Features] = {60, 20, 10, 200, 5, 1, 150};
        for (unsigned f = 0; f < kNumX86Features; f++) {
            std::printf("  feature %-20s %9" PRIu64 "\n", feature_name(f), features_[f]);
            uint64_t floor = total * kFloorPerMille[f] / 1000;
            if (features_[f] < floor)
                failures.push_back(std::string("feature ") + feature_name(f) + ": reached " +
                                   std::to_string(features_[f]) + " times (want " + std::to_string(floor) + ")");
        }
        return failures;
    }

private:
    enum class Compare { Near, Whole };
    enum class Outcome { Agreed, Diverged, Stop };

    struct Result {
        bool completed;
        int vector;
        std::string text;
        unsigned steps;
    };

    Result run_ours(const X86Case& c)
    {
        unsigned steps = 0;
        for (;;) {
            X86LockstepRig::OurStep s = rig_.step_ours();
            steps++;
            if (!s.completed)
                return {false, s.vector, s.what, steps};
            if (!c.rep || rig_.cpu.s.eip != c.eip || steps >= kMaxRepSteps)
                return {true, -1, "completed", steps};
        }
    }

    // `ours` is where our CPU's run ended: in the 16-bit modes Unicorn is stopped at that
    // address (see unicorn_x86.h), unless that is the instruction itself again.
    Result run_unicorn(const X86Case& c, const Result& ours)
    {
        uint64_t until = 0;
        uint64_t ours_at = uint64_t{rig_.cpu.s.seg[x86::kCs].base} + rig_.cpu.s.eip;
        if (mode_ != X86Mode::Protected32 && ours.completed && ours_at != uint64_t{c.code_base} + c.eip && !c.rep)
            until = ours_at;
        unsigned steps = 0;
        for (;;) {
            UnicornX86::StepResult s = rig_.unicorn.step(1, until);
            steps++;
            if (!s.completed)
                return {false, s.vector, s.text(), steps};
            if (!c.rep || rig_.unicorn.eip() != c.eip || steps >= kMaxRepSteps)
                return {true, -1, "completed", steps};
        }
    }

    Outcome run_one(uint64_t seed, uint64_t iteration, Compare how)
    {
        SplitMix64 rng = SplitMix64::for_case(seed, iteration);
        X86Case c = random_x86_case(rng, mode_);
        ClassStats& st = stats_[static_cast<unsigned>(c.cls)];
        st.generated++;
        for (unsigned f = 0; f < kNumX86Features; f++)
            features_[f] += (c.features >> f) & 1;

        for (const X86Poke& p : c.pokes)
            rig_.write(p.addr, p.bytes, p.len);
        rig_.write(c.code_base + c.eip, c.bytes, c.len);
        X86Regs before{};
        std::memcpy(before.r, c.r, sizeof before.r);
        before.eip = c.eip;
        before.eflags = c.eflags;
        rig_.set_state(before);
        // Our CPU records the pages it writes; those are compared too in Near mode.
        RamRegion* ram = rig_.bus.ram_at(L::kRamBase);
        std::fill(ram->dirty_page.begin(), ram->dirty_page.end(), 0);

        Result ours = run_ours(c);
        Result theirs = run_unicorn(c, ours);
        X86Regs o = rig_.ours(), u = rig_.theirs();
        bool corrected = ours.completed && theirs.completed && correct_unicorn(c, rig_, u);

        std::vector<std::string> diffs;
        if (ours.completed != theirs.completed || ours.vector != theirs.vector)
            diffs.push_back("ours: " + ours.text + "; unicorn: " + theirs.text);
        static const char* const kNames[8] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
        char buf[160];
        for (unsigned i = 0; i < 8; i++) {
            uint32_t mask = 0xFFFFFFFF;
            if (static_cast<int>(i) == c.undefined_reg && (!c.undefined_reg_if_zf || (u.eflags & x86::kZF)))
                mask &= ~c.undefined_reg_mask;
            if ((o.r[i] ^ u.r[i]) & mask) {
                std::snprintf(buf, sizeof buf, "%s ours %08x unicorn %08x", kNames[i], o.r[i], u.r[i]);
                diffs.push_back(buf);
            }
        }
        if (o.eip != u.eip) {
            std::snprintf(buf, sizeof buf, "EIP ours %08x unicorn %08x", o.eip, u.eip);
            diffs.push_back(buf);
        }
        static const char* const kSegNames[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};
        for (unsigned i = 0; mode_ != X86Mode::Protected32 && i < 6; i++) {
            if (o.sel[i] != u.sel[i]) {
                std::snprintf(buf, sizeof buf, "%s ours %04x unicorn %04x", kSegNames[i], o.sel[i], u.sel[i]);
                diffs.push_back(buf);
            }
        }
        uint32_t flag_mask = kDefinedFlags & ~c.undefined_flags;
        if ((o.eflags ^ u.eflags) & flag_mask) {
            diffs.push_back("EFLAGS ours " + format_eflags(o.eflags) + " unicorn " + format_eflags(u.eflags) +
                            " (compared bits " + format_eflags(flag_mask) + ")");
        }
        if (c.undefined_mem_len)
            rig_.patch_unicorn(c.undefined_mem_addr, rig_.our_ram() + (c.undefined_mem_addr - L::kRamBase),
                               c.undefined_mem_len);
        if (!memory_matches(how, ram, c))
            for (std::string& s : rig_.memory_differences(L::kRamBase, L::kRamSize))
                diffs.push_back("memory " + s);

        // Put the HLTs back where the instruction was.
        uint8_t hlts[16];
        std::memset(hlts, kHlt, sizeof hlts);
        rig_.write(c.code_base + c.eip, hlts, c.len);

        if (diffs.empty()) {
            st.corrected += corrected;
            if (ours.completed)
                st.compared++;
            else
                st.both_faulted++;
            return Outcome::Agreed;
        }
        if (how == Compare::Near)
            return Outcome::Diverged;
        st.diverged++;
        return report(seed, iteration, c, before, ours, theirs, diffs) ? Outcome::Agreed : Outcome::Stop;
    }

    // Near: the pages our CPU marked written, those Unicorn read (it records no stores, see
    // unicorn_x86.h), the stack pages and the pages the case poked, with their neighbours (an
    // access may straddle a page end). A store elsewhere shows up in the whole-RAM comparison
    // at the end of the stretch, which then replays it. Whole: all of RAM.
    bool memory_matches(Compare how, RamRegion* ram, const X86Case& c)
    {
        if (how == Compare::Whole)
            return rig_.memory_equal(L::kRamBase, L::kRamSize);
        size_t pages = L::kRamSize / kPageSize;
        std::vector<uint8_t>& mark = near_pages_;
        mark.assign(pages, 0);
        for (size_t p = 0; p < pages && p < ram->dirty_page.size(); p++)
            if (ram->dirty_page[p])
                mark[p] = 1;
        auto mark_addr = [&](uint32_t a) {
            if (a >= L::kRamBase && a - L::kRamBase < L::kRamSize)
                mark[(a - L::kRamBase) / kPageSize] = 1;
        };
        for (const UnicornX86::Access& a : rig_.unicorn.accesses())
            mark_addr(a.addr);
        for (const X86Poke& p : c.pokes)
            mark_addr(p.addr);
        mark_addr(c.r[4]);
        mark_addr(rig_.theirs().r[4]);
        for (size_t p = 0; p < pages; p++) {
            bool near = mark[p] || (p > 0 && mark[p - 1]) || (p + 1 < pages && mark[p + 1]);
            if (near && !rig_.memory_equal(L::kRamBase + static_cast<uint32_t>(p * kPageSize), kPageSize))
                return false;
        }
        return true;
    }

    bool report(uint64_t seed, uint64_t iteration, const X86Case& c, const X86Regs& before, const Result& ours,
                const Result& theirs, const std::vector<std::string>& diffs)
    {
        unsigned& per_class = reported_per_class_[static_cast<unsigned>(c.cls)];
        if (per_class >= kMaxReportedPerClass || !reported_forms_.emplace(c.name, 1).second) {
            rig_.resync_unicorn_from_ours();
            return true;
        }
        per_class++;
        char head[512];
        std::snprintf(head, sizeof head,
                      "%s [%s, %s]  bytes: %s\nseed %" PRIu64 ", iteration %" PRIu64 "\n"
                      "replay: RR_DIFF_SEED=%" PRIu64 " RR_DIFF_ITERATIONS=%" PRIu64 "\n"
                      "steps: ours %u, unicorn %u\n",
                      c.name.c_str(), class_name(c.cls), mode_name(c.mode), hex_bytes(c.bytes, c.len).c_str(), seed, iteration, seed,
                      iteration + 1, ours.steps, theirs.steps);
        std::string text = head;
        text += "initial state:\n" + format_regs(before);
        if (c.undefined_flags)
            text += "  undefined flags (masked): " + format_eflags(c.undefined_flags) + "\n";
        if (!rig_.unicorn.accesses().empty()) {
            text += "loads (as Unicorn made them; bytes before the access):\n";
            for (const UnicornX86::Access& a : rig_.unicorn.accesses()) {
                char v[32];
                std::snprintf(v, sizeof v, "  <- %" PRIx64, a.value);
                text += std::string("  ") + (a.is_write ? "write " : "read  ") + std::to_string(a.size) + "B " +
                        format_x86_bytes(a.addr, a.before, a.before_len) + (a.is_write ? v : "") + "\n";
            }
        }
        text += "differences:\n";
        for (const std::string& d : diffs)
            text += "  " + d + "\n";
        divergences_.push_back(text);
        // Go on from equal memory so that later instructions are still tested.
        rig_.resync_unicorn_from_ours();
        return true;
    }

    X86Mode mode_;
    X86LockstepRig rig_;
    std::vector<ClassStats> stats_ = std::vector<ClassStats>(kNumX86Classes);
    std::vector<uint64_t> features_ = std::vector<uint64_t>(kNumX86Features);
    std::vector<std::string> divergences_;
    std::map<std::string, int> reported_forms_;
    std::vector<unsigned> reported_per_class_ = std::vector<unsigned>(kNumX86Classes);
    std::vector<uint8_t> near_pages_;
    uint64_t replays_ = 0;
};

// One CI part: seed `ci_seed`, unless RR_DIFF_SEED asks for another (then only part 1 runs).
void run_part(unsigned part, uint64_t ci_seed, X86Mode mode = X86Mode::Protected32)
{
    uint64_t seed = ci_seed;
    if (std::getenv("RR_DIFF_SEED")) {
        if (part != 1)
            return;
        seed = env_u64("RR_DIFF_SEED", 0);
    }
    uint64_t iterations = env_u64("RR_DIFF_ITERATIONS", kCiIterationsPerSeed);

    RandomX86Lockstep run(mode);
    auto t0 = std::chrono::steady_clock::now();
    run.run_seed(seed, iterations);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::vector<std::string> coverage = run.coverage(iterations);
    std::printf("%s, seed %" PRIu64 ": %" PRIu64 " random i386 instructions in %.1f s (%.1f us each); %" PRIu64
                " stretches of %" PRIu64 " replayed comparing all memory\n",
                mode_name(mode), seed, iterations, seconds, 1e6 * seconds / static_cast<double>(iterations ? iterations : 1),
                run.replays(), kStretch);

    std::string failure;
    for (const std::string& d : run.divergences())
        failure += "DIVERGENCE " + d + "\n";
    // After divergences the coverage figures are incomplete and say nothing more; a short
    // replay run (RR_DIFF_ITERATIONS) cannot reach the floors either.
    if (run.divergences().empty() && iterations >= kCiIterationsPerSeed)
        for (const std::string& c : coverage)
            failure += "COVERAGE " + c + "\n";
    if (!failure.empty())
        FAIL(failure);
}

}  // namespace

TEST_CASE("random i386 instructions run the same on our interpreter and on Unicorn (1/4)", "[diff][x86][lockstep]")
{
    run_part(1, 0x1);
}

TEST_CASE("random i386 instructions run the same on our interpreter and on Unicorn (2/4)", "[diff][x86][lockstep]")
{
    run_part(2, 0x2);
}

TEST_CASE("random i386 instructions run the same on our interpreter and on Unicorn (3/4)", "[diff][x86][lockstep]")
{
    run_part(3, 0x3);
}

TEST_CASE("random i386 instructions run the same on our interpreter and on Unicorn (4/4)", "[diff][x86][lockstep]")
{
    run_part(4, 0x4);
}

TEST_CASE("random real-mode instructions run the same on our interpreter and on Unicorn (1/2)", "[diff][x86][lockstep]")
{
    run_part(1, 0x11, X86Mode::Real16);
}

TEST_CASE("random real-mode instructions run the same on our interpreter and on Unicorn (2/2)", "[diff][x86][lockstep]")
{
    run_part(2, 0x12, X86Mode::Real16);
}

TEST_CASE("random 16-bit protected-mode instructions run the same on our interpreter and on Unicorn (1/2)",
          "[diff][x86][lockstep]")
{
    run_part(1, 0x21, X86Mode::Protected16);
}

TEST_CASE("random 16-bit protected-mode instructions run the same on our interpreter and on Unicorn (2/2)",
          "[diff][x86][lockstep]")
{
    run_part(2, 0x22, X86Mode::Protected16);
}
