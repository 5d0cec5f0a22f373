// The i8042 and its PS/2 keyboard and mouse: the state SeaBIOS leaves, controller and device
// responses byte for byte (as QEMU 7.2 gives them; guests/i386/i8042 compares a whole probe
// with QEMU), one IRQ edge per reported byte, nothing reported when nothing waits, and the
// output port's reset and A20 paths.
#include <catch2/catch.hpp>

#include <vector>

#include "core/state_archive.h"
#include "dev/i8042.h"

using emu::I8042;

namespace {

struct Kbc {
    I8042 kbc;
    unsigned irq1_rises = 0, irq12_rises = 0;
    unsigned resets = 0;
    std::vector<bool> a20;

    Kbc()
    {
        kbc.kbd_irq.connect([this](bool level) { irq1_rises += level; });
        kbc.mouse_irq.connect([this](bool level) { irq12_rises += level; });
        kbc.reset_request = [this] { resets++; };
        kbc.set_a20 = [this](bool on) { a20.push_back(on); };
    }
    uint8_t status() { return static_cast<uint8_t>(kbc.port_read(0x64, 1)); }
    void command(uint8_t c) { kbc.port_write(0x64, c, 1); }
    void data(uint8_t v) { kbc.port_write(0x60, v, 1); }
    // Every byte the controller reports, as a polling driver reads them.
    std::vector<uint8_t> drain()
    {
        std::vector<uint8_t> out;
        while (status() & 0x01)
            out.push_back(static_cast<uint8_t>(kbc.port_read(0x60, 1)));
        return out;
    }
    // Sends each byte and reads the replies before the next, as a driver waits for the ACK.
    std::vector<uint8_t> keyboard(std::initializer_list<uint8_t> bytes)
    {
        std::vector<uint8_t> out;
        for (uint8_t b : bytes) {
            data(b);
            for (uint8_t r : drain())
                out.push_back(r);
        }
        return out;
    }
    std::vector<uint8_t> mouse(std::initializer_list<uint8_t> bytes)
    {
        std::vector<uint8_t> out;
        for (uint8_t b : bytes) {
            command(0xD4);
            data(b);
            for (uint8_t r : drain())
                out.push_back(r);
        }
        return out;
    }
};

using Bytes = std::vector<uint8_t>;

}  // namespace

TEST_CASE("i8042: after reset, the state SeaBIOS leaves and nothing to read", "[pc][i8042]")
{
    Kbc k;
    CHECK(k.status() == 0x1C);  // self test passed, command, unlocked; output buffer empty
    CHECK(k.kbc.command_byte() == 0x61);
    CHECK(k.kbc.output_port() == 0xCF);
    // Reading the empty buffer gives the last byte (the keyboard's ACK) and raises nothing.
    CHECK(k.kbc.port_read(0x60, 1) == 0xFA);
    CHECK(k.kbc.port_read(0x60, 1) == 0xFA);
    CHECK(k.status() == 0x1C);
    CHECK(k.irq1_rises == 0);
    CHECK_FALSE(k.kbc.kbd_irq.level());
}

TEST_CASE("i8042: controller commands answer once, with one IRQ 1 each", "[pc][i8042]")
{
    Kbc k;
    k.command(0x20);
    CHECK(k.status() == 0x1D);
    CHECK(k.kbc.kbd_irq.level());
    CHECK(k.drain() == Bytes{0x61});
    CHECK_FALSE(k.kbc.kbd_irq.level());
    k.command(0xAA);
    CHECK(k.drain() == Bytes{0x55});
    k.command(0xAB);
    CHECK(k.drain() == Bytes{0x00});
    k.command(0xA9);
    CHECK(k.drain() == Bytes{0x00});
    k.command(0xC0);
    CHECK(k.drain() == Bytes{0x80});
    k.command(0xD0);
    CHECK(k.drain() == Bytes{0xCF});
    CHECK(k.irq1_rises == 6);
    // A response not read yet is replaced by the next one.
    k.command(0xAA);
    k.command(0x20);
    CHECK(k.drain() == Bytes{0x61});
    // Writing the command byte: translation and interrupts follow it.
    k.command(0x60);
    k.data(0x00);
    CHECK(k.kbc.command_byte() == 0x00);
    k.command(0x20);
    CHECK_FALSE(k.kbc.kbd_irq.level());  // keyboard interrupt off
    CHECK(k.drain() == Bytes{0x00});
}

