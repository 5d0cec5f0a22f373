// The gdb target over real replays (replay/debug/replay_debug_target.h) against a naive
// reference: the same recording replayed one instruction at a time from the start, noting the
// pc, the registers and a watched word at every icount, and which instructions read or wrote
// it (as the CPU reports them one instruction at a time, core/access_watch.h; the reports
// themselves are checked against hand-made instruction sequences in access_watch_test.cpp).
// Random breakpoint sets, icount breakpoints and write, read and access watchpoints, resumed
// forward and backward from random positions and in chains, must stop exactly where the
// reference says, in the state it saw there; on guests of both machines that compute, take
// interrupts, idle and use paging.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <random>

#include "replay/debug/replay_debug_target.h"
#include "replay/run/replay_session.h"
#include "support/recording_fixture.h"

using namespace emu;
using namespace emu::test;
using debug::Direction;
using debug::Motion;
using debug::StopConditions;
using Stop = debug::StopKind;
using debug::WatchSide;

namespace {

const std::string kEchoInput = "the quick brown fox\njumps over the lazy dog\n\x04";

uint64_t hash_registers(Machine& m)
{
    uint64_t h = 1469598103934665603ull;
    for (uint64_t v : m.register_values())
        h = (h ^ v) * 1099511628211ull;
    return h;
}

// The recording replayed one instruction at a time.
struct Trace {
    std::vector<uint64_t> pc;         // at every icount 0..end
    std::vector<uint64_t> registers;  // hash_registers() there
    std::vector<uint32_t> watched;    // the watched word there
    std::vector<uint8_t> read, wrote; // whether instruction i read or wrote the word
    uint64_t end() const { return pc.size() - 1; }
};

Trace single_step(const std::string& path, uint64_t watch_addr)
{
    auto session = ReplaySession::open(path, "", [](uint8_t) {});
    REQUIRE(session);
    Replayer& r = (*session)->replayer();
    Machine& m = (*session)->machine();
    // Reads hit the first range, writes the second.
    AccessWatch& w = m.bus().access_watch();
    w.set_ranges({{watch_addr, 4, true, false}, {watch_addr, 4, false, true}});
    Trace t;
    for (uint64_t i = 0;; ++i) {
        w.forget_hits();
        Result<ReplayReport> report = r.run_to(i, Arrival::BeforeInstruction);
        t.read.resize(i + 1);
        t.wrote.resize(i + 1);
        for (const std::optional<AccessHit>& hit : {w.first_hit(), w.last_hit()}) {
            if (!hit)
                continue;
            REQUIRE(hit->icount <= i);
            // An interrupt's entry at i belongs to instruction i, which runs next.
            uint64_t k = hit->icount;
            t.read.resize(std::max<size_t>(t.read.size(), k + 1));
            t.wrote.resize(std::max<size_t>(t.wrote.size(), k + 1));
            (hit->write ? t.wrote : t.read)[k] = 1;
        }
        if (!report || report->divergence)
            FAIL("the single-stepped replay fails at icount " << i);
        if (m.icount() != i)
            break;
        uint64_t word = 0;
        m.read_memory(watch_addr, 4, word);
        t.pc.push_back(m.pc());
        t.registers.push_back(hash_registers(m));
        t.watched.push_back(static_cast<uint32_t>(word));
        if (r.finished())
            break;
    }
    return t;
}

struct Fixture {
    Recorded rec;
    uint64_t watch_addr;
    Trace trace;
    std::unique_ptr<ReplayCursor> cursor;
    std::unique_ptr<ReplayDebugTarget> target;
};

Fixture make_fixture(const RecordSpec& spec, const std::string& watched_symbol)
{
    Fixture f{record(spec), 0, {}, nullptr, nullptr};
    Result<ElfImage> image = read_elf(std::string(GUEST_DIR) + "/" + spec.guest + ".elf");
    REQUIRE(image);
    REQUIRE(image->symbols.count(watched_symbol));
    f.watch_addr = image->symbols.at(watched_symbol);
    f.trace = single_step(f.rec.path, f.watch_addr);
    REQUIRE(f.trace.end() == f.rec.outcome.icount);
    // The watched word is read and written, so read and access watchpoints have hits to find.
    REQUIRE(std::count(f.trace.read.begin(), f.trace.read.end(), 1) > 1);
    REQUIRE(std::count(f.trace.wrote.begin(), f.trace.wrote.end(), 1) > 1);
    auto session = ReplaySession::open(f.rec.path, "", [](uint8_t) {});
    REQUIRE(session);
    auto cursor = ReplayCursor::open(std::move(*session), SnapshotLimits{}, nullptr);
    REQUIRE(cursor);
    f.cursor = std::move(*cursor);
    auto target = ReplayDebugTarget::open(*f.cursor);
    REQUIRE(target);
    f.target = std::move(*target);
    return f;
}

struct Expected {
    uint64_t icount;
    Stop kind;
    std::optional<uint64_t> access;  // the accessing instruction of a watchpoint hit
};

bool in(const std::vector<uint64_t>& sorted, uint64_t v) { return std::binary_search(sorted.begin(), sorted.end(), v); }

// Whether instruction k (k < end) hits the one watchpoint of `c`: a write watchpoint by
// changing the word, the others by the accesses the trace saw.
bool hits(const Trace& t, const StopConditions& c, uint64_t k)
{
    if (c.watchpoints.empty())
        return false;
    switch (c.watchpoints[0].kind) {
    case debug::WatchKind::Write: return t.watched[k + 1] != t.watched[k];
    case debug::WatchKind::Read: return t.read[k];
    case debug::WatchKind::Access: return t.read[k] || t.wrote[k];
    }
    return false;
}

// Where a continue from `from` stops, by the trace: the conditions tested at each icount.
Expected expected_continue(const Trace& t, const StopConditions& c, uint64_t from, Direction d)
{
    bool watching = !c.watchpoints.empty();
    bool before = c.watch_side == WatchSide::BeforeAccess;
    // The watch hit placed at `i`: by instruction i (before it) or i - 1 (after it).
    auto watch_at = [&](uint64_t i) -> std::optional<uint64_t> {
        if (!watching)
            return std::nullopt;
        if (before && i < t.end() && hits(t, c, i))
            return i;
        if (!before && i > 0 && hits(t, c, i - 1))
            return i - 1;
        return std::nullopt;
    };
    auto hit = [&](uint64_t i) -> std::optional<Expected> {
        if (std::optional<uint64_t> k = watch_at(i))
            return Expected{i, Stop::Watchpoint, k};
        if (in(c.breakpoints, t.pc[i]))
            return Expected{i, Stop::Breakpoint, {}};
        if (in(c.icount_breakpoints, i))
            return Expected{i, Stop::IcountBreakpoint, {}};
        return std::nullopt;
    };
    if (d == Direction::Forward) {
        if (from == t.end())
            return {from, Stop::RecordingEnd, {}};
        // A watch hit by the current instruction stops before it without moving.
        if (before && watching)
            if (std::optional<uint64_t> k = watch_at(from))
                return {from, Stop::Watchpoint, k};
        for (uint64_t i = from + 1; i <= t.end(); ++i)
            if (std::optional<Expected> e = hit(i))
                return *e;
        return {t.end(), Stop::RecordingEnd, {}};
    }
    if (from == 0)
        return {0, Stop::RecordingBegin, {}};
    if (!before && watching)
        if (std::optional<uint64_t> k = watch_at(from))
            return {from, Stop::Watchpoint, k};
    for (uint64_t i = from; i-- > 0;)
        if (std::optional<Expected> e = hit(i))
            return *e;
    return {0, Stop::RecordingBegin, {}};
}

void check_stop(Fixture& f, const debug::StopEvent& got, const Expected& want)
{
    uint64_t at = f.target->icount();
    CHECK(at == want.icount);
    CHECK(got.kind == want.kind);
    if (at <= f.trace.end()) {
        CHECK(f.cursor->machine().pc() == f.trace.pc[at]);
        CHECK(hash_registers(f.cursor->machine()) == f.trace.registers[at]);
        // Memory as gdb reads it, through the page tables where paging is on.
        uint8_t bytes[4] = {};
        CHECK(f.target->read_memory(f.watch_addr, bytes) == 4);
        uint32_t word;
        std::memcpy(&word, bytes, 4);
        CHECK(word == f.trace.watched[at]);
    }
    if (want.kind == Stop::Watchpoint && got.watch) {
        uint64_t k = *want.access;
        CHECK(got.watch->access_icount == k);
        uint32_t old_value = 0, new_value = 0;
        REQUIRE(got.watch->old_value.size() == 4);
        REQUIRE(got.watch->new_value.size() == 4);
        std::memcpy(&old_value, got.watch->old_value.data(), 4);
        std::memcpy(&new_value, got.watch->new_value.data(), 4);
        CHECK(old_value == f.trace.watched[k]);
        CHECK(new_value == f.trace.watched[k + 1]);
    }
}

// The pcs the run executes, to draw breakpoints from, and a few it never does.
std::vector<uint64_t> random_breakpoints(const Trace& t, std::mt19937_64& rng)
{
    std::vector<uint64_t> pcs;
    size_t n = 1 + rng() % 4;
    for (size_t i = 0; i < n; ++i)
        pcs.push_back(rng() % 8 == 0 ? 0xdead0000 + 4 * (rng() % 16) : t.pc[rng() % t.pc.size()]);
    std::sort(pcs.begin(), pcs.end());
    pcs.erase(std::unique(pcs.begin(), pcs.end()), pcs.end());
    return pcs;
}

void check_against_reference(const RecordSpec& spec, const std::string& watched_symbol, uint64_t seed)
{
    Fixture f = make_fixture(spec, watched_symbol);
    const Trace& t = f.trace;
    std::mt19937_64 rng(seed);
    auto no_interrupt = [] { return false; };
    INFO(spec.guest << ", " << t.end() << " instructions");

    // Breakpoints and icount breakpoints, continued forward and backward in chains.
    {
        for (int round = 0; round < 40; ++round) {
            StopConditions c;
            c.breakpoints = random_breakpoints(t, rng);
            if (rng() % 3 == 0) {
                c.icount_breakpoints = {rng() % (t.end() + 1), rng() % (t.end() + 1)};
                std::sort(c.icount_breakpoints.begin(), c.icount_breakpoints.end());
                c.icount_breakpoints.erase(std::unique(c.icount_breakpoints.begin(), c.icount_breakpoints.end()),
                                           c.icount_breakpoints.end());
            }
            uint64_t start = rng() % (t.end() + 1);
            REQUIRE(f.target->seek(start));
            for (int hop = 0; hop < 4; ++hop) {
                Direction d = rng() % 2 ? Direction::Forward : Direction::Backward;
                uint64_t from = f.target->icount();
                INFO("breakpoints: round " << round << " hop " << hop << " from " << from
                                           << (d == Direction::Forward ? " forward" : " backward"));
                Expected want = expected_continue(t, c, from, d);
                check_stop(f, f.target->resume(d, Motion::Continue, c, no_interrupt), want);
            }
        }
    }
    // Steps forward and backward.
    {
        StopConditions c;
        c.breakpoints = random_breakpoints(t, rng);
        for (int round = 0; round < 30; ++round) {
            uint64_t start = rng() % (t.end() + 1);
            REQUIRE(f.target->seek(start));
            for (int hop = 0; hop < 5; ++hop) {
                Direction d = rng() % 2 ? Direction::Forward : Direction::Backward;
                uint64_t from = f.target->icount();
                INFO("steps: round " << round << " hop " << hop << " from " << from);
                debug::StopEvent e = f.target->resume(d, Motion::Step, c, no_interrupt);
                if (d == Direction::Forward)
                    check_stop(f, e, from == t.end() ? Expected{from, Stop::RecordingEnd, {}}
                                                     : Expected{from + 1, Stop::Stepped, {}});
                else
                    check_stop(f, e, from == 0 ? Expected{0, Stop::RecordingBegin, {}}
                                               : Expected{from - 1, Stop::Stepped, {}});
            }
        }
    }
    // A write, read or access watchpoint, on either side of the access, with old and new
    // values.
    for (debug::WatchKind kind : {debug::WatchKind::Write, debug::WatchKind::Read, debug::WatchKind::Access}) {
        for (int round = 0; round < 16; ++round) {
            StopConditions c;
            c.watchpoints = {{f.watch_addr, 4, kind}};
            c.watch_side = round % 2 ? WatchSide::BeforeAccess : WatchSide::AfterAccess;
            if (round % 4 >= 2)
                c.breakpoints = random_breakpoints(t, rng);
            uint64_t start = rng() % (t.end() + 1);
            REQUIRE(f.target->seek(start));
            for (int hop = 0; hop < 3; ++hop) {
                Direction d = rng() % 2 ? Direction::Forward : Direction::Backward;
                uint64_t from = f.target->icount();
                INFO("watchpoint " << static_cast<int>(kind) << ": round " << round << " hop " << hop << " from "
                                   << from << (d == Direction::Forward ? " forward" : " backward"));
                Expected want = expected_continue(t, c, from, d);
                check_stop(f, f.target->resume(d, Motion::Continue, c, no_interrupt), want);
            }
        }
    }
    // Read and access watchpoints stepped over, forward and backward: a step stops for the
    // instruction it crosses, on the side gdb expects.
    for (debug::WatchKind kind : {debug::WatchKind::Read, debug::WatchKind::Access}) {
        StopConditions c;
        c.watchpoints = {{f.watch_addr, 4, kind}};
        for (int round = 0; round < 8; ++round) {
            c.watch_side = round % 2 ? WatchSide::BeforeAccess : WatchSide::AfterAccess;
            // Start next to an access, where there is one.
            uint64_t start = rng() % (t.end() + 1);
            for (uint64_t k = start; k < t.end(); ++k)
                if (hits(t, c, k)) {
                    start = k;
                    break;
                }
            REQUIRE(f.target->seek(start));
            for (int hop = 0; hop < 4; ++hop) {
                Direction d = hop % 2 ? Direction::Backward : Direction::Forward;
                uint64_t from = f.target->icount();
                INFO("watched steps " << static_cast<int>(kind) << ": round " << round << " hop " << hop << " from "
                                      << from);
                debug::StopEvent e = f.target->resume(d, Motion::Step, c, no_interrupt);
                bool before = c.watch_side == WatchSide::BeforeAccess;
                Expected want{};
                if (d == Direction::Forward && from == t.end())
                    want = {from, Stop::RecordingEnd, {}};
                else if (d == Direction::Forward)
                    want = hits(t, c, from) ? Expected{before ? from : from + 1, Stop::Watchpoint, from}
                                            : Expected{from + 1, Stop::Stepped, {}};
                else if (from == 0)
                    want = {0, Stop::RecordingBegin, {}};
                else
                    want = hits(t, c, from - 1) ? Expected{before ? from - 1 : from, Stop::Watchpoint, from - 1}
                                                : Expected{from - 1, Stop::Stepped, {}};
                check_stop(f, e, want);
            }
        }
    }
    // Interrupted (gdb's Ctrl-C) somewhere on the way, in a state the replay really had there.
    {
        StopConditions c;
        auto interrupt = [] { return true; };
        for (int round = 0; round < 6; ++round) {
            uint64_t start = rng() % (t.end() + 1);
            REQUIRE(f.target->seek(start));
            Direction d = round % 2 ? Direction::Forward : Direction::Backward;
            INFO("interrupted: round " << round << " from " << start);
            debug::StopEvent e = f.target->resume(d, Motion::Continue, c, interrupt);
            uint64_t at = f.target->icount();
            if (d == Direction::Forward) {
                CHECK((e.kind == Stop::Interrupted || (e.kind == Stop::RecordingEnd && at == t.end())));
                CHECK((at > start || start == t.end()));
            } else {
                CHECK((e.kind == Stop::Interrupted || (e.kind == Stop::RecordingBegin && at == 0)));
                CHECK((at < start || start == 0));
            }
            check_stop(f, e, Expected{at, e.kind, {}});
        }
    }
    CHECK_FALSE(f.cursor->verdict().divergence);
}

}  // namespace

