// The I/O APIC through IOREGSEL/IOWIN, with its messages delivered to a local APIC as on the
// board: reset values and read-only bits as QEMU 7.2 has them, edge and level triggering,
// masking, remote IRR and EOI (through the local APIC and through the EOI register).
#include <catch2/catch.hpp>

#include <vector>

#include "core/clock.h"
#include "core/state_archive.h"
#include "dev/ioapic.h"
#include "dev/local_apic.h"

using emu::ApicMessage;
using emu::IoApic;
using emu::LocalApic;
using emu::VirtualClock;

namespace {

struct Board {
    VirtualClock clock{0};
    LocalApic lapic{clock};
    IoApic ioapic;
    std::vector<ApicMessage> sent;

    Board()
    {
        lapic.write_register(LocalApic::kSvr, 0x1FF);
        ioapic.deliver = [this](const ApicMessage& m) {
            sent.push_back(m);
            lapic.receive(m);
        };
        lapic.eoi_broadcast = [this](uint8_t v) { ioapic.eoi(v); };
    }
    uint32_t rd(uint32_t reg)
    {
        ioapic.mmio_write(0x00, reg, 4);
        return static_cast<uint32_t>(ioapic.mmio_read(0x10, 4));
    }
    void wr(uint32_t reg, uint32_t v)
    {
        ioapic.mmio_write(0x00, reg, 4);
        ioapic.mmio_write(0x10, v, 4);
    }
    void route(unsigned pin, uint32_t low, uint8_t dest = 0)
    {
        wr(0x10 + 2 * pin + 1, uint32_t{dest} << 24);
        wr(0x10 + 2 * pin, low);
    }
    // Takes one interrupt at the local APIC and EOIs it; returns its vector or -1.
    int take()
    {
        if (!lapic.intr.level())
            return -1;
        uint8_t v = lapic.acknowledge();
        lapic.write_register(LocalApic::kEoi, 0);
        return v;
    }
};

constexpr uint32_t kMasked = 1u << 16, kLevel = 1u << 15, kRemoteIrr = 1u << 14, kLogical = 1u << 11;

}  // namespace

TEST_CASE("I/O APIC: QEMU's identity and reset state", "[pc][ioapic]")
{
    Board b;
    CHECK(b.rd(0x00) == 0);
    CHECK(b.rd(0x01) == 0x00170020);
    CHECK(b.rd(0x02) == 0);
    for (unsigned pin = 0; pin < 24; ++pin) {
        CHECK(b.rd(0x10 + 2 * pin) == kMasked);
        CHECK(b.rd(0x11 + 2 * pin) == 0);
    }
    CHECK(b.rd(0x40) == 0);  // past the table
    b.wr(0x00, 0x0F000000);
    CHECK(b.rd(0x00) == 0x0F000000);
    CHECK(b.rd(0x02) == 0x0F000000);
    b.wr(0x01, 0);  // read-only
    CHECK(b.rd(0x01) == 0x00170020);
    // Delivery status and remote IRR are read-only; IOREGSEL reads back.
    b.wr(0x10 + 2 * 5, 0xFFFFFFFF);
    CHECK(b.rd(0x10 + 2 * 5) == 0xFFFFAFFF);
    CHECK(b.ioapic.mmio_read(0x00, 4) == 0x1A);
    // IOWIN takes 32-bit accesses only.
    CHECK(b.ioapic.mmio_read(0x10, 2) == 0);
}

TEST_CASE("I/O APIC: edge-triggered pins send on rising edges while unmasked", "[pc][ioapic]")
{
    Board b;
    b.route(2, 0x32);
    b.ioapic.set_irq(2, true);
    CHECK(b.take() == 0x32);
    b.ioapic.set_irq(2, true);  // no new edge
    CHECK(b.take() == -1);
    b.ioapic.set_irq(2, false);
    b.route(2, kMasked | 0x32);
    b.ioapic.set_irq(2, true);  // lost: masked
    b.route(2, 0x32);
    CHECK(b.take() == -1);
    b.ioapic.set_irq(2, false);
    b.ioapic.set_irq(2, true);
    CHECK(b.take() == 0x32);
    CHECK_FALSE(b.lapic.tmr(0x32));
    CHECK((b.ioapic.entry(2) & kRemoteIrr) == 0);
}

