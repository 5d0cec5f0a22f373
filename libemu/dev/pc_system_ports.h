// Small PC system ports, as QEMU 7.2's `-M pc` has them:
//  - IsaDebugExit: QEMU's `isa-debug-exit` (the machine uses iobase=0xf4,iosize=0x04): a
//    write of `value` ends the emulator with status (value << 1) | 1.
//  - SystemControlA: port 0x92 ("port92"): bit 0 rising requests a reset, bit 1 drives A20.
//  - FpuErrorPort: port 0xF0 and IRQ 13, the FPU error reporting of a PC/AT.
// The keyboard controller has a file of its own (dev/i8042.h).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/component.h"
#include "core/io_ports.h"
#include "core/state_archive.h"

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

// "MS-DOS compatible" FPU error reporting (used while CR0.NE = 0): the FPU's FERR# rising
// raises IRQ 13; a write to port 0xF0 lowers it and, while FERR# is up, asserts the FPU's
// IGNNE# (which the CPU drops again with FERR#). QEMU's pc wires the same; reads return ones.
class FpuErrorPort : public PortDevice, public Component {
public:
    static constexpr uint16_t kPort = 0xF0;

    void set_ferr(bool level);
    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;
    void serialize(StateArchive& a) override;

    std::function<void(bool)> irq;      // IRQ 13
    std::function<void()> assert_ignne;

private:
    bool ferr_ = false;
    bool irq_ = false;
};

}  // namespace emu