TEST_CASE("i8042: the keyboard answers as QEMU's PS/2 keyboard", "[pc][i8042]")
{
    Kbc k;
    CHECK(k.keyboard({0xFF}) == Bytes{0xFA, 0xAA});
    CHECK(k.keyboard({0xF2}) == Bytes{0xFA, 0xAB, 0x41});  // translated: 0x41
    CHECK(k.keyboard({0xEE}) == Bytes{0xEE});
    CHECK(k.keyboard({0xED, 0x07}) == Bytes{0xFA, 0xFA});
    CHECK(k.keyboard({0xF0, 0x00}) == Bytes{0xFA, 0xFA, 0x41});  // set 2, translated
    CHECK(k.keyboard({0xF0, 0x01}) == Bytes{0xFA, 0xFA});
    CHECK(k.keyboard({0xF0, 0x00}) == Bytes{0xFA, 0xFA, 0x43});
    CHECK(k.keyboard({0xF0, 0x07}) == Bytes{0xFA, 0xFE});
    CHECK(k.keyboard({0xF5, 0xF4}) == Bytes{0xFA, 0xFA});
    CHECK(k.keyboard({0xF3, 0x20}) == Bytes{0xFA, 0xFA});
    CHECK(k.keyboard({0xE8}) == Bytes{0xFE});
    // Without translation the identification's second byte is the raw one.
    k.command(0x60);
    k.data(0x01);
    CHECK(k.keyboard({0xF2}) == Bytes{0xFA, 0xAB, 0x83});
    CHECK(k.keyboard({0xF0, 0x00}) == Bytes{0xFA, 0xFA, 0x02});  // 0xF5 above reset it to set 2
    // A command drops the replies to the one before that were not read.
    k.data(0xFF);
    k.data(0xEE);
    CHECK(k.drain() == Bytes{0xEE});
}

TEST_CASE("i8042: one IRQ 1 edge per byte, only while the interrupt is enabled", "[pc][i8042]")
{
    Kbc k;
    k.data(0xFF);
    CHECK(k.irq1_rises == 1);
    k.kbc.port_read(0x60, 1);
    CHECK(k.irq1_rises == 2);  // the second byte brings the line up again
    k.kbc.port_read(0x60, 1);
    CHECK(k.irq1_rises == 2);
    CHECK_FALSE(k.kbc.kbd_irq.level());
    // Disabling the keyboard interface holds the keyboard's bytes back; controller bytes
    // still get through.
    k.data(0xFF);  // 0xFA in the buffer, 0xAA waiting
    k.command(0xAD);
    CHECK(k.drain() == Bytes{0xFA});
    k.command(0xD2);
    k.data(0x3C);
    CHECK(k.drain() == Bytes{0x3C});
    k.command(0xAE);
    CHECK(k.drain() == Bytes{0xAA});
    // With the interrupt off in the command byte, bytes come without an edge.
    unsigned before = k.irq1_rises;
    k.command(0x60);
    k.data(0x60);
    CHECK(k.keyboard({0xEE}) == Bytes{0xEE});
    CHECK(k.irq1_rises == before);
}

TEST_CASE("i8042: mouse replies come with the mouse flag and IRQ 12", "[pc][i8042]")
{
    Kbc k;
    k.command(0x60);
    k.data(0x47);  // translation, system, both interrupts, both interfaces enabled
    CHECK(k.mouse({0xFF}) == Bytes{0xFA, 0xAA, 0x00});
    CHECK(k.irq12_rises == 3);
    CHECK(k.mouse({0xF2}) == Bytes{0xFA, 0x00});
    CHECK(k.mouse({0xE9}) == Bytes{0xFA, 0x00, 0x02, 0x64});
    CHECK(k.mouse({0xF3, 200, 0xF3, 100, 0xF3, 80, 0xF2}) == Bytes{0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0x03});
    CHECK(k.mouse({0xF4}) == Bytes{0xFA});
    CHECK(k.mouse({0xEB}) == Bytes{0xFA, 0x08, 0x00, 0x00, 0x00});  // an IntelliMouse packet
    k.command(0xD3);
    k.data(0x5A);
    CHECK(k.status() == 0x3D);
    CHECK(k.kbc.mouse_irq.level());
    CHECK(k.drain() == Bytes{0x5A});
    CHECK(k.irq1_rises == 0);
}

TEST_CASE("i8042: reset pulses and the output port", "[pc][i8042]")
{
    Kbc k;
    k.command(0xFE);
    CHECK(k.resets == 1);
    k.command(0xFC);  // any pulse of output bit 0
    CHECK(k.resets == 2);
    k.command(0xFF);  // pulse nothing
    CHECK(k.resets == 2);
    k.command(0xDD);
    CHECK((k.kbc.output_port() & 0x02) == 0);
    k.command(0xDF);
    k.command(0xD1);
    k.data(0xCD);
    CHECK(k.resets == 2);
    k.command(0xD1);
    k.data(0xCE);
    CHECK(k.resets == 3);
    CHECK(k.a20 == std::vector<bool>{false, true, false, true});
}

TEST_CASE("i8042: saving is deterministic and covers the devices", "[pc][i8042][snapshot]")
{
    Kbc a, b;
    auto save = [](const I8042& k) {
        std::vector<uint8_t> s;
        append_state(s, k);
        return s;
    };
    CHECK(save(a.kbc) == save(b.kbc));
    a.data(0xED);  // the keyboard waits for the LED byte; an ACK waits in its queue
    CHECK(save(a.kbc) != save(b.kbc));
    b.data(0xED);
    CHECK(save(a.kbc) == save(b.kbc));
    a.mouse({0xF3});
    CHECK(save(a.kbc) != save(b.kbc));

    emu::StateWriter w;
    a.kbc.serialize(w);
    Kbc r;
    emu::StateReader rd(w.bytes());
    r.kbc.serialize(rd);
    REQUIRE(rd.finish());
    CHECK(save(r.kbc) == save(a.kbc));
    CHECK(r.drain() == a.drain());
    CHECK(r.mouse({100}) == a.mouse({100}));
}
