#include "dev/mc146818.h"

#include <algorithm>

namespace emu {

namespace {

constexpr uint8_t kRegAUip = 0x80;
constexpr uint8_t kRegBSet = 0x80;
constexpr uint8_t kRegBPie = 0x40;
constexpr uint8_t kRegBAie = 0x20;
constexpr uint8_t kRegBUie = 0x10;
constexpr uint8_t kRegBSqwe = 0x08;
constexpr uint8_t kRegBDm = 0x04;   // binary (1) or BCD (0)
constexpr uint8_t kRegB24h = 0x02;
constexpr uint8_t kRegCIrqf = 0x80;
constexpr uint8_t kRegCPf = 0x40;
constexpr uint8_t kRegCAf = 0x20;
constexpr uint8_t kRegCUf = 0x10;
constexpr uint8_t kRegCMask = 0x70;  // PF, AF, UF line up with PIE, AIE, UIE in register B

constexpr uint64_t kNsPerSecond = 1'000'000'000;
constexpr uint64_t kRtcClockRate = 32768;
// UIP is high for the last 244 us before an update (8 cycles of the 32768 Hz clock).
constexpr int64_t kUipHoldNs = static_cast<int64_t>(8 * kNsPerSecond / kRtcClockRate);
constexpr int kSecondsPerDay = 86400;

uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c)
{
    return static_cast<uint64_t>(static_cast<unsigned __int128>(a) * b / c);
}

// Periodic rate code (register A bits 0-3) to a period in 32768 Hz clocks; codes 1 and 2
// repeat the rates of 8 and 9, as on the part.
uint32_t period_code_to_clocks(unsigned code)
{
    if (code == 0)
        return 0;
    if (code <= 2)
        code += 7;
    return 1u << (code - 1);
}

struct CalendarTime {
    int sec, min, hour;
    int mday, mon;  // mon 0-11
    int64_t year;   // full year
    int wday;       // 0 = Sunday
};

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// UTC calendar of a Unix time, proleptic Gregorian (days-to-civil over 400-year eras).
CalendarTime calendar_from_seconds(int64_t t)
{
    int64_t days = floor_div(t, kSecondsPerDay);
    int64_t rem = t - days * kSecondsPerDay;
    CalendarTime tm{};
    tm.hour = static_cast<int>(rem / 3600);
    tm.min = static_cast<int>(rem / 60 % 60);
    tm.sec = static_cast<int>(rem % 60);
    tm.wday = static_cast<int>(days + 4 - floor_div(days + 4, 7) * 7);  // 1970-01-01: Thursday
    int64_t z = days + 719468;  // days since 0000-03-01
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    tm.mday = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    tm.mon = static_cast<int>(mp < 10 ? mp + 2 : mp - 10);
    tm.year = yoe + era * 400 + (tm.mon <= 1 ? 1 : 0);
    return tm;
}

// The inverse, with QEMU's mktimegm arithmetic: out-of-range fields (a guest may write any
// byte) are not normalised, just carried through the formula.
int64_t seconds_from_calendar(const CalendarTime& tm)
{
    int64_t y = tm.year;
    int64_t m = tm.mon + 1;
    int64_t d = tm.mday;
    if (m < 3) {
        m += 12;
        y--;
    }
    uint64_t days = static_cast<uint64_t>(d + (153 * m - 457) / 5 + 365 * y + y / 4 - y / 100 +
                                          y / 400 - 719469);
    uint64_t t = 86400u * days + static_cast<uint64_t>(3600 * int64_t{tm.hour} +
                                                       60 * int64_t{tm.min} + tm.sec);
    return static_cast<int64_t>(t);
}

}  // namespace

Mc146818::Mc146818(VirtualClock& clock, int64_t start_seconds) : clock_(clock)
{
    periodic_timer_ = clock_.add_timer([this] { periodic_timer_fired(); });
    update_timer_ = clock_.add_timer([this] { update_timer_fired(); });
    cmos_[kRegA] = 0x26;  // 32768 Hz time base, 1024 Hz periodic rate
    cmos_[kRegB] = kRegB24h;
    cmos_[kRegC] = 0;
    cmos_[kRegD] = 0x80;  // VRT: the battery is fine
    base_rtc_ = static_cast<uint64_t>(start_seconds);
    last_update_ = clock_.ns();
    offset_ = 0;
    set_cmos_time(start_seconds);
    check_update_timer();
}

