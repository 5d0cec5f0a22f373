#include "dev/pc_system_ports.h"

namespace emu {

namespace {

// i8042 status register.
constexpr uint8_t kStatObf = 0x01;       // output buffer full
constexpr uint8_t kStatSelftest = 0x04;  // system flag: self test passed
constexpr uint8_t kStatCmd = 0x08;       // last write was a command
constexpr uint8_t kStatUnlocked = 0x10;  // keyboard not inhibited
constexpr uint8_t kStatMouseObf = 0x20;  // output buffer holds auxiliary data

// i8042 command byte.
constexpr uint8_t kModeKbdInt = 0x01;
constexpr uint8_t kModeMouseInt = 0x02;
constexpr uint8_t kModeDisableKbd = 0x10;
constexpr uint8_t kModeDisableMouse = 0x20;

// i8042 output port: bit 0 releases the CPU reset line, bit 1 is the A20 gate.
constexpr uint8_t kOutReset = 0x01;
constexpr uint8_t kOutA20 = 0x02;
constexpr uint8_t kOutOnes = 0xCC;

}  // namespace

uint32_t IsaDebugExit::port_read(uint16_t, unsigned) { return 0; }

void IsaDebugExit::port_write(uint16_t port, uint32_t value, unsigned size)
{
    if (port < iobase_ || port - iobase_ >= iosize_)
        return;
    uint32_t v = size >= 4 ? value : value & ((1u << (8 * size)) - 1);
    if (on_exit_)
        on_exit_(static_cast<int>((v << 1) | 1));
}

uint32_t SystemControlA::port_read(uint16_t, unsigned) { return value_; }

void SystemControlA::port_write(uint16_t, uint32_t value, unsigned)
{
    uint8_t old = value_;
    value_ = static_cast<uint8_t>(value);
    if (set_a20)
        set_a20((value_ >> 1) & 1);
    if ((value_ & 1) && !(old & 1) && reset_request)
        reset_request();
}


void SystemControlA::serialize(StateArchive& a)
{
    a.section("port92", 1);
    a.field("value", value_);
}


// The status starts with the system flag set: under QEMU the firmware's controller self test
// (command 0xAA) has set it before any guest code runs, and a guest loaded without firmware
// should see the same. QEMU's own reset value lacks it (0x18).
void I8042::reset()
{
    mode_ = kModeKbdInt | kModeMouseInt;
    status_ = kStatCmd | kStatUnlocked | kStatSelftest;
    outport_ = kOutReset | kOutA20 | kOutOnes;
    write_cmd_ = 0;
    data_ = 0;
    kbd_irq.set(false);
    mouse_irq.set(false);
}

void I8042::update_irq()
{
    bool full = status_ & kStatObf;
    bool aux = status_ & kStatMouseObf;
    kbd_irq.set(full && !aux && (mode_ & kModeKbdInt));
    mouse_irq.set(full && aux && (mode_ & kModeMouseInt));
}

// A controller response replaces whatever the output buffer held.
void I8042::queue(uint8_t byte, bool aux)
{
    data_ = byte;
    status_ |= kStatObf;
    if (aux)
        status_ |= kStatMouseObf;
    else
        status_ &= static_cast<uint8_t>(~kStatMouseObf);
    update_irq();
}

void I8042::write_outport(uint8_t value)
{
    outport_ = value;
    if (set_a20)
        set_a20((value >> 1) & 1);
    if (!(value & kOutReset) && reset_request)
        reset_request();
}

void I8042::write_command(uint8_t cmd)
{
    // 0xF0-0xFF pulse output port bits 0-3 low where the command's bit is clear; only bit 0
    // (CPU reset) does anything, so every even one resets and every odd one is a no-op.
    if ((cmd & 0xF0) == 0xF0)
        cmd = (cmd & 1) ? 0xFF : 0xFE;
    switch (cmd) {
    case 0x20: queue(mode_, false); break;  // read command byte
    case 0x60:                              // write command byte
    case 0xD1:                              // write output port
    case 0xD2:                              // write keyboard output buffer
    case 0xD3:                              // write auxiliary output buffer
    case 0xD4:                              // write to the mouse
        write_cmd_ = cmd;
        break;
    case 0xA7: mode_ |= kModeDisableMouse; break;
    case 0xA8: mode_ &= static_cast<uint8_t>(~kModeDisableMouse); break;
    case 0xA9: queue(0x00, false); break;  // mouse interface test: passed
    case 0xAA:                             // controller self test
        status_ |= kStatSelftest;
        queue(0x55, false);
        break;
    case 0xAB: queue(0x00, false); break;  // keyboard interface test: passed
    case 0xAD:
        mode_ |= kModeDisableKbd;
        update_irq();
        break;
    case 0xAE:
        mode_ &= static_cast<uint8_t>(~kModeDisableKbd);
        update_irq();
        break;
    case 0xC0: queue(0x80, false); break;  // input port: keyboard not inhibited
    case 0xD0: queue(outport_, false); break;
    case 0xDD:  // disable A20
        outport_ &= static_cast<uint8_t>(~kOutA20);
        if (set_a20)
            set_a20(false);
        break;
    case 0xDF:  // enable A20
        outport_ |= kOutA20;
        if (set_a20)
            set_a20(true);
        break;
    case 0xFE:
        if (reset_request)
            reset_request();
        break;
    default: break;  // 0xFF and unsupported commands are ignored, as QEMU does
    }
}

void I8042::write_data(uint8_t value)
{
    switch (write_cmd_) {
    case 0x60:
        mode_ = value;
        update_irq();
        break;
    case 0xD1: write_outport(value); break;
    case 0xD2: queue(value, false); break;
    case 0xD3: queue(value, true); break;
    case 0xD4:
        // For the mouse, which is not attached; sending re-enables the interface, as in QEMU.
        mode_ &= static_cast<uint8_t>(~kModeDisableMouse);
        break;
    default:
        // For the keyboard, which is not attached; likewise re-enables its interface.
        mode_ &= static_cast<uint8_t>(~kModeDisableKbd);
        break;
    }
    write_cmd_ = 0;
}

uint32_t I8042::port_read(uint16_t port, unsigned)
{
    if (port == kCommandPort)
        return status_;
    // Reading the output buffer empties it; with nothing new the last byte reads again.
    status_ &= static_cast<uint8_t>(~(kStatObf | kStatMouseObf));
    update_irq();
    return data_;
}

void I8042::port_write(uint16_t port, uint32_t value, unsigned)
{
    if (port == kCommandPort)
        write_command(static_cast<uint8_t>(value));
    else
        write_data(static_cast<uint8_t>(value));
}

void I8042::serialize(StateArchive& a)
{
    a.section("i8042", 1);
    a.field("status", status_);
    a.field("mode", mode_);
    a.field("outport", outport_);
    a.field("write_cmd", write_cmd_);
    a.field("data", data_);
    bool kbd = kbd_irq.level();
    bool mouse = mouse_irq.level();
    a.field("kbd_irq", kbd);
    a.field("mouse_irq", mouse);
    if (a.loading()) {
        kbd_irq.restore_level(kbd);
        mouse_irq.restore_level(mouse);
    }
}


}  // namespace emu
