// The fake debug target's resume semantics (debug_target.h), which the replay engine must
// match: steps and continues in both directions, where watchpoint stops fall, the order of
// stop kinds, the edges of the recording and interrupts. Its reverse continue, which replays
// checkpoint windows forward as the engine will, is compared with a naive reference written
// here that walks back one position at a time, over random breakpoints and watchpoints.
#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <vector>

#include "support/fake_debug_target.h"

using namespace emu::debug;
using emu::test::FakeDebugTarget;

namespace {

const InterruptCheck kNever = [] { return false; };

StopEvent run(FakeDebugTarget& t, Direction d, Motion m, const StopConditions& c = {})
{
    return t.resume(d, m, c, kNever);
}

// The loop's memory accesses by instruction: 1 stores 4 bytes at data, 2 loads 4 bytes at
// data+4 (see fake_debug_target.h).
struct Access {
    uint64_t addr;
    bool write;
};

std::optional<Access> access_at(const FakeDebugTarget& t, uint64_t icount)
{
    switch (icount % FakeDebugTarget::kLoopLength) {
    case 1: return Access{t.data_base(), true};
    case 2: return Access{t.data_base() + 4, false};
    default: return std::nullopt;
    }
}

std::optional<Watchpoint> hit_at(const FakeDebugTarget& t, uint64_t icount, const StopConditions& c)
{
    std::optional<Access> a = access_at(t, icount);
    if (!a)
        return std::nullopt;
    for (const Watchpoint& w : c.watchpoints) {
        bool kind = w.kind == WatchKind::Access || (w.kind == WatchKind::Write) == a->write;
        if (kind && a->addr < w.addr + w.length && w.addr < a->addr + 4)
            return w;
    }
    return std::nullopt;
}

struct Expected {
    StopKind kind;
    uint64_t icount;
    std::optional<Watchpoint> watch;
};

bool has(const std::vector<uint64_t>& v, uint64_t x)
{
    return std::find(v.begin(), v.end(), x) != v.end();
}

// Reverse continue, one position at a time from `here` down, candidates at each position in
// the order of their kinds.
Expected reference_backward(const FakeDebugTarget& t, uint64_t here, const StopConditions& c)
{
    if (here == 0)
        return {StopKind::RecordingBegin, 0, std::nullopt};
    for (uint64_t q = here;; --q) {
        if (c.watch_side == WatchSide::AfterAccess && q >= 1)
            if (std::optional<Watchpoint> w = hit_at(t, q - 1, c))
                return {StopKind::Watchpoint, q, w};
        if (q < here) {
            if (c.watch_side == WatchSide::BeforeAccess)
                if (std::optional<Watchpoint> w = hit_at(t, q, c))
                    return {StopKind::Watchpoint, q, w};
            if (has(c.breakpoints, t.pc_at(q)))
                return {StopKind::Breakpoint, q, std::nullopt};
            if (has(c.icount_breakpoints, q))
                return {StopKind::IcountBreakpoint, q, std::nullopt};
        }
        if (q == 0)
            return {StopKind::RecordingBegin, 0, std::nullopt};
    }
}

Expected reference_forward(const FakeDebugTarget& t, uint64_t here, const StopConditions& c)
{
    uint64_t end = t.extent().end;
    if (here == end)
        return {StopKind::RecordingEnd, end, std::nullopt};
    for (uint64_t k = here;; ++k) {
        std::optional<Watchpoint> w = hit_at(t, k, c);
        if (w)
            return {StopKind::Watchpoint, c.watch_side == WatchSide::BeforeAccess ? k : k + 1, w};
        if (has(c.breakpoints, t.pc_at(k + 1)))
            return {StopKind::Breakpoint, k + 1, std::nullopt};
        if (has(c.icount_breakpoints, k + 1))
            return {StopKind::IcountBreakpoint, k + 1, std::nullopt};
        if (k + 1 == end)
            return {StopKind::RecordingEnd, end, std::nullopt};
    }
}

}  // namespace

TEST_CASE("fake target: steps move one instruction each way and stop at the edges", "[gdb]")
{
    FakeDebugTarget t(Arch::AArch64, 12, 5);
    CHECK(run(t, Direction::Backward, Motion::Step).kind == StopKind::RecordingBegin);
    CHECK(t.icount() == 0);
    for (uint64_t i = 1; i <= 12; ++i) {
        CHECK(run(t, Direction::Forward, Motion::Step).kind == StopKind::Stepped);
        CHECK(t.icount() == i);
    }
    CHECK(run(t, Direction::Forward, Motion::Step).kind == StopKind::RecordingEnd);
    CHECK(run(t, Direction::Forward, Motion::Continue).kind == StopKind::RecordingEnd);
    CHECK(t.icount() == 12);
    CHECK(run(t, Direction::Backward, Motion::Step).kind == StopKind::Stepped);
    CHECK(t.icount() == 11);
    CHECK(t.pc_at(11) == t.pc_of_instruction(1));
    CHECK(run(t, Direction::Backward, Motion::Continue).kind == StopKind::RecordingBegin);
    CHECK(t.icount() == 0);
}

