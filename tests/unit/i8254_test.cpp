// The 8254 PIT on a VirtualClock with shift 0 (one icount is one virtual nanosecond). Edge
// times are checked against QEMU's arithmetic: ticks = ns * 1193182 / 10^9 rounded down.
#include <catch2/catch.hpp>

#include "core/state_archive.h"
#include "core/clock.h"
#include "dev/i8254.h"

using emu::I8254;
using emu::SystemControlB;
using emu::VirtualClock;

namespace {

constexpr uint64_t F = 1193182;
constexpr uint64_t kNsPerSecond = 1'000'000'000;

// The first nanosecond at which `ticks` whole input clocks have elapsed.
uint64_t ns_reaching(uint64_t ticks) { return (ticks * kNsPerSecond + F - 1) / F; }
// A tick boundary converted to ns rounding down, as QEMU schedules timers.
uint64_t ns_floor(uint64_t ticks) { return ticks * kNsPerSecond / F; }

struct Board {
    VirtualClock clock{0};
    I8254 pit{clock};
    SystemControlB port61{pit};
    bool irq = false;
    std::vector<uint64_t> rises;

    Board()
    {
        pit.irq.connect([this](bool level) {
            irq = level;
            if (level)
                rises.push_back(clock.ns());
        });
    }
    uint8_t in(uint16_t port) { return static_cast<uint8_t>(pit.port_read(port, 1)); }
    void out(uint16_t port, uint8_t v) { pit.port_write(port, v, 1); }
    // Low byte, then high byte.
    unsigned in16(uint16_t port)
    {
        unsigned lo = in(port);
        return lo | unsigned{in(port)} << 8;
    }
    // Delivers every timer event up to `ns` at its own deadline, as the CPU loop does.
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
        append_state(s, pit);
        return s;
    }
};

}  // namespace

TEST_CASE("i8254: after reset channel 0 runs mode 3 with count 0x10000 (18.2 Hz)", "[pc][pit]")
{
    Board b;
    CHECK_FALSE(b.irq);
    CHECK(b.clock.next_deadline_icount() == ns_floor(0x8000));
    b.run_to(200'000'000);
    // QEMU leaves the line low at reset; the first timer event finds the output high.
    REQUIRE(b.rises.size() == 4);
    CHECK(b.rises[0] == ns_floor(0x8000));
    CHECK(b.rises[1] == ns_reaching(0x10000));
    CHECK(b.rises[2] == ns_reaching(2 * 0x10000));
    CHECK(b.rises[3] == ns_reaching(3 * 0x10000));
}

