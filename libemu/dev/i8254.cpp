#include "dev/i8254.h"

#include <string>
#include <string_view>

namespace emu {

namespace {

// Access-mode states of the read and write byte sequencers.
constexpr uint8_t kRwLsb = 1;
constexpr uint8_t kRwMsb = 2;
constexpr uint8_t kRwWord0 = 3;
constexpr uint8_t kRwWord1 = 4;

constexpr uint64_t kNsPerSecond = 1'000'000'000;

// a * b / c without overflow (QEMU's muldiv64 for these operands).
uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c)
{
    return static_cast<uint64_t>(static_cast<unsigned __int128>(a) * b / c);
}

}  // namespace

I8254::I8254(VirtualClock& clock) : clock_(clock)
{
    timer_ = clock_.add_timer([this] {
        // As QEMU: the edge is evaluated at its scheduled time, not at the (possibly later)
        // time the CPU delivered it.
        irq_timer_update(static_cast<uint64_t>(channels_[0].next_transition_time));
    });
    reset();
}

void I8254::reset()
{
    uint64_t now = clock_.ns();
    for (unsigned i = 0; i < 3; i++) {
        Channel& c = channels_[i];
        c.mode = 3;
        c.gate = i != 2;
        c.count_load_time = now;
        c.count = 0x10000;
    }
    // QEMU arms channel 0's timer without touching the output level; the first edge sets it.
    Channel& c0 = channels_[0];
    c0.next_transition_time = next_transition(c0, now);
    clock_.arm(timer_, static_cast<uint64_t>(c0.next_transition_time));
}

uint64_t I8254::ticks_since_load(const Channel& c, uint64_t now) const
{
    return muldiv(now - c.count_load_time, kFrequency, kNsPerSecond);
}

int I8254::current_count(const Channel& c) const
{
    uint64_t d = ticks_since_load(c, clock_.ns());
    uint64_t count = static_cast<uint64_t>(c.count);
    switch (c.mode) {
    case 0:
    case 1:
    case 4:
    case 5: return static_cast<int>((count - d) & 0xFFFF);
    case 3:
        // Mode 3 counts down by two per tick (QEMU's simplification, inexact for odd counts).
        return static_cast<int>(count - (2 * d) % count);
    default: return static_cast<int>(count - d % count);
    }
}

bool I8254::out_at(const Channel& c, uint64_t now) const
{
    uint64_t d = ticks_since_load(c, now);
    uint64_t count = static_cast<uint64_t>(c.count);
    switch (c.mode) {
    default:
    case 0: return d >= count;
    case 1: return d < count;
    case 2:
        // QEMU's mode 2 output is high for the one tick at each count boundary (the 8254's
        // is low there); only the rising edges reach the edge-triggered PIC either way.
        return d % count == 0 && d != 0;
    case 3: return d % count < (count + 1) / 2;
    case 4:
    case 5: return d == count;
    }
}

// The virtual time of the channel's next output change after `now`, or -1. Tick boundaries
// are converted back to nanoseconds rounding down, and a result not after `now` becomes
// now + 1, exactly as in QEMU; so an edge may take a second timer event one nanosecond later.
int64_t I8254::next_transition(const Channel& c, uint64_t now) const
{
    uint64_t d = ticks_since_load(c, now);
    uint64_t count = static_cast<uint64_t>(c.count);
    uint64_t next;
    switch (c.mode) {
    default:
    case 0:
    case 1:
        if (d >= count)
            return -1;
        next = count;
        break;
    case 2: {
        uint64_t base = d / count * count;
        next = (d - base == 0 && d != 0) ? base + count : base + count + 1;
        break;
    }
    case 3: {
        uint64_t base = d / count * count;
        uint64_t half = (count + 1) >> 1;
        next = (d - base < half) ? base + half : base + count;
        break;
    }
    case 4:
    case 5:
        if (d < count)
            next = count;
        else if (d == count)
            next = count + 1;
        else
            return -1;
        break;
    }
    uint64_t t = c.count_load_time + muldiv(next, kNsPerSecond, kFrequency);
    if (t <= now)
        t = now + 1;
    return static_cast<int64_t>(t);
}

bool I8254::out(unsigned channel) const { return out_at(channels_[channel], clock_.ns()); }

void I8254::irq_timer_update(uint64_t now)
{
    Channel& c = channels_[0];
    int64_t next = next_transition(c, now);
    irq.set(out_at(c, now));
    c.next_transition_time = next;
    if (next >= 0)
        clock_.arm(timer_, static_cast<uint64_t>(next));
    else
        clock_.disarm(timer_);
}

void I8254::load_count(unsigned channel, int value)
{
    Channel& c = channels_[channel];
    c.count = value == 0 ? 0x10000 : value;
    c.count_load_time = clock_.ns();
    if (channel == 0)
        irq_timer_update(c.count_load_time);
}

void I8254::set_gate(unsigned channel, bool level)
{
    Channel& c = channels_[channel];
    uint8_t v = level ? 1 : 0;
    // Modes 0 and 4 ignore the gate (QEMU does not stop counting); the others restart
    // counting on a rising edge.
    switch (c.mode) {
    case 1:
    case 2:
    case 3:
    case 5:
        if (c.gate < v) {
            c.count_load_time = clock_.ns();
            if (channel == 0)
                irq_timer_update(c.count_load_time);
        }
        break;
    default: break;
    }
    c.gate = v;
}

