// GICv2 distributor and CPU interface, driven through their registers as a guest would.
#include <catch2/catch.hpp>

#include "dev/gicv2.h"

using emu::Gicv2;

namespace {

constexpr uint64_t GICD_CTLR = 0x000;
constexpr uint64_t GICD_TYPER = 0x004;
constexpr uint64_t GICD_IGROUPR = 0x080;
constexpr uint64_t GICD_ISENABLER = 0x100;
constexpr uint64_t GICD_ICENABLER = 0x180;
constexpr uint64_t GICD_ISPENDR = 0x200;
constexpr uint64_t GICD_ICPENDR = 0x280;
constexpr uint64_t GICD_ISACTIVER = 0x300;
constexpr uint64_t GICD_IPRIORITYR = 0x400;
constexpr uint64_t GICD_ITARGETSR = 0x800;
constexpr uint64_t GICD_ICFGR = 0xC00;
constexpr uint64_t GICD_SGIR = 0xF00;
constexpr uint64_t GICD_SPENDSGIR = 0xF20;
constexpr uint64_t GICC_CTLR = 0x00;
constexpr uint64_t GICC_PMR = 0x04;
constexpr uint64_t GICC_BPR = 0x08;
constexpr uint64_t GICC_IAR = 0x0C;
constexpr uint64_t GICC_EOIR = 0x10;
constexpr uint64_t GICC_RPR = 0x14;
constexpr uint64_t GICC_HPPIR = 0x18;

constexpr unsigned kTimerPpi = 27;
constexpr unsigned kUartSpi = 33;

// A GIC with a recorded output line and register helpers.
struct Board {
    Gicv2 gic;
    bool irq = false;

    Board() { gic.irq.connect([this](bool level) { irq = level; }); }

    uint32_t dist(uint64_t off, unsigned size = 4) { return static_cast<uint32_t>(gic.distributor().mmio_read(off, size)); }
    void dist_write(uint64_t off, uint32_t v, unsigned size = 4) { gic.distributor().mmio_write(off, v, size); }
    uint32_t cpu(uint64_t off) { return static_cast<uint32_t>(gic.cpu_interface().mmio_read(off, 4)); }
    void cpu_write(uint64_t off, uint32_t v) { gic.cpu_interface().mmio_write(off, v, 4); }

    // Distributor and CPU interface on for Group 0, every priority let through.
    void enable_all()
    {
        dist_write(GICD_CTLR, 1);
        cpu_write(GICC_PMR, 0xFF);
        cpu_write(GICC_CTLR, 1);
    }
    void enable(unsigned id, uint8_t priority)
    {
        dist_write(GICD_IPRIORITYR + id, priority, 1);
        dist_write(GICD_ISENABLER + 4 * (id / 32), 1u << (id % 32));
    }
};

}  // namespace

TEST_CASE("gicv2: identification and reset state", "[gicv2]")
{
    Board b;
    CHECK((b.dist(GICD_TYPER) & 0x1F) == Gicv2::kNumIrqs / 32 - 1);
    CHECK(((b.dist(GICD_TYPER) >> 5) & 7) == 0);  // one CPU
    CHECK(b.cpu(GICC_IAR) == Gicv2::kSpurious);
    CHECK(b.cpu(GICC_RPR) == 0xFF);
    CHECK(b.dist(GICD_ICFGR) == 0xAAAAAAAA);  // SGIs are edge-triggered
    CHECK(b.dist(GICD_ISENABLER) == 0xFFFF);  // and permanently enabled
    CHECK(b.dist(0xFE8, 1) == 0x2B);          // GICD_PIDR2: architecture version 2
    CHECK_FALSE(b.irq);
}

TEST_CASE("gicv2: level interrupt through enable, acknowledge and EOI", "[gicv2]")
{
    Board b;
    b.enable_all();
    b.enable(kTimerPpi, 0x80);
    CHECK(b.cpu(GICC_IAR) == Gicv2::kSpurious);

    b.gic.set_input(kTimerPpi, true);
    CHECK(b.irq);
    CHECK(b.cpu(GICC_HPPIR) == kTimerPpi);
    CHECK((b.dist(GICD_ISPENDR) >> kTimerPpi & 1) == 1);

    CHECK(b.cpu(GICC_IAR) == kTimerPpi);
    CHECK_FALSE(b.irq);  // active: not signalled again while it is handled
    CHECK(b.cpu(GICC_RPR) == 0x80);
    CHECK((b.dist(GICD_ISACTIVER) >> kTimerPpi & 1) == 1);
    // Still asserted, so active and pending at once; nothing else to take.
    CHECK((b.dist(GICD_ISPENDR) >> kTimerPpi & 1) == 1);
    CHECK(b.cpu(GICC_IAR) == Gicv2::kSpurious);

    b.gic.set_input(kTimerPpi, false);
    b.cpu_write(GICC_EOIR, kTimerPpi);
    CHECK(b.cpu(GICC_RPR) == 0xFF);
    CHECK(b.dist(GICD_ISACTIVER) == 0);
    CHECK_FALSE(b.irq);
    CHECK(b.cpu(GICC_IAR) == Gicv2::kSpurious);
}