TEST_CASE("i8254: mode 2 rate generator interrupts once per period", "[pc][pit]")
{
    Board b;
    const uint64_t load = 5000;
    const uint64_t count = 1193;  // about 1 kHz
    b.run_to(load);
    b.out(0x43, 0x34);  // channel 0, lobyte/hibyte, mode 2
    b.out(0x40, count & 0xFF);
    b.out(0x40, count >> 8);
    CHECK_FALSE(b.irq);
    b.run_to(load + 5 * 1'000'000 + 500'000);
    // QEMU's mode 2 output rises one tick after each count boundary, rounded down to ns.
    REQUIRE(b.rises.size() == 5);
    for (uint64_t k = 1; k <= 5; k++)
        CHECK(b.rises[k - 1] == load + ns_floor(k * count + 1));
    // The counter reads back count - (ticks % count).
    b.out(0x43, 0x00);  // latch channel 0
    uint64_t d = (b.clock.ns() - load) * F / kNsPerSecond;
    uint16_t expect = static_cast<uint16_t>(count - d % count);
    CHECK(b.in(0x40) == (expect & 0xFF));
    CHECK(b.in(0x40) == (expect >> 8));
}

TEST_CASE("i8254: mode 3 square wave interrupts at every count boundary", "[pc][pit]")
{
    Board b;
    const uint64_t load = 123'456;
    const uint64_t count = 11932;  // about 100 Hz
    b.run_to(load);
    b.out(0x43, 0x36);  // channel 0, lobyte/hibyte, mode 3
    b.out(0x40, count & 0xFF);
    b.out(0x40, count >> 8);
    CHECK(b.irq);  // the output is high from the load
    b.run_to(load + 35'000'000);
    REQUIRE(b.rises.size() == 4);
    CHECK(b.rises[0] == load);
    for (uint64_t k = 1; k <= 3; k++)
        CHECK(b.rises[k] == load + ns_reaching(k * count));
    // Low for the second half of each period.
    b.run_to(load + ns_reaching(3 * count + count / 2 + 1));
    CHECK_FALSE(b.irq);
}

TEST_CASE("i8254: mode 0 interrupts once at terminal count", "[pc][pit]")
{
    Board b;
    b.out(0x43, 0x30);  // channel 0, lobyte/hibyte, mode 0
    b.out(0x40, 100);
    b.out(0x40, 0);
    CHECK_FALSE(b.irq);
    b.run_to(ns_reaching(100) - 1);
    CHECK_FALSE(b.irq);
    b.run_to(ns_reaching(100));
    CHECK(b.irq);
    CHECK(b.rises == std::vector<uint64_t>{ns_reaching(100)});
    CHECK(b.clock.next_deadline_icount() == VirtualClock::kNever);
    b.run_to(1'000'000'000);
    CHECK(b.rises.size() == 1);
    // Counting goes on through zero, wrapping at 16 bits.
    b.out(0x43, 0x00);
    uint64_t d = 1'000'000'000 * F / kNsPerSecond;
    uint16_t expect = static_cast<uint16_t>(100 - d);
    CHECK(b.in16(0x40) == expect);
}

TEST_CASE("i8254: counter latch and byte access modes", "[pc][pit]")
{
    Board b;
    b.out(0x43, 0xB0);  // channel 2, lobyte/hibyte, mode 0
    b.out(0x42, 0x34);
    b.out(0x42, 0x12);
    b.run_to(ns_reaching(100));
    b.out(0x43, 0x80);  // latch channel 2
    b.run_to(ns_reaching(5000));
    b.out(0x43, 0x80);  // ignored: a latch is pending
    CHECK(b.in(0x42) == 0xD0);  // 0x1234 - 100
    CHECK(b.in(0x42) == 0x11);
    // Without a latch, lobyte/hibyte reads follow the live count.
    uint16_t live = 0x1234 - 5000;
    CHECK(b.in(0x42) == (live & 0xFF));
    CHECK(b.in(0x42) == (live >> 8));

    b.out(0x43, 0x90);  // lobyte only
    b.out(0x42, 0x50);
    CHECK(b.in(0x42) == 0x50);
    CHECK(b.in(0x42) == 0x50);
    b.out(0x43, 0xA0);  // hibyte only
    b.out(0x42, 0x12);
    CHECK(b.in(0x42) == 0x12);
    b.out(0x43, 0x80);  // a latch in hibyte mode reads one byte
    CHECK(b.in(0x42) == 0x12);
    CHECK(b.in(0x43) == 0);  // the control register reads as 0
}

TEST_CASE("i8254: read-back command latches status and count", "[pc][pit]")
{
    Board b;
    b.out(0x43, 0x36);
    b.out(0x40, 0x00);
    b.out(0x40, 0x10);
    b.out(0x43, 0xC2);  // read-back: count and status of channel 0
    CHECK(b.in(0x40) == 0xB6);  // output high, lobyte/hibyte, mode 3, binary
    CHECK(b.in(0x40) == 0x00);
    CHECK(b.in(0x40) == 0x10);
    b.out(0x43, 0xE2);  // status only
    b.run_to(ns_reaching(0x800));
    CHECK(b.in(0x40) == 0xB6);
    b.run_to(ns_reaching(0x800 + 1));
    b.out(0x43, 0xE2);
    CHECK(b.in(0x40) == 0x36);  // second half: output low
}

TEST_CASE("i8254: port 0x61 drives channel 2's gate and shows its output", "[pc][pit]")
{
    Board b;
    CHECK_FALSE(b.pit.gate(2));
    b.port61.port_write(0x61, 0x03, 1);
    CHECK(b.pit.gate(2));
    b.out(0x43, 0xB0);  // channel 2, mode 0
    b.out(0x42, 10);
    b.out(0x42, 0);
    uint8_t first = static_cast<uint8_t>(b.port61.port_read(0x61, 1));
    uint8_t second = static_cast<uint8_t>(b.port61.port_read(0x61, 1));
    CHECK((first & 0x2F) == 0x03);  // gate, speaker data, output low
    CHECK(((first ^ second) & 0x10) == 0x10);  // refresh toggles on every read
    b.run_to(ns_reaching(10));
    CHECK((b.port61.port_read(0x61, 1) & 0x20) == 0x20);
    b.port61.port_write(0x61, 0x00, 1);
    CHECK_FALSE(b.pit.gate(2));
    CHECK((b.port61.port_read(0x61, 1) & 0x03) == 0);
}

TEST_CASE("i8254: a rising gate restarts mode 2 counting", "[pc][pit]")
{
    Board b;
    b.out(0x43, 0xB4);  // channel 2, mode 2
    b.out(0x42, 0x00);
    b.out(0x42, 0x01);  // 256
    b.run_to(ns_reaching(100));
    b.pit.set_gate(2, true);
    CHECK(b.in16(0x42) == 256);
}

TEST_CASE("i8254: save is deterministic and covers the state", "[pc][pit]")
{
    Board a, b;
    CHECK(a.saved() == b.saved());
    auto before = a.saved();
    a.out(0x43, 0x34);
    CHECK(a.saved() != before);
    before = a.saved();
    a.out(0x40, 0x12);
    CHECK(a.saved() != before);
    before = a.saved();
    a.out(0x43, 0x00);
    CHECK(a.saved() != before);
    before = a.saved();
    a.pit.set_gate(2, true);
    CHECK(a.saved() != before);
}
