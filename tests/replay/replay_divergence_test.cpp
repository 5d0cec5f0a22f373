// Record/replay over real guests, in process: recordings whose events were altered must replay
// to a divergence reported at the right icount, and identical inputs must give identical runs.
#include <catch2/catch.hpp>

#include "replay/format/event_payloads.h"
#include "replay/run/replay_session.h"
#include "support/recording_fixture.h"

using namespace emu;
using namespace emu::test;

namespace {

struct Replayed {
    ReplayReport report;
    std::string output;
};

Replayed replay(const std::string& path)
{
    Replayed out;
    auto session = ReplaySession::open(path, "", [&](uint8_t b) { out.output.push_back(static_cast<char>(b)); });
    REQUIRE(session);
    Result<ReplayReport> report = (*session)->replayer().run_to(std::nullopt);
    REQUIRE(report);
    out.report = *report;
    return out;
}

const std::string kEchoInput = "the quick brown fox\njumps over the lazy dog\n\x04";

}  // namespace

TEST_CASE("a recording replays to the same run, twice", "[replay][guest]")
{
    Recorded rec = record({"serial_irq", kEchoInput, "same", 2000});
    REQUIRE(rec.outcome.kind == StopKind::PowerOff);
    REQUIRE(rec.output.find("the quick brown fox") != std::string::npos);
    for (int i = 0; i < 2; ++i) {
        Replayed r = replay(rec.path);
        CHECK_FALSE(r.report.divergence);
        CHECK_FALSE(r.report.truncated);
        CHECK(r.report.outcome.icount == rec.outcome.icount);
        CHECK(r.report.outcome.kind == StopKind::PowerOff);
        CHECK(r.output == rec.output);
        CHECK(r.report.state_hashes >= rec.outcome.icount / 2000);
    }
    // The same input file gives the same guest behaviour and the same events.
    Recorded again = record({"serial_irq", kEchoInput, "again", 2000});
    CHECK(again.output == rec.output);
    CHECK(again.outcome.icount == rec.outcome.icount);
    REQUIRE(again.events.size() == rec.events.size());
    for (size_t i = 0; i < rec.events.size(); ++i) {
        CHECK(again.events[i].icount == rec.events[i].icount);
        CHECK(again.events[i].kind == rec.events[i].kind);
        // Host time differs between the runs: the clock reads, and the RTC state that the
        // device part of each state hash covers. Everything else must be equal.
        if (rec.events[i].kind == EventKind::StateHash) {
            auto a = decode<StateDigest>(again.events[i].payload), b = decode<StateDigest>(rec.events[i].payload);
            REQUIRE(a);
            REQUIRE(b);
            CHECK(a->cpu == b->cpu);
            CHECK(a->ram == b->ram);
            CHECK(a->output == b->output);
            CHECK(a->registers == b->registers);
        } else if (rec.events[i].kind != EventKind::ClockRead) {
            CHECK(again.events[i].payload == rec.events[i].payload);
        }
    }
    std::filesystem::remove(rec.path);
    std::filesystem::remove(again.path);
}

TEST_CASE("an altered serial byte diverges at the first state hash after it", "[replay][guest]")
{
    Recorded rec = record({"serial_irq", kEchoInput, "alter", 500});
    std::vector<Ev> events = rec.events;
    // The delivery holding the 'j' of "jumps".
    size_t altered = events.size();
    for (size_t i = 0; i < events.size() && altered == events.size(); ++i) {
        if (events[i].kind != EventKind::SerialInput)
            continue;
        auto in = decode<InputEvent>(events[i].payload);
        REQUIRE(in);
        for (uint8_t& b : in->data)
            if (b == 'j') {
                b = 'J';
                events[i].payload = encode(*in);
                altered = i;
                break;
            }
    }
    REQUIRE(altered < events.size());
    uint64_t hash_before = 0, hash_after = 0;
    for (size_t i = 0; i < events.size(); ++i) {
        if (events[i].kind != EventKind::StateHash)
            continue;
        if (i < altered)
            hash_before = events[i].icount;
        else if (!hash_after)
            hash_after = events[i].icount;
    }
    REQUIRE(hash_after > events[altered].icount);

    std::string path = rewrite(rec.path, events, "altered");
    Replayed r = replay(path);
    REQUIRE(r.report.divergence);
    const Divergence& d = *r.report.divergence;
    CHECK(d.icount == hash_after);
    CHECK(d.last_match.value_or(0) == hash_before);
    CHECK(d.last_match.value_or(0) <= events[altered].icount);
    CHECK(d.last_input.find("SerialInput at icount") == 0);
    // The byte reaches the FIFO, RAM and then the output; the first hash after it sees some.
    CHECK(d.what.find("state hash differs") != std::string::npos);
    CHECK(r.output.find("jumps") == std::string::npos);
    std::filesystem::remove(path);
    std::filesystem::remove(rec.path);
}

TEST_CASE("altered hashes, exits and inputs are each reported", "[replay][guest]")
{
    Recorded rec = record({"serial_irq", kEchoInput, "kinds", 1000});

    SECTION("a state hash's register value")
    {
        std::vector<Ev> events = rec.events;
        auto it = std::find_if(events.begin(), events.end(), [](const Ev& e) { return e.kind == EventKind::StateHash; });
        REQUIRE(it != events.end());
        auto digest = decode<StateDigest>(it->payload);
        REQUIRE(digest);
        digest->cpu ^= 1;
        digest->registers[3] ^= 0x10;  // x3
        it->payload = encode(*digest);
        Replayed r = replay(rewrite(rec.path, events, "hash"));
        REQUIRE(r.report.divergence);
        CHECK(r.report.divergence->icount == it->icount);
        REQUIRE(r.report.divergence->registers.size() == 1);
        CHECK(r.report.divergence->registers[0].name == "x3");
        CHECK(r.report.divergence->registers[0].recorded == (r.report.divergence->registers[0].replayed ^ 0x10));
    }
    SECTION("the exit")
    {
        std::vector<Ev> events = rec.events;
        REQUIRE(events.back().kind == EventKind::GuestExit);
        events.back().payload = encode(GuestExitEvent{StopKind::GuestExit, 3, 0, {}});
        Replayed r = replay(rewrite(rec.path, events, "exit"));
        REQUIRE(r.report.divergence);
        CHECK(r.report.divergence->icount == rec.outcome.icount);
        CHECK(r.report.divergence->what.find("exit with code 3") != std::string::npos);
    }
    SECTION("a serial delivery dropped")
    {
        std::vector<Ev> events = rec.events;
        auto it = std::find_if(events.begin() + 5, events.end(), [](const Ev& e) { return e.kind == EventKind::SerialInput; });
        REQUIRE(it != events.end());
        uint64_t dropped_at = it->icount;
        events.erase(it);
        Replayed r = replay(rewrite(rec.path, events, "dropped"));
        REQUIRE(r.report.divergence);
        CHECK(r.report.divergence->icount >= dropped_at);
    }
    SECTION("the host clock read the RTC needs is missing")
    {
        std::vector<Ev> events = rec.events;
        REQUIRE(events.front().kind == EventKind::ClockRead);
        events.erase(events.begin());
        Replayed r = replay(rewrite(rec.path, events, "noclock"));
        REQUIRE(r.report.divergence);
        CHECK(r.report.divergence->what.find("reads the host realtime clock at icount 0") != std::string::npos);
    }
    std::filesystem::remove(rec.path);
}