void I8254::latch_count(Channel& c)
{
    if (!c.count_latched) {  // a second latch before the first is read does nothing
        c.latched_count = static_cast<uint16_t>(current_count(c));
        c.count_latched = c.rw_mode;
    }
}

void I8254::write8(unsigned offset, uint8_t value)
{
    if (offset == 3) {
        unsigned channel = value >> 6;
        if (channel == 3) {
            // Read-back: bit 5 clear latches counts, bit 4 clear latches status, bits 1-3
            // select channels. The status has no null-count bit, as in QEMU.
            for (unsigned i = 0; i < 3; i++) {
                Channel& c = channels_[i];
                if (!(value & (2u << i)))
                    continue;
                if (!(value & 0x20))
                    latch_count(c);
                if (!(value & 0x10) && !c.status_latched) {
                    c.status = static_cast<uint8_t>((out_at(c, clock_.ns()) ? 0x80 : 0) |
                                                    (c.rw_mode << 4) | (c.mode << 1) | c.bcd);
                    c.status_latched = 1;
                }
            }
            return;
        }
        Channel& c = channels_[channel];
        unsigned access = (value >> 4) & 3;
        if (access == 0) {
            latch_count(c);
        } else {
            // A new control word does not stop the counter or move the IRQ timer (as QEMU);
            // the next count written restarts it.
            c.rw_mode = static_cast<uint8_t>(access);
            c.read_state = static_cast<uint8_t>(access);
            c.write_state = static_cast<uint8_t>(access);
            c.mode = (value >> 1) & 7;
            c.bcd = value & 1;
        }
        return;
    }
    Channel& c = channels_[offset];
    switch (c.write_state) {
    default:
    case kRwLsb: load_count(offset, value); break;
    case kRwMsb: load_count(offset, value << 8); break;
    case kRwWord0:
        c.write_latch = value;
        c.write_state = kRwWord1;
        break;
    case kRwWord1:
        load_count(offset, c.write_latch | (value << 8));
        c.write_state = kRwWord0;
        break;
    }
}

uint8_t I8254::read8(unsigned offset)
{
    if (offset == 3)
        return 0;  // the control word register is write-only
    Channel& c = channels_[offset];
    if (c.status_latched) {
        c.status_latched = 0;
        return c.status;
    }
    if (c.count_latched) {
        switch (c.count_latched) {
        default:
        case kRwLsb:
            c.count_latched = 0;
            return static_cast<uint8_t>(c.latched_count);
        case kRwMsb:
            c.count_latched = 0;
            return static_cast<uint8_t>(c.latched_count >> 8);
        case kRwWord0:
            c.count_latched = kRwMsb;
            return static_cast<uint8_t>(c.latched_count);
        }
    }
    int count = current_count(c);
    switch (c.read_state) {
    default:
    case kRwLsb: return static_cast<uint8_t>(count);
    case kRwMsb: return static_cast<uint8_t>(count >> 8);
    case kRwWord0:
        c.read_state = kRwWord1;
        return static_cast<uint8_t>(count);
    case kRwWord1:
        c.read_state = kRwWord0;
        return static_cast<uint8_t>(count >> 8);
    }
}

uint32_t I8254::port_read(uint16_t port, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= uint32_t{read8((port + i - kBase) & 3)} << (8 * i);
    return v;
}

void I8254::port_write(uint16_t port, uint32_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        write8((port + i - kBase) & 3, static_cast<uint8_t>(value >> (8 * i)));
}

void I8254::serialize(StateArchive& a)
{
    a.section("i8254", 1);
    static constexpr const char* kNames[3] = {"ch0.", "ch1.", "ch2."};
    for (unsigned i = 0; i < 3; i++) {
        Channel& c = channels_[i];
        auto name = [i](std::string_view f) { return kNames[i] + std::string(f); };
        a.field(name("count"), c.count);
        a.field(name("latched_count"), c.latched_count);
        a.field(name("count_latched"), c.count_latched);
        a.field(name("status_latched"), c.status_latched);
        a.field(name("status"), c.status);
        a.field(name("read_state"), c.read_state);
        a.field(name("write_state"), c.write_state);
        a.field(name("write_latch"), c.write_latch);
        a.field(name("rw_mode"), c.rw_mode);
        a.field(name("mode"), c.mode);
        a.field(name("bcd"), c.bcd);
        a.field(name("gate"), c.gate);
        a.field(name("count_load_time"), c.count_load_time);
        a.field(name("next_transition_time"), c.next_transition_time);
    }
    bool level = irq.level();
    a.field("irq", level);
    if (a.loading())
        irq.restore_level(level);
}


uint32_t SystemControlB::port_read(uint16_t, unsigned)
{
    refresh_clock_ ^= 0x10;
    return static_cast<uint32_t>((pit_.gate(2) ? 1 : 0) | (data_on_ << 1) | refresh_clock_ |
                                 (pit_.out(2) ? 0x20 : 0));
}

void SystemControlB::port_write(uint16_t, uint32_t value, unsigned)
{
    data_on_ = (value >> 1) & 1;
    pit_.set_gate(2, value & 1);
}

void SystemControlB::reset()
{
    data_on_ = 0;
    refresh_clock_ = 0;
}

void SystemControlB::serialize(StateArchive& a)
{
    a.section("port61", 1);
    a.field("data_on", data_on_);
    a.field("refresh_clock", refresh_clock_);
}


}  // namespace emu