TEST_CASE("gdb target: stops where single-stepping says, virt", "[gdb][guest]")
{
    check_against_reference({"gdb_walk", "", "gdbt_walk", 2000, 7000}, "total", 1);
    // Timer interrupts, taken from WFI and from running code.
    check_against_reference({"timer_irq", "", "gdbt_timer", 50000, 200000}, "interrupts", 2);
    // Serial input by interrupt.
    check_against_reference({"serial_irq", kEchoInput, "gdbt_serial", 300, 1500}, "bytes", 3);
}

TEST_CASE("gdb target: stops where single-stepping says, pc", "[gdb][guest]")
{
    check_against_reference({"i386_gdb_walk", "", "gdbt_walk32", 2000, 7000, "pc"}, "total", 4);
    // PIT ticks while halted.
    check_against_reference({"i386_pit_hlt", "", "gdbt_pit", 1000, 4000, "pc"}, "ticks", 5);
    // Serial input by interrupt.
    check_against_reference({"i386_serial_irq", kEchoInput, "gdbt_serial32", 300, 1500, "pc"}, "bytes", 6);
    // Ring 3 under paging: the target reads memory through the page tables.
    check_against_reference({"i386_user_mode", "", "gdbt_user", 3000, 10000, "pc"}, "faults_handled", 7);
}

