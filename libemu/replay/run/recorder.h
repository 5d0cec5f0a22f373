// Runs a machine live and records it: host data for the machine's input ports (serial bytes,
// and whatever else a host back end produces) is delivered at instruction boundaries and
// logged with its icount, state hashes are logged every `hash_every` instructions, checkpoints
// every `checkpoint_every` (each right after a state hash at its icount), and the log is
// flushed every few seconds so that a recorder that is killed leaves a replayable prefix.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/input_gate.h"
#include "host/host_source.h"
#include "host/run_judge.h"
#include "machine/machine.h"
#include "replay/run/checkpointer.h"
#include "replay/format/event_log.h"

namespace emu {

// A host back end feeding one of the machine's input ports.
struct HostInput {
    InputKind kind = InputKind::Serial;
    unsigned device = 0;
    HostSource* source = nullptr;
};

struct RecorderOptions {
    uint64_t max_insns = std::numeric_limits<uint64_t>::max();
    uint64_t hash_every = 0;
    uint64_t checkpoint_every = 0;  // 0: none
    std::chrono::milliseconds flush_every{2000};
    // Set (from a signal handler) to end the run: the recording is finished as "interrupted".
    const std::atomic<bool>* interrupted = nullptr;
    // Sources the input gate reads synchronously (a console): a read error there ends the run
    // too.
    std::vector<HostSource*> gate_sources;
    // May end the run from the host side (a serial script); null: none.
    RunJudge* judge = nullptr;
};

class Recorder {
public:
    Recorder(Machine& machine, EventLog& log, std::vector<HostInput> inputs, RecorderOptions options);

    // Runs to the end. The last event is the GuestExit, with the final state's digest.
    // Stops early with the log's first write error (see EventLog::error()).
    RunOutcome run();

    uint64_t state_hashes() const { return hashes_; }
    // Zero when checkpoint_every is 0.
    CheckpointStats checkpoint_stats() const { return checkpointer_ ? checkpointer_->stats() : CheckpointStats{}; }

private:
    // Called at every instruction boundary the loop sees; logs the periodic hash on the first
    // visit of a due icount, before the machine idles or takes input there.
    void visit(uint64_t now);
    // Hands every port the data its source has for it, as far as the port takes it now.
    void deliver_inputs(uint64_t now);
    // Whether some port would take data its source has now.
    bool input_deliverable();
    // Whether some source has data now, whether or not its port takes it yet: the guest's
    // next look at an empty receive side is then where it is delivered.
    bool input_ready();
    // Why no input can ever wake an idle guest, or nothing while one still may.
    std::optional<std::string> no_input_can_wake();
    // Waits for host data for at most `timeout`.
    void wait_for_input(std::chrono::milliseconds timeout);
    // The first read error of an input source: the run ends with it ("input-error").
    std::string input_error();
    void log_state_hash(uint64_t now);
    RunOutcome finish(RunOutcome outcome);
    void flush_if_due();

    Machine& m_;
    EventLog& log_;
    std::vector<HostInput> inputs_;
    RecorderOptions options_;
    uint64_t next_hash_;
    uint64_t next_checkpoint_;
    std::optional<Checkpointer> checkpointer_;
    uint64_t visited_ = std::numeric_limits<uint64_t>::max();
    uint32_t idle_round_ = 0;
    uint64_t last_hash_icount_ = std::numeric_limits<uint64_t>::max();
    uint64_t hashes_ = 0;
    std::chrono::steady_clock::time_point last_flush_;
};

}  // namespace emu
