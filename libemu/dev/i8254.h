// The 8254 programmable interval timer, port-compatible with QEMU 7.2's `isa-pit` on `-M pc`
// (ports 0x40-0x43, input clock 1193182 Hz). As in QEMU, the counters are not stepped: every
// read derives the count and the output from the virtual time since the count was loaded
// (ticks = elapsed_ns * 1193182 / 10^9, rounded down). Channel 0's output drives `irq` (the
// board wires it to PIC IRQ 0); its edges are VirtualClock timer events, scheduled exactly
// where QEMU schedules them. Channel 2's gate and output are reached through port 0x61
// (SystemControlB below).
#pragma once

#include <cstdint>
#include <vector>

#include "core/clock.h"
#include "core/component.h"
#include "core/io_ports.h"
#include "core/state_archive.h"
#include "dev/irq_line.h"

namespace emu {

class I8254 : public PortDevice, public Component {
public:
    static constexpr uint64_t kFrequency = 1193182;
    static constexpr uint16_t kBase = 0x40;

    explicit I8254(VirtualClock& clock);

    // Ports 0x40-0x43 (0x43 reads as 0). Wider accesses are split into byte accesses.
    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;

    // Gate input of a channel (0-2). Channels 0 and 1 are tied high; channel 2's gate is port
    // 0x61 bit 0. A rising gate restarts counting in modes 1, 2, 3 and 5.
    void set_gate(unsigned channel, bool level);
    bool gate(unsigned channel) const { return channels_[channel].gate != 0; }
    // The channel's output now.
    bool out(unsigned channel) const;

    // System reset: every channel in mode 3 with count 0x10000 from now; channel 0 keeps
    // ticking at 18.2 Hz, as QEMU's PIT does before a guest programs it.
    void reset();

    // Every channel's count, latches, byte sequencers, mode, gate, load time and (channel 0)
    // next edge time, and the IRQ level. The timer deadline belongs to the VirtualClock.
    void serialize(StateArchive& a) override;

    IrqLine irq;  // channel 0's output

private:
    struct Channel {
        int32_t count = 0x10000;     // initial count, 1..0x10000
        uint16_t latched_count = 0;
        uint8_t count_latched = 0;   // access mode of the pending latched read, or 0
        uint8_t status_latched = 0;
        uint8_t status = 0;
        uint8_t read_state = 0;
        uint8_t write_state = 0;
        uint8_t write_latch = 0;
        uint8_t rw_mode = 0;
        uint8_t mode = 3;
        uint8_t bcd = 0;             // stored and reported; counting is binary, as in QEMU
        uint8_t gate = 0;
        uint64_t count_load_time = 0;       // virtual ns
        int64_t next_transition_time = -1;  // virtual ns of channel 0's next edge, -1 none
    };

    uint64_t ticks_since_load(const Channel& c, uint64_t now) const;
    int current_count(const Channel& c) const;
    bool out_at(const Channel& c, uint64_t now) const;
    int64_t next_transition(const Channel& c, uint64_t now) const;
    void irq_timer_update(uint64_t now);
    void load_count(unsigned channel, int value);
    void latch_count(Channel& c);
    uint8_t read8(unsigned offset);
    void write8(unsigned offset, uint8_t value);

    VirtualClock& clock_;
    VirtualClock::TimerId timer_;
    Channel channels_[3];
};

// Port 0x61, "system control port B" as QEMU's pcspk models it: bit 0 channel 2's gate,
// bit 1 speaker data enable (stored only), bit 4 a refresh toggle that flips on every read,
// bit 5 channel 2's output.
class SystemControlB : public PortDevice, public Component {
public:
    static constexpr uint16_t kPort = 0x61;

    explicit SystemControlB(I8254& pit) : pit_(pit) {}

    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;

    void reset();
    // The speaker data bit and the refresh toggle; the gate and output are the PIT's.
    void serialize(StateArchive& a) override;

private:
    I8254& pit_;
    uint8_t data_on_ = 0;
    uint8_t refresh_clock_ = 0;  // 0 or 0x10
};

}  // namespace emu
