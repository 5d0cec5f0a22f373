// The record side of the input gate: values come from the host and are logged with the icount
// of the instruction that asked for them.
#pragma once

#include <optional>

#include "host/serial_source.h"
#include "replay/event_log.h"
#include "replay/input_gate.h"

namespace emu {

// Host clocks that follow virtual time instead of the host's: a realtime clock starting at
// `base_ns` since the Unix epoch and a monotonic one starting at 0, both advancing 2^shift ns
// per instruction. Two recordings of the same guest and input are then the same run.
struct VirtualHostClock {
    uint64_t base_ns = 0;
    unsigned shift = 0;
};

class RecordGate : public InputGate {
public:
    // `console` (may be null: no input) feeds semihosting console reads.
    RecordGate(EventLog& log, SerialSource* console, std::optional<VirtualHostClock> clock = std::nullopt);

    uint64_t host_clock_ns(HostClock clock, uint64_t icount) override;
    int semihosting_readc(uint64_t icount) override;

private:
    EventLog& log_;
    SerialSource* console_;
    uint64_t monotonic_origin_;
    std::optional<VirtualHostClock> clock_;
};

}  // namespace emu
