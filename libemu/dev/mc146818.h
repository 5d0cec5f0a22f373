// MC146818 real-time clock and CMOS RAM, port-compatible with QEMU 7.2's `mc146818rtc` on
// `-M pc` (index port 0x70, data port 0x71, IRQ 8; base_year 2000, so the century byte 0x32
// holds the real century). The device never reads host time: the machine gives it the start
// time, read from the host clock through the record/replay input gate, and the calendar then
// advances with virtual time only. QEMU's algorithm is kept: the clock is a base time in
// seconds plus the virtual nanoseconds since it was last set; UIP, the update-ended and alarm
// interrupts come from a timer at each second boundary, the periodic interrupt from a timer
// on a 32768 Hz grid of the virtual clock (lost-tick policy "discard", QEMU's default).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/clock.h"
#include "core/component.h"
#include "core/io_ports.h"
#include "core/state_archive.h"
#include "dev/irq_line.h"

namespace emu {

class Mc146818 : public PortDevice, public Component {
public:
    static constexpr uint16_t kBase = 0x70;

    // Register indices with a meaning for the guest.
    enum Index : uint8_t {
        kSeconds = 0x00,
        kSecondsAlarm = 0x01,
        kMinutes = 0x02,
        kMinutesAlarm = 0x03,
        kHours = 0x04,
        kHoursAlarm = 0x05,
        kDayOfWeek = 0x06,
        kDayOfMonth = 0x07,
        kMonth = 0x08,
        kYear = 0x09,
        kRegA = 0x0A,
        kRegB = 0x0B,
        kRegC = 0x0C,
        kRegD = 0x0D,
        kCentury = 0x32,
        kPs2Century = 0x37,  // IBM PS/2 alias of the century byte
    };

    // start_seconds: the calendar time now, in seconds since the Unix epoch (UTC).
    Mc146818(VirtualClock& clock, int64_t start_seconds);

    // Port 0x70 (write: index, bit 7 the NMI mask, ignored; read: 0xFF) and 0x71 (data).
    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;

    // The bytes QEMU 7.2's pc board writes (pc_cmos_init) that do not depend on disks:
    // base memory in KiB at 0x15/0x16 (at most 640), extended memory in KiB at 0x17/0x18 and
    // 0x30/0x31 (at most 65535), memory above 16 MiB in 64 KiB units at 0x34/0x35, memory
    // above 4 GiB in 64 KiB units at 0x5B-0x5D, the equipment byte 0x14 (FPU, PS/2 mouse; no
    // floppy) and the default boot order "cad" at 0x3D/0x38.
    void init_pc_cmos(uint64_t below_4g_bytes, uint64_t above_4g_bytes = 0);
    // CMOS RAM as the board sees it (QEMU's rtc_set_memory / get), for further board bytes.
    void set_cmos(uint8_t index, uint8_t value) { cmos_[index & 0x7F] = value; }
    uint8_t cmos(uint8_t index) const { return cmos_[index & 0x7F]; }

    // System reset (QEMU's rtc_reset): PIE, AIE and SQWE off, flags cleared, IRQ low. The
    // calendar and the CMOS RAM survive.
    void reset();

    // The CMOS RAM (time, alarm and control registers included), the index, the calendar
    // base and its sub-second offset, the periodic and update timer bookkeeping and the IRQ
    // level. The timers' deadlines themselves belong to the VirtualClock.
    void serialize(StateArchive& a) override;

    IrqLine irq;  // raised with IRQF; lowered by reading register C

private:
    bool running() const;
    uint64_t guest_rtc_ns() const;
    void update_time();
    void set_time();
    void set_cmos_time(int64_t seconds);
    int to_bcd(int v) const;
    int from_bcd(int v) const;
    int convert_hour(int hour) const;
    int64_t next_alarm_seconds();
    void check_update_timer();
    void update_timer_fired();
    bool update_in_progress();
    uint32_t periodic_ticks() const;
    void periodic_timer_update(uint64_t now, uint32_t old_period, bool period_change);
    void periodic_timer_fired();
    void arm_update(uint64_t deadline);
    void disarm_update();
    uint8_t read_data();
    void write_data(uint8_t value);

    VirtualClock& clock_;
    VirtualClock::TimerId periodic_timer_;
    VirtualClock::TimerId update_timer_;

    std::array<uint8_t, 128> cmos_{};
    uint8_t index_ = 0;
    uint64_t base_rtc_ = 0;     // calendar seconds at last_update_
    uint64_t last_update_ = 0;  // virtual ns when base_rtc_ was set
    uint64_t offset_ = 0;       // sub-second phase, ns
    uint64_t next_periodic_time_ = 0;
    uint32_t period_ = 0;       // periodic interrupt period in 32768 Hz clocks, 0 = off
    uint64_t next_alarm_time_ = 0;
    uint64_t update_deadline_ = VirtualClock::kNever;  // the update timer's deadline
};

}  // namespace emu