TEST_CASE("I/O APIC: level-triggered pins hold remote IRR until the EOI", "[pc][ioapic]")
{
    Board b;
    b.route(4, kLevel | 0x34);
    b.ioapic.set_irq(4, true);
    REQUIRE(b.sent.size() == 1);
    CHECK(b.sent[0].level_triggered);
    CHECK(b.ioapic.entry(4) & kRemoteIrr);
    uint8_t v = b.lapic.acknowledge();
    CHECK(v == 0x34);
    CHECK(b.lapic.tmr(0x34));
    // Still high at the EOI: sent again.
    b.lapic.write_register(LocalApic::kEoi, 0);
    CHECK(b.sent.size() == 2);
    CHECK(b.ioapic.entry(4) & kRemoteIrr);
    b.lapic.acknowledge();
    b.ioapic.set_irq(4, false);  // the device is served
    b.lapic.write_register(LocalApic::kEoi, 0);
    CHECK(b.sent.size() == 2);
    CHECK((b.ioapic.entry(4) & kRemoteIrr) == 0);
    // The EOI register clears remote IRR for a vector as well.
    b.ioapic.set_irq(4, true);
    CHECK(b.sent.size() == 3);
    b.lapic.acknowledge();
    b.ioapic.set_irq(4, false);
    b.ioapic.mmio_write(0x40, 0x34, 4);
    CHECK((b.ioapic.entry(4) & kRemoteIrr) == 0);
    // Unmasking a level-triggered pin that is high sends at once.
    b.route(9, kMasked | kLevel | 0x39);
    b.ioapic.set_irq(9, true);
    CHECK(b.sent.size() == 3);
    b.route(9, kLevel | 0x39);
    CHECK(b.sent.size() == 4);
    // Switching an entry to edge clears its remote IRR (Linux's EOI without an EOI register).
    b.route(9, kMasked | 0x39);
    CHECK((b.ioapic.entry(9) & kRemoteIrr) == 0);
}

TEST_CASE("I/O APIC: destinations and delivery modes reach the local APIC", "[pc][ioapic]")
{
    Board b;
    b.route(1, 0x41, 1);  // physical APIC 1: nobody
    b.ioapic.set_irq(1, true);
    CHECK(b.sent.size() == 1);
    CHECK(b.take() == -1);
    b.route(3, 0x43, 0xFF);  // broadcast
    b.ioapic.set_irq(3, true);
    CHECK(b.take() == 0x43);
    b.lapic.write_register(LocalApic::kLdr, 0x04000000);
    b.route(5, kLogical | (1u << 8) | 0x45, 0x0C);  // logical, lowest priority
    b.ioapic.set_irq(5, true);
    CHECK(b.take() == 0x45);
    CHECK(b.sent.back().mode == ApicMessage::Mode::LowestPriority);
    CHECK(b.sent.back().logical);
    unsigned nmis = 0;
    b.lapic.nmi = [&] { nmis++; };
    b.route(6, (4u << 8), 0);
    b.ioapic.set_irq(6, true);
    CHECK(nmis == 1);
    b.lapic.pic_acknowledge = [] { return uint8_t{0x28}; };
    b.route(7, (7u << 8), 0);
    b.ioapic.set_irq(7, true);
    CHECK(b.take() == 0x28);
}

TEST_CASE("I/O APIC: a snapshot restores the table and the pin levels", "[pc][ioapic][snapshot]")
{
    Board a;
    a.route(4, kLevel | 0x34);
    a.route(8, 0x38);
    a.ioapic.set_irq(4, true);
    a.ioapic.set_irq(8, true);
    a.wr(0x00, 0x03000000);
    a.ioapic.mmio_write(0x00, 0x21, 4);
    emu::StateWriter w;
    a.ioapic.serialize(w);
    Board r;
    emu::StateReader rd(w.bytes());
    r.ioapic.serialize(rd);
    REQUIRE(rd.finish());
    std::vector<uint8_t> sa, sr;
    append_state(sa, a.ioapic);
    append_state(sr, r.ioapic);
    CHECK(sa == sr);
    // Pin 8 is high in both: no new edge; pin 4's EOI sends again in both.
    for (Board* b : {&a, &r}) {
        b->sent.clear();
        b->ioapic.set_irq(8, true);
        b->ioapic.eoi(0x34);
    }
    CHECK(a.sent.size() == 1);
    CHECK(r.sent.size() == 1);
    CHECK(r.sent[0].vector == 0x34);
}
