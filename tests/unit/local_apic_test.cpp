// The local APIC, driven through its registers as a guest would, on a VirtualClock with shift 0
// (one icount is one virtual nanosecond, QEMU's APIC timer tick before division). Reset values
// and timer arithmetic are QEMU 7.2's; guests/i386/apic_timer compares a whole guest with QEMU.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/state_archive.h"
#include "dev/local_apic.h"

using emu::ApicMessage;
using emu::LocalApic;
using emu::VirtualClock;
using Reg = emu::LocalApic::Reg;

namespace {

struct Board {
    VirtualClock clock{0};
    LocalApic apic{clock};
    bool intr = false;
    bool pic_intr = false;
    unsigned nmis = 0;
    unsigned pic_acks = 0;
    std::vector<uint8_t> eois;
    std::vector<uint64_t> timer_vectors_at;  // virtual ns at which the timer's vector arrived

    Board()
    {
        apic.intr.connect([this](bool level) { intr = level; });
        apic.nmi = [this] { nmis++; };
        apic.pic_acknowledge = [this] {
            pic_acks++;
            return uint8_t{0x20};
        };
        apic.eoi_broadcast = [this](uint8_t v) { eois.push_back(v); };
    }
    uint32_t rd(uint32_t reg) { return apic.read_register(reg); }
    void wr(uint32_t reg, uint32_t v) { apic.write_register(reg, v); }
    void enable() { wr(Reg::kSvr, 0x1FF); }
    void self_ipi(uint8_t vector) { wr(Reg::kIcrLow, (1u << 18) | vector); }
    // Runs to `ns`, taking every interrupt the APIC raises as the CPU would (with EOI).
    void run_to(uint64_t ns, uint8_t timer_vector)
    {
        auto take = [&] {
            while (intr) {
                uint8_t v = apic.acknowledge();
                if (v == timer_vector)
                    timer_vectors_at.push_back(clock.ns());
                wr(Reg::kEoi, 0);
            }
        };
        while (clock.next_deadline_icount() <= ns) {
            clock.set_icount(std::max(clock.icount(), clock.next_deadline_icount()));
            clock.fire_due();
            take();
        }
        clock.set_icount(ns);
        clock.fire_due();
        take();
    }
};

}  // namespace

TEST_CASE("local APIC: QEMU's reset values", "[pc][apic]")
{
    Board b;
    CHECK(b.apic.base_msr() == 0xFEE00900);
    CHECK(b.rd(Reg::kId) == 0);
    CHECK(b.rd(Reg::kVersionReg) == 0x00050014);
    CHECK(b.rd(Reg::kSvr) == 0xFF);
    CHECK(b.rd(Reg::kDfr) == 0xFFFFFFFF);
    CHECK(b.rd(Reg::kLdr) == 0);
    CHECK(b.rd(Reg::kLvtTimer) == 0x10000);
    CHECK(b.rd(Reg::kLvtLint0) == 0x700);
    CHECK(b.rd(Reg::kLvtLint1) == 0x10000);
    CHECK(b.rd(Reg::kLvtError) == 0x10000);
    CHECK(b.rd(Reg::kTimerDivide) == 0);
    CHECK(b.rd(Reg::kTimerCurrent) == 0);
    // Narrow accesses read 0 and change nothing.
    CHECK(b.apic.mmio_read(Reg::kVersionReg, 2) == 0);
    b.apic.mmio_write(Reg::kTpr, 0x50, 1);
    CHECK(b.rd(Reg::kTpr) == 0);
    CHECK_FALSE(b.intr);
}

TEST_CASE("local APIC: disabled, it passes the 8259 through; enabled, LINT0 decides", "[pc][apic]")
{
    Board b;
    b.apic.set_lint0(true);
    CHECK(b.intr);  // software disabled: a PC without an APIC
    CHECK(b.apic.acknowledge() == 0x20);
    CHECK(b.pic_acks == 1);
    b.enable();
    CHECK(b.intr);  // LINT0 is ExtINT after reset
    b.wr(Reg::kLvtLint0, 0x10700);
    CHECK_FALSE(b.intr);  // masked
    b.wr(Reg::kLvtLint0, 0x00000040);  // fixed, vector 0x40, edge
    CHECK_FALSE(b.intr);  // the level was already high: no new edge
    b.apic.set_lint0(false);
    b.apic.set_lint0(true);
    CHECK(b.intr);
    CHECK(b.apic.acknowledge() == 0x40);
    CHECK(b.pic_acks == 1);
    b.wr(Reg::kLvtLint0, 0x400);  // NMI
    b.apic.set_lint0(false);
    b.apic.set_lint0(true);
    CHECK(b.nmis == 1);
    // Software disabled again: the 8259 goes straight through whatever LINT0 says.
    b.wr(Reg::kSvr, 0xFF);
    CHECK(b.intr);
    CHECK(b.apic.acknowledge() == 0x20);
}