TEST_CASE("fake target: continue leaves a breakpoint it starts on, in both directions", "[gdb]")
{
    FakeDebugTarget t(Arch::I386);
    StopConditions c;
    c.breakpoints = {t.pc_of_instruction(3)};
    CHECK(run(t, Direction::Forward, Motion::Continue, c).kind == StopKind::Breakpoint);
    CHECK(t.icount() == 3);
    CHECK(run(t, Direction::Forward, Motion::Continue, c).kind == StopKind::Breakpoint);
    CHECK(t.icount() == 8);
    CHECK(run(t, Direction::Backward, Motion::Continue, c).kind == StopKind::Breakpoint);
    CHECK(t.icount() == 3);
    CHECK(run(t, Direction::Backward, Motion::Continue, c).kind == StopKind::RecordingBegin);
    // A step never reports a breakpoint.
    CHECK(run(t, Direction::Forward, Motion::Step, c).kind == StopKind::Stepped);
}

TEST_CASE("fake target: watchpoint hits carry the access and the values before and after it", "[gdb]")
{
    FakeDebugTarget t(Arch::AArch64);
    REQUIRE(t.seek(10).ok());
    StopConditions c;
    c.watchpoints = {{t.data_base(), 4, WatchKind::Write}, {t.data_base() + 4, 4, WatchKind::Read}};
    c.watch_side = WatchSide::AfterAccess;
    StopEvent e = run(t, Direction::Forward, Motion::Continue, c);
    REQUIRE(e.kind == StopKind::Watchpoint);
    REQUIRE(e.watch);
    CHECK(e.watch->watchpoint == c.watchpoints[0]);
    CHECK(e.watch->access_icount == 11);
    CHECK(e.watch->access_addr == t.data_base());
    CHECK(e.watch->write);
    CHECK(e.watch->old_value == std::vector<uint8_t>{2, 0, 0, 0});
    CHECK(e.watch->new_value == std::vector<uint8_t>{3, 0, 0, 0});
    CHECK(t.icount() == 12);
    CHECK(t.counter_at(12) == 3);

    e = run(t, Direction::Forward, Motion::Continue, c);
    REQUIRE(e.watch);
    CHECK(e.watch->watchpoint == c.watchpoints[1]);
    CHECK_FALSE(e.watch->write);
    CHECK(e.watch->old_value == std::vector<uint8_t>{5, 0, 0, 0});
    CHECK(e.watch->new_value == e.watch->old_value);
    CHECK(t.icount() == 13);

    // Backward with BeforeAccess: the same load again, now stopping before it.
    c.watch_side = WatchSide::BeforeAccess;
    e = run(t, Direction::Backward, Motion::Continue, c);
    REQUIRE(e.watch);
    CHECK(e.watch->access_icount == 12);
    CHECK(t.icount() == 12);
    // And a step over it with BeforeAccess going forward does not move.
    e = run(t, Direction::Forward, Motion::Step, c);
    CHECK(e.kind == StopKind::Watchpoint);
    CHECK(t.icount() == 12);
    // Going backward with AfterAccess, the store right behind stops without moving too.
    REQUIRE(t.seek(12).ok());
    c.watch_side = WatchSide::AfterAccess;
    e = run(t, Direction::Backward, Motion::Step, c);
    CHECK(e.kind == StopKind::Watchpoint);
    CHECK(e.watch->access_icount == 11);
    CHECK(t.icount() == 12);
}

TEST_CASE("fake target: at equal icounts a watchpoint beats a breakpoint beats an icount breakpoint", "[gdb]")
{
    FakeDebugTarget t(Arch::I386);
    StopConditions c;
    c.watch_side = WatchSide::AfterAccess;
    c.watchpoints = {{t.data_base(), 4, WatchKind::Write}};
    c.breakpoints = {t.pc_of_instruction(2)};  // where the store's AfterAccess stop is
    c.icount_breakpoints = {2};
    CHECK(run(t, Direction::Forward, Motion::Continue, c).kind == StopKind::Watchpoint);
    CHECK(t.icount() == 2);
    c.watchpoints.clear();
    REQUIRE(t.seek(0).ok());
    CHECK(run(t, Direction::Forward, Motion::Continue, c).kind == StopKind::Breakpoint);
    c.breakpoints.clear();
    REQUIRE(t.seek(0).ok());
    CHECK(run(t, Direction::Forward, Motion::Continue, c).kind == StopKind::IcountBreakpoint);
    CHECK(t.icount() == 2);
}

