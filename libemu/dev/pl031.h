// ARM PrimeCell PL031 real-time clock, register-compatible with QEMU 7.2's `pl031` (as on
// `-M virt`). The device never reads host time: the machine hands it the start time, which it
// took from the host clock through the record/replay input gate, and from then on the count
// advances with virtual time only, so every read is deterministic.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/component.h"
#include "dev/irq_line.h"

namespace emu {

class StateArchive;

class Pl031 : public MmioDevice, public Component {
public:
    // start_seconds: what DR reads now, in seconds since the Unix epoch.
    explicit Pl031(VirtualClock& clock, uint32_t start_seconds = 0);

    // Sets what DR reads now. For the machine, before the guest runs: it does not rearm the
    // match alarm.
    void set_start(uint32_t seconds);

    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;

    // The current count (DR): start plus whole seconds of virtual time, wrapping at 32 bits.
    uint32_t count() const;

    // The registers, the tick offset and the output level (section "pl031"). The alarm's
    // deadline is the VirtualClock's to save: restore the clock too.
    void serialize(StateArchive& a) override;

    IrqLine irq;  // RIS & IMSC

private:
    uint32_t read32(uint64_t offset);
    void write32(uint64_t offset, uint32_t value);
    void set_alarm();
    void match();
    void update_irq() { irq.set((ris_ & imsc_) != 0); }

    VirtualClock& clock_;
    VirtualClock::TimerId timer_;
    uint32_t tick_offset_ = 0;  // DR minus whole seconds of virtual time
    uint32_t mr_ = 0;
    uint32_t lr_ = 0;           // last value loaded, read back through LR
    uint32_t imsc_ = 0;         // bit 0 only
    uint32_t ris_ = 0;          // bit 0 only
};

}  // namespace emu
