// The cascaded 8259A pair, programmed as a PC kernel does (vectors 0x20 and 0x28).
#include <catch2/catch.hpp>

#include "core/state_archive.h"
#include "dev/i8259.h"

using emu::I8259Pair;

namespace {

struct Board {
    I8259Pair pic;
    bool intr = false;

    Board() { pic.intr.connect([this](bool level) { intr = level; }); }
    uint8_t in(uint16_t port) { return static_cast<uint8_t>(pic.port_read(port, 1)); }
    void out(uint16_t port, uint8_t v) { pic.port_write(port, v, 1); }
    // The usual initialisation: ICW1 edge + ICW4, vector bases, cascade on IR2, 8086 mode.
    void init(uint8_t icw4 = 0x01)
    {
        out(0x20, 0x11);
        out(0x21, 0x20);
        out(0x21, 0x04);
        out(0x21, icw4);
        out(0xA0, 0x11);
        out(0xA1, 0x28);
        out(0xA1, 0x02);
        out(0xA1, icw4);
    }
    void eoi_master() { out(0x20, 0x20); }
    void eoi_slave() { out(0xA0, 0x20); }
    std::vector<uint8_t> saved() const
    {
        std::vector<uint8_t> s;
        append_state(s, pic);
        return s;
    }
};

}  // namespace

TEST_CASE("i8259: initialisation sequence sets vector bases and unmasks", "[pc][pic]")
{
    Board b;
    b.out(0x21, 0xFF);
    b.init();
    CHECK(b.in(0x21) == 0x00);  // ICW1 clears the mask
    CHECK(b.in(0xA1) == 0x00);
    b.pic.set_irq(0, true);
    CHECK(b.intr);
    CHECK(b.pic.acknowledge() == 0x20);
    CHECK_FALSE(b.intr);
    CHECK(b.pic.isr(0) == 0x01);
    CHECK(b.pic.irr(0) == 0x00);
    b.eoi_master();
    CHECK(b.pic.isr(0) == 0x00);
    // Still high: an edge-triggered input needs a new edge.
    CHECK_FALSE(b.intr);
    b.pic.set_irq(0, false);
    b.pic.set_irq(0, true);
    CHECK(b.intr);
    CHECK(b.pic.acknowledge() == 0x20);
}

TEST_CASE("i8259: OCW1 masking", "[pc][pic]")
{
    Board b;
    b.init();
    b.out(0x21, 0x02);
    CHECK(b.in(0x21) == 0x02);
    b.pic.set_irq(1, true);
    CHECK_FALSE(b.intr);
    CHECK(b.pic.irr(0) == 0x02);  // latched while masked
    b.out(0x21, 0x00);
    CHECK(b.intr);
    CHECK(b.pic.acknowledge() == 0x21);
}

TEST_CASE("i8259: fixed priority and nesting", "[pc][pic]")
{
    Board b;
    b.init();
    b.pic.set_irq(3, true);
    b.pic.set_irq(1, true);
    CHECK(b.pic.acknowledge() == 0x21);
    // IRQ 3 waits while the higher-priority IRQ 1 is in service.
    CHECK_FALSE(b.intr);
    // IRQ 0 outranks IRQ 1 and nests.
    b.pic.set_irq(0, true);
    CHECK(b.intr);
    CHECK(b.pic.acknowledge() == 0x20);
    CHECK(b.pic.isr(0) == 0x03);
    b.eoi_master();  // non-specific EOI ends the highest in service: IRQ 0
    CHECK(b.pic.isr(0) == 0x02);
    CHECK_FALSE(b.intr);
    b.eoi_master();
    CHECK(b.intr);
    CHECK(b.pic.acknowledge() == 0x23);
    // Specific EOI (OCW2 0x60 | line).
    b.out(0x20, 0x63);
    CHECK(b.pic.isr(0) == 0x00);
}

TEST_CASE("i8259: rotation commands change the priority order", "[pc][pic]")
{
    Board b;
    b.init();
    b.out(0x20, 0xC4);  // set priority: IRQ 4 lowest, so IRQ 5 highest
    b.pic.set_irq(1, true);
    b.pic.set_irq(6, true);
    CHECK(b.pic.acknowledge() == 0x26);
    b.out(0x20, 0xA0);  // rotate on non-specific EOI: IRQ 6 becomes lowest
    CHECK(b.pic.acknowledge() == 0x21);
}