TEST_CASE("gdb target: a replay that departs from the recording ends there for gdb", "[gdb][guest]")
{
    Recorded rec = record({"gdb_walk", "", "gdbt_diverge", 2000, 7000});
    // The fifth state hash no longer matches the machine.
    std::vector<Ev> events = rec.events;
    int hashes = 0;
    uint64_t altered = 0;
    for (Ev& e : events) {
        if (e.kind != EventKind::StateHash || ++hashes != 5)
            continue;
        std::optional<StateDigest> d = decode<StateDigest>(e.payload);
        REQUIRE(d);
        d->cpu ^= 1;
        e.payload = encode(*d);
        altered = e.icount;
    }
    REQUIRE(altered > 0);
    std::string path = rewrite(rec.path, events, "gdbt_diverge_altered");
    auto session = ReplaySession::open(path, "", [](uint8_t) {});
    REQUIRE(session);
    auto cursor = ReplayCursor::open(std::move(*session), SnapshotLimits{}, nullptr);
    REQUIRE(cursor);
    auto target = ReplayDebugTarget::open(**cursor);
    REQUIRE(target);
    std::string told;
    (*cursor)->on_problem([&](const std::string& line) { told = line; });

    debug::StopEvent e = (*target)->resume(Direction::Forward, Motion::Continue, {}, [] { return false; });
    CHECK(e.kind == Stop::RecordingEnd);
    CHECK((*target)->icount() == altered);
    CHECK((*target)->extent().end == altered);
    REQUIRE((*cursor)->verdict().divergence);
    CHECK((*cursor)->verdict().divergence->icount == altered);
    CHECK(told.find("diverged at icount " + std::to_string(altered)) != std::string::npos);
    CHECK_FALSE((*target)->seek(altered + 1));
    // The past before it is still there.
    StopConditions c;
    c.icount_breakpoints = {altered / 2};
    e = (*target)->resume(Direction::Backward, Motion::Continue, c, [] { return false; });
    CHECK(e.kind == Stop::IcountBreakpoint);
    CHECK((*target)->icount() == altered / 2);
}

