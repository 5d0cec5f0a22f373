// Checkpoints stored in recordings, on real guests of both machines: seeking from the nearest
// checkpoint agrees with a straight replay at and between every checkpoint; damaged checkpoint
// data is refused by name; and the searches built on them (a difference against a second
// recording, a departure from the recording) land on icounts known from the events alone.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <sys/wait.h>

#include "replay/search/bisect_runs.h"
#include "replay/search/divergence_search.h"
#include "replay/format/event_payloads.h"
#include "replay/run/replay_session.h"
#include "support/recording_fixture.h"

using namespace emu;
using namespace emu::test;

namespace {

std::unique_ptr<ReplaySession> open_session(const std::string& path)
{
    auto s = ReplaySession::open(path, "", [](uint8_t) {});
    REQUIRE(s);
    return std::move(*s);
}

std::vector<uint8_t> saved_without_ram(Machine& m)
{
    StateWriter w;
    m.serialize(w, RamPages::None);
    return w.bytes();
}

// Registers, every other field of the machine, and all of RAM.
bool same_state(Machine& a, Machine& b)
{
    if (a.register_values() != b.register_values() || saved_without_ram(a) != saved_without_ram(b))
        return false;
    const auto &ra = a.bus().ram_regions(), &rb = b.bus().ram_regions();
    for (size_t i = 0; i < ra.size(); ++i)
        if (ra[i].size != rb[i].size || std::memcmp(ra[i].host.get(), rb[i].host.get(), ra[i].size) != 0)
            return false;
    return true;
}

void check_seeks_agree(const Recorded& rec)
{
    auto straight = open_session(rec.path);
    auto seeking = open_session(rec.path);
    Result<CheckpointIndex> index = seeking->scan_checkpoints();
    REQUIRE(index);
    REQUIRE(index->checkpoints().size() >= 3);
    std::vector<uint64_t> targets;
    for (const CheckpointInfo& c : index->checkpoints())
        for (uint64_t t : {c.icount - 1, c.icount, c.icount + 1, c.icount + 77})
            if (t < rec.outcome.icount)
                targets.push_back(t);
    targets.push_back(rec.outcome.icount - 1);
    std::sort(targets.begin(), targets.end());
    for (uint64_t t : targets) {
        INFO("icount " << t);
        Result<ReplayReport> a = straight->replayer().run_to(t);
        REQUIRE(a);
        REQUIRE(a->reached_seek);
        REQUIRE_FALSE(a->divergence);
        REQUIRE(seeking->restore_nearest(*index, t));
        Result<ReplayReport> b = seeking->replayer().run_to(t);
        REQUIRE(b);
        REQUIRE(b->reached_seek);
        REQUIRE_FALSE(b->divergence);
        CHECK(same_state(straight->machine(), seeking->machine()));
    }
    // From the last checkpoint on, the replay still ends as recorded.
    REQUIRE(seeking->restore(*index, index->checkpoints().size() - 1));
    Result<ReplayReport> end = seeking->replayer().run_to(std::nullopt);
    REQUIRE(end);
    CHECK_FALSE(end->divergence);
    CHECK_FALSE(end->truncated);
    CHECK(end->outcome.icount == rec.outcome.icount);
    // Once over, a replay goes no further and no further back: the end itself is reached,
    // beyond and behind it are not, and nothing is reported as truncated or diverged.
    for (auto [at, reached] : {std::pair{rec.outcome.icount, true}, {rec.outcome.icount + 1, false}, {uint64_t{1}, false}}) {
        INFO("run_to " << at << " after the end");
        Result<ReplayReport> again = seeking->replayer().run_to(at);
        REQUIRE(again);
        CHECK(again->reached_seek == reached);
        CHECK_FALSE(again->truncated);
        CHECK_FALSE(again->divergence);
    }
    // A run that ends exactly at the icount asked for has reached it.
    REQUIRE(seeking->restore(*index, index->checkpoints().size() - 1));
    Result<ReplayReport> exactly = seeking->replayer().run_to(rec.outcome.icount);
    REQUIRE(exactly);
    CHECK(exactly->reached_seek);
    Result<ReplayReport> rest = seeking->replayer().run_to(std::nullopt);
    REQUIRE(rest);
    CHECK(seeking->replayer().finished());
    CHECK(rest->outcome.icount == rec.outcome.icount);
    INFO((rest->divergence ? rest->divergence->what : std::string()));
    CHECK_FALSE(rest->divergence);
    CHECK_FALSE(rest->truncated);
}

const std::string kEchoInput = "the quick brown fox\njumps over the lazy dog\n\x04";

}  // namespace

TEST_CASE("checkpoints: seeking agrees with a straight replay at and between them, virt", "[checkpoint][guest]")
{
    check_seeks_agree(record({"timer_irq", "", "seek_virt", 20000, 100000}));
    check_seeks_agree(record({"serial_irq", kEchoInput, "seek_virt_serial", 300, 500}));
}

