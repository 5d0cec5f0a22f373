// A recording's events in order, with lookahead: the replayer needs the next event it must
// stop at (a boundary event) while the instructions before it still take their inputs (clock
// reads, semihosting input) from the front of the stream.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "core/result.h"
#include "replay/format/recording_reader.h"

namespace emu {

struct OwnedEvent {
    uint64_t icount = 0;
    EventKind kind = EventKind::GuestExit;
    std::vector<uint8_t> payload;
    RecordingPosition at;  // where the reader finds it
};

class ReplayStream {
public:
    explicit ReplayStream(RecordingReader& reader) : reader_(reader) {}

    // Forgets what it buffered: the reader was moved to an event that has `consumed` before it.
    void restart(uint64_t consumed);

    // The next event, or null at the end of the stream or after a read error (see error()).
    const OwnedEvent* peek();
    void pop();
    // The first boundary event at or after the front; null when the stream has none left.
    const OwnedEvent* next_boundary();

    // A damaged chunk: the stream ends there.
    const std::optional<Error>& error() const { return error_; }
    // Once the stream has ended: how (complete, or truncated at an icount).
    const RecordingEnd& end() const { return reader_.end(); }
    uint64_t consumed() const { return consumed_; }
    // Where the next event not yet popped is in the recording: a replay restored in memory goes
    // on from there (see ReplaySession::restore_snapshot).
    RecordingPosition front_position() const { return buffer_.empty() ? reader_.position() : buffer_.front().at; }
    // icount of the last event popped.
    uint64_t last_icount() const { return last_icount_; }

private:
    bool load_one();

    RecordingReader& reader_;
    std::deque<OwnedEvent> buffer_;
    std::optional<Error> error_;
    bool ended_ = false;
    uint64_t consumed_ = 0;
    uint64_t last_icount_ = 0;
};

}  // namespace emu