TEST_CASE("fake target: seek, checkpoints, memory and registers", "[gdb]")
{
    FakeDebugTarget t(Arch::AArch64, 250, 100);
    CHECK(t.checkpoints() == std::vector<uint64_t>{0, 100, 200});
    CHECK(t.extent().begin == 0);
    CHECK(t.extent().end == 250);
    CHECK_FALSE(t.seek(251).ok());
    CHECK(t.icount() == 0);
    REQUIRE(t.seek(250).ok());
    std::vector<uint8_t> word(4);
    CHECK(t.read_memory(t.data_base(), word) == 4);
    CHECK(word == std::vector<uint8_t>{50, 0, 0, 0});  // 250 instructions: 50 stores
    std::vector<uint8_t> big(100);
    CHECK(t.read_memory(t.data_base() + 60, big) == 4);
    CHECK(t.read_memory(t.data_base() - 1, big) == 0);
    std::vector<uint8_t> pc(8);
    REQUIRE(t.read_register(static_cast<unsigned>(A64Reg::pc), pc));
    CHECK(pc[0] == 0x00);  // 250 = 50 loops: instruction 0
    FakeDebugTarget x86(Arch::I386);
    std::vector<uint8_t> st(10);
    CHECK_FALSE(x86.read_register(static_cast<unsigned>(I386Reg::st0), st));
}

TEST_CASE("fake target: an interrupt stops a continue in either direction", "[gdb]")
{
    FakeDebugTarget t(Arch::AArch64, 1'000'000, 10'000);
    unsigned polls = 0;
    InterruptCheck third = [&] { return ++polls == 3; };
    CHECK(t.resume(Direction::Forward, Motion::Continue, {}, third).kind == StopKind::Interrupted);
    CHECK(t.icount() == 3 * 64);
    REQUIRE(t.seek(1'000'000).ok());
    polls = 0;
    CHECK(t.resume(Direction::Backward, Motion::Continue, {}, third).kind == StopKind::Interrupted);
    CHECK(t.icount() < 1'000'000);
    CHECK(t.icount() > 900'000);
}

TEST_CASE("fake target: continue matches a one-position-at-a-time reference over random conditions", "[gdb]")
{
    std::mt19937_64 rng(20240601);
    auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); };
    for (int round = 0; round < 400; ++round) {
        Arch arch = pick(2) ? Arch::AArch64 : Arch::I386;
        uint64_t length = 1 + pick(120);
        uint64_t every = 1 + pick(25);
        FakeDebugTarget t(arch, length, every);
        StopConditions c;
        c.watch_side = pick(2) ? WatchSide::BeforeAccess : WatchSide::AfterAccess;
        std::set<uint64_t> bps, icounts;
        for (uint64_t n = pick(3); n > 0; --n)
            bps.insert(pick(4) ? t.pc_of_instruction(static_cast<unsigned>(pick(5))) : t.code_base() + 0x80);
        for (uint64_t n = pick(3); n > 0; --n)
            icounts.insert(pick(length + 1));
        c.breakpoints.assign(bps.begin(), bps.end());
        c.icount_breakpoints.assign(icounts.begin(), icounts.end());
        for (uint64_t n = pick(3); n > 0; --n) {
            WatchKind kind = static_cast<WatchKind>(pick(3));
            c.watchpoints.push_back({t.data_base() + pick(10), 1 + pick(4), kind});
        }
        uint64_t start = pick(length + 1);
        bool backward = pick(2);
        INFO("round " << round << ": length " << length << ", checkpoints every " << every << ", from " << start
                      << (backward ? " backward" : " forward"));
        Expected want = backward ? reference_backward(t, start, c) : reference_forward(t, start, c);
        REQUIRE(t.seek(start).ok());
        StopEvent got = run(t, backward ? Direction::Backward : Direction::Forward, Motion::Continue, c);
        CHECK(got.kind == want.kind);
        CHECK(t.icount() == want.icount);
        CHECK(got.watch.has_value() == want.watch.has_value());
        if (got.watch && want.watch)
            CHECK(got.watch->watchpoint == *want.watch);
    }
}