TEST_CASE("checkpoints: seeking agrees with a straight replay at and between them, pc", "[checkpoint][guest]")
{
    check_seeks_agree(record({"i386_pit_hlt", "", "seek_pc", 1000, 2000, "pc"}));
    check_seeks_agree(record({"i386_user_mode", "", "seek_pc_user", 3000, 5000, "pc"}));
}

TEST_CASE("checkpoints: each stores only pages written since the previous one",
          "[checkpoint][guest]")
{
    Recorded rec = record({"timer_irq", "", "pages", 0, 50000});
    Result<CheckpointIndex> index = CheckpointIndex::read(rec.path);
    REQUIRE(index);
    REQUIRE(index->checkpoints().size() >= 4);
    uint64_t written = 0;
    for (const CheckpointInfo& c : index->checkpoints()) {
        written += c.pages_written;
        CHECK(c.pages_stored <= c.pages_written);
        CHECK(c.state_bytes < 16384);  // RAM is kept apart
    }
    CHECK(written > 0);
    // Checkpoints come right after a state hash at their icount.
    for (const CheckpointInfo& c : index->checkpoints()) {
        auto at = std::find_if(rec.events.begin(), rec.events.end(),
                               [&](const Ev& e) { return e.kind == EventKind::Checkpoint && e.icount == c.icount; });
        REQUIRE(at != rec.events.end());
        auto hash = std::find_if(rec.events.begin(), at,
                                 [&](const Ev& e) { return e.kind == EventKind::StateHash && e.icount == c.icount; });
        CHECK(hash != at);
    }
}

TEST_CASE("checkpoints: damaged checkpoint data is refused, naming the checkpoint", "[checkpoint][guest]")
{
    Recorded rec = record({"timer_irq", "", "damaged", 0, 100000});
    auto first_of = [&](std::vector<Ev>& events, EventKind kind) {
        return std::find_if(events.begin(), events.end(), [&](const Ev& e) { return e.kind == kind; });
    };

    std::vector<Ev> events = rec.events;
    auto c = first_of(events, EventKind::Checkpoint);
    std::optional<CheckpointEvent> decoded = decode<CheckpointEvent>(c->payload);
    REQUIRE(decoded);
    REQUIRE_FALSE(decoded->pages.empty());
    decoded->pages.front().id = 1000000;
    c->payload = encode(*decoded);
    Result<CheckpointIndex> bad_ref = CheckpointIndex::read(rewrite(rec.path, events, "damaged_ref"));
    REQUIRE_FALSE(bad_ref);
    CHECK(bad_ref.error().status == ExitStatus::BadRecording);
    CHECK(bad_ref.error().message.find("refers to contents 1000000") != std::string::npos);

    events = rec.events;
    events.erase(first_of(events, EventKind::CheckpointPages));
    Result<CheckpointIndex> missing = CheckpointIndex::read(rewrite(rec.path, events, "damaged_missing"));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message.find("only") != std::string::npos);

    events = rec.events;
    c = first_of(events, EventKind::Checkpoint);
    decoded = decode<CheckpointEvent>(c->payload);
    decoded->state.resize(decoded->state.size() / 2);
    c->payload = encode(*decoded);
    std::string cut = rewrite(rec.path, events, "damaged_state");
    Result<CheckpointIndex> index = CheckpointIndex::read(cut);
    REQUIRE(index);  // the state is only read when restored
    auto session = open_session(cut);
    Result<Done> restored = session->restore(*index, 0);
    REQUIRE_FALSE(restored);
    CHECK(restored.error().message.find("checkpoint 0 at icount 100000: machine state does not load") !=
          std::string::npos);
}

namespace {

void check_against(const std::string& machine, const std::string& guest)
{
    std::string other_input = kEchoInput;
    other_input[22] = 'J';  // "jumps" -> "Jumps"
    Recorded a = record({guest, kEchoInput, "against_a", 2000, 5000, machine});
    Recorded b = record({guest, other_input, "against_b", 2000, 5000, machine});
    // Where the first serial bytes that differ reach the UART, from the events alone.
    std::optional<uint64_t> delivered;
    size_t seen = 0;
    for (const Ev& e : a.events) {
        if (e.kind != EventKind::SerialInput)
            continue;
        std::optional<InputEvent> in = decode<InputEvent>(e.payload);
        REQUIRE(in);
        if (seen + in->data.size() > 22) {
            delivered = e.icount;
            break;
        }
        seen += in->data.size();
    }
    REQUIRE(delivered);

    auto replay_of = [](const Recorded& r) {
        auto s = open_session(r.path);
        Result<CheckpointIndex> index = s->scan_checkpoints();
        REQUIRE(index);
        return SearchReplay(std::move(s), std::make_shared<const CheckpointIndex>(std::move(*index)));
    };
    for (bool linear : {false, true}) {
        AgainstRun run(replay_of(a), replay_of(b));
        SearchOptions options;
        options.linear = linear;
        Result<SearchResult> found = search_first({&run}, options);
        REQUIRE(found);
        // The bytes arrive at the boundary `delivered`; the states differ once they are in.
        CHECK(found->first_icount == *delivered + 1);
    }
    AgainstRun same(replay_of(a), replay_of(a));
    Result<SearchResult> none = search_first({&same}, {});
    REQUIRE(none);
    CHECK_FALSE(none->first_icount);
    CHECK(none->end_icount == a.outcome.icount);
}

}  // namespace

