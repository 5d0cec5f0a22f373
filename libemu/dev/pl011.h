// ARM PrimeCell PL011 UART, register-compatible with QEMU's `pl011` (as on `-M virt`).
// Transmitted bytes go straight to the output sink; received bytes enter through
// receive(), which the machine calls only with bytes that passed the input gate.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "core/bus.h"
#include "dev/irq_line.h"

namespace emu {

class StateArchive;

class Pl011 : public MmioDevice {
public:
    static constexpr unsigned kFifoDepth = 16;

    explicit Pl011(std::function<void(uint8_t)> output) : output_(std::move(output)) {}

    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;

    // Room for another received byte (the gate holds host bytes until there is).
    bool can_receive() const { return rx_fifo_.size() < rx_capacity(); }
    size_t rx_room() const { return can_receive() ? rx_capacity() - rx_fifo_.size() : 0; }
    void receive(uint8_t byte);

    // Every register, the receive FIFO and the output level (section "pl011").
    void serialize(StateArchive& a);

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
};

}  // namespace emu
