#include "replay/run/record_gate.h"

#include "host/host_clock.h"
#include "host/host_entropy.h"
#include "replay/format/event_payloads.h"

namespace emu {

namespace {

constexpr uint32_t kSysReadc = 0x07;

}  // namespace

RecordGate::RecordGate(EventLog& log, RecordGateOptions options)
    : log_(log), options_(options), monotonic_origin_(host_monotonic_ns())
{
}

uint64_t RecordGate::host_clock_ns(HostClock clock, uint64_t icount)
{
    uint64_t ns;
    if (const std::optional<VirtualHostClock>& v = options_.clock)
        ns = (clock == HostClock::Realtime ? v->base_ns : 0) + (icount << v->shift);
    else
        ns = clock == HostClock::Realtime ? host_realtime_ns() : host_monotonic_ns() - monotonic_origin_;
    log_.append(icount, EventKind::ClockRead, encode(ClockReadEvent{clock, ns}));
    return ns;
}

// The guest waits in SYS_READC, as on a real debug host, until a byte or the end of input. The
// log is flushed while it waits, so that a recorder killed there loses nothing.
int RecordGate::console_byte(uint64_t icount)
{
    int c = -1;
    if (HostSource* console = options_.console) {
        auto interrupted = [this] { return options_.interrupted && options_.interrupted->load(std::memory_order_relaxed); };
        while (!console->ready() && !console->exhausted() && !interrupted()) {
            log_.flush();
            console->wait(std::chrono::milliseconds(200));
        }
        uint8_t b;
        if (console->take(&b, 1) == 1)
            c = b;
    }
    log_.append(icount, EventKind::SemihostingInput, encode(ConsoleReadEvent{kSysReadc, c, {}}));
    return c;
}

void RecordGate::entropy(uint64_t icount, std::span<uint8_t> out)
{
    host_random_bytes(out);
    log_.append(icount, EventKind::Entropy, encode(EntropyEvent{{out.begin(), out.end()}}));
}

}  // namespace emu
