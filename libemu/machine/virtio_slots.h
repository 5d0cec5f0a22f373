// The 32 virtio-mmio transports of QEMU's virt: windows of 0x200 bytes from 0x0a000000, slot n
// on SPI 16 + n. As in QEMU, devices take the slots from the highest address down in the order
// they are given (there: -device options on the command line; here: VirtioConfig's order), and
// every other slot is an empty transport (device id 0) that a driver probing all 32 skips.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/component.h"
#include "core/input_gate.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_net.h"
#include "dev/virtio_rng.h"
#include "machine/virtio_config.h"

namespace emu {

class VirtioSlots {
public:
    static constexpr PhysAddr kBase = 0x0a000000;
    static constexpr unsigned kSlots = 32;
    static constexpr unsigned kFirstSpi = 16;  // slot n interrupts on SPI 16 + n

    struct Wiring {
        Bus& bus;
        VirtualClock& clock;
        InputGate& gate;
        // Sets the level of SPI `spi` (not yet offset to an interrupt id).
        std::function<void(unsigned spi, bool level)> set_spi;
        std::function<void(std::span<const uint8_t> frame)> frame_sent;
        std::function<void()> rx_posted;
    };

    VirtioSlots(const VirtioConfig& config, Wiring wiring);

    // Devices with state, in slot order from the first device given.
    std::vector<Component*> components();
    VirtioNet* net() { return net_; }
    const std::vector<VirtioBlk*>& drives() const { return drives_; }

    static PhysAddr slot_base(unsigned slot) { return kBase + virtio::kWindowBytes * slot; }

private:
    void place(std::unique_ptr<VirtioMmio> device, Wiring& w);

    std::vector<std::unique_ptr<VirtioMmio>> devices_;  // in the order given
    std::vector<unsigned> device_slots_;
    std::vector<std::unique_ptr<EmptyVirtioSlot>> empty_;
    std::vector<VirtioBlk*> drives_;
    VirtioNet* net_ = nullptr;
};

}  // namespace emu
