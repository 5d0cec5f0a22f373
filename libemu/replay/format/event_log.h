// Where a recording session's events go: a RecordingWriter, or nowhere for a run that records
// nothing (the baseline the recorder's overhead is measured against). Keeps the first write
// error, so that a device asking for input mid-instruction never has to handle one.
//
// A log can also start without its writer and keep what it is given until attach(): a machine
// reads inputs while it is built and loaded, before the recording file may be created.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "replay/format/recording_writer.h"

namespace emu {

class EventLog {
public:
    enum class Start { Discarding, Deferred };

    // Events go to `writer`.
    explicit EventLog(RecordingWriter& writer) : writer_(&writer) {}
    // Events go nowhere, or wait for attach().
    explicit EventLog(Start start) : deferred_(start == Start::Deferred) {}

    void append(uint64_t icount, EventKind kind, std::span<const uint8_t> payload)
    {
        events_++;
        if (deferred_)
            pending_.push_back({icount, kind, {payload.begin(), payload.end()}});
        else if (writer_ && !error_)
            keep_error(writer_->append(icount, kind, payload));
    }
    // Writes what was kept and sends everything after it to `writer`.
    void attach(RecordingWriter& writer)
    {
        writer_ = &writer;
        deferred_ = false;
        for (const Pending& e : pending_)
            if (!error_)
                keep_error(writer_->append(e.icount, e.kind, e.payload));
        pending_.clear();
    }
    void flush()
    {
        if (writer_ && !error_)
            keep_error(writer_->flush());
    }

    const std::optional<Error>& error() const { return error_; }
    uint64_t events() const { return events_; }

private:
    struct Pending {
        uint64_t icount;
        EventKind kind;
        std::vector<uint8_t> payload;
    };
    void keep_error(Result<Done> r)
    {
        if (!r)
            error_ = r.error();
    }

    RecordingWriter* writer_ = nullptr;
    bool deferred_ = false;
    std::vector<Pending> pending_;
    std::optional<Error> error_;
    uint64_t events_ = 0;
};

}  // namespace emu
