// ARM PrimeCell PL011 UART, register-compatible with QEMU's `pl011` (as on `-M virt`).
// Transmitted bytes go straight to the output sink; received bytes enter through its input
// port (core/input_gate.h), only bytes that passed the input gate.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "core/bus.h"
#include "core/component.h"
#include "core/input_gate.h"
#include "dev/irq_line.h"

namespace emu {

class StateArchive;

class Pl011 : public MmioDevice, public Component, public InputPort {
public:
    static constexpr unsigned kFifoDepth = 16;

    explicit Pl011(std::function<void(uint8_t)> output) : output_(std::move(output)) {}

    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;

    // The receive side. The guest listens once it has read FR or DR or unmasked a receive
    // interrupt; the room is what the FIFO (or, with it off, the holding register) has left.
    bool listening() const override { return listening_; }
    size_t room() const override { return rx_fifo_.size() < rx_capacity() ? rx_capacity() - rx_fifo_.size() : 0; }
    void receive(std::span<const uint8_t> bytes) override;

    // Every register, the receive FIFO and the output level (section "pl011").
    void serialize(StateArchive& a) override;

    IrqLine irq;
    // Called when the guest finds the receive side empty (FR with RXFE set, or a DR read that
    // empties the FIFO): the moment a recorder holding host bytes should deliver them.
    std::function<void()> rx_starved;

private:
    unsigned rx_capacity() const { return (lcr_h_ & kLcrhFen) ? kFifoDepth : 1; }
    void update_irq();
    void starved()
    {
        if (rx_starved)
            rx_starved();
    }

    static constexpr uint32_t kLcrhFen = 1u << 4;

    std::function<void(uint8_t)> output_;
    std::deque<uint8_t> rx_fifo_;
    uint32_t lcr_h_ = 0;
    uint32_t cr_ = 0x300;   // TXE | RXE, as after reset
    uint32_t ifls_ = 0x12;  // FIFO trigger levels: half full
    uint32_t ibrd_ = 0;
    uint32_t fbrd_ = 0;
    uint32_t ilpr_ = 0;
    uint32_t dmacr_ = 0;
    uint32_t imsc_ = 0;     // interrupt mask set/clear (1 = enabled)
    uint32_t ris_ = 0;      // raw interrupt status
    uint32_t rsr_ = 0;
    bool listening_ = false;
};

}  // namespace emu
