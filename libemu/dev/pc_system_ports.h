// Small PC system ports, as QEMU 7.2's `-M pc` has them:
//  - IsaDebugExit: QEMU's `isa-debug-exit` (the machine uses iobase=0xf4,iosize=0x04): a
//    write of `value` ends the emulator with status (value << 1) | 1.
//  - SystemControlA: port 0x92 ("port92"): bit 0 rising requests a reset, bit 1 drives A20.
//  - I8042: the keyboard controller's data (0x60) and command/status (0x64) ports, as far as
//    a kernel without a keyboard driver uses them: status reads, the controller command byte,
//    the self tests, the output port (A20, reset) and the reset pulse command 0xFE. There is
//    no keyboard or mouse behind it: bytes for the devices are dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/component.h"
#include "core/io_ports.h"
#include "core/state_archive.h"
#include "dev/irq_line.h"

namespace emu {

class IsaDebugExit : public PortDevice, public Component {
public:
    // `on_exit` receives the exit status (value << 1) | 1, value masked to the access size.
    IsaDebugExit(uint16_t iobase, uint16_t iosize, std::function<void(int)> on_exit)
        : iobase_(iobase), iosize_(iosize), on_exit_(std::move(on_exit))
    {
    }

    uint16_t iobase() const { return iobase_; }
    uint16_t iosize() const { return iosize_; }

    // Reads return 0 (QEMU's device has no read handler).
    uint32_t port_read(uint16_t port, unsigned size) override;
    // Any port in [iobase, iobase + iosize), any size.
    void port_write(uint16_t port, uint32_t value, unsigned size) override;

    // No state: the port range and the exit callback are wiring. An empty section still
    // marks the device's place in a snapshot.
    void serialize(StateArchive& a) override { a.section("isa-debug-exit", 1); }

private:
    uint16_t iobase_;
    uint16_t iosize_;
    std::function<void(int)> on_exit_;
};

class SystemControlA : public PortDevice, public Component {
public:
    static constexpr uint16_t kPort = 0x92;

    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;

    // System reset: bit 0 clears, A20 (bit 1) keeps its value, as QEMU's port92_reset.
    void reset() { value_ &= static_cast<uint8_t>(~1u); }
    bool a20() const { return value_ & 2; }

    // The port's value. Loading does not call set_a20: whoever models the A20 gate restores
    // it with its own state (today no machine wires set_a20 at all).
    void serialize(StateArchive& a) override;

    std::function<void()> reset_request;  // bit 0 written 0 -> 1
    std::function<void(bool)> set_a20;    // on every write, with bit 1 (QEMU's a20_out)

private:
    uint8_t value_ = 0;
};

class I8042 : public PortDevice, public Component {
public:
    static constexpr uint16_t kDataPort = 0x60;
    static constexpr uint16_t kCommandPort = 0x64;

    I8042() { reset(); }

    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;

    void reset();
    // Status, command byte, output port, the command awaiting its data byte, the output
    // buffer and both IRQ levels. Loading calls neither set_a20 nor reset_request.
    void serialize(StateArchive& a) override;

    uint8_t status() const { return status_; }
    uint8_t command_byte() const { return mode_; }
    uint8_t output_port() const { return outport_; }

    std::function<void()> reset_request;  // command 0xFE (any pulse of output bit 0)
    std::function<void(bool)> set_a20;    // commands 0xDD/0xDF, output port writes
    IrqLine kbd_irq;    // IRQ 1: controller bytes in the output buffer, when enabled
    IrqLine mouse_irq;  // IRQ 12: bytes written with 0xD3, when enabled

private:
    void queue(uint8_t byte, bool aux);
    void update_irq();
    void write_command(uint8_t cmd);
    void write_data(uint8_t value);
    void write_outport(uint8_t value);

    uint8_t status_ = 0;
    uint8_t mode_ = 0;        // controller command byte
    uint8_t outport_ = 0;
    uint8_t write_cmd_ = 0;   // command awaiting its data byte, or 0
    uint8_t data_ = 0;        // output buffer (the last byte, once read)
};

}  // namespace emu