TEST_CASE("i8259: cascade through master IR2", "[pc][pic]")
{
    Board b;
    b.init();
    b.pic.set_irq(12, true);
    CHECK(b.intr);
    CHECK(b.pic.irr(1) == 0x10);
    CHECK(b.pic.acknowledge() == 0x2C);
    CHECK(b.pic.isr(0) == 0x04);
    CHECK(b.pic.isr(1) == 0x10);
    CHECK_FALSE(b.intr);
    // While the slave's IRQ is in service, a lower slave request waits, but master IRQ 0
    // (higher than the cascade) gets through.
    b.pic.set_irq(14, true);
    CHECK_FALSE(b.intr);
    b.pic.set_irq(0, true);
    CHECK(b.intr);
    CHECK(b.pic.acknowledge() == 0x20);
    b.eoi_master();  // ends IRQ 0
    b.eoi_slave();
    // The slave now presents IRQ 14, but the master still has IR2 in service.
    CHECK_FALSE(b.intr);
    b.eoi_master();
    CHECK(b.intr);
    CHECK(b.pic.acknowledge() == 0x2E);
}

TEST_CASE("i8259: spurious interrupts give IRQ 7 / IRQ 15 vectors", "[pc][pic]")
{
    Board b;
    b.init();
    CHECK(b.pic.acknowledge() == 0x27);
    CHECK(b.pic.isr(0) == 0x00);  // not put in service
    // A slave request that is masked after the master latched the cascade edge.
    b.pic.set_irq(9, true);
    CHECK(b.intr);
    b.out(0xA1, 0x02);
    CHECK(b.intr);  // master IR2 was edge-latched
    CHECK(b.pic.acknowledge() == 0x2F);
    CHECK(b.pic.isr(0) == 0x04);  // as QEMU: the master takes IR2 in service
    CHECK(b.pic.isr(1) == 0x00);
}

TEST_CASE("i8259: OCW3 selects IRR or ISR; poll mode", "[pc][pic]")
{
    Board b;
    b.init();
    b.out(0x21, 0x08);
    b.pic.set_irq(3, true);
    b.pic.set_irq(5, true);
    CHECK(b.in(0x20) == 0x28);  // IRR by default
    b.pic.acknowledge();
    b.out(0x20, 0x0B);
    CHECK(b.in(0x20) == 0x20);  // ISR: IRQ 5
    b.out(0x20, 0x0A);
    CHECK(b.in(0x20) == 0x08);  // IRR: IRQ 3, masked
    b.eoi_master();
    b.out(0x21, 0x00);
    b.out(0x20, 0x0C);  // poll
    CHECK(b.in(0x20) == 0x83);
    CHECK(b.pic.isr(0) == 0x08);
    b.out(0x20, 0x0C);
    CHECK(b.in(0x20) == 0x00);  // nothing more
}

TEST_CASE("i8259: automatic EOI", "[pc][pic]")
{
    Board b;
    b.init(0x03);
    b.pic.set_irq(4, true);
    CHECK(b.pic.acknowledge() == 0x24);
    CHECK(b.pic.isr(0) == 0x00);
    b.pic.set_irq(6, true);
    CHECK(b.intr);
}

TEST_CASE("i8259: ELCR selects level triggering", "[pc][pic]")
{
    Board b;
    b.init();
    b.out(0x4D1, 0xFF);
    CHECK(b.in(0x4D1) == 0xDE);  // IRQ 8 and 13 cannot be level triggered
    b.out(0x4D0, 0xFF);
    CHECK(b.in(0x4D0) == 0xF8);
    b.pic.set_irq(11, true);
    CHECK(b.pic.acknowledge() == 0x2B);
    CHECK(b.pic.irr(1) == 0x08);  // stays requested while the line is high
    b.eoi_slave();
    b.eoi_master();
    CHECK(b.intr);  // requested again without a new edge
    CHECK(b.pic.acknowledge() == 0x2B);
    b.pic.set_irq(11, false);
    CHECK(b.pic.irr(1) == 0x00);
    b.eoi_slave();
    b.eoi_master();
    CHECK_FALSE(b.intr);
    b.pic.reset();
    CHECK(b.in(0x4D1) == 0x00);
}

TEST_CASE("i8259: save is deterministic and covers the state", "[pc][pic]")
{
    Board a, b;
    a.init();
    b.init();
    CHECK(a.saved() == b.saved());
    auto before = a.saved();
    a.pic.set_irq(5, true);
    CHECK(a.saved() != before);
    before = a.saved();
    a.out(0x4D0, 0x20);
    CHECK(a.saved() != before);
    before = a.saved();
    a.out(0xA0, 0x0B);
    CHECK(a.saved() != before);
}