TEST_CASE("gdb target: memory through the AArch64 MMU, at virtual addresses", "[gdb][guest]")
{
    // guests/aarch64/mmu maps a window of test pages at 0x1000000000, slot n on `pages[n]`
    // (identity-mapped RAM, so the symbol is the physical address); slot 2 is not mapped.
    const uint64_t window = 0x1000000000;
    for (auto [guest, granule] : {std::pair<std::string, uint64_t>{"mmu_4k", 0x1000}, {"mmu_64k", 0x10000}}) {
        INFO(guest);
        Recorded rec = record({guest, "", "gdbt_" + guest, 0, 0});
        Result<ElfImage> image = read_elf(std::string(GUEST_DIR) + "/" + guest + ".elf");
        REQUIRE(image);
        REQUIRE(image->symbols.count("pages"));
        const uint64_t pages = image->symbols.at("pages");
        auto session = ReplaySession::open(rec.path, "", [](uint8_t) {});
        REQUIRE(session);
        auto cursor = ReplayCursor::open(std::move(*session), SnapshotLimits{}, nullptr);
        REQUIRE(cursor);
        auto target = ReplayDebugTarget::open(**cursor);
        REQUIRE(target);
        Machine& m = (*cursor)->machine();

        // At the start the MMU is off: virtual is physical, and the window is nothing.
        std::vector<uint8_t> got(granule);
        CHECK((*target)->read_memory(pages, got) == granule);
        CHECK((*target)->read_memory(window, got) == 0);

        // At the end it is on.
        debug::StopEvent e = (*target)->resume(Direction::Forward, Motion::Continue, {}, [] { return false; });
        REQUIRE(e.kind == Stop::RecordingEnd);
        uint8_t sctlr[8] = {};
        REQUIRE((*target)->read_register(static_cast<unsigned>(debug::A64Reg::sctlr_el1), sctlr));
        REQUIRE((sctlr[0] & 1) == 1);
        std::vector<uint8_t> want(granule);
        for (uint64_t i = 0; i < granule; i += 8) {
            uint64_t word = 0;
            REQUIRE(m.read_memory(pages + i, 8, word));
            std::memcpy(want.data() + i, &word, 8);
        }
        CHECK((*target)->read_memory(window, got) == granule);
        CHECK(got == want);
        // The note the guest passed to semihosting through the window.
        CHECK(std::string(reinterpret_cast<const char*>(got.data() + 0x200)).find("window") != std::string::npos);
        // Slot 1 reads up to where unmapped slot 2 begins.
        std::vector<uint8_t> across(16);
        CHECK((*target)->read_memory(window + 2 * granule - 8, across) == 8);
        uint64_t last = 0;
        std::memcpy(&last, across.data(), 8);
        CHECK(last == 0x1000 + granule - 8);  // as the guest filled pages[1]
        CHECK((*target)->read_memory(window + 2 * granule, across) == 0);
    }
}
