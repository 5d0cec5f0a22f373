// The ACPI PM registers (dev/acpi_pm.h): the PM timer against QEMU's formula (virtual ns *
// 3579545 / 1e9, 24 bits), TMR_STS on the counter's bit 23 toggling and cleared by writing a
// one, the enable and control registers by byte and by word, and SLP_EN with SLP_TYP 0
// powering off (other sleep types do not).
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "dev/acpi_pm.h"

using emu::AcpiPm;
using emu::VirtualClock;

TEST_CASE("acpi pm: the PM timer counts 3.579545 MHz of virtual time in 24 bits", "[pc][acpi]")
{
    VirtualClock clock;
    AcpiPm pm(clock);
    CHECK(pm.port_read(0x608, 4) == 0);
    clock.set_icount(1'000'000'000);  // one second at shift 0
    CHECK(pm.port_read(0x608, 4) == 3'579'545);
    clock.set_icount(279);  // 279 ns: 0.9987 ticks, rounded down
    CHECK(pm.port_read(0x608, 4) == 0);
    clock.set_icount(280);
    CHECK(pm.port_read(0x608, 4) == 1);
    // 2^24 ticks wrap after 4.687 s; bytes read one at a time.
    uint64_t ns = 5'000'000'000;
    clock.set_icount(ns);
    uint32_t expect = static_cast<uint32_t>(ns * 3'579'545 / 1'000'000'000) & 0xFFFFFF;
    CHECK(pm.port_read(0x608, 4) == expect);
    CHECK(pm.port_read(0x609, 1) == ((expect >> 8) & 0xFF));
    CHECK(pm.port_read(0x60B, 1) == 0);
}

TEST_CASE("acpi pm: TMR_STS follows bit 23 of the counter until cleared", "[pc][acpi]")
{
    VirtualClock clock;
    AcpiPm pm(clock);
    CHECK((pm.port_read(0x600, 2) & AcpiPm::kTmrSts) == 0);
    clock.set_icount(2'400'000'000);  // 8.59 M ticks: bit 23 set
    CHECK((pm.port_read(0x600, 2) & AcpiPm::kTmrSts) != 0);
    pm.port_write(0x600, 0x0000, 2);  // writing zero leaves it
    CHECK((pm.port_read(0x600, 2) & AcpiPm::kTmrSts) != 0);
    pm.port_write(0x600, AcpiPm::kTmrSts, 2);
    CHECK((pm.port_read(0x600, 2) & AcpiPm::kTmrSts) == 0);
    clock.set_icount(4'700'000'000);  // the counter wrapped: bit 23 toggled again
    CHECK((pm.port_read(0x600, 2) & AcpiPm::kTmrSts) != 0);
}

TEST_CASE("acpi pm: enable and control by byte and word; SLP_EN with SLP_TYP 0 powers off", "[pc][acpi]")
{
    VirtualClock clock;
    AcpiPm pm(clock);
    unsigned offs = 0;
    pm.power_off = [&] { offs++; };
    CHECK(pm.port_read(0x604, 2) == AcpiPm::kSciEn);  // ACPI mode from the start
    pm.port_write(0x602, 0x0121, 2);
    CHECK(pm.port_read(0x602, 2) == 0x0121);
    pm.port_write(0x603, 0x05, 1);
    CHECK(pm.port_read(0x600, 4) >> 16 == 0x0521);
    pm.port_write(0x604, 0x1401, 2);  // SLP_TYP 5 without SLP_EN: stored
    CHECK(pm.port_read(0x604, 2) == 0x1401);
    pm.port_write(0x604, 0x3401, 2);  // SLP_EN with SLP_TYP 5: not soft-off here
    CHECK(offs == 0);
    CHECK(pm.port_read(0x604, 2) == 0x1401);  // SLP_EN reads as zero
    pm.port_write(0x605, 0x20, 1);            // SLP_EN with SLP_TYP 0, by byte
    CHECK(offs == 1);
    pm.port_write(0x604, 0x2001, 2);
    CHECK(offs == 2);
}