TEST_CASE("local APIC: ExtINT goes ahead of APIC vectors", "[pc][apic]")
{
    Board b;
    b.enable();
    b.self_ipi(0x80);
    b.apic.set_lint0(true);
    CHECK(b.apic.acknowledge() == 0x20);
    b.apic.set_lint0(false);
    CHECK(b.intr);
    CHECK(b.apic.acknowledge() == 0x80);
    CHECK_FALSE(b.intr);
}

TEST_CASE("local APIC: priority classes against the TPR and the ISR", "[pc][apic]")
{
    Board b;
    b.enable();
    b.wr(Reg::kTpr, 0x50);
    b.self_ipi(0x55);
    CHECK_FALSE(b.intr);  // class 5 is not above the TPR's class 5
    CHECK(b.apic.irr(0x55));
    CHECK(b.rd(Reg::kPpr) == 0x50);
    b.self_ipi(0x61);
    CHECK(b.intr);
    CHECK(b.apic.acknowledge() == 0x61);
    CHECK(b.apic.isr(0x61));
    CHECK(b.rd(Reg::kPpr) == 0x60);
    CHECK(b.rd(Reg::kIsr + 0x30) == 1u << 1);  // 0x61 is bit 1 of ISR word 3
    b.self_ipi(0x62);
    CHECK_FALSE(b.intr);  // same class as the one in service
    b.self_ipi(0x71);
    CHECK(b.intr);  // a higher class nests
    CHECK(b.apic.acknowledge() == 0x71);
    b.wr(Reg::kEoi, 0);  // retires 0x71, the highest in service
    CHECK_FALSE(b.apic.isr(0x71));
    CHECK(b.apic.isr(0x61));
    CHECK_FALSE(b.intr);
    b.wr(Reg::kEoi, 0);
    CHECK(b.intr);
    CHECK(b.apic.acknowledge() == 0x62);
    b.wr(Reg::kEoi, 0);
    b.wr(Reg::kTpr, 0);
    CHECK(b.apic.acknowledge() == 0x55);
    b.wr(Reg::kEoi, 0);
    CHECK_FALSE(b.intr);
    CHECK(b.eois.empty());  // all edge-triggered
    // The spurious vector when the interrupt has gone.
    CHECK(b.apic.acknowledge() == 0xFF);
}

TEST_CASE("local APIC: level-triggered EOIs reach the I/O APIC", "[pc][apic]")
{
    Board b;
    b.enable();
    b.apic.receive({0x41, ApicMessage::Mode::Fixed, true, false, 0});
    b.apic.receive({0x42, ApicMessage::Mode::Fixed, false, false, 0});
    CHECK(b.apic.tmr(0x41));
    CHECK_FALSE(b.apic.tmr(0x42));
    CHECK(b.apic.acknowledge() == 0x42);
    b.wr(Reg::kEoi, 0);
    CHECK(b.apic.acknowledge() == 0x41);
    b.wr(Reg::kEoi, 0);
    CHECK(b.eois == std::vector<uint8_t>{0x41});
}