TEST_CASE("gicv2: a level input that stays high fires again after EOI", "[gicv2]")
{
    Board b;
    b.enable_all();
    b.enable(kTimerPpi, 0x80);
    b.gic.set_input(kTimerPpi, true);
    CHECK(b.cpu(GICC_IAR) == kTimerPpi);
    b.cpu_write(GICC_EOIR, kTimerPpi);
    CHECK(b.irq);
    CHECK(b.cpu(GICC_IAR) == kTimerPpi);
}

TEST_CASE("gicv2: a level input lowered before acknowledge is no longer pending", "[gicv2]")
{
    Board b;
    b.enable_all();
    b.enable(kUartSpi, 0x40);
    b.gic.set_input(kUartSpi, true);
    CHECK(b.irq);
    b.gic.set_input(kUartSpi, false);
    CHECK_FALSE(b.irq);
    CHECK(b.cpu(GICC_IAR) == Gicv2::kSpurious);
    // Clearing pending cannot hide an asserted level input.
    b.gic.set_input(kUartSpi, true);
    b.dist_write(GICD_ICPENDR + 4, 1u << (kUartSpi - 32));
    CHECK(b.irq);
}

TEST_CASE("gicv2: disabled or ungated interrupts are not signalled", "[gicv2]")
{
    Board b;
    b.enable(kUartSpi, 0x40);
    b.gic.set_input(kUartSpi, true);
    CHECK_FALSE(b.irq);  // distributor and CPU interface off
    b.dist_write(GICD_CTLR, 1);
    CHECK_FALSE(b.irq);  // CPU interface off
    b.cpu_write(GICC_CTLR, 1);
    CHECK_FALSE(b.irq);  // PMR 0 masks everything
    b.cpu_write(GICC_PMR, 0xFF);
    CHECK(b.irq);
    b.dist_write(GICD_ICENABLER + 4, 1u << (kUartSpi - 32));
    CHECK_FALSE(b.irq);
    CHECK(b.cpu(GICC_IAR) == Gicv2::kSpurious);
}

TEST_CASE("gicv2: priority mask and preemption", "[gicv2]")
{
    Board b;
    b.enable_all();
    b.enable(kUartSpi, 0x80);
    b.enable(kTimerPpi, 0x40);

    SECTION("PMR masks priorities equal to or lower than it")
    {
        b.cpu_write(GICC_PMR, 0x80);
        b.gic.set_input(kUartSpi, true);
        CHECK_FALSE(b.irq);
        CHECK(b.cpu(GICC_IAR) == Gicv2::kSpurious);
        b.cpu_write(GICC_PMR, 0x81);
        CHECK(b.cpu(GICC_IAR) == kUartSpi);
    }
    SECTION("the higher priority is acknowledged first")
    {
        b.gic.set_input(kUartSpi, true);
        b.gic.set_input(kTimerPpi, true);
        CHECK(b.cpu(GICC_HPPIR) == kTimerPpi);
        CHECK(b.cpu(GICC_IAR) == kTimerPpi);
        // The running priority 0x40 blocks the lower-priority UART until the EOI.
        CHECK_FALSE(b.irq);
        CHECK(b.cpu(GICC_IAR) == Gicv2::kSpurious);
        b.gic.set_input(kTimerPpi, false);
        b.cpu_write(GICC_EOIR, kTimerPpi);
        CHECK(b.irq);
        CHECK(b.cpu(GICC_IAR) == kUartSpi);
    }
    SECTION("a higher priority preempts a running lower one, and EOIs unwind in order")
    {
        b.gic.set_input(kUartSpi, true);
        CHECK(b.cpu(GICC_IAR) == kUartSpi);
        CHECK(b.cpu(GICC_RPR) == 0x80);
        b.gic.set_input(kTimerPpi, true);
        CHECK(b.irq);
        CHECK(b.cpu(GICC_IAR) == kTimerPpi);
        CHECK(b.cpu(GICC_RPR) == 0x40);
        b.gic.set_input(kTimerPpi, false);
        b.cpu_write(GICC_EOIR, kTimerPpi);
        CHECK(b.cpu(GICC_RPR) == 0x80);
        b.gic.set_input(kUartSpi, false);
        b.cpu_write(GICC_EOIR, kUartSpi);
        CHECK(b.cpu(GICC_RPR) == 0xFF);
    }
    SECTION("priorities in the same group (BPR) do not preempt")
    {
        b.cpu_write(GICC_BPR, 7);  // no preemption at all: every priority is group priority 0
        b.gic.set_input(kUartSpi, true);
        CHECK(b.cpu(GICC_IAR) == kUartSpi);
        b.gic.set_input(kTimerPpi, true);
        CHECK_FALSE(b.irq);
        CHECK(b.cpu(GICC_IAR) == Gicv2::kSpurious);
    }
    SECTION("equal priorities go to the lowest ID")
    {
        b.dist_write(GICD_IPRIORITYR + kTimerPpi, 0x80, 1);
        b.gic.set_input(kUartSpi, true);
        b.gic.set_input(kTimerPpi, true);
        CHECK(b.cpu(GICC_IAR) == kTimerPpi);
    }
}

