// Where a recording session's events go: a RecordingWriter, or nowhere for a run that records
// nothing (the baseline the recorder's overhead is measured against). Keeps the first write
// error, so that a device asking for input mid-instruction never has to handle one.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "core/result.h"
#include "replay/recording_writer.h"

namespace emu {

class EventLog {
public:
    explicit EventLog(RecordingWriter* writer) : writer_(writer) {}

    void append(uint64_t icount, EventKind kind, std::span<const uint8_t> payload)
    {
        events_++;
        if (!writer_ || error_)
            return;
        if (Result<Done> r = writer_->append(icount, kind, payload); !r)
            error_ = r.error();
    }
    void flush()
    {
        if (!writer_ || error_)
            return;
        if (Result<Done> r = writer_->flush(); !r)
            error_ = r.error();
    }

    const std::optional<Error>& error() const { return error_; }
    uint64_t events() const { return events_; }

private:
    RecordingWriter* writer_;
    std::optional<Error> error_;
    uint64_t events_ = 0;
};

}  // namespace emu
