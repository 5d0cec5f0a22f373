// Snapshots of the PC devices: each device is driven into a state that is not its reset state,
// saved with StateWriter and restored into a freshly constructed instance. The restored
// instance must save the same bytes, and then behave exactly like the original under the same
// further accesses: the same port reads, the same IRQ edges at the same virtual times.
//
// Timer deadlines belong to the VirtualClock, not to the devices: a timed device is saved
// together with its clock, as a machine saves them, and the restored clock, whose timers the
// fresh device registered in the same order, gets the same deadlines.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "support/receive.h"
#include "core/clock.h"
#include "core/state_archive.h"
#include "dev/i8042.h"
#include "dev/i8254.h"
#include "dev/i8259.h"
#include "dev/mc146818.h"
#include "dev/pc_system_ports.h"
#include "dev/uart16550.h"

using emu::I8042;
using emu::I8254;
using emu::I8259Pair;
using emu::IsaDebugExit;
using emu::Mc146818;
using emu::StateReader;
using emu::StateWriter;
using emu::SystemControlA;
using emu::SystemControlB;
using emu::Uart16550;
using emu::VirtualClock;

namespace {

// Every observable thing a board does after the snapshot, in order: reads, IRQ edges with
// their virtual time, output bytes, callbacks. Two boards behave alike iff their logs match.
using Log = std::vector<uint64_t>;

// Tags keep the kinds of entries apart in a log.
constexpr uint64_t kRead = 1ull << 60;
constexpr uint64_t kEdge = 2ull << 60;
constexpr uint64_t kOutput = 3ull << 60;
constexpr uint64_t kCallback = 4ull << 60;

template <class... Devices>
std::vector<uint8_t> snapshot(Devices&... devices)
{
    StateWriter w;
    (devices.serialize(w), ...);
    return w.bytes();
}

template <class... Devices>
void restore(const std::vector<uint8_t>& bytes, Devices&... devices)
{
    StateReader r(bytes);
    (devices.serialize(r), ...);
    bool finished = r.finish();
    INFO(r.error().value_or("no error"));
    REQUIRE(finished);
    REQUIRE_FALSE(r.error());
}

// The icount belongs to the CPU's state, not the clock's: a machine restores it with the CPU.
void restore_icount(const VirtualClock& from, VirtualClock& to)
{
    to.set_icount(from.icount());
    REQUIRE(to.next_deadline_icount() == from.next_deadline_icount());
}

// Delivers every timer event up to `ns` at its own deadline, as the CPU loop does.
void run_to(VirtualClock& clock, uint64_t ns)
{
    while (clock.next_deadline_icount() <= ns) {
        clock.set_icount(std::max(clock.icount(), clock.next_deadline_icount()));
        clock.fire_due();
    }
    clock.set_icount(ns);
    clock.fire_due();
}

// ---------------------------------------------------------------------------------------------

constexpr uint16_t kCom1 = 0x3F8;
constexpr uint16_t RBR = kCom1 + 0, THR = kCom1 + 0, DLL = kCom1 + 0, IER = kCom1 + 1,
                   DLM = kCom1 + 1, IIR = kCom1 + 2, FCR = kCom1 + 2, LCR = kCom1 + 3,
                   MCR = kCom1 + 4, LSR = kCom1 + 5, MSR = kCom1 + 6, SCR = kCom1 + 7;

struct UartBoard {
    VirtualClock clock{0};
    Log log;
    Uart16550 uart{clock, kCom1, [this](uint8_t b) { log.push_back(kOutput | b); }};

