// 16550A UART at COM1, driven through its ports as a guest would, on a VirtualClock with
// shift 0 (one icount is one virtual nanosecond).
#include <catch2/catch.hpp>

#include "support/receive.h"
#include "core/state_archive.h"
#include "core/clock.h"
#include "dev/uart16550.h"

using emu::Uart16550;
using emu::VirtualClock;

namespace {

constexpr uint16_t kBase = 0x3F8;
constexpr uint16_t RBR = kBase + 0, THR = kBase + 0, DLL = kBase + 0, IER = kBase + 1,
                   DLM = kBase + 1, IIR = kBase + 2, FCR = kBase + 2, LCR = kBase + 3,
                   MCR = kBase + 4, LSR = kBase + 5, MSR = kBase + 6, SCR = kBase + 7;

// 8N1 at the reset divisor (9600 baud): 10 bits of (10^9 / 9600) ns, as QEMU computes it.
constexpr uint64_t kCharNs9600 = (1'000'000'000 / 9600) * 10;

struct Board {
    VirtualClock clock{0};
    std::vector<uint8_t> sent;
    Uart16550 uart{clock, kBase, [this](uint8_t b) { sent.push_back(b); }};
    bool irq = false;
    unsigned rises = 0;
    unsigned starved = 0;

    Board()
    {
        uart.irq.connect([this](bool level) {
            irq = level;
            rises += level;
        });
        uart.rx_starved = [this] { starved++; };
    }
    uint8_t in(uint16_t port) { return static_cast<uint8_t>(uart.port_read(port, 1)); }
    void out(uint16_t port, uint8_t v) { uart.port_write(port, v, 1); }
    void run_to(uint64_t ns)
    {
        clock.set_icount(ns);
        clock.fire_due();
    }
    std::vector<uint8_t> saved() const
    {
        std::vector<uint8_t> s;
        append_state(s, uart);
        return s;
    }
};

}  // namespace

TEST_CASE("uart16550: reset state matches QEMU's serial_reset", "[pc][uart]")
{
    Board b;
    CHECK(b.in(IER) == 0x00);
    CHECK(b.in(IIR) == 0x01);
    CHECK(b.in(LCR) == 0x00);
    CHECK(b.in(MCR) == 0x08);  // OUT2
    CHECK(b.in(LSR) == 0x60);  // THRE | TEMT
    CHECK(b.in(MSR) == 0xB0);  // DCD | DSR | CTS
    CHECK(b.in(SCR) == 0x00);
    b.out(LCR, 0x80);
    CHECK(b.in(DLL) == 0x0C);  // 9600 baud
    CHECK(b.in(DLM) == 0x00);
    b.out(DLL, 0x01);
    b.out(DLM, 0x02);
    CHECK(b.in(DLL) == 0x01);
    CHECK(b.in(DLM) == 0x02);
    b.out(LCR, 0x03);
    CHECK(b.in(LCR) == 0x03);
    CHECK(b.in(IER) == 0x00);  // DLAB off: IER again
    b.out(SCR, 0x5A);
    CHECK(b.in(SCR) == 0x5A);
    CHECK_FALSE(b.irq);
    CHECK(b.sent.empty());
}

TEST_CASE("uart16550: transmit is immediate and THR is empty again", "[pc][uart]")
{
    Board b;
    b.out(THR, 'h');
    b.out(THR, 'i');
    CHECK(b.sent == std::vector<uint8_t>{'h', 'i'});
    CHECK(b.in(LSR) == 0x60);
    // With the FIFO on, too.
    b.out(FCR, 0x07);
    b.out(THR, '!');
    CHECK(b.sent.back() == '!');
    CHECK((b.in(LSR) & 0x60) == 0x60);
}

TEST_CASE("uart16550: THRE interrupt as QEMU raises it", "[pc][uart]")
{
    Board b;
    // Enabling ETBEI with THR empty interrupts at once.
    b.out(IER, 0x02);
    CHECK(b.irq);
    CHECK(b.rises == 1);
    CHECK(b.in(IIR) == 0x02);
    // Reading IIR with THRE as the cause clears it.
    CHECK_FALSE(b.irq);
    CHECK(b.in(IIR) == 0x01);
    // Each byte written drops the line and raises it again: an edge per byte.
    b.out(THR, 'a');
    CHECK(b.irq);
    CHECK(b.rises == 2);
    b.out(THR, 'b');
    CHECK(b.rises == 3);
    CHECK(b.in(IIR) == 0x02);
    CHECK_FALSE(b.irq);
    // Toggling IER.THRI re-samples THRE.
    b.out(IER, 0x00);
    b.out(IER, 0x02);
    CHECK(b.irq);
    // OUT2 does not gate the line (QEMU ignores it).
    b.out(MCR, 0x00);
    CHECK(b.irq);
    b.out(IER, 0x00);
    CHECK_FALSE(b.irq);
}

TEST_CASE("uart16550: holding register without FIFO, overrun, starved callbacks", "[pc][uart]")
{
    Board b;
    CHECK(b.uart.room() == 1);
    CHECK_FALSE(b.uart.listening());  // no input is delivered before the guest looks
    CHECK(b.in(LSR) == 0x60);
    CHECK(b.uart.listening());
    CHECK(b.starved == 1);  // LSR read with DR clear
    b.out(IER, 0x01);
    CHECK(b.starved == 2);  // enabling the receive interrupt with nothing received
    emu::test::receive_byte(b.uart, static_cast<uint8_t>('x'));
    CHECK(b.uart.room() == 0);
    CHECK(b.in(LSR) == 0x61);
    CHECK(b.starved == 2);
    CHECK(b.irq);
    CHECK(b.in(IIR) == 0x04);
    CHECK(b.in(RBR) == 'x');
    CHECK(b.starved == 3);  // RBR read leaving nothing
    CHECK_FALSE(b.irq);
    CHECK(b.in(IIR) == 0x01);
    CHECK(b.uart.room() == 1);
    // A second byte before the first is read overwrites it and sets OE.
    emu::test::receive_byte(b.uart, static_cast<uint8_t>('1'));
    emu::test::receive_byte(b.uart, static_cast<uint8_t>('2'));
    b.out(IER, 0x05);
    CHECK(b.in(IIR) == 0x06);  // line status outranks data available
    CHECK(b.in(LSR) == 0x63);
    CHECK(b.in(LSR) == 0x61);  // OE clears on read
    CHECK(b.in(IIR) == 0x04);
    CHECK(b.in(RBR) == '2');
}

TEST_CASE("uart16550: 16-byte FIFO, trigger levels and rx_room", "[pc][uart]")
{
    Board b;
    b.out(FCR, 0xC7);  // enable, clear both, trigger 14
    CHECK((b.in(IIR) & 0xC0) == 0xC0);
    b.out(IER, 0x01);
    CHECK(b.uart.room() == 14);
    for (uint8_t i = 0; i < 13; i++)
        emu::test::receive_byte(b.uart, static_cast<uint8_t>(i));
    CHECK(b.uart.room() == 1);
    CHECK_FALSE(b.irq);  // below the trigger level
    CHECK((b.in(LSR) & 1) == 1);
    emu::test::receive_byte(b.uart, static_cast<uint8_t>(13));
    CHECK(b.irq);
    CHECK(b.in(IIR) == 0xC4);
    CHECK(b.uart.room() == 0);  // QEMU advertises nothing at exactly the trigger level
    CHECK(b.in(RBR) == 0);
    CHECK_FALSE(b.irq);
    CHECK(b.uart.room() == 1);
    // Overfill to 16 and beyond: the FIFO keeps its contents and OE is set.
    emu::test::receive_byte(b.uart, static_cast<uint8_t>(14));
    emu::test::receive_byte(b.uart, static_cast<uint8_t>(15));
    emu::test::receive_byte(b.uart, static_cast<uint8_t>(16));
    CHECK(b.uart.room() == 0);
    emu::test::receive_byte(b.uart, static_cast<uint8_t>(99));
    CHECK((b.in(LSR) & 0x02) == 0x02);
    unsigned starved_before = b.starved;
    for (uint8_t i = 1; i <= 16; i++) {
        CHECK(b.in(RBR) == i);
        CHECK(b.starved == starved_before + (i == 16 ? 1u : 0u));
    }
    CHECK((b.in(LSR) & 1) == 0);
    CHECK(b.in(RBR) == 0);  // empty FIFO reads 0
    CHECK(b.uart.room() == 14);

    SECTION("FCR receive reset empties the FIFO")
    {
        emu::test::receive_byte(b.uart, static_cast<uint8_t>('a'));
        emu::test::receive_byte(b.uart, static_cast<uint8_t>('b'));
        b.out(FCR, 0xC3);
        CHECK((b.in(LSR) & 1) == 0);
        CHECK(b.uart.room() == 14);
    }
    SECTION("switching the FIFO off flushes it and reports no FIFO in IIR")
    {
        emu::test::receive_byte(b.uart, static_cast<uint8_t>('a'));
        b.out(FCR, 0x00);
        CHECK((b.in(IIR) & 0xC0) == 0);
        CHECK((b.in(LSR) & 1) == 0);
        CHECK(b.uart.room() == 1);
    }
}

TEST_CASE("uart16550: character timeout on virtual time", "[pc][uart]")
{
    Board b;
    b.out(FCR, 0x41);  // enable, trigger 4
    b.out(IER, 0x01);
    b.run_to(1000);
    emu::test::receive_byte(b.uart, static_cast<uint8_t>('a'));
    emu::test::receive_byte(b.uart, static_cast<uint8_t>('b'));
    CHECK_FALSE(b.irq);
    // Four character times after the last byte (9600 8N1).
    CHECK(b.clock.next_deadline_icount() == 1000 + 4 * kCharNs9600);
    b.run_to(1000 + 4 * kCharNs9600 - 1);
    CHECK_FALSE(b.irq);
    b.run_to(1000 + 4 * kCharNs9600);
    CHECK(b.irq);
    CHECK(b.in(IIR) == 0xCC);
    // Reading a byte clears the timeout and, with bytes left, re-arms it.
    uint64_t t = 1000 + 4 * kCharNs9600 + 50;
    b.run_to(t);
    CHECK(b.in(RBR) == 'a');
    CHECK_FALSE(b.irq);
    CHECK(b.clock.next_deadline_icount() == t + 4 * kCharNs9600);
    CHECK(b.in(RBR) == 'b');
    b.run_to(t + 4 * kCharNs9600);
    CHECK_FALSE(b.irq);  // fired with an empty FIFO: nothing

    SECTION("the character time follows the divisor and frame")
    {
        b.out(LCR, 0x80);
        b.out(DLL, 1);  // 115200 baud
        b.out(LCR, 0x03);
        b.run_to(10'000'000);
        emu::test::receive_byte(b.uart, static_cast<uint8_t>('c'));
        CHECK(b.clock.next_deadline_icount() == 10'000'000 + 4 * (1'000'000'000 / 115200) * 10);
        b.out(LCR, 0x80 | 0x0F);  // 8 data, 2 stop, parity: 12 bits
        b.out(LCR, 0x0F);
        emu::test::receive_byte(b.uart, static_cast<uint8_t>('d'));
        CHECK(b.clock.next_deadline_icount() == 10'000'000 + 4 * (1'000'000'000 / 115200) * 12);
    }
}

TEST_CASE("uart16550: loopback sends to the receiver, MSR mirrors MCR", "[pc][uart]")
{
    Board b;
    b.out(MCR, 0x10 | 0x0B);  // loop, OUT2, RTS, DTR
    CHECK(b.in(MSR) == (0x80 | 0x10 | 0x20));
    b.out(THR, 'L');
    CHECK(b.sent.empty());
    CHECK((b.in(LSR) & 0x61) == 0x61);
    unsigned starved = b.starved;
    CHECK(b.in(RBR) == 'L');
    CHECK(b.starved == starved);  // no host input is asked for in loopback
    b.out(MCR, 0x08);
    b.out(THR, 'M');
    CHECK(b.sent == std::vector<uint8_t>{'M'});
}

TEST_CASE("uart16550: a 16-bit access is two byte accesses", "[pc][uart]")
{
    Board b;
    b.uart.port_write(LCR, 0x0380, 2);  // LCR = 0x80, MCR = 0x03
    CHECK(b.in(LCR) == 0x80);
    CHECK(b.in(MCR) == 0x03);
    b.uart.port_write(DLL, 0x0201, 2);
    CHECK(b.uart.port_read(DLL, 2) == 0x0201);
}

TEST_CASE("uart16550: save is deterministic and covers the state", "[pc][uart]")
{
    Board a, b;
    for (Board* x : {&a, &b}) {
        x->out(FCR, 0x81);
        emu::test::receive_byte(x->uart, static_cast<uint8_t>('q'));
        x->out(IER, 0x03);
    }
    CHECK(a.saved() == b.saved());
    auto before = a.saved();
    a.out(SCR, 1);
    CHECK(a.saved() != before);
    before = a.saved();
    emu::test::receive_byte(a.uart, static_cast<uint8_t>('r'));
    CHECK(a.saved() != before);
    before = a.saved();
    a.in(IIR);  // clears thr_ipending
    a.out(LCR, 0x80);
    a.out(DLL, 3);
    CHECK(a.saved() != before);
    a.uart.reset();
    Board fresh;
    CHECK(a.saved() == fresh.saved());
}