TEST_CASE("local APIC: destinations and delivery modes", "[pc][apic]")
{
    Board b;
    b.enable();
    CHECK(b.apic.is_destination(0, false));
    CHECK(b.apic.is_destination(0xFF, false));
    CHECK_FALSE(b.apic.is_destination(1, false));
    CHECK_FALSE(b.apic.is_destination(1, true));  // LDR 0
    b.wr(Reg::kLdr, 0x02000000);
    CHECK(b.apic.is_destination(0x03, true));
    CHECK_FALSE(b.apic.is_destination(0x01, true));
    b.wr(Reg::kDfr, 0x0FFFFFFF);  // cluster model
    b.wr(Reg::kLdr, 0x12000000);
    CHECK(b.apic.is_destination(0x1A, true));
    CHECK_FALSE(b.apic.is_destination(0x22, true));
    b.wr(Reg::kId, 0x05000000);
    CHECK(b.apic.is_destination(5, false));

    b.apic.receive({0x30, ApicMessage::Mode::Fixed, false, false, 0});  // not APIC 5
    CHECK_FALSE(b.intr);
    b.apic.receive({0x00, ApicMessage::Mode::Nmi, false, false, 5});
    CHECK(b.nmis == 1);
    b.apic.receive({0x00, ApicMessage::Mode::ExtInt, false, false, 5});
    CHECK(b.pic_acks == 1);
    CHECK(b.apic.acknowledge() == 0x20);  // the 8259's vector, taken as a fixed one
    b.wr(Reg::kEoi, 0);
    b.apic.receive({0x33, ApicMessage::Mode::Init, false, false, 5});
    b.apic.receive({0x33, ApicMessage::Mode::StartUp, false, false, 5});
    CHECK_FALSE(b.intr);
}

TEST_CASE("local APIC: IPIs by shorthand and destination", "[pc][apic]")
{
    Board b;
    b.enable();
    b.wr(Reg::kIcrLow, (2u << 18) | 0x40);  // all including self
    CHECK(b.apic.irr(0x40));
    b.wr(Reg::kIcrLow, (3u << 18) | 0x41);  // all excluding self: nobody
    CHECK_FALSE(b.apic.irr(0x41));
    b.wr(Reg::kIcrHigh, 0x00000000);
    b.wr(Reg::kIcrLow, 0x42);  // physical destination 0: this APIC
    CHECK(b.apic.irr(0x42));
    b.wr(Reg::kIcrHigh, 0x03000000);
    b.wr(Reg::kIcrLow, 0x43);
    CHECK_FALSE(b.apic.irr(0x43));
    CHECK(b.rd(Reg::kIcrLow) == 0x43);
    CHECK(b.rd(Reg::kIcrHigh) == 0x03000000);
    // INIT and start-up to the others are ignored; an NMI to self arrives.
    b.wr(Reg::kIcrLow, 0x000C4500);
    b.wr(Reg::kIcrLow, 0x000C4610);
    b.wr(Reg::kIcrLow, (1u << 18) | 0x400);
    CHECK(b.nmis == 1);
    // A fixed IPI is edge-triggered whatever its trigger bit.
    b.wr(Reg::kIcrLow, (1u << 18) | (1u << 15) | 0x44);
    CHECK(b.apic.irr(0x44));
    CHECK_FALSE(b.apic.tmr(0x44));
}

TEST_CASE("local APIC: the ESR latches errors when written", "[pc][apic]")
{
    Board b;
    b.enable();
    b.self_ipi(0x05);  // vectors 0-15 are illegal
    CHECK_FALSE(b.apic.irr(0x05));
    CHECK(b.rd(Reg::kEsr) == 0);  // nothing until written
    b.wr(Reg::kEsr, 0);
    CHECK(b.rd(Reg::kEsr) == LocalApic::kEsrSendIllegalVector);
    b.apic.receive({0x07, ApicMessage::Mode::Fixed, false, false, 0});
    b.rd(0x3F0);  // no register there
    b.wr(Reg::kEsr, 0);
    CHECK(b.rd(Reg::kEsr) == (LocalApic::kEsrReceiveIllegalVector | LocalApic::kEsrIllegalRegister));
    b.wr(Reg::kEsr, 0);
    CHECK(b.rd(Reg::kEsr) == 0);
    // With the error LVT unmasked, an error interrupts.
    b.wr(Reg::kLvtError, 0xEE);
    b.rd(0x3F0);
    CHECK(b.intr);
    CHECK(b.apic.acknowledge() == 0xEE);
}

