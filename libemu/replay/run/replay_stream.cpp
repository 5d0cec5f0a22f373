#include "replay/run/replay_stream.h"

#include "replay/format/event_payloads.h"

namespace emu {

void ReplayStream::restart(uint64_t consumed)
{
    buffer_.clear();
    error_.reset();
    ended_ = false;
    consumed_ = consumed;
    last_icount_ = 0;
}

bool ReplayStream::load_one()
{
    if (ended_)
        return false;
    RecordingPosition at = reader_.position();
    RecordingEvent ev;
    Result<bool> got = reader_.next(ev);
    if (!got || !*got) {
        if (!got)
            error_ = got.error();
        ended_ = true;
        return false;
    }
    buffer_.push_back({ev.icount, ev.kind, {ev.payload.begin(), ev.payload.end()}, at});
    return true;
}

const OwnedEvent* ReplayStream::peek()
{
    if (buffer_.empty() && !load_one())
        return nullptr;
    return &buffer_.front();
}

void ReplayStream::pop()
{
    if (buffer_.empty())
        return;
    last_icount_ = buffer_.front().icount;
    buffer_.pop_front();
    consumed_++;
}

const OwnedEvent* ReplayStream::next_boundary()
{
    for (const OwnedEvent& e : buffer_)
        if (is_boundary_event(e.kind))
            return &e;
    while (load_one())
        if (is_boundary_event(buffer_.back().kind))
            return &buffer_.back();
    return nullptr;
}

}  // namespace emu