void Mc146818::init_pc_cmos(uint64_t below_4g, uint64_t above_4g)
{
    constexpr uint64_t KiB = 1024;
    constexpr uint64_t MiB = 1024 * KiB;
    uint64_t base = std::min<uint64_t>(below_4g / KiB, 640);
    cmos_[0x15] = static_cast<uint8_t>(base);
    cmos_[0x16] = static_cast<uint8_t>(base >> 8);
    uint64_t ext = below_4g > MiB ? std::min<uint64_t>((below_4g - MiB) / KiB, 65535) : 0;
    cmos_[0x17] = cmos_[0x30] = static_cast<uint8_t>(ext);
    cmos_[0x18] = cmos_[0x31] = static_cast<uint8_t>(ext >> 8);
    uint64_t high = below_4g > 16 * MiB ? std::min<uint64_t>((below_4g - 16 * MiB) / (64 * KiB), 65535)
                                        : 0;
    cmos_[0x34] = static_cast<uint8_t>(high);
    cmos_[0x35] = static_cast<uint8_t>(high >> 8);
    uint64_t above = above_4g / (64 * KiB);
    cmos_[0x5B] = static_cast<uint8_t>(above);
    cmos_[0x5C] = static_cast<uint8_t>(above >> 8);
    cmos_[0x5D] = static_cast<uint8_t>(above >> 16);
    cmos_[0x14] = 0x02 | 0x04;  // FPU present, PS/2 mouse installed
    cmos_[0x3D] = 0x12;         // boot devices 1 and 2: hard disk (2), floppy (1)
    cmos_[0x38] = 0x30;         // boot device 3: CD-ROM (3); floppy signature check on
}

void Mc146818::reset()
{
    cmos_[kRegB] &= static_cast<uint8_t>(~(kRegBPie | kRegBAie | kRegBSqwe));
    cmos_[kRegC] &= static_cast<uint8_t>(~(kRegCUf | kRegCIrqf | kRegCPf | kRegCAf));
    check_update_timer();
    irq.set(false);
    // As QEMU, the periodic timer is not touched: if it was armed it fires once more, finds
    // PIE clear and stops, setting PF without an interrupt.
}

// The divider chain runs (time base 0x20 or below) and SET is clear.
bool Mc146818::running() const
{
    return !(cmos_[kRegB] & kRegBSet) && (cmos_[kRegA] & 0x70) <= 0x20;
}

uint64_t Mc146818::guest_rtc_ns() const
{
    return base_rtc_ * kNsPerSecond + clock_.ns() - last_update_ + offset_;
}

int Mc146818::to_bcd(int v) const
{
    if (cmos_[kRegB] & kRegBDm)
        return v;
    return ((v / 10) << 4) | (v % 10);
}

// -1 for a "don't care" alarm byte (top two bits set).
int Mc146818::from_bcd(int v) const
{
    if ((v & 0xC0) == 0xC0)
        return -1;
    if (cmos_[kRegB] & kRegBDm)
        return v;
    return ((v >> 4) * 10) + (v & 0x0F);
}

void Mc146818::set_cmos_time(int64_t seconds)
{
    CalendarTime tm = calendar_from_seconds(seconds);
    cmos_[kSeconds] = static_cast<uint8_t>(to_bcd(tm.sec));
    cmos_[kMinutes] = static_cast<uint8_t>(to_bcd(tm.min));
    if (cmos_[kRegB] & kRegB24h) {
        cmos_[kHours] = static_cast<uint8_t>(to_bcd(tm.hour));
    } else {
        int h = tm.hour % 12 ? tm.hour % 12 : 12;
        cmos_[kHours] = static_cast<uint8_t>(to_bcd(h) | (tm.hour >= 12 ? 0x80 : 0));
    }
    cmos_[kDayOfWeek] = static_cast<uint8_t>(to_bcd(tm.wday + 1));
    cmos_[kDayOfMonth] = static_cast<uint8_t>(to_bcd(tm.mday));
    cmos_[kMonth] = static_cast<uint8_t>(to_bcd(tm.mon + 1));
    // QEMU's pc uses base_year 2000, which its realize turns into 0: the year byte holds
    // year % 100 and the century byte the century.
    int year = static_cast<int>(tm.year);
    cmos_[kYear] = static_cast<uint8_t>(to_bcd(year % 100));
    cmos_[kCentury] = static_cast<uint8_t>(to_bcd(year / 100));
}

// Brings the time registers up to date, unless SET freezes them.
void Mc146818::update_time()
{
    int64_t guest_ns = static_cast<int64_t>(guest_rtc_ns());
    int64_t guest_sec = guest_ns / static_cast<int64_t>(kNsPerSecond);
    if (!(cmos_[kRegB] & kRegBSet))
        set_cmos_time(guest_sec);
}

