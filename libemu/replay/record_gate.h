// The record side of the input gate: values come from the host and are logged with the icount
// of the instruction that asked for them.
#pragma once

#include "host/serial_source.h"
#include "replay/event_log.h"
#include "replay/input_gate.h"

namespace emu {

class RecordGate : public InputGate {
public:
    // `console` (may be null: no input) feeds semihosting console reads.
    RecordGate(EventLog& log, SerialSource* console);

    uint64_t host_clock_ns(HostClock clock, uint64_t icount) override;
    int semihosting_readc(uint64_t icount) override;

private:
    EventLog& log_;
    SerialSource* console_;
    uint64_t monotonic_origin_;
};

}  // namespace emu
