// The i8042 keyboard controller of `pc` at ports 0x60 (data) and 0x64 (status/command), as
// QEMU 7.2's `i8042` behaves with its PS/2 keyboard and mouse (dev/ps2.h) behind it.
//
// The output buffer reports a byte (status OBF, and IRQ 1 or, for mouse bytes, IRQ 12 when the
// command byte enables them) only while one is waiting: a controller response (command byte,
// self test 0x55, interface tests, ports, bytes written with 0xD2/0xD3) before device bytes,
// keyboard before mouse. A device's bytes wait while its interface is disabled. Reading the
// data port takes the byte and brings up the next; with nothing waiting it reads the last byte
// again and raises nothing.
//
// reset() leaves the state SeaBIOS leaves for a kernel under QEMU: self test passed, command
// byte 0x61 (keyboard interrupt, translation, mouse port disabled), keyboard reset and
// scanning, 0xFA (the keyboard's last ACK) in the data register, nothing waiting.
#pragma once

#include <cstdint>
#include <functional>

#include "core/component.h"
#include "core/io_ports.h"
#include "dev/irq_line.h"
#include "dev/ps2.h"

namespace emu {

class StateArchive;

class I8042 : public PortDevice, public Component {
public:
    static constexpr uint16_t kDataPort = 0x60;
    static constexpr uint16_t kCommandPort = 0x64;

    I8042() { reset(); }

    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;

    void reset();
    // The controller's registers, what waits in the output buffer, both IRQ levels and both
    // PS/2 devices. Loading calls neither set_a20 nor reset_request.
    void serialize(StateArchive& a) override;

    uint8_t status() const { return status_; }
    uint8_t command_byte() const { return mode_; }
    uint8_t output_port() const { return outport_; }

    std::function<void()> reset_request;  // command 0xFE (any pulse of output bit 0)
    std::function<void(bool)> set_a20;    // commands 0xDD/0xDF, output port writes
    IrqLine kbd_irq;    // IRQ 1
    IrqLine mouse_irq;  // IRQ 12

private:
    // Where the byte in the output buffer comes from.
    enum class Source : uint8_t { None, Controller, Keyboard, Mouse };

    bool keyboard_waiting() const;
    bool mouse_waiting() const;
    bool anything_waiting() const { return controller_waiting_ || keyboard_waiting() || mouse_waiting(); }
    void update_lines();
    void fill_output();
    void fill_output_if_empty();
    void respond(uint8_t byte, bool as_mouse);
    uint8_t read_data();
    void write_command(uint8_t cmd);
    void write_data(uint8_t value);
    void write_outport(uint8_t value);

    uint8_t status_ = 0;
    uint8_t mode_ = 0;       // the controller command byte
    uint8_t outport_ = 0;
    uint8_t write_cmd_ = 0;  // command awaiting its data byte, or 0
    uint8_t data_ = 0;       // the last byte read from the data port
    Source source_ = Source::None;
    bool controller_waiting_ = false;
    bool controller_as_mouse_ = false;
    uint8_t controller_byte_ = 0;
    Ps2Keyboard keyboard_;
    Ps2Mouse mouse_;
};

}  // namespace emu
