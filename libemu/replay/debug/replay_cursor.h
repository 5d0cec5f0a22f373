// A replay that goes to any icount of its recording, backward as well as forward, and runs
// forward to a limit or to a breakpoint: what the gdb target (replay_debug_target.h) moves.
//
// Positions are settled (Arrival::BeforeInstruction): at icount N the machine is about to
// execute instruction N, with everything due at N (recorded inputs, timers, interrupts, an idle
// CPU's wait) already done. Going to N restores the nearest of: the recording's checkpoints, the
// snapshots this cursor took (session_snapshots.h), the start; or goes on from where the replay
// is when that is nearer. Replaying forward takes a snapshot at every multiple of 2^22
// instructions it passes, and a seek also at every multiple of 2^16 in the 2^22 instructions
// before its destination, so that stepping back from there replays little.
//
// What the replay meets on the way is kept for the verdict: a departure from the recording (or
// a recording that cannot be read further) ends the run there for the cursor, which goes no
// further than that.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "machine/machine.h"
#include "replay/debug/session_snapshots.h"
#include "replay/run/checkpoint_index.h"
#include "replay/run/replay_session.h"

namespace emu {

// What the replays of a cursor found, over everything they replayed.
struct CursorVerdict {
    std::optional<Divergence> divergence;  // the first departure from the recording
    std::optional<std::string> failure;    // a replay that could not go on (unreadable recording)
    std::optional<std::string> truncated;  // the recording ends early (see ReplayReport)
    std::optional<ReplayReport> end;       // the report of a replay that reached the recorded end
    uint64_t furthest = 0;                 // the highest icount replayed to
    uint64_t state_hashes = 0;             // checked and matching, counting repeats
};

class ReplayCursor {
public:
    // `output` receives the guest's output the first time the replay produces it, in order, as
    // a straight replay would (going back and replaying again does not repeat it). The cursor
    // starts at icount 0. The session's own output sink should be silent.
    static Result<std::unique_ptr<ReplayCursor>> open(std::unique_ptr<ReplaySession> session, SnapshotLimits limits,
                                                      std::function<void(uint8_t)> output);

    Machine& machine() { return session_->machine(); }
    const ReplaySession& session() const { return *session_; }
    uint64_t icount() const { return session_->machine().icount(); }
    // Where the recorded run ends, or where the replay stopped following it.
    uint64_t end() const { return end_; }
    const CursorVerdict& verdict() const { return verdict_; }
    // Told, as one line, when the replay first departs from the recording or cannot go on.
    void on_problem(std::function<void(const std::string&)> tell) { tell_problem_ = std::move(tell); }

    // Goes to `icount` (at most end()).
    Result<Done> seek(uint64_t icount);

    // The machine's breakpoints: run() stops at them.
    void set_breakpoints(const std::vector<uint64_t>& pcs);
    enum class Stop { Limit, Breakpoint, End };
    // Replays forward to `limit` (clamped to end()), stopping early before an instruction at a
    // breakpoint, other than the one it starts on, when `at_breakpoints`; End when it reaches
    // end() (or the replay cannot go on).
    Stop run(uint64_t limit, bool at_breakpoints);

    // Icounts restored from directly: 0, the recording's checkpoints and the snapshots.
    std::vector<uint64_t> restore_points() const;
    const CheckpointIndex& index() const { return index_; }

private:
    ReplayCursor(std::unique_ptr<ReplaySession> session, CheckpointIndex index, SnapshotLimits limits);

    // Replays forward to `limit`, with `destination` (if any) the icount a seek is heading for.
    Stop advance(uint64_t limit, std::optional<uint64_t> destination, bool at_breakpoints);
    // Puts the replay at the restore point nearest before `icount`, settled.
    Result<Done> restore_before(uint64_t icount);
    // Takes a run_to() report into the verdict; false when the replay cannot go on.
    bool take_report(const Result<ReplayReport>& report);
    void fail(std::string why);
    void problem(const std::string& line);
    void on_output(uint8_t byte, uint64_t icount);

    std::unique_ptr<ReplaySession> session_;
    CheckpointIndex index_;
    SessionSnapshots snapshots_;
    uint64_t end_ = 0;
    std::vector<uint64_t> breakpoints_;
    CursorVerdict verdict_;
    uint64_t hashes_seen_ = 0;  // by the current replayer
    bool broken_ = false;       // a restore failed: the machine is not to be trusted
    std::function<void(const std::string&)> tell_problem_;
    bool told_ = false;
    // Output already passed on: up to byte `output_count_` of instruction `output_icount_`.
    std::function<void(uint8_t)> output_;
    uint64_t output_icount_ = 0, output_count_ = 0;
    uint64_t pass_icount_ = UINT64_MAX, pass_count_ = 0;
};

}  // namespace emu
