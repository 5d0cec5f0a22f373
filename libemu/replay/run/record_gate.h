// The record side of the input gate: values come from the host and are logged with the icount
// of the instruction that asked for them.
#pragma once

#include <atomic>
#include <optional>

#include "core/input_gate.h"
#include "host/host_source.h"
#include "replay/format/event_log.h"

namespace emu {

// Host clocks that follow virtual time instead of the host's: a realtime clock starting at
// `base_ns` since the Unix epoch and a monotonic one starting at 0, both advancing 2^shift ns
// per instruction. Two recordings of the same guest and input are then the same run.
struct VirtualHostClock {
    uint64_t base_ns = 0;
    unsigned shift = 0;
};

struct RecordGateOptions {
    // Feeds console reads (semihosting SYS_READC); null: end of input at once.
    HostSource* console = nullptr;
    std::optional<VirtualHostClock> clock;
    // Set (from a signal handler) to stop waiting for console input: the read ends the input.
    const std::atomic<bool>* interrupted = nullptr;
};

class RecordGate : public InputGate {
public:
    RecordGate(EventLog& log, RecordGateOptions options);

    uint64_t host_clock_ns(HostClock clock, uint64_t icount) override;
    int console_byte(uint64_t icount) override;
    void entropy(uint64_t icount, std::span<uint8_t> out) override;

private:
    EventLog& log_;
    RecordGateOptions options_;
    uint64_t monotonic_origin_;
};

}  // namespace emu