    UartBoard()
    {
        uart.irq.connect([this](bool level) { log.push_back(kEdge | level << 1 | clock.ns() << 2); });
        uart.rx_starved = [this] { log.push_back(kCallback); };
    }
    void out(uint16_t port, uint8_t v) { uart.port_write(port, v, 1); }
    void in(uint16_t port) { log.push_back(kRead | port << 8 | uart.port_read(port, 1)); }
};

// The same accesses, on the original and on the restored board.
void uart_continue(UartBoard& b)
{
    b.in(LCR);
    b.log.push_back(kRead | b.uart.room());
    b.in(LSR);
    run_to(b.clock, b.clock.ns() + 1'200'000);  // the character timeout fires
    b.in(IIR);
    b.in(RBR);  // leaves bytes behind: the timeout is armed again, four frames on
    b.log.push_back(kRead | b.clock.next_deadline_icount());
    b.in(IIR);
    b.in(RBR);
    b.in(RBR);
    b.in(LSR);
    b.in(IIR);
    b.out(THR, 'z');
    b.in(IIR);
    b.in(IIR);
    b.in(SCR);
    b.in(MCR);
    b.in(MSR);
    for (uint8_t c : {'p', 'q', 'r', 's', 't'})
        emu::test::receive_byte(b.uart, static_cast<uint8_t>(c));
    b.log.push_back(kRead | b.uart.room());
    b.log.push_back(kRead | b.clock.next_deadline_icount());
    run_to(b.clock, b.clock.ns() + 2'000'000);
    b.in(IIR);
    for (int i = 0; i < 6; ++i)
        b.in(RBR);
    b.in(LSR);
    b.out(LCR, 0x9B);
    b.in(DLL);
    b.in(DLM);
    b.out(LCR, 0x1B);
    emu::test::receive_byte(b.uart, static_cast<uint8_t>('u'));
    b.log.push_back(kRead | b.clock.next_deadline_icount());
}

TEST_CASE("pc snapshot: uart16550 round trip and identical behaviour", "[snapshot][pc][uart]")
{
    UartBoard a;
    a.out(LCR, 0x80);
    a.out(DLL, 0x03);  // 38400 baud
    a.out(DLM, 0x00);
    a.out(LCR, 0x1B);  // 8E1
    a.out(FCR, 0x41);  // FIFO on, trigger level 4
    a.out(IER, 0x0F);
    a.out(SCR, 0xA5);
    a.out(MCR, 0x0B);
    a.out(THR, 'x');
    emu::test::receive_byte(a.uart, static_cast<uint8_t>('a'));
    emu::test::receive_byte(a.uart, static_cast<uint8_t>('b'));
    emu::test::receive_byte(a.uart, static_cast<uint8_t>('c'));
    run_to(a.clock, 5'000);  // before the character timeout
    REQUIRE(a.clock.next_deadline_icount() != VirtualClock::kNever);
    REQUIRE(a.uart.irq.level());  // THRE pending since the write

    auto bytes = snapshot(a.clock, a.uart);
    std::vector<uint8_t> hashed;
    append_state(hashed, a.clock);
    append_state(hashed, a.uart);
    CHECK(hashed == bytes);

    UartBoard r;
    restore(bytes, r.clock, r.uart);
    restore_icount(a.clock, r.clock);
    CHECK(snapshot(r.clock, r.uart) == bytes);
    CHECK(r.uart.irq.level());
    CHECK(r.log.empty());  // restoring the level tells no one

    a.log.clear();
    uart_continue(a);
    uart_continue(r);
    CHECK(r.log == a.log);
    CHECK(snapshot(r.clock, r.uart) == snapshot(a.clock, a.uart));
}

TEST_CASE("pc snapshot: uart16550 without FIFO keeps RBR and the overrun", "[snapshot][pc][uart]")
{
    UartBoard a;
    a.out(IER, 0x05);
    emu::test::receive_byte(a.uart, static_cast<uint8_t>('1'));
    emu::test::receive_byte(a.uart, static_cast<uint8_t>('2'));  // overrun: LSR.OE, RBR holds '2'
    auto bytes = snapshot(a.clock, a.uart);
    UartBoard r;
    restore(bytes, r.clock, r.uart);
    restore_icount(a.clock, r.clock);
    CHECK(snapshot(r.clock, r.uart) == bytes);
    a.log.clear();
    for (UartBoard* b : {&a, &r}) {
        b->in(IIR);
        b->in(LSR);
        b->in(IIR);
        b->in(RBR);
        b->in(LSR);
    }
    CHECK(r.log == a.log);
}

TEST_CASE("pc snapshot: uart16550 with a character timeout pending", "[snapshot][pc][uart]")
{
    UartBoard a;
    a.out(FCR, 0xC1);  // FIFO on, trigger level 14
    a.out(IER, 0x01);
    emu::test::receive_byte(a.uart, static_cast<uint8_t>('k'));
    emu::test::receive_byte(a.uart, static_cast<uint8_t>('l'));
    run_to(a.clock, 10'000'000);  // the timeout has fired
    REQUIRE(a.uart.irq.level());
    auto bytes = snapshot(a.clock, a.uart);
    UartBoard r;
    restore(bytes, r.clock, r.uart);
    restore_icount(a.clock, r.clock);
    CHECK(snapshot(r.clock, r.uart) == bytes);
    a.log.clear();
    for (UartBoard* b : {&a, &r}) {
        b->out(IER, 0x00);
        b->out(IER, 0x01);  // re-evaluates IIR from the pending causes
        b->in(IIR);
        b->in(RBR);
        b->in(IIR);
    }
    CHECK(r.log == a.log);
}

// ---------------------------------------------------------------------------------------------

struct PicBoard {
    Log log;
    I8259Pair pic;

    PicBoard() { pic.intr.connect([this](bool level) { log.push_back(kEdge | level); }); }
    void out(uint16_t port, uint8_t v) { pic.port_write(port, v, 1); }
    void in(uint16_t port) { log.push_back(kRead | port << 8 | pic.port_read(port, 1)); }
    void ack() { log.push_back(kRead | static_cast<uint64_t>(pic.acknowledge())); }
};

void pic_continue(PicBoard& b)
{
    b.ack();  // IRQ 1
    b.in(0x20);
    b.out(0xA1, 0x02);  // the slave's ICW3, then ICW4: its initialisation completes
    b.out(0xA1, 0x01);
    b.out(0xA1, 0x00);
    b.pic.set_irq(12, true);
    b.pic.set_irq(5, false);
    b.pic.set_irq(5, true);
    b.ack();
    b.in(0xA0);
    b.in(0x20);
    b.out(0xA0, 0x0B);  // read ISR
    b.in(0xA0);
    b.out(0xA0, 0x20);
    b.out(0x20, 0x20);
    b.ack();
    b.ack();
    b.out(0x20, 0x0C);  // poll
    b.in(0x20);
    b.in(0x21);
    b.in(0x4D0);
    b.in(0x4D1);
    b.out(0x20, 0x60 | 3);  // specific EOI of IR3
    b.out(0x20, 0xC4);      // IR4 lowest priority
    b.pic.set_irq(3, true);
    b.pic.set_irq(6, true);
    b.ack();
    b.ack();
    for (unsigned chip : {0u, 1u})
        b.log.push_back(kRead | b.pic.irr(chip) | b.pic.isr(chip) << 8 | b.pic.imr(chip) << 16);
}

TEST_CASE("pc snapshot: i8259 pair round trip and identical behaviour", "[snapshot][pc][pic]")
{
    PicBoard a;
    a.out(0x4D0, 0x20);  // IR5 level triggered
    a.out(0x20, 0x11);
    a.out(0x21, 0x20);
    a.out(0x21, 0x04);
    a.out(0x21, 0x01);
    a.out(0x21, 0x80);  // IR7 masked
    a.out(0xA0, 0x11);  // the slave is left waiting for ICW2 ...
    a.out(0xA1, 0x28);  // ... now for ICW3
    a.pic.set_irq(3, true);
    a.pic.set_irq(5, true);
    REQUIRE(a.pic.acknowledge() == 0x23);  // IR3 in service
    a.pic.set_irq(1, true);
    a.pic.set_irq(7, true);  // masked: stays in IRR
    a.out(0x20, 0x0B);       // OCW3: reads return ISR
    REQUIRE(a.pic.intr.level());

    auto bytes = snapshot(a.pic);
    std::vector<uint8_t> hashed;
    append_state(hashed, a.pic);
    CHECK(hashed == bytes);

    PicBoard r;
    restore(bytes, r.pic);
    CHECK(snapshot(r.pic) == bytes);
    CHECK(r.pic.intr.level());
    CHECK(r.log.empty());

    a.log.clear();
    pic_continue(a);
    pic_continue(r);
    CHECK(r.log == a.log);
    CHECK(snapshot(r.pic) == snapshot(a.pic));
}

// Saves `a`, restores into `r`, runs `cont` on both and compares what they did.
template <class Continue>
void pic_round_trip(PicBoard& a, PicBoard& r, Continue cont)
{
    auto bytes = snapshot(a.pic);
    restore(bytes, r.pic);
    CHECK(snapshot(r.pic) == bytes);
    CHECK(r.pic.intr.level() == a.pic.intr.level());
    CHECK(r.log.empty());
    a.log.clear();
    cont(a);
    cont(r);
    CHECK(r.log == a.log);
    CHECK(snapshot(r.pic) == snapshot(a.pic));
}

TEST_CASE("pc snapshot: i8259 rotation, special masks, auto-EOI and poll survive", "[snapshot][pc][pic]")
{
    PicBoard a, r;
    a.out(0x20, 0x11);
    a.out(0x21, 0x20);
    a.out(0x21, 0x04);
    a.out(0x21, 0x11);  // special fully nested
    a.out(0xA0, 0x11);
    a.out(0xA1, 0x28);
    a.out(0xA1, 0x02);
    a.out(0xA1, 0x03);  // automatic EOI
    a.out(0xA0, 0x80);  // rotate in automatic EOI mode
    a.out(0x20, 0xC4);  // IR4 lowest: IR5 has the highest priority
    a.out(0x20, 0x68);  // special mask mode on
    a.out(0x20, 0x0C);  // the next read polls
    a.pic.set_irq(4, true);

    pic_round_trip(a, r, [](PicBoard& b) {
        b.in(0x20);  // the poll takes IR4 in service
        b.pic.set_irq(9, true);
        b.ack();  // slave IR1, automatic EOI: the slave's priority rotates to IR2
        b.pic.set_irq(8, true);
        b.pic.set_irq(11, true);
        b.ack();  // fully nested: the cascade, in service, does not block; IR3 before IR0
        b.ack();
        b.out(0xA0, 0x0B);
        b.in(0xA0);  // automatic EOI left nothing in service
        b.pic.set_irq(5, true);
        b.ack();
        b.out(0x21, 0x20);  // mask IR5, in service: the special mask lets IR0 through
        b.pic.set_irq(0, true);
        b.ack();
        b.out(0x20, 0x0B);
        b.in(0x20);
        b.out(0x20, 0x20);
        b.out(0x20, 0xA0);  // rotate on non-specific EOI
        b.pic.set_irq(3, true);
        b.ack();
        for (unsigned chip : {0u, 1u})
            b.log.push_back(kRead | b.pic.irr(chip) | b.pic.isr(chip) << 8 | b.pic.imr(chip) << 16);
    });
}

TEST_CASE("pc snapshot: i8259 initialisation sequences resume where they stopped", "[snapshot][pc][pic]")
{
    PicBoard a, r;
    a.out(0x20, 0x11);  // master: ICW4 announced, cascade
    a.out(0x21, 0x30);  // now waiting for ICW3
    a.out(0xA0, 0x13);  // slave: single mode, ICW4 announced: ICW2 then ICW4, no ICW3
    pic_round_trip(a, r, [](PicBoard& b) {
        b.out(0x21, 0x04);  // ICW3
        b.out(0x21, 0x02);  // ICW4: automatic EOI
        b.out(0x21, 0xF0);  // OCW1
        b.out(0xA1, 0x48);  // ICW2
        b.out(0xA1, 0x01);  // ICW4
        b.out(0xA1, 0x0F);  // OCW1
        b.in(0x21);
        b.in(0xA1);
        b.pic.set_irq(1, true);
        b.ack();
        b.out(0x20, 0x0B);
        b.in(0x20);
        b.pic.set_irq(12, true);
        b.ack();
    });
}

TEST_CASE("pc snapshot: a snapshot of another device is refused by name", "[snapshot][pc]")
{
    VirtualClock clock;
    Uart16550 uart{clock, kCom1, nullptr};
    I8259Pair pic;
    auto bytes = snapshot(uart);
    StateReader r(bytes);
    pic.serialize(r);
    CHECK_FALSE(r.finish());
    REQUIRE(r.error());
    CHECK(r.error()->find("uart16550") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------

struct PitBoard {
    VirtualClock clock{0};
    Log log;
    I8254 pit{clock};
    SystemControlB port61{pit};

    PitBoard()
    {
        pit.irq.connect([this](bool level) { log.push_back(kEdge | level << 1 | clock.ns() << 2); });
    }
    void out(uint16_t port, uint8_t v)
    {
        if (port == SystemControlB::kPort)
            port61.port_write(port, v, 1);
        else
            pit.port_write(port, v, 1);
    }
    void in(uint16_t port)
    {
        uint32_t v = port == SystemControlB::kPort ? port61.port_read(port, 1) : pit.port_read(port, 1);
        log.push_back(kRead | port << 8 | v);
    }
};

void pit_continue(PitBoard& b)
{
    b.in(0x61);  // channel 2's gate
    b.out(0x43, 0xE8);  // read back channel 2's status: its mode, access and BCD bit
    b.in(0x42);
    run_to(b.clock, b.clock.ns() + 123'457);
    b.in(0x40);  // the latched status
    b.in(0x41);  // the latched count, low then high
    b.in(0x41);
    b.in(0x42);  // the read sequencer's high byte
    b.in(0x42);
    b.out(0x41, 0x12);  // completes the word the snapshot interrupted
    b.in(0x61);
    run_to(b.clock, b.clock.ns() + 3'000'000);
    b.in(0x61);
    b.in(0x40);
    b.in(0x40);
    b.out(0x61, 0x03);  // channel 2's gate rises
    run_to(b.clock, b.clock.ns() + 2'000'000);
    b.in(0x61);
    b.out(0x43, 0x30);  // channel 0: mode 0, one shot
    b.out(0x40, 0x00);
    b.out(0x40, 0x10);
    run_to(b.clock, b.clock.ns() + 5'000'000);
    b.out(0x43, 0xE2);  // read back channel 0, count and status
    b.in(0x40);
    b.in(0x40);
    b.in(0x40);
    b.log.push_back(kRead | b.clock.next_deadline_icount());
}

TEST_CASE("pc snapshot: i8254 and port 0x61 round trip and identical behaviour", "[snapshot][pc][pit]")
{
    PitBoard a;
    run_to(a.clock, 1'111'111);  // counts loaded now differ from a fresh PIT's
    a.out(0x43, 0x34);  // channel 0: mode 2, low then high byte
    a.out(0x40, 0xE8);
    a.out(0x40, 0x03);  // 1000 ticks
    a.out(0x43, 0xB0);  // channel 2: mode 0
    a.out(0x42, 0x00);
    a.out(0x42, 0x40);
    a.out(0x61, 0x03);  // speaker data on, gate high
    run_to(a.clock, 1'234'567);
    a.out(0x43, 0x74);  // channel 1: mode 2, word access
    a.out(0x41, 0x34);  // the low byte only: the high byte is pending
    run_to(a.clock, 2'345'678);
    a.out(0x43, 0x40);  // latch channel 1's count
    a.out(0x43, 0xE2);  // read back channel 0's status (bit 5 set: no count)
    a.out(0x43, 0xB1);  // channel 2 again: word access restarts the read sequencer; BCD
    a.in(0x42);         // the low byte: the next read gives the high byte
    a.in(0x61);         // flips the refresh toggle
    REQUIRE(a.clock.next_deadline_icount() != VirtualClock::kNever);

    auto bytes = snapshot(a.clock, a.pit, a.port61);
    std::vector<uint8_t> hashed;
    append_state(hashed, a.clock);
    append_state(hashed, a.pit);
    append_state(hashed, a.port61);
    CHECK(hashed == bytes);

    PitBoard r;
    restore(bytes, r.clock, r.pit, r.port61);
    restore_icount(a.clock, r.clock);
    CHECK(snapshot(r.clock, r.pit, r.port61) == bytes);
    CHECK(r.pit.irq.level() == a.pit.irq.level());
    CHECK(r.log.empty());

    a.log.clear();
    pit_continue(a);
    pit_continue(r);
    CHECK(r.log == a.log);
    CHECK(snapshot(r.clock, r.pit, r.port61) == snapshot(a.clock, a.pit, a.port61));
}

// ---------------------------------------------------------------------------------------------

constexpr int64_t kStart = 1'700'000'000;  // 2023-11-14 22:13:20 UTC

struct RtcBoard {
    VirtualClock clock{0};
    Log log;
    Mc146818 rtc;

    explicit RtcBoard(int64_t start = kStart) : rtc(clock, start)
    {
        rtc.irq.connect([this](bool level) { log.push_back(kEdge | level << 1 | clock.ns() << 2); });
    }
    void write(uint8_t index, uint8_t value)
    {
        rtc.port_write(0x70, index, 1);
        rtc.port_write(0x71, value, 1);
    }
    void reg(uint8_t index)
    {
        rtc.port_write(0x70, index, 1);
        log.push_back(kRead | index << 8 | rtc.port_read(0x71, 1));
    }
};

void rtc_continue(RtcBoard& b)
{
    b.log.push_back(kRead | b.rtc.port_read(0x71, 1));  // the index the snapshot left
    b.reg(0x0C);
    for (int step = 0; step < 40; ++step) {
        run_to(b.clock, b.clock.ns() + 99'999'937);
        b.reg(0x0A);  // UIP
        b.reg(0x0C);
        b.reg(0x00);
    }
    b.write(0x0B, 0x12);  // periodic off, update-ended on
    run_to(b.clock, b.clock.ns() + 2'500'000'000);
    b.reg(0x0C);
    b.reg(0x00);
    b.reg(0x02);
    b.reg(0x40);
    b.log.push_back(kRead | b.clock.next_deadline_icount());
}

TEST_CASE("pc snapshot: mc146818 round trip and identical behaviour", "[snapshot][pc][rtc]")
{
    RtcBoard a;
    a.rtc.init_pc_cmos(128ull << 20);
    a.write(0x40, 0x5A);  // plain CMOS RAM
    run_to(a.clock, 123'456'789);
    a.write(0x0A, 0x70);  // dividers held in reset ...
    run_to(a.clock, 234'567'890);
    a.write(0x0A, 0x2A);  // ... released: the first update half a second on; 64 Hz periodic
    a.write(0x01, 0xC0);  // alarm: every second
    a.write(0x03, 0xC0);
    a.write(0x05, 0xC0);
    a.write(0x0B, 0x62);  // periodic and alarm interrupts, 24 hours, BCD
    run_to(a.clock, 987'654'321);
    a.reg(0x0C);
    run_to(a.clock, 1'001'000'000);  // a periodic interrupt is pending, unread
    a.rtc.port_write(0x70, 0x32, 1);  // the century, left as the index
    REQUIRE(a.rtc.irq.level());

    auto bytes = snapshot(a.clock, a.rtc);
    std::vector<uint8_t> hashed;
    append_state(hashed, a.clock);
    append_state(hashed, a.rtc);
    CHECK(hashed == bytes);

    RtcBoard r{kStart + 98'765};  // a restored machine starts from another host time
    restore(bytes, r.clock, r.rtc);
    restore_icount(a.clock, r.clock);
    CHECK(snapshot(r.clock, r.rtc) == bytes);
    CHECK(r.rtc.irq.level());
    CHECK(r.rtc.cmos(0x40) == 0x5A);
    CHECK(r.log.empty());

    a.log.clear();
    rtc_continue(a);
    rtc_continue(r);
    CHECK(r.log == a.log);
    CHECK(snapshot(r.clock, r.rtc) == snapshot(a.clock, a.rtc));
}

// ---------------------------------------------------------------------------------------------

struct PortsBoard {
    Log log;
    IsaDebugExit debug_exit{0xF4, 4,
                            [this](int status) { log.push_back(kCallback | static_cast<uint64_t>(status)); }};
    SystemControlA port92;
    I8042 kbc;

    PortsBoard()
    {
        port92.set_a20 = [this](bool on) { log.push_back(kCallback | 0x100 | on); };
        port92.reset_request = [this] { log.push_back(kCallback | 0x200); };
        kbc.set_a20 = [this](bool on) { log.push_back(kCallback | 0x300 | on); };
        kbc.reset_request = [this] { log.push_back(kCallback | 0x400); };
        kbc.kbd_irq.connect([this](bool level) { log.push_back(kEdge | level); });
        kbc.mouse_irq.connect([this](bool level) { log.push_back(kEdge | 2 | level); });
    }
    void in(uint16_t port)
    {
        uint32_t v = port == SystemControlA::kPort ? port92.port_read(port, 1) : kbc.port_read(port, 1);
        log.push_back(kRead | port << 8 | v);
    }
};

void ports_continue(PortsBoard& b)
{
    b.in(0x64);
    b.in(0x60);  // the auxiliary byte: the mouse IRQ falls
    b.in(0x64);
    b.kbc.port_write(0x64, 0xD0, 1);
    b.in(0x60);
    b.kbc.port_write(0x60, 0xCC, 1);  // the pending 0xD1: output port without the reset bit
    b.kbc.port_write(0x64, 0x20, 1);
    b.in(0x64);
    b.in(0x60);
    b.in(0x92);
    b.port92.port_write(0x92, 0x03, 1);
    b.in(0x92);
    b.debug_exit.port_write(0xF4, 0x21, 1);
    b.log.push_back(kRead | b.kbc.status() | b.kbc.command_byte() << 8 | b.kbc.output_port() << 16);
}

TEST_CASE("pc snapshot: port 0x92, i8042 and isa-debug-exit round trip", "[snapshot][pc][i8042]")
{
    PortsBoard a;
    a.port92.port_write(0x92, 0x02, 1);  // A20 on
    a.kbc.port_write(0x64, 0x60, 1);      // command byte: keyboard interrupt off
    a.kbc.port_write(0x60, 0x02, 1);
    a.kbc.port_write(0x64, 0xAD, 1);      // keyboard interface off
    a.kbc.port_write(0x64, 0xDD, 1);      // A20 off in the output port
    a.kbc.port_write(0x64, 0xD3, 1);      // a byte "from the mouse"
    a.kbc.port_write(0x60, 0x77, 1);
    a.kbc.port_write(0x64, 0xD1, 1);      // the output port byte is pending
    REQUIRE(a.kbc.mouse_irq.level());

    auto bytes = snapshot(a.debug_exit, a.port92, a.kbc);
    std::vector<uint8_t> hashed;
    append_state(hashed, a.debug_exit);
    append_state(hashed, a.port92);
    append_state(hashed, a.kbc);
    CHECK(hashed == bytes);

    PortsBoard r;
    restore(bytes, r.debug_exit, r.port92, r.kbc);
    CHECK(snapshot(r.debug_exit, r.port92, r.kbc) == bytes);
    CHECK(r.kbc.mouse_irq.level());
    CHECK_FALSE(r.kbc.kbd_irq.level());
    CHECK(r.port92.a20());
    CHECK(r.log.empty());  // neither A20 nor reset callbacks while loading

    a.log.clear();
    ports_continue(a);
    ports_continue(r);
    CHECK(r.log == a.log);
    CHECK(snapshot(r.debug_exit, r.port92, r.kbc) == snapshot(a.debug_exit, a.port92, a.kbc));
}

TEST_CASE("pc snapshot: i8042 keyboard interrupt level survives", "[snapshot][pc][i8042]")
{
    PortsBoard a;
    a.kbc.port_write(0x64, 0xAA, 1);  // self test: 0x55 in the buffer, IRQ 1 high
    REQUIRE(a.kbc.kbd_irq.level());
    auto bytes = snapshot(a.kbc);
    PortsBoard r;
    restore(bytes, r.kbc);
    CHECK(snapshot(r.kbc) == bytes);
    a.log.clear();
    for (PortsBoard* b : {&a, &r}) {
        b->kbc.port_write(0x64, 0x60, 1);
        b->kbc.port_write(0x60, 0x00, 1);  // keyboard interrupt off: the line falls
        b->in(0x60);
    }
    CHECK(r.log == a.log);
}

}  // namespace
