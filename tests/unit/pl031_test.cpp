// PL031 real-time clock, driven through its registers against a VirtualClock with shift 0
// (one icount is one virtual nanosecond).
#include <catch2/catch.hpp>

#include "core/state_archive.h"
#include "core/clock.h"
#include "dev/pl031.h"

using emu::Pl031;
using emu::VirtualClock;

namespace {

constexpr uint64_t DR = 0x00;
constexpr uint64_t MR = 0x04;
constexpr uint64_t LR = 0x08;
constexpr uint64_t CR = 0x0C;
constexpr uint64_t IMSC = 0x10;
constexpr uint64_t RIS = 0x14;
constexpr uint64_t MIS = 0x18;
constexpr uint64_t ICR = 0x1C;

constexpr uint64_t kSecond = 1'000'000'000;
constexpr uint32_t kStart = 1'700'000'000;  // 2023-11-14, an arbitrary gated host time

// An RTC on a clock, with its interrupt line recorded.
struct Board {
    VirtualClock clock{0};
    Pl031 rtc{clock, kStart};
    bool irq = false;

    Board() { rtc.irq.connect([this](bool level) { irq = level; }); }

    uint32_t reg(uint64_t off) { return static_cast<uint32_t>(rtc.mmio_read(off, 4)); }
    void write(uint64_t off, uint32_t v) { rtc.mmio_write(off, v, 4); }
    // Advances virtual time to `ns` and delivers due timers, as the CPU loop does.
    void run_to(uint64_t ns)
    {
        clock.set_icount(ns);
        clock.fire_due();
    }
    std::vector<uint8_t> saved()
    {
        std::vector<uint8_t> out;
        append_state(out, rtc);
        return out;
    }
};

}  // namespace

TEST_CASE("pl031: DR counts whole seconds of virtual time from the start value", "[pl031]")
{
    Board b;
    CHECK(b.reg(DR) == kStart);
    b.run_to(kSecond - 1);
    CHECK(b.reg(DR) == kStart);
    b.run_to(kSecond);
    CHECK(b.reg(DR) == kStart + 1);
    b.run_to(42 * kSecond + 999);
    CHECK(b.reg(DR) == kStart + 42);
    CHECK(b.reg(CR) == 1);  // always started
    b.write(CR, 0);
    CHECK(b.reg(CR) == 1);
    b.write(DR, 5);  // read-only
    CHECK(b.reg(DR) == kStart + 42);
}

TEST_CASE("pl031: start value set later and 32-bit wrap", "[pl031]")
{
    VirtualClock clock(0);
    clock.set_icount(3 * kSecond + 500);
    Pl031 rtc(clock);
    rtc.set_start(0xFFFFFFFF);
    CHECK(rtc.mmio_read(DR, 4) == 0xFFFFFFFF);
    clock.set_icount(4 * kSecond);
    CHECK(rtc.mmio_read(DR, 4) == 0);
}

TEST_CASE("pl031: LR loads the count and reads back", "[pl031]")
{
    Board b;
    CHECK(b.reg(LR) == 0);
    b.run_to(10 * kSecond + 300);
    b.write(LR, 1000);
    CHECK(b.reg(DR) == 1000);
    CHECK(b.reg(LR) == 1000);
    // The fraction of the current second is not reset by the load.
    b.run_to(11 * kSecond - 1);
    CHECK(b.reg(DR) == 1000);
    b.run_to(11 * kSecond);
    CHECK(b.reg(DR) == 1001);
    b.run_to(20 * kSecond);
    CHECK(b.reg(DR) == 1010);
    CHECK(b.reg(LR) == 1000);
}