// Takes the time registers as the new calendar time, from now.
void Mc146818::set_time()
{
    CalendarTime tm{};
    tm.sec = from_bcd(cmos_[kSeconds]);
    tm.min = from_bcd(cmos_[kMinutes]);
    tm.hour = from_bcd(cmos_[kHours] & 0x7F);
    if (!(cmos_[kRegB] & kRegB24h)) {
        tm.hour %= 12;
        if (cmos_[kHours] & 0x80)
            tm.hour += 12;
    }
    tm.mday = from_bcd(cmos_[kDayOfMonth]);
    tm.mon = from_bcd(cmos_[kMonth]) - 1;
    tm.year = from_bcd(cmos_[kYear]) + int64_t{from_bcd(cmos_[kCentury])} * 100;
    base_rtc_ = static_cast<uint64_t>(seconds_from_calendar(tm));
    last_update_ = clock_.ns();
}

int Mc146818::convert_hour(int hour) const
{
    if (!(cmos_[kRegB] & kRegB24h)) {
        hour %= 12;
        if (cmos_[kHours] & 0x80)
            hour += 12;
    }
    return hour;
}

// Seconds from the current second to the next alarm match (1 to 86400), with don't-care
// fields (-1) matching as QEMU's get_next_alarm decides.
int64_t Mc146818::next_alarm_seconds()
{
    update_time();
    int alarm_sec = from_bcd(cmos_[kSecondsAlarm]);
    int alarm_min = from_bcd(cmos_[kMinutesAlarm]);
    int alarm_hour = from_bcd(cmos_[kHoursAlarm]);
    if (alarm_hour != -1)
        alarm_hour = convert_hour(alarm_hour);
    int cur_sec = from_bcd(cmos_[kSeconds]);
    int cur_min = from_bcd(cmos_[kMinutes]);
    int cur_hour = convert_hour(from_bcd(cmos_[kHours]));

    if (alarm_hour == -1) {
        alarm_hour = cur_hour;
        if (alarm_min == -1) {
            alarm_min = cur_min;
            if (alarm_sec == -1)
                alarm_sec = cur_sec + 1;
            else if (cur_sec > alarm_sec)
                alarm_min++;
        } else if (cur_min == alarm_min) {
            if (alarm_sec == -1)
                alarm_sec = cur_sec + 1;
            else if (cur_sec > alarm_sec)
                alarm_hour++;
            if (alarm_sec == 60) {  // minutes are not don't-care: on to the next hour
                alarm_sec = 0;
                alarm_hour++;
            }
        } else if (cur_min > alarm_min) {
            alarm_hour++;
        }
    } else if (cur_hour == alarm_hour) {
        if (alarm_min == -1) {
            alarm_min = cur_min;
            if (alarm_sec == -1)
                alarm_sec = cur_sec + 1;
            else if (cur_sec > alarm_sec)
                alarm_min++;
            if (alarm_sec == 60) {
                alarm_sec = 0;
                alarm_min++;
            }
            alarm_min %= 60;  // the hour is not don't-care: on to the next day
        } else if (cur_min == alarm_min) {
            if (alarm_sec == -1)
                alarm_sec = cur_sec + 1;
            alarm_sec %= 60;
        }
    }
    if (alarm_min == -1)
        alarm_min = 0;
    if (alarm_sec == -1)
        alarm_sec = 0;
    if (alarm_sec == 60) {
        alarm_sec = 0;
        alarm_min++;
    }
    if (alarm_min == 60) {
        alarm_min = 0;
        alarm_hour++;
    }
    alarm_hour %= 24;
    int64_t sec = ((int64_t{alarm_hour} - cur_hour) * 60 + alarm_min - cur_min) * 60 + alarm_sec -
                  cur_sec;
    return sec <= 0 ? sec + kSecondsPerDay : sec;
}

void Mc146818::arm_update(uint64_t deadline)
{
    update_deadline_ = deadline;
    clock_.arm(update_timer_, deadline);
}

void Mc146818::disarm_update()
{
    update_deadline_ = VirtualClock::kNever;
    clock_.disarm(update_timer_);
}