TEST_CASE("gicv2: priorities are byte-addressable; targets are RAZ/WI with one CPU", "[gicv2]")
{
    Board b;
    b.dist_write(GICD_IPRIORITYR + 32, 0x11223344);
    CHECK(b.dist(GICD_IPRIORITYR + 33, 1) == 0x33);
    b.dist_write(GICD_IPRIORITYR + 34, 0xAB, 1);
    CHECK(b.dist(GICD_IPRIORITYR + 32) == 0x11AB3344);
    b.dist_write(GICD_ITARGETSR + 32, 0x01010101);
    CHECK(b.dist(GICD_ITARGETSR + 32) == 0);
    CHECK(b.dist(GICD_ITARGETSR + 16) == 0);
    // SGIs cannot be disabled.
    b.dist_write(GICD_ICENABLER, 0xFFFFFFFF);
    CHECK(b.dist(GICD_ISENABLER) == 0xFFFF);
}

TEST_CASE("gicv2: SGI to self", "[gicv2]")
{
    Board b;
    b.enable_all();
    b.enable(3, 0x20);
    b.dist_write(GICD_SGIR, (2u << 24) | 3);  // TargetListFilter 2: the requesting CPU
    CHECK(b.irq);
    CHECK(b.dist(GICD_SPENDSGIR) == 0x01000000);  // SGI 3, from CPU 0
    CHECK(b.cpu(GICC_IAR) == 3);
    CHECK(b.dist(GICD_SPENDSGIR) == 0);
    b.cpu_write(GICC_EOIR, 3);
    CHECK(b.cpu(GICC_IAR) == Gicv2::kSpurious);

    b.dist_write(GICD_SGIR, (1u << 24) | 3);  // every other CPU: there is none
    CHECK_FALSE(b.irq);
    b.dist_write(GICD_SGIR, (0u << 24) | (1u << 16) | 3);  // explicit list naming CPU 0
    CHECK(b.cpu(GICC_IAR) == 3);
    b.cpu_write(GICC_EOIR, 3);

    b.dist_write(GICD_SPENDSGIR + 3, 1, 1);
    CHECK(b.cpu(GICC_IAR) == 3);
}

TEST_CASE("gicv2: edge versus level configuration", "[gicv2]")
{
    Board b;
    b.enable_all();
    b.enable(kUartSpi, 0x40);
    const uint64_t icfgr = GICD_ICFGR + 4 * (kUartSpi / 16);
    const uint32_t edge_bit = 2u << (2 * (kUartSpi % 16));

    SECTION("edge: a pulse stays pending, the level does not matter afterwards")
    {
        b.dist_write(icfgr, edge_bit);
        CHECK(b.dist(icfgr) == edge_bit);
        b.gic.set_input(kUartSpi, true);
        b.gic.set_input(kUartSpi, false);
        CHECK(b.irq);
        CHECK(b.cpu(GICC_IAR) == kUartSpi);
        b.cpu_write(GICC_EOIR, kUartSpi);
        CHECK_FALSE(b.irq);  // taken once per edge
        CHECK(b.cpu(GICC_IAR) == Gicv2::kSpurious);
        // A held-high edge input fires once, not again after the EOI.
        b.gic.set_input(kUartSpi, true);
        CHECK(b.cpu(GICC_IAR) == kUartSpi);
        b.cpu_write(GICC_EOIR, kUartSpi);
        CHECK_FALSE(b.irq);
    }
    SECTION("level: pending only while asserted")
    {
        b.gic.set_input(kUartSpi, true);
        b.gic.set_input(kUartSpi, false);
        CHECK_FALSE(b.irq);
    }
    SECTION("software pending on a level interrupt lasts until acknowledged")
    {
        b.dist_write(GICD_ISPENDR + 4, 1u << (kUartSpi - 32));
        CHECK(b.irq);
        CHECK(b.cpu(GICC_IAR) == kUartSpi);
        b.cpu_write(GICC_EOIR, kUartSpi);
        CHECK_FALSE(b.irq);
    }
    SECTION("SGI configuration is read-only")
    {
        b.dist_write(GICD_ICFGR, 0);
        CHECK(b.dist(GICD_ICFGR) == 0xAAAAAAAA);
    }
}

TEST_CASE("gicv2: Group 1 needs AckCtl on GICC_IAR", "[gicv2]")
{
    Board b;
    b.dist_write(GICD_CTLR, 3);
    b.cpu_write(GICC_PMR, 0xFF);
    b.cpu_write(GICC_CTLR, 3);
    b.enable(kUartSpi, 0x40);
    b.dist_write(GICD_IGROUPR + 4, 1u << (kUartSpi - 32));
    b.gic.set_input(kUartSpi, true);
    CHECK(b.irq);
    CHECK(b.cpu(GICC_IAR) == Gicv2::kSpuriousGroup1);
    b.cpu_write(GICC_CTLR, 3 | (1u << 2));  // AckCtl
    CHECK(b.cpu(GICC_IAR) == kUartSpi);
}
