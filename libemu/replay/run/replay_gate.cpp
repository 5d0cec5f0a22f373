#include "replay/run/replay_gate.h"

#include <algorithm>

#include "replay/format/event_payloads.h"

namespace emu {

std::string describe_event(const OwnedEvent* e)
{
    if (!e)
        return "the end of the recording";
    return std::string(event_kind_name(e->kind)) + " at icount " + std::to_string(e->icount);
}

void ReplayGate::fail(uint64_t icount, std::string why)
{
    if (!mismatch_.empty())
        return;
    mismatch_ = std::move(why);
    mismatch_icount_ = icount;
    if (pause_)
        pause_();
}

const OwnedEvent* ReplayGate::expect(EventKind kind, uint64_t icount, const std::string& what)
{
    if (!mismatch_.empty())
        return nullptr;
    const OwnedEvent* e = stream_.peek();
    if (e && e->kind == kind && e->icount == icount)
        return e;
    mismatch_at_end_ = e == nullptr;
    fail(icount, "the replay " + what + " at icount " + std::to_string(icount) + ", but the recording has " +
                     describe_event(e) + " next");
    return nullptr;
}

uint64_t ReplayGate::host_clock_ns(HostClock clock, uint64_t icount)
{
    std::string what = std::string("reads the host ") + host_clock_name(clock) + " clock";
    const OwnedEvent* e = expect(EventKind::ClockRead, icount, what);
    if (!e)
        return 0;
    std::optional<ClockReadEvent> c = decode<ClockReadEvent>(e->payload);
    if (!c || c->clock != clock) {
        fail(icount, "the replay " + what + " at icount " + std::to_string(icount) + ", but the recording's " +
                         (c ? std::string("ClockRead is of the ") + host_clock_name(c->clock) + " clock"
                            : std::string("ClockRead payload is malformed")));
        return 0;
    }
    stream_.pop();
    return c->ns;
}

int ReplayGate::console_byte(uint64_t icount)
{
    const OwnedEvent* e = expect(EventKind::SemihostingInput, icount, "reads the console");
    if (!e)
        return -1;
    std::optional<ConsoleReadEvent> s = decode<ConsoleReadEvent>(e->payload);
    if (!s || s->result < -1 || s->result > 255) {
        fail(icount, "malformed SemihostingInput payload at icount " + std::to_string(icount));
        return -1;
    }
    stream_.pop();
    return static_cast<int>(s->result);
}

void ReplayGate::entropy(uint64_t icount, std::span<uint8_t> out)
{
    std::fill(out.begin(), out.end(), 0);
    std::string what = "reads " + std::to_string(out.size()) + " random bytes";
    const OwnedEvent* e = expect(EventKind::Entropy, icount, what);
    if (!e)
        return;
    std::optional<EntropyEvent> r = decode<EntropyEvent>(e->payload);
    if (!r || r->data.size() != out.size()) {
        fail(icount, "the replay " + what + " at icount " + std::to_string(icount) + ", but the recording's Entropy " +
                         (r ? "has " + std::to_string(r->data.size()) : std::string("payload is malformed")));
        return;
    }
    std::copy(r->data.begin(), r->data.end(), out.begin());
    stream_.pop();
}

}  // namespace emu