TEST_CASE("against: two runs differ from the instruction after the first different input", "[checkpoint][guest]")
{
    check_against("virt", "serial_irq");
    check_against("pc", "i386_serial_irq");
}

namespace {

// rr-bisect --divergence --json on a recording: its exit status and output.
std::pair<int, std::string> rr_bisect_divergence(const std::string& path)
{
    std::string command = std::string(RR_BISECT) + " --divergence --json " + path + " 2>&1";
    FILE* p = popen(command.c_str(), "r");
    REQUIRE(p);
    std::string out;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
    int status = pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

void check_divergence(const RecordSpec& spec)
{
    Recorded rec = record(spec);
    std::vector<Ev> events = rec.events;
    // A state hash in the middle, not one taken with a checkpoint.
    std::vector<size_t> hashes;
    for (size_t i = 0; i < events.size(); ++i)
        if (events[i].kind == EventKind::StateHash && events[i].icount % spec.checkpoint_every != 0)
            hashes.push_back(i);
    REQUIRE(hashes.size() > 4);
    Ev& altered = events[hashes[hashes.size() / 2]];
    altered.payload[3] ^= 0x10;  // in the CPU hash
    std::string path = rewrite(rec.path, events, "divergence_altered");

    for (size_t jobs : {size_t{1}, size_t{3}}) {
        std::shared_ptr<const CheckpointIndex> index;
        std::vector<SearchReplay> replays;
        for (size_t j = 0; j < jobs; ++j) {
            auto s = open_session(path);
            if (!index)
                index = std::make_shared<const CheckpointIndex>(std::move(*s->scan_checkpoints()));
            replays.emplace_back(std::move(s), index);
        }
        std::vector<SearchReplay*> pointers;
        for (SearchReplay& r : replays)
            pointers.push_back(&r);
        Result<DivergenceSearchResult> found = find_divergence(pointers, {});
        REQUIRE(found);
        REQUIRE(found->first);
        CHECK(found->first->icount == altered.icount);
        CHECK(found->first->what.find("state hash differs") != std::string::npos);
        CHECK(found->stretches == index->checkpoints().size() + 1);
    }
    // The tool: the same icount, and two replays that agree, so the departure is deterministic.
    auto [status, out] = rr_bisect_divergence(path);
    INFO(out);
    CHECK(status == 0);
    CHECK(out.find("\"first_icount\":" + std::to_string(altered.icount) + ",") != std::string::npos);
    CHECK(out.find("\"deterministic\":true") != std::string::npos);
    auto s = open_session(rec.path);
    std::shared_ptr<const CheckpointIndex> index = std::make_shared<const CheckpointIndex>(std::move(*s->scan_checkpoints()));
    SearchReplay clean(std::move(s), index);
    Result<DivergenceSearchResult> none = find_divergence({&clean}, {});
    REQUIRE(none);
    CHECK_FALSE(none->first);
    CHECK(none->end_icount == rec.outcome.icount);
}

}  // namespace

TEST_CASE("divergence: an altered state hash is found at its icount, by one job or several", "[checkpoint][guest]")
{
    check_divergence({"timer_irq", "", "divergence", 20000, 100000});
    check_divergence({"i386_pit_hlt", "", "divergence_pc", 500, 2000, "pc"});
}

TEST_CASE("checkpoints: the recorded run does not depend on the hash or checkpoint interval", "[checkpoint][guest]")
{
    auto inputs = [](const Recorded& r) {
        std::vector<Ev> out;
        for (const Ev& e : r.events)
            if (e.kind == EventKind::SerialInput)
                out.push_back(e);
        return out;
    };
    // Where a slice ends splits the ledger guest's input bursts differently (it did before the
    // recorder delivered only where the guest decides).
    const std::string input = "put 0 10\nput 1 20\nsum\nput 7 70\nput 8 31337\nsum\n\x04";
    Recorded plain = record({"corrupt", input, "interval_plain", 0, 0});
    for (auto [hash, checkpoint] : {std::pair<uint64_t, uint64_t>{300, 500}, {1000, 0}, {0, 2000}}) {
        Recorded other = record({"corrupt", input, "interval_other", hash, checkpoint});
        CHECK(other.outcome.icount == plain.outcome.icount);
        CHECK(other.output == plain.output);
        std::vector<Ev> a = inputs(plain), b = inputs(other);
        REQUIRE(a.size() == b.size());
        for (size_t i = 0; i < a.size(); ++i) {
            CHECK(a[i].icount == b[i].icount);
            CHECK(a[i].payload == b[i].payload);
        }
    }
}
