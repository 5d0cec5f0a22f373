// MC146818 RTC/CMOS through ports 0x70/0x71, on a VirtualClock with shift 0 (one icount is
// one virtual nanosecond).
#include <catch2/catch.hpp>

#include "core/state_archive.h"
#include "core/clock.h"
#include "dev/mc146818.h"

using emu::Mc146818;
using emu::VirtualClock;

namespace {

constexpr uint64_t kSecond = 1'000'000'000;
constexpr int64_t kStart = 1'700'000'000;  // 2023-11-14 22:13:20 UTC, a Tuesday

constexpr uint8_t SEC = 0x00, SEC_ALARM = 0x01, MIN = 0x02, MIN_ALARM = 0x03, HOUR = 0x04,
                  HOUR_ALARM = 0x05, DOW = 0x06, DOM = 0x07, MON = 0x08, YEAR = 0x09, A = 0x0A,
                  B = 0x0B, C = 0x0C, D = 0x0D, CENTURY = 0x32;

struct Board {
    VirtualClock clock{0};
    Mc146818 rtc;
    bool irq = false;
    std::vector<uint64_t> rises;

    explicit Board(int64_t start = kStart) : rtc(clock, start)
    {
        rtc.irq.connect([this](bool level) {
            irq = level;
            if (level)
                rises.push_back(clock.ns());
        });
    }
    uint8_t reg(uint8_t index)
    {
        rtc.port_write(0x70, index, 1);
        return static_cast<uint8_t>(rtc.port_read(0x71, 1));
    }
    void write(uint8_t index, uint8_t value)
    {
        rtc.port_write(0x70, index, 1);
        rtc.port_write(0x71, value, 1);
    }
    void run_to(uint64_t ns)
    {
        while (clock.next_deadline_icount() <= ns) {
            clock.set_icount(std::max(clock.icount(), clock.next_deadline_icount()));
            clock.fire_due();
        }
        clock.set_icount(ns);
        clock.fire_due();
    }
    std::vector<uint8_t> saved() const
    {
        std::vector<uint8_t> s;
        append_state(s, rtc);
        return s;
    }
};

}  // namespace

TEST_CASE("mc146818: power-on registers and BCD time from the start value", "[pc][rtc]")
{
    Board b;
    CHECK(b.reg(A) == 0x26);
    CHECK(b.reg(B) == 0x02);  // 24-hour, BCD
    CHECK(b.reg(C) == 0x00);
    CHECK(b.reg(D) == 0x80);
    CHECK(b.reg(SEC) == 0x20);
    CHECK(b.reg(MIN) == 0x13);
    CHECK(b.reg(HOUR) == 0x22);
    CHECK(b.reg(DOW) == 0x03);  // Tuesday: Sunday is 1
    CHECK(b.reg(DOM) == 0x14);
    CHECK(b.reg(MON) == 0x11);
    CHECK(b.reg(YEAR) == 0x23);
    CHECK(b.reg(CENTURY) == 0x20);
    CHECK(b.reg(0x37) == 0x20);  // the PS/2 century alias
    CHECK(b.rtc.port_read(0x70, 1) == 0xFF);
}

TEST_CASE("mc146818: time advances with virtual time only", "[pc][rtc]")
{
    Board b;
    b.run_to(105 * kSecond - 1);
    CHECK(b.reg(SEC) == 0x04);
    b.run_to(105 * kSecond);
    CHECK(b.reg(SEC) == 0x05);
    CHECK(b.reg(MIN) == 0x15);
    CHECK(b.reg(HOUR) == 0x22);
    // Past midnight: the date rolls over.
    b.run_to((2 * 3600 - 13 * 60 - 20 + 1) * kSecond);
    CHECK(b.reg(HOUR) == 0x00);
    CHECK(b.reg(MIN) == 0x00);
    CHECK(b.reg(SEC) == 0x01);
    CHECK(b.reg(DOM) == 0x15);
    CHECK(b.reg(DOW) == 0x04);
}

TEST_CASE("mc146818: binary and 12-hour modes", "[pc][rtc]")
{
    Board b;
    b.write(B, 0x06);  // binary, 24-hour
    CHECK(b.reg(SEC) == 20);
    CHECK(b.reg(MIN) == 13);
    CHECK(b.reg(HOUR) == 22);
    CHECK(b.reg(YEAR) == 23);
    CHECK(b.reg(CENTURY) == 20);
    CHECK(b.reg(MON) == 11);
    b.write(B, 0x00);  // BCD, 12-hour: 10 PM
    CHECK(b.reg(HOUR) == 0x90);
    b.write(B, 0x04);  // binary, 12-hour
    CHECK(b.reg(HOUR) == (0x80 | 10));

    Board midnight(0);  // 1970-01-01 00:00:00, a Thursday
    midnight.write(B, 0x00);
    CHECK(midnight.reg(HOUR) == 0x12);  // 12 AM
    CHECK(midnight.reg(DOW) == 0x05);
    CHECK(midnight.reg(YEAR) == 0x70);
    CHECK(midnight.reg(CENTURY) == 0x19);

    Board leap(951'782'400);  // 2000-02-29
    CHECK(leap.reg(DOM) == 0x29);
    CHECK(leap.reg(MON) == 0x02);
    CHECK(leap.reg(YEAR) == 0x00);
    CHECK(leap.reg(CENTURY) == 0x20);
}