TEST_CASE("local APIC: periodic timer counts virtual time through the divider", "[pc][apic][timer]")
{
    Board b;
    b.enable();
    b.wr(Reg::kTimerDivide, 0x3);  // divide by 16
    b.wr(Reg::kLvtTimer, (1u << 17) | 0x30);
    b.clock.set_icount(1000);
    b.wr(Reg::kTimerInitial, 999);  // a period of 1000 ticks of 16 ns
    CHECK(b.rd(Reg::kTimerCurrent) == 999);
    b.clock.set_icount(1000 + 16 * 10 + 7);
    CHECK(b.rd(Reg::kTimerCurrent) == 989);
    b.run_to(1000 + 16000 * 5 + 1, 0x30);
    CHECK(b.timer_vectors_at ==
          std::vector<uint64_t>{1000 + 16000, 1000 + 32000, 1000 + 48000, 1000 + 64000, 1000 + 80000});
    CHECK(b.rd(Reg::kTimerCurrent) == 999);  // 1 ns into the sixth period: no tick yet
    // Masking stops the interrupts but not the count.
    b.wr(Reg::kLvtTimer, (1u << 17) | (1u << 16) | 0x30);
    b.run_to(1000 + 16000 * 8, 0x30);
    CHECK(b.timer_vectors_at.size() == 5);
    CHECK(b.rd(Reg::kTimerCurrent) == 999);
    b.clock.set_icount(1000 + 16000 * 8 + 16 * 500);
    CHECK(b.rd(Reg::kTimerCurrent) == 499);
    // Initial count 0 stops the timer.
    b.wr(Reg::kLvtTimer, (1u << 17) | 0x30);
    b.wr(Reg::kTimerInitial, 0);
    CHECK(b.clock.next_deadline_icount() == VirtualClock::kNever);
    CHECK(b.rd(Reg::kTimerCurrent) == 0);
}

TEST_CASE("local APIC: one-shot timer fires once and then reads 0", "[pc][apic][timer]")
{
    Board b;
    b.enable();
    // The divider is 1 until the divide register is written (QEMU's reset), 2 after writing 0.
    b.wr(Reg::kLvtTimer, 0x31);
    b.wr(Reg::kTimerInitial, 100);
    b.run_to(1000, 0x31);
    CHECK(b.timer_vectors_at == std::vector<uint64_t>{101});
    CHECK(b.rd(Reg::kTimerCurrent) == 0);
    b.wr(Reg::kTimerDivide, 0x0);
    b.wr(Reg::kTimerInitial, 100);
    b.clock.set_icount(1100);
    CHECK(b.rd(Reg::kTimerCurrent) == 50);
    b.run_to(5000, 0x31);
    CHECK(b.timer_vectors_at == std::vector<uint64_t>{101, 1000 + 202});
    // Divide by 1 and by 128.
    b.wr(Reg::kTimerDivide, 0xB);
    b.wr(Reg::kTimerInitial, 9);
    b.run_to(6000, 0x31);
    CHECK(b.timer_vectors_at.back() == 5000 + 10);
    b.wr(Reg::kTimerDivide, 0xA);
    b.wr(Reg::kTimerInitial, 1);
    b.run_to(7000, 0x31);
    CHECK(b.timer_vectors_at.back() == 6000 + 256);
}

TEST_CASE("local APIC: the timer's interrupt waits while the APIC is software disabled", "[pc][apic][timer]")
{
    Board b;
    b.wr(Reg::kLvtTimer, 0x32);
    b.wr(Reg::kTimerInitial, 10);
    b.run_to(100, 0x32);
    CHECK(b.apic.irr(0x32));
    CHECK_FALSE(b.intr);
    b.enable();
    CHECK(b.intr);
    CHECK(b.apic.acknowledge() == 0x32);
}

