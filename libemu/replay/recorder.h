// Runs a machine live and records it: host serial bytes are delivered at instruction
// boundaries (as soon as the UART has room) and logged with their icount, state hashes are
// logged every `hash_every` instructions and at the end, checkpoints every `checkpoint_every`
// (each right after a state hash at its icount), and the log is flushed every few seconds so
// that a recorder that is killed leaves a replayable prefix.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>

#include "host/serial_source.h"
#include "machine/machine.h"
#include "replay/checkpointer.h"
#include "replay/event_log.h"

namespace emu {

struct RecorderOptions {
    uint64_t max_insns = std::numeric_limits<uint64_t>::max();
    uint64_t hash_every = 0;
    uint64_t checkpoint_every = 0;  // 0: none
    std::chrono::milliseconds flush_every{2000};
    // Set (from a signal handler) to end the run: the recording is finished as "interrupted".
    const std::atomic<bool>* interrupted = nullptr;
    // Another input source besides the serial one (the semihosting console the gate reads):
    // a read error there ends the run too.
    SerialSource* console = nullptr;
};

class Recorder {
public:
    // serial_in may be null (no input: the UART's receive side stays empty).
    Recorder(Machine& machine, EventLog& log, SerialSource* serial_in, RecorderOptions options);

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
    bool deliver_serial(uint64_t now);
    // The first read error of an input source: the run ends with it ("input-error").
    std::string input_error();
    bool serial_deliverable();
    void log_state_hash(uint64_t now);
    RunOutcome finish(RunOutcome outcome);
    void flush_if_due();

    Machine& m_;
    EventLog& log_;
    SerialSource* serial_;
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