// Schedules the next update-ended event: the next second boundary of the calendar, or, when
// UF is already set and unread, straight to the alarm (QEMU's optimisation, kept because it
// decides when UIP can be seen).
void Mc146818::check_update_timer()
{
    if ((cmos_[kRegA] & 0x60) == 0x60) {  // dividers held in reset: no updates
        disarm_update();
        return;
    }
    uint64_t now = clock_.ns();
    uint64_t phase = guest_rtc_ns() % kNsPerSecond;
    uint64_t next_update = now + kNsPerSecond - phase;
    int64_t alarm_sec = next_alarm_seconds();
    next_alarm_time_ = next_update + static_cast<uint64_t>((alarm_sec - 1) * int64_t{1'000'000'000});
    if (!(cmos_[kRegA] & kRegAUip) && (cmos_[kRegC] & kRegCUf)) {
        if ((cmos_[kRegB] & kRegBSet) || (cmos_[kRegC] & kRegCAf)) {
            disarm_update();
            return;
        }
        next_update = next_alarm_time_;
    }
    if (next_update != update_deadline_)
        arm_update(next_update);
}

void Mc146818::update_timer_fired()
{
    update_deadline_ = VirtualClock::kNever;
    update_time();
    cmos_[kRegA] &= static_cast<uint8_t>(~kRegAUip);
    uint8_t irqs = kRegCUf;
    if (clock_.ns() >= next_alarm_time_)
        irqs |= kRegCAf;
    uint8_t new_irqs = irqs & static_cast<uint8_t>(~cmos_[kRegC]);
    cmos_[kRegC] |= irqs;
    if (new_irqs & cmos_[kRegB]) {
        cmos_[kRegC] |= kRegCIrqf;
        irq.set(true);
    }
    check_update_timer();
}

// UIP as a guest polling register A sees it: set for the last 244 us before each update;
// once seen in that window it stays latched until the update timer fires.
bool Mc146818::update_in_progress()
{
    if (!running())
        return false;
    int64_t now = static_cast<int64_t>(clock_.ns());
    if (update_deadline_ != VirtualClock::kNever &&
        now >= static_cast<int64_t>(update_deadline_) - kUipHoldNs) {
        cmos_[kRegA] |= kRegAUip;
        return true;
    }
    int64_t guest_ns = static_cast<int64_t>(guest_rtc_ns());
    return guest_ns % static_cast<int64_t>(kNsPerSecond) >=
           static_cast<int64_t>(kNsPerSecond) - kUipHoldNs;
}

uint32_t Mc146818::periodic_ticks() const
{
    if (!(cmos_[kRegB] & kRegBPie))
        return 0;
    return period_code_to_clocks(cmos_[kRegA] & 0x0F);
}

// Schedules the next periodic interrupt on the 32768 Hz grid of virtual time. On a rate
// change, the time already waited since the last interrupt counts towards the new period
// (at most one period: lost ticks are discarded).
void Mc146818::periodic_timer_update(uint64_t now, uint32_t old_period, bool period_change)
{
    uint32_t period = periodic_ticks();
    period_ = period;
    if (!period) {
        clock_.disarm(periodic_timer_);
        return;
    }
    int64_t cur_clock = static_cast<int64_t>(muldiv(now, kRtcClockRate, kNsPerSecond));
    int64_t lost_clock = 0;
    if (old_period && period_change) {
        int64_t next_clock =
            static_cast<int64_t>(muldiv(next_periodic_time_, kRtcClockRate, kNsPerSecond));
        lost_clock = std::max<int64_t>(cur_clock - (next_clock - old_period), 0);
    }
    lost_clock = std::min<int64_t>(lost_clock, period);
    int64_t next_irq_clock = cur_clock + period - lost_clock;
    next_periodic_time_ = muldiv(static_cast<uint64_t>(next_irq_clock), kNsPerSecond, kRtcClockRate) + 1;
    clock_.arm(periodic_timer_, next_periodic_time_);
}

void Mc146818::periodic_timer_fired()
{
    // Evaluated at the scheduled time, so the grid does not drift with delivery latency.
    periodic_timer_update(next_periodic_time_, period_, false);
    cmos_[kRegC] |= kRegCPf;
    if (cmos_[kRegB] & kRegBPie) {
        cmos_[kRegC] |= kRegCIrqf;
        irq.set(true);
    }
}

void Mc146818::write_data(uint8_t value)
{
    switch (index_) {
    case kSecondsAlarm:
    case kMinutesAlarm:
    case kHoursAlarm:
        cmos_[index_] = value;
        check_update_timer();
        break;
    case kPs2Century:
        index_ = kCentury;
        [[fallthrough]];
    case kCentury:
    case kSeconds:
    case kMinutes:
    case kHours:
    case kDayOfWeek:
    case kDayOfMonth:
    case kMonth:
    case kYear:
        cmos_[index_] = value;
        // With SET (or the dividers stopped) the write waits; clearing SET applies it.
        if (running()) {
            set_time();
            check_update_timer();
        }
        break;
    case kRegA: {
        bool rate_changed = (cmos_[kRegA] ^ value) & 0x0F;
        uint32_t old_period = periodic_ticks();
        if ((value & 0x60) == 0x60) {
            // Divider reset: the calendar stops where it is.
            if (running())
                update_time();
            cmos_[kRegA] &= static_cast<uint8_t>(~kRegAUip);
        } else if ((cmos_[kRegA] & 0x60) == 0x60 && (value & 0x70) <= 0x20) {
            // Leaving divider reset: the first update comes half a second later.
            if (!(cmos_[kRegB] & kRegBSet)) {
                offset_ = 500'000'000;
                set_time();
            }
            cmos_[kRegA] &= static_cast<uint8_t>(~kRegAUip);
        }
        cmos_[kRegA] = static_cast<uint8_t>((value & ~kRegAUip) | (cmos_[kRegA] & kRegAUip));
        if (rate_changed)
            periodic_timer_update(clock_.ns(), old_period, true);
        check_update_timer();
        break;
    }
    case kRegB: {
        bool pie_changed = (cmos_[kRegB] ^ value) & kRegBPie;
        uint32_t old_period = periodic_ticks();
        if (value & kRegBSet) {
            // Freeze the registers at the current time; SET also clears UIE.
            if (running())
                update_time();
            cmos_[kRegA] &= static_cast<uint8_t>(~kRegAUip);
            value &= static_cast<uint8_t>(~kRegBUie);
        } else if ((cmos_[kRegB] & kRegBSet) && (cmos_[kRegA] & 0x70) <= 0x20) {
            // Leaving SET: the registers become the time, keeping the sub-second phase.
            offset_ = guest_rtc_ns() % kNsPerSecond;
            set_time();
        }
        // A flag already set when its interrupt becomes enabled interrupts at once.
        if (value & cmos_[kRegC] & kRegCMask) {
            cmos_[kRegC] |= kRegCIrqf;
            irq.set(true);
        } else {
            cmos_[kRegC] &= static_cast<uint8_t>(~kRegCIrqf);
            irq.set(false);
        }
        cmos_[kRegB] = value;
        if (pie_changed)
            periodic_timer_update(clock_.ns(), old_period, true);
        check_update_timer();
        break;
    }
    case kRegC:
    case kRegD: break;  // read-only
    default: cmos_[index_] = value; break;
    }
}

uint8_t Mc146818::read_data()
{
    switch (index_) {
    case kPs2Century:
        index_ = kCentury;
        [[fallthrough]];
    case kCentury:
    case kSeconds:
    case kMinutes:
    case kHours:
    case kDayOfWeek:
    case kDayOfMonth:
    case kMonth:
    case kYear:
        if (running())
            update_time();
        return cmos_[index_];
    case kRegA: {
        uint8_t ret = cmos_[kRegA];
        if (update_in_progress())
            ret |= kRegAUip;
        return ret;
    }
    case kRegC: {
        uint8_t ret = cmos_[kRegC];
        irq.set(false);
        cmos_[kRegC] = 0;
        if (ret & (kRegCUf | kRegCAf))
            check_update_timer();
        return ret;
    }
    default: return cmos_[index_];
    }
}

uint32_t Mc146818::port_read(uint16_t port, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = ((port + i) & 1) ? read_data() : 0xFF;
        v |= uint32_t{b} << (8 * i);
    }
    return v;
}

void Mc146818::port_write(uint16_t port, uint32_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = static_cast<uint8_t>(value >> (8 * i));
        if ((port + i) & 1)
            write_data(b);
        else
            index_ = b & 0x7F;  // bit 7 masks NMI on a PC; not a CMOS address bit
    }
}

void Mc146818::serialize(StateArchive& a)
{
    a.section("mc146818", 1);
    std::vector<uint8_t> ram(cmos_.begin(), cmos_.end());
    a.blob("cmos", ram);
    if (a.loading() && ram.size() != cmos_.size())
        a.fail("CMOS RAM of " + std::to_string(ram.size()) + " bytes, expected " + std::to_string(cmos_.size()));
    else if (a.loading())
        std::copy(ram.begin(), ram.end(), cmos_.begin());
    a.field("index", index_);
    a.field("base_rtc", base_rtc_);
    a.field("last_update", last_update_);
    a.field("offset", offset_);
    a.field("next_periodic_time", next_periodic_time_);
    a.field("period", period_);
    a.field("next_alarm_time", next_alarm_time_);
    // Mirrors the update timer's deadline, which UIP reads; the clock restores the timer.
    a.field("update_deadline", update_deadline_);
    bool level = irq.level();
    a.field("irq", level);
    if (a.loading())
        irq.restore_level(level);
}


}  // namespace emu