TEST_CASE("local APIC: IA32_APIC_BASE", "[pc][apic]")
{
    Board b;
    std::vector<std::pair<uint64_t, uint64_t>> moves;
    b.apic.relocated = [&](uint64_t from, uint64_t to) { moves.emplace_back(from, to); };
    CHECK_FALSE(b.apic.write_base_msr(0xFEE00900 | 0x400));  // reserved bit 10 (x2APIC)
    CHECK_FALSE(b.apic.write_base_msr(0xFEE00901));
    CHECK_FALSE(b.apic.write_base_msr(uint64_t{1} << 40));
    CHECK(b.apic.write_base_msr(0xFEE00800));  // BSP is read-only
    CHECK(b.apic.base_msr() == 0xFEE00900);
    CHECK(b.apic.write_base_msr(0xFED00800));
    CHECK(b.apic.base_msr() == 0xFED00900);
    CHECK(moves == std::vector<std::pair<uint64_t, uint64_t>>{{0xFEE00000, 0xFED00000}});
    b.enable();
    b.apic.set_lint0(true);
    b.wr(Reg::kLvtLint0, 0x10700);
    CHECK_FALSE(b.intr);
    // Globally disabled: a PC without an APIC, until reset.
    CHECK(b.apic.write_base_msr(0xFED00000));
    CHECK_FALSE(b.apic.globally_enabled());
    CHECK(b.intr);
    CHECK(b.rd(Reg::kSvr) == 0xFF);
    CHECK(b.apic.write_base_msr(0xFED00800));
    CHECK_FALSE(b.apic.globally_enabled());
    b.apic.reset();
    CHECK(b.apic.base_msr() == 0xFEE00900);
}

TEST_CASE("local APIC: relocating IA32_APIC_BASE moves the register page on the bus", "[pc][apic]")
{
    Board b;
    emu::Bus bus;
    bus.add_ram(0, 1 << 20);
    bus.add_mmio(b.apic.page_base(), LocalApic::kPageSize, &b.apic, "local-apic");
    b.apic.relocated = [&](uint64_t, uint64_t to) { bus.move_mmio(&b.apic, to); };
    uint64_t v = 0;
    REQUIRE(bus.read(0xFEE00030, 4, v) == emu::Bus::Status::Ok);
    CHECK(v == 0x00050014);
    REQUIRE(b.apic.write_base_msr(0xFE000900));
    CHECK(bus.read(0xFEE00030, 4, v) == emu::Bus::Status::Unmapped);
    REQUIRE(bus.read(0xFE000030, 4, v) == emu::Bus::Status::Ok);
    CHECK(v == 0x00050014);
    // Over RAM, RAM wins.
    REQUIRE(b.apic.write_base_msr(0x80900));
    bus.write(0x80030, 4, 0x1234);
    REQUIRE(bus.read(0x80030, 4, v) == emu::Bus::Status::Ok);
    CHECK(v == 0x1234);
}

TEST_CASE("local APIC: a snapshot restores registers, pins and the running timer", "[pc][apic][snapshot]")
{
    Board a;
    a.enable();
    a.wr(Reg::kTpr, 0x20);
    a.wr(Reg::kLdr, 0x01000000);
    a.wr(Reg::kTimerDivide, 0x1);
    a.wr(Reg::kLvtTimer, (1u << 17) | 0x30);
    a.clock.set_icount(500);
    a.wr(Reg::kTimerInitial, 250);
    a.apic.receive({0x51, ApicMessage::Mode::Fixed, true, false, 0});
    a.apic.acknowledge();
    a.self_ipi(0x40);
    a.apic.set_lint0(true);
    a.self_ipi(0x02);  // a pending error
    a.clock.set_icount(777);

    emu::StateWriter w;
    a.clock.serialize(w);
    a.apic.serialize(w);
    Board r;
    emu::StateReader rd(w.bytes());
    r.clock.serialize(rd);
    r.apic.serialize(rd);
    REQUIRE(rd.finish());
    r.clock.set_icount(a.clock.icount());
    CHECK(r.apic.intr.level() == a.apic.intr.level());
    CHECK(r.clock.next_deadline_icount() == a.clock.next_deadline_icount());
    std::vector<uint8_t> sa, sr;
    append_state(sa, a.apic);
    append_state(sr, r.apic);
    CHECK(sa == sr);

    r.intr = r.apic.intr.level();  // the CPU restores its INTR level from its own state
    for (Board* b : {&a, &r}) {
        b->apic.set_lint0(false);
        b->wr(Reg::kEsr, 0);
        b->run_to(10000, 0x30);
    }
    CHECK(r.timer_vectors_at == a.timer_vectors_at);
    CHECK(r.eois == a.eois);
    CHECK(r.rd(Reg::kEsr) == a.rd(Reg::kEsr));
    CHECK(r.rd(Reg::kTimerCurrent) == a.rd(Reg::kTimerCurrent));
}
