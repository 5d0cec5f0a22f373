// The replay side of the input gate: every value comes from the recording, in order, and must
// be asked for by the same kind of read at the same icount as when it was recorded. A read the
// recording cannot answer is a divergence: the gate answers 0, remembers why, and asks the
// machine to pause so that the replayer reports it at once.
#pragma once

#include <functional>
#include <string>

#include "core/input_gate.h"
#include "replay/run/replay_stream.h"

namespace emu {

class ReplayGate : public InputGate {
public:
    explicit ReplayGate(ReplayStream& stream) : stream_(stream) {}

    // Called once, at the first mismatch.
    void on_mismatch(std::function<void()> pause) { pause_ = std::move(pause); }
    // Forgets a mismatch, for a replay that starts over from a checkpoint.
    void reset()
    {
        mismatch_.clear();
        mismatch_icount_ = 0;
        mismatch_at_end_ = false;
    }
    // Why the replay departed from the recording; empty while it has not.
    const std::string& mismatch() const { return mismatch_; }
    uint64_t mismatch_icount() const { return mismatch_icount_; }
    // Whether the mismatch was the recording running out of events.
    bool mismatch_at_end() const { return mismatch_at_end_; }

    uint64_t host_clock_ns(HostClock clock, uint64_t icount) override;
    int console_byte(uint64_t icount) override;
    void entropy(uint64_t icount, std::span<uint8_t> out) override;

private:
    // The front event if it is `kind` at `icount`; otherwise records the mismatch.
    const OwnedEvent* expect(EventKind kind, uint64_t icount, const std::string& what);
    void fail(uint64_t icount, std::string why);

    ReplayStream& stream_;
    std::function<void()> pause_;
    std::string mismatch_;
    uint64_t mismatch_icount_ = 0;
    bool mismatch_at_end_ = false;
};

// One line naming an event for reports: "SerialInput at icount 1234".
std::string describe_event(const OwnedEvent* e);

}  // namespace emu
