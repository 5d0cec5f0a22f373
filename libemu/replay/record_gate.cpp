#include "replay/record_gate.h"

#include "host/host_clock.h"

namespace emu {

namespace {

constexpr uint32_t kSysReadc = 0x07;

// The guest waits in SYS_READC, as on a real debug host, until a byte or the end of input. The
// log is flushed while it waits, so that a recorder killed there loses nothing.
int console_byte(SerialSource* console, EventLog& log)
{
    if (!console)
        return -1;
    while (!console->ready() && !console->exhausted()) {
        log.flush();
        console->wait(std::chrono::milliseconds(500));
    }
    uint8_t b;
    return console->take(&b, 1) == 1 ? b : -1;
}

}  // namespace

RecordGate::RecordGate(EventLog& log, SerialSource* console, std::optional<VirtualHostClock> clock)
    : log_(log), console_(console), monotonic_origin_(host_monotonic_ns()), clock_(clock)
{
}

uint64_t RecordGate::host_clock_ns(HostClock clock, uint64_t icount)
{
    uint64_t ns;
    if (clock_)
        ns = (clock == HostClock::Realtime ? clock_->base_ns : 0) + (icount << clock_->shift);
    else
        ns = clock == HostClock::Realtime ? host_realtime_ns() : host_monotonic_ns() - monotonic_origin_;
    log_.append(icount, EventKind::ClockRead, encode(ClockReadEvent{clock, ns}));
    return ns;
}

int RecordGate::semihosting_readc(uint64_t icount)
{
    int c = console_byte(console_, log_);
    log_.append(icount, EventKind::SemihostingInput, encode(SemihostingInputEvent{kSysReadc, c, {}}));
    return c;
}

}  // namespace emu