TEST_CASE("pl031: identification registers and unknown offsets", "[pl031]")
{
    Board b;
    const uint32_t id[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    for (unsigned i = 0; i < 8; i++)
        CHECK(b.reg(0xFE0 + 4 * i) == id[i]);
    CHECK(b.reg(0x20) == 0);
    CHECK(b.reg(0x800) == 0);
    CHECK(b.reg(ICR) == 0);  // write-only
    b.write(0x20, 0xFFFFFFFF);
    CHECK(b.reg(0x20) == 0);
    // Narrow reads see the low bytes of the register at that offset, as under QEMU.
    CHECK(b.rtc.mmio_read(DR, 1) == (kStart & 0xFF));
    CHECK(b.rtc.mmio_read(DR + 1, 1) == 0);
}

TEST_CASE("pl031: match interrupt fires at the alarm's virtual time", "[pl031]")
{
    Board b;
    b.write(IMSC, 1);
    b.run_to(kSecond / 2);
    b.write(MR, kStart + 3);
    CHECK(b.reg(MR) == kStart + 3);
    CHECK(b.reg(RIS) == 0);
    // The alarm is now + 3 s, half a second after DR first reads the match value.
    CHECK(b.clock.next_deadline_icount() == kSecond / 2 + 3 * kSecond);
    b.run_to(3 * kSecond);
    CHECK(b.reg(DR) == kStart + 3);
    CHECK(b.reg(RIS) == 0);
    CHECK_FALSE(b.irq);
    b.run_to(3 * kSecond + kSecond / 2);
    CHECK(b.reg(RIS) == 1);
    CHECK(b.reg(MIS) == 1);
    CHECK(b.irq);
    CHECK(b.clock.next_deadline_icount() == VirtualClock::kNever);  // one-shot
}

TEST_CASE("pl031: match equal to the count fires at once, a past match does not", "[pl031]")
{
    Board b;
    b.write(IMSC, 1);
    b.write(MR, kStart);
    CHECK(b.reg(RIS) == 1);
    CHECK(b.irq);
    b.write(ICR, 1);
    CHECK_FALSE(b.irq);

    b.run_to(5 * kSecond);
    b.write(MR, kStart + 1);  // already passed: 2^32 - 4 seconds away
    CHECK(b.reg(RIS) == 0);
    CHECK(b.clock.next_deadline_icount() == 5 * kSecond + uint64_t{0xFFFFFFFC} * kSecond);

    // Loading the count just below the match rearms the alarm.
    b.write(LR, kStart);
    CHECK(b.clock.next_deadline_icount() == 6 * kSecond);
    b.run_to(6 * kSecond);
    CHECK(b.reg(RIS) == 1);
    // Loading the match value itself raises the interrupt at once.
    b.write(ICR, 1);
    b.write(LR, kStart + 1);
    CHECK(b.reg(RIS) == 1);
}

TEST_CASE("pl031: IMSC masks the output, ICR clears the raw status", "[pl031]")
{
    Board b;
    b.write(MR, kStart + 1);
    b.run_to(kSecond);
    CHECK(b.reg(RIS) == 1);
    CHECK(b.reg(MIS) == 0);
    CHECK_FALSE(b.irq);
    b.write(IMSC, 0xFFFFFFFF);
    CHECK(b.reg(IMSC) == 1);
    CHECK(b.reg(MIS) == 1);
    CHECK(b.irq);
    b.write(IMSC, 0);
    CHECK_FALSE(b.irq);
    b.write(IMSC, 1);
    CHECK(b.irq);
    b.write(ICR, 0x2);  // bit 0 clear: no effect
    CHECK(b.reg(RIS) == 1);
    b.write(ICR, 1);
    CHECK(b.reg(RIS) == 0);
    CHECK(b.reg(MIS) == 0);
    CHECK_FALSE(b.irq);
}

TEST_CASE("pl031: save reflects every field", "[pl031]")
{
    Board a;
    Board b;
    CHECK(a.saved() == b.saved());

    auto base = a.saved();
    a.write(MR, 77);
    CHECK(a.saved() != base);
    b.write(MR, 77);
    CHECK(a.saved() == b.saved());

    base = a.saved();
    a.write(IMSC, 1);
    CHECK(a.saved() != base);
    base = a.saved();
    a.write(LR, 123);
    CHECK(a.saved() != base);
    base = a.saved();
    a.write(MR, 123);  // equal to the count: raises RIS
    CHECK(a.saved() != base);

    // Time passing alone changes no device field: DR is derived from the clock.
    Board c;
    base = c.saved();
    c.run_to(5 * kSecond);
    CHECK(c.saved() == base);
}
