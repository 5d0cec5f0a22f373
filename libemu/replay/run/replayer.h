// Re-executes a recording with no live input: serial bytes are delivered at their recorded
// icounts, instructions take their inputs from the replay gate, and every recorded state hash
// is compared with the replay's. The first difference stops the replay with a report of where
// and how it departed from the recording.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "machine/machine.h"
#include "replay/format/event_payloads.h"
#include "replay/run/replay_gate.h"
#include "replay/run/replay_stream.h"

namespace emu {

struct RegisterDiff {
    std::string name;
    uint64_t recorded = 0;
    uint64_t replayed = 0;
};

struct Divergence {
    uint64_t icount = 0;        // where the replay noticed
    uint64_t pc = 0;
    std::optional<uint64_t> last_match;  // icount of the last state hash that still matched
    std::string last_input;     // the last input delivered before it ("SerialInput at icount N"), or empty
    std::string what;           // one line: which hash or event differed, and how
    std::vector<RegisterDiff> registers;  // when a state hash's registers differ
    bool at_state_hash = false;  // a state hash differed (else an event did not match)
};

struct ReplayReport {
    RunOutcome outcome;                    // how the replay ended
    std::optional<Divergence> divergence;  // set when the replay is not the recorded run
    std::optional<std::string> truncated;  // the recording ends early: "recording truncated after chunk N (icount M)"
    uint64_t state_hashes = 0;             // checked and matching
    uint64_t events = 0;                   // consumed
    bool reached_seek = false;             // stopped at run_to()'s stop_at as asked
};

// The replay of one recording on one machine, which can stop at chosen icounts and go on
// (seeking, bisection). The machine must be freshly built with `gate` and loaded with the
// recorded image.
class Replayer {
public:
    Replayer(Machine& m, ReplayStream& stream, ReplayGate& gate) : m_(m), stream_(stream), gate_(gate)
    {
        gate_.on_mismatch([this] { m_.request_pause(); });
    }
    Replayer(const Replayer&) = delete;
    Replayer& operator=(const Replayer&) = delete;

    // Replays on from where the last call stopped: to the end of the run, or until exactly
    // `stop_at` instructions have retired (then reached_seek, also when the run ends there),
    // before the inputs recorded for that boundary are delivered. Once the replay is over
    // (finished, truncated or diverged), or for a `stop_at` behind it, it replays nothing more.
    // The report covers everything replayed so far.
    Result<ReplayReport> run_to(std::optional<uint64_t> stop_at);
    // The recorded run was replayed to its end.
    bool finished() const { return finished_; }
    // For a machine just restored to the recorded state at a checkpoint: reports count the
    // last match from there.
    void start_at_checkpoint(uint64_t icount) { last_match_ = icount; }
    Machine& machine() { return m_; }

private:
    // RunIntoStop: the recording ends here with the guest stopping the machine by itself.
    // Wait: an input due after the machine idles here.
    enum class Step { Continue, Done, RunIntoStop, Wait };

    void diverge(std::string what, std::vector<RegisterDiff> regs = {});
    void compare_hash(const OwnedEvent& e);
    void compare_digest(const StateDigest& recorded, uint64_t icount);
    // The events due at the boundary just reached, in recorded order.
    Step visit();
    Step exchange();
    Step deliver_input(const OwnedEvent& e);
    Step run_into_stop();
    static uint32_t due_round(const OwnedEvent& e);
    Step stopped();
    Step idle();
    Step truncated();

    const OwnedEvent* due_boundary_event()
    {
        const OwnedEvent* e = stream_.peek();
        return e && e->icount == m_.icount() && is_boundary_event(e->kind) ? e : nullptr;
    }

    Machine& m_;
    ReplayStream& stream_;
    ReplayGate& gate_;
    std::optional<uint64_t> stop_at_;
    ReplayReport report_;
    uint64_t visited_ = std::numeric_limits<uint64_t>::max();
    uint32_t idle_round_ = 0;
    std::optional<uint64_t> last_match_;
    std::string last_input_;
    bool finished_ = false;
};

}  // namespace emu
