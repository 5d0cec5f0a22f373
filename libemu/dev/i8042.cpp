#include "dev/i8042.h"

#include <string>

#include "core/state_archive.h"

namespace emu {

namespace {

// Status register.
constexpr uint8_t kStatObf = 0x01;       // output buffer full
constexpr uint8_t kStatSelftest = 0x04;  // system flag: self test passed
constexpr uint8_t kStatCmd = 0x08;       // last write was a command (QEMU never clears it)
constexpr uint8_t kStatUnlocked = 0x10;  // keyboard not inhibited
constexpr uint8_t kStatMouseObf = 0x20;  // the output buffer holds a mouse byte

// Command byte.
constexpr uint8_t kModeKbdInt = 0x01;
constexpr uint8_t kModeMouseInt = 0x02;
constexpr uint8_t kModeDisableKbd = 0x10;
constexpr uint8_t kModeDisableMouse = 0x20;
constexpr uint8_t kModeTranslate = 0x40;

// Output port: bit 0 releases the CPU reset line, bit 1 is the A20 gate, bits 4-5 mirror the
// output buffer flags, bits 2, 3, 6, 7 read as set.
constexpr uint8_t kOutReset = 0x01;
constexpr uint8_t kOutA20 = 0x02;
constexpr uint8_t kOutObf = 0x10;
constexpr uint8_t kOutMouseObf = 0x20;
constexpr uint8_t kOutOnes = 0xCC;

constexpr uint8_t kKeyboardAck = 0xFA;

}  // namespace

void I8042::reset()
{
    status_ = kStatCmd | kStatUnlocked | kStatSelftest;
    mode_ = kModeKbdInt | kModeTranslate | kModeDisableMouse;
    outport_ = kOutReset | kOutA20 | kOutOnes;
    write_cmd_ = 0;
    data_ = kKeyboardAck;
    source_ = Source::None;
    controller_waiting_ = controller_as_mouse_ = false;
    controller_byte_ = 0;
    keyboard_.reset();
    keyboard_.set_translation(true);
    mouse_.reset();
    kbd_irq.set(false);
    mouse_irq.set(false);
}

bool I8042::keyboard_waiting() const { return keyboard_.has_data() && !(mode_ & kModeDisableKbd); }
bool I8042::mouse_waiting() const { return mouse_.has_data() && !(mode_ & kModeDisableMouse); }

void I8042::update_lines()
{
    bool full = status_ & kStatObf;
    bool mouse = status_ & kStatMouseObf;
    kbd_irq.set(full && !mouse && (mode_ & kModeKbdInt) && !(mode_ & kModeDisableKbd));
    mouse_irq.set(full && mouse && (mode_ & kModeMouseInt));
}

// Puts the next waiting byte's source into the output buffer: controller responses first, then
// the keyboard, then the mouse.
void I8042::fill_output()
{
    status_ &= static_cast<uint8_t>(~(kStatObf | kStatMouseObf));
    outport_ &= static_cast<uint8_t>(~(kOutObf | kOutMouseObf));
    source_ = Source::None;
    bool mouse = false;
    if (controller_waiting_) {
        source_ = Source::Controller;
        mouse = controller_as_mouse_;
    } else if (keyboard_waiting()) {
        source_ = Source::Keyboard;
    } else if (mouse_waiting()) {
        source_ = Source::Mouse;
        mouse = true;
    }
    if (source_ != Source::None) {
        status_ |= kStatObf;
        outport_ |= kOutObf;
        if (mouse) {
            status_ |= kStatMouseObf;
            outport_ |= kOutMouseObf;
        }
    }
    update_lines();
}

// A byte already in the output buffer stays there until it is read.
void I8042::fill_output_if_empty()
{
    if (!(status_ & kStatObf) && anything_waiting())
        fill_output();
}

// A controller response replaces one not yet read.
void I8042::respond(uint8_t byte, bool as_mouse)
{
    controller_byte_ = byte;
    controller_as_mouse_ = as_mouse;
    controller_waiting_ = true;
    fill_output_if_empty();
}

uint8_t I8042::read_data()
{
    if (!(status_ & kStatObf))
        return data_;
    status_ &= static_cast<uint8_t>(~(kStatObf | kStatMouseObf));
    outport_ &= static_cast<uint8_t>(~(kOutObf | kOutMouseObf));
    update_lines();
    switch (source_) {
    case Source::Controller:
        data_ = controller_byte_;
        controller_waiting_ = false;
        break;
    case Source::Keyboard: data_ = keyboard_.read(); break;
    case Source::Mouse: data_ = mouse_.read(); break;
    case Source::None: break;
    }
    source_ = Source::None;
    if (anything_waiting())
        fill_output();
    return data_;
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
    case 0x20: respond(mode_, false); break;  // read command byte
    case 0x60:                                // write command byte
    case 0xD1:                                // write output port
    case 0xD2:                                // write keyboard output buffer
    case 0xD3:                                // write mouse output buffer
    case 0xD4:                                // write to the mouse
        write_cmd_ = cmd;
        break;
    case 0xA7: mode_ |= kModeDisableMouse; break;
    case 0xA8:
        mode_ &= static_cast<uint8_t>(~kModeDisableMouse);
        fill_output_if_empty();
        break;
    case 0xA9: respond(0x00, false); break;  // mouse interface test: passed
    case 0xAA:                               // controller self test
        status_ |= kStatSelftest;
        respond(0x55, false);
        break;
    case 0xAB: respond(0x00, false); break;  // keyboard interface test: passed
    case 0xAD: mode_ |= kModeDisableKbd; break;
    case 0xAE:
        mode_ &= static_cast<uint8_t>(~kModeDisableKbd);
        fill_output_if_empty();
        break;
    case 0xC0: respond(0x80, false); break;  // input port: keyboard not inhibited
    case 0xD0: respond(outport_, false); break;
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
        keyboard_.set_translation(value & kModeTranslate);
        // The interrupt enables act on the lines at once; enabling an interface may bring up a
        // waiting byte.
        update_lines();
        fill_output_if_empty();
        break;
    case 0xD1: write_outport(value); break;
    case 0xD2: respond(value, false); break;
    case 0xD3: respond(value, true); break;
    case 0xD4:
        // Sending to the mouse re-enables its interface, as in QEMU.
        mouse_.write(value);
        mode_ &= static_cast<uint8_t>(~kModeDisableMouse);
        fill_output_if_empty();
        break;
    default:
        // For the keyboard; sending re-enables its interface.
        keyboard_.write(value);
        mode_ &= static_cast<uint8_t>(~kModeDisableKbd);
        fill_output_if_empty();
        break;
    }
    write_cmd_ = 0;
}

uint32_t I8042::port_read(uint16_t port, unsigned)
{
    return port == kCommandPort ? status_ : read_data();
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
    a.section("i8042", 2);
    a.field("status", status_);
    a.field("mode", mode_);
    a.field("outport", outport_);
    a.field("write_cmd", write_cmd_);
    a.field("data", data_);
    a.field("source", source_);
    a.field("controller_waiting", controller_waiting_);
    a.field("controller_as_mouse", controller_as_mouse_);
    a.field("controller_byte", controller_byte_);
    bool kbd = kbd_irq.level();
    bool mouse = mouse_irq.level();
    a.field("kbd_irq", kbd);
    a.field("mouse_irq", mouse);
    if (a.loading()) {
        kbd_irq.restore_level(kbd);
        mouse_irq.restore_level(mouse);
        if (source_ > Source::Mouse) {
            a.fail("i8042: output buffer source " + std::to_string(static_cast<unsigned>(source_)));
            source_ = Source::None;
        }
    }
    keyboard_.serialize(a);
    mouse_.serialize(a);
}

}  // namespace emu