TEST_CASE("mc146818: UIP in the last 244 us before each update", "[pc][rtc]")
{
    Board b;
    b.run_to(kSecond - 300'000);
    CHECK(b.reg(A) == 0x26);
    b.run_to(kSecond - 200'000);
    CHECK(b.reg(A) == 0xA6);
    CHECK(b.reg(SEC) == 0x20);  // the update has not happened yet
    b.run_to(kSecond);
    CHECK(b.reg(A) == 0x26);
    CHECK(b.reg(SEC) == 0x21);
    // With UF left set the update timer idles, and UIP comes from the time alone.
    b.run_to(5 * kSecond - 100'000);
    CHECK(b.reg(A) == 0xA6);
    b.run_to(5 * kSecond + 1);
    CHECK(b.reg(A) == 0x26);
}

TEST_CASE("mc146818: update-ended interrupt once per second", "[pc][rtc]")
{
    Board b;
    b.run_to(kSecond / 3);
    b.write(B, 0x12);  // UIE, 24-hour
    CHECK_FALSE(b.irq);
    b.run_to(kSecond - 1);
    CHECK_FALSE(b.irq);
    b.run_to(kSecond);
    CHECK(b.irq);
    CHECK(b.rises == std::vector<uint64_t>{kSecond});
    CHECK(b.reg(SEC) == 0x21);
    CHECK(b.reg(C) == 0x90);  // IRQF | UF
    CHECK_FALSE(b.irq);
    CHECK(b.reg(C) == 0x00);  // reading clears
    b.run_to(2 * kSecond);
    CHECK(b.rises == std::vector<uint64_t>{kSecond, 2 * kSecond});
    // Without a read of C the line stays high: no new edges.
    b.run_to(5 * kSecond);
    CHECK(b.rises.size() == 2);
    CHECK(b.reg(C) == 0x90);
    b.run_to(6 * kSecond);
    CHECK(b.rises.size() == 3);
}

TEST_CASE("mc146818: periodic interrupt at the register A rate", "[pc][rtc]")
{
    Board b;
    b.write(B, 0x42);  // PIE; A = 0x26: rate 6, 1024 Hz, 32 clocks of 32768 Hz
    // The next 32768 Hz grid point plus 1 ns, as QEMU schedules it.
    const uint64_t t1 = 32 * kSecond / 32768 + 1;
    const uint64_t t2 = 64 * kSecond / 32768 + 1;
    CHECK(b.clock.next_deadline_icount() == t1);
    b.run_to(t1 - 1);
    CHECK_FALSE(b.irq);
    b.run_to(t1);
    CHECK(b.irq);
    CHECK(b.reg(C) == 0xC0);  // IRQF | PF
    CHECK_FALSE(b.irq);
    b.run_to(t2);
    CHECK(b.rises == std::vector<uint64_t>{t1, t2});

    SECTION("a rate change counts the time since the last interrupt")
    {
        b.run_to(2'000'000);
        b.write(A, 0x23);  // 8192 Hz: 4 clocks
        // 65 clocks now, the last interrupt at 64: one clock already waited.
        CHECK(b.clock.next_deadline_icount() == 68 * kSecond / 32768 + 1);
    }
    SECTION("clearing PIE stops it")
    {
        b.write(B, 0x02);
        CHECK_FALSE(b.irq);
        CHECK(b.clock.next_deadline_icount() == kSecond);  // only the update timer is left
        b.run_to(kSecond / 2);
        CHECK(b.rises.size() == 2);
    }
}

TEST_CASE("mc146818: alarm interrupt", "[pc][rtc]")
{
    Board b;
    b.write(SEC_ALARM, 0x22);
    b.write(MIN_ALARM, 0x13);
    b.write(HOUR_ALARM, 0x22);
    b.write(B, 0x22);  // AIE
    b.run_to(2 * kSecond - 1);
    CHECK_FALSE(b.irq);
    b.run_to(2 * kSecond);
    CHECK(b.irq);
    CHECK(b.reg(C) == 0xB0);  // IRQF | AF | UF

    SECTION("don't-care bytes match every second")
    {
        b.write(SEC_ALARM, 0xC0);
        b.write(MIN_ALARM, 0xC0);
        b.write(HOUR_ALARM, 0xC0);
        b.run_to(3 * kSecond);
        CHECK(b.reg(C) == 0xB0);
        b.run_to(4 * kSecond);
        CHECK(b.rises == std::vector<uint64_t>{2 * kSecond, 3 * kSecond, 4 * kSecond});
    }
}

TEST_CASE("mc146818: setting the time with SET", "[pc][rtc]")
{
    Board b;
    b.run_to(kSecond / 4);
    b.write(B, 0x92);  // SET (and UIE, which SET clears)
    CHECK(b.reg(B) == 0x82);
    b.write(HOUR, 0x05);
    b.write(MIN, 0x06);
    b.write(SEC, 0x07);
    b.run_to(3 * kSecond + kSecond / 4);
    CHECK(b.reg(SEC) == 0x07);  // frozen while SET
    CHECK(b.reg(HOUR) == 0x05);
    b.write(B, 0x02);
    CHECK(b.reg(HOUR) == 0x05);
    CHECK(b.reg(MIN) == 0x06);
    CHECK(b.reg(SEC) == 0x07);
    CHECK(b.reg(DOM) == 0x14);
    // The running clock's sub-second phase is kept: seconds still tick on the old grid.
    b.run_to(4 * kSecond - 1);
    CHECK(b.reg(SEC) == 0x07);
    b.run_to(4 * kSecond);
    CHECK(b.reg(SEC) == 0x08);
    // Without SET a write takes effect at once.
    b.write(MIN, 0x45);
    CHECK(b.reg(MIN) == 0x45);
    CHECK(b.reg(SEC) == 0x08);
}

TEST_CASE("mc146818: divider reset stops the clock; release starts half a second later",
          "[pc][rtc]")
{
    Board b;
    b.write(A, 0x76);
    b.run_to(5 * kSecond);
    CHECK(b.reg(SEC) == 0x20);
    CHECK(b.reg(A) == 0x76);  // no UIP while stopped
    b.write(A, 0x26);
    b.run_to(5 * kSecond + kSecond / 2 - 1);
    CHECK(b.reg(SEC) == 0x20);
    b.run_to(5 * kSecond + kSecond / 2);
    CHECK(b.reg(SEC) == 0x21);
}

TEST_CASE("mc146818: CMOS RAM and QEMU's pc bytes", "[pc][rtc]")
{
    Board b;
    b.write(0x40, 0xAB);
    CHECK(b.reg(0x40) == 0xAB);
    CHECK(b.reg(0xC0) == 0xAB);  // bit 7 of the index is the NMI mask
    b.write(C, 0xFF);
    b.write(D, 0x00);
    CHECK(b.reg(C) == 0x00);
    CHECK(b.reg(D) == 0x80);

    b.rtc.init_pc_cmos(32u << 20);
    CHECK(b.reg(0x15) == 0x80);  // 640 KiB base memory
    CHECK(b.reg(0x16) == 0x02);
    CHECK(b.reg(0x17) == 0x00);  // 31 MiB extended = 0x7C00 KiB
    CHECK(b.reg(0x18) == 0x7C);
    CHECK(b.reg(0x30) == 0x00);
    CHECK(b.reg(0x31) == 0x7C);
    CHECK(b.reg(0x34) == 0x00);  // 16 MiB above 16 MiB = 0x0100 x 64 KiB
    CHECK(b.reg(0x35) == 0x01);
    CHECK(b.reg(0x14) == 0x06);
    CHECK(b.reg(0x3D) == 0x12);

    b.rtc.init_pc_cmos(128u << 20);
    CHECK(b.reg(0x17) == 0xFF);  // 127 MiB: capped at 65535 KiB
    CHECK(b.reg(0x18) == 0xFF);
    CHECK(b.reg(0x34) == 0x00);  // 112 MiB above 16 MiB = 0x0700 x 64 KiB
    CHECK(b.reg(0x35) == 0x07);

    b.rtc.init_pc_cmos(3u << 30, 1ull << 32);
    CHECK(b.reg(0x34) == 0x00);  // 3 GiB - 16 MiB = 0xBF00 x 64 KiB
    CHECK(b.reg(0x35) == 0xBF);
    CHECK(b.reg(0x5B) == 0x00);  // 4 GiB = 0x10000 x 64 KiB
    CHECK(b.reg(0x5C) == 0x00);
    CHECK(b.reg(0x5D) == 0x01);
}

TEST_CASE("mc146818: reset disables interrupts and keeps the time", "[pc][rtc]")
{
    Board b;
    b.write(B, 0x72);
    b.run_to(kSecond);
    CHECK(b.irq);
    b.rtc.reset();
    CHECK_FALSE(b.irq);
    CHECK(b.reg(B) == 0x12);
    CHECK(b.reg(C) == 0x00);
    CHECK(b.reg(SEC) == 0x21);
}

TEST_CASE("mc146818: save is deterministic and covers the state", "[pc][rtc]")
{
    Board a, b;
    CHECK(a.saved() == b.saved());
    for (Board* x : {&a, &b}) {
        x->write(B, 0x52);
        x->run_to(3 * kSecond + 5);
    }
    CHECK(a.saved() == b.saved());
    auto before = a.saved();
    a.rtc.port_write(0x70, 0x21, 1);
    CHECK(a.saved() != before);
    before = a.saved();
    a.write(0x21, 1);
    CHECK(a.saved() != before);
    before = a.saved();
    a.reg(C);
    CHECK(a.saved() != before);
    Board other(kStart + 1);
    Board same;
    CHECK(other.saved() != same.saved());
}
