// The input gate: the one way host data enters guest state (docs/ARCHITECTURE.md, "The choke
// point for non-determinism"). Devices ask it for the values an instruction needs while it
// executes (host clocks, semihosting console input); the recorder and replayer deliver the
// inputs that arrive between instructions (serial bytes) themselves. Recording takes values
// from the host and logs them; replaying takes them from the recording and never touches the
// host.
#pragma once

#include <cstdint>

#include "replay/event_payloads.h"

namespace emu {

class InputGate {
public:
    virtual ~InputGate() = default;
    // A host clock, in nanoseconds, read by the instruction that retires at `icount`. The
    // monotonic clock counts from the start of the recording.
    virtual uint64_t host_clock_ns(HostClock clock, uint64_t icount) = 0;
    // Semihosting SYS_READC: the next console byte, or -1 at the end of input.
    virtual int semihosting_readc(uint64_t icount) = 0;
};

}  // namespace emu
