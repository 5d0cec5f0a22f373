// 16550A UART, port-compatible with QEMU 7.2's `isa-serial` (COM1 on `-M pc` is base 0x3F8,
// IRQ 4; the board chooses). Transmitted bytes go straight to the output sink, so THR is
// empty again at once; received bytes enter through receive(), which the machine calls only
// with bytes that passed the input gate and only while rx_room() says there is room.
//
// The character timeout interrupt is a VirtualClock timer, as QEMU's fifo_timeout_timer on its
// virtual clock: armed at four character times (from the divisor and LCR frame size) after a
// byte arrives with the FIFO enabled, and after an RBR read that leaves bytes behind; when it
// fires with bytes still in the FIFO, IIR reports a character timeout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "core/clock.h"
#include "core/component.h"
#include "core/input_gate.h"
#include "core/io_ports.h"
#include "core/state_archive.h"
#include "dev/irq_line.h"

namespace emu {

class Uart16550 : public PortDevice, public Component, public InputPort {
public:
    static constexpr unsigned kFifoDepth = 16;
    static constexpr uint32_t kBaudBase = 115200;  // 1.8432 MHz / 16, QEMU's isa-serial
    static constexpr uint16_t kPortCount = 8;

    // `base`: the first of the eight ports (0x3F8 for COM1).
    Uart16550(VirtualClock& clock, uint16_t base, std::function<void(uint8_t)> output);

    // Any port in [base, base + 8); wider accesses are split into byte accesses, as QEMU
    // does for a device that implements 1-byte accesses only.
    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;

    // The receive side. The guest listens once it has read LSR or RBR or enabled the receive
    // interrupt. room() is how many bytes the recorder may deliver now: QEMU's
    // serial_can_receive (with the FIFO, up to the trigger level, then one at a time; without,
    // one byte when RBR is empty). Each byte is QEMU's serial_receive1: a full FIFO or an
    // unread RBR sets LSR.OE.
    bool listening() const override { return listening_; }
    size_t room() const override;
    void receive(std::span<const uint8_t> bytes) override;

    // Power-on / system reset state (QEMU's serial_reset).
    void reset();

    // Every register, the receive FIFO, the pending-interrupt flags, the frame time and the
    // IRQ level. The timeout deadline belongs to the VirtualClock's own state.
    void serialize(StateArchive& a) override;

    uint16_t base() const { return base_; }

    IrqLine irq;  // not gated by MCR.OUT2: QEMU raises it whenever IIR shows a cause
    // Called when the guest finds the receive side empty (LSR read with DR clear, or an RBR
    // read that leaves nothing), outside loopback: the moment to deliver held host bytes.
    std::function<void()> rx_starved;

private:
    uint8_t read_reg(unsigned offset);
    void write_reg(unsigned offset, uint8_t value);
    void update_irq();
    void update_parameters();
    void transmit();
    void take_byte(uint8_t byte);
    void arm_timeout();
    void timeout_expired();
    void write_fcr(uint8_t value);
    void starved()
    {
        if (rx_starved)
            rx_starved();
    }

    VirtualClock& clock_;
    VirtualClock::TimerId timeout_timer_;
    uint16_t base_;
    std::function<void(uint8_t)> output_;

    std::deque<uint8_t> rx_fifo_;
    uint16_t divider_ = 0x0C;
    uint8_t rbr_ = 0;
    uint8_t thr_ = 0;
    uint8_t tsr_ = 0;
    uint8_t ier_ = 0;
    uint8_t iir_ = 0x01;
    uint8_t lcr_ = 0;
    uint8_t mcr_ = 0x08;
    uint8_t lsr_ = 0x60;
    uint8_t msr_ = 0xB0;
    uint8_t scr_ = 0;
    uint8_t fcr_ = 0;
    uint8_t rx_trigger_ = 1;         // FIFO trigger level in bytes: 1, 4, 8 or 14
    bool thr_ipending_ = false;      // THRE interrupt pending (cleared by reading IIR)
    bool timeout_ipending_ = false;  // character timeout pending
    uint64_t char_time_ns_ = 0;      // one frame at the current speed
    bool listening_ = false;
};

}  // namespace emu
