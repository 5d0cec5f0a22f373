#include "machine/virtio_slots.h"

#include <algorithm>

namespace emu {

VirtioSlots::VirtioSlots(const VirtioConfig& config, Wiring w)
{
    for (const VirtioDrive& d : config.drives) {
        auto blk = std::make_unique<VirtioBlk>(w.bus, w.clock, config.version, d.image,
                                               d.read_only ? VirtioBlk::ReadOnly::Yes : VirtioBlk::ReadOnly::No, d.serial);
        drives_.push_back(blk.get());
        place(std::move(blk), w);
    }
    if (config.net) {
        auto net = std::make_unique<VirtioNet>(w.bus, config.version);
        net->transmit = w.frame_sent;
        net->rx_posted = w.rx_posted;
        net_ = net.get();
        place(std::move(net), w);
    }
    if (config.rng) {
        InputGate& gate = w.gate;
        VirtualClock& clock = w.clock;
        // The CPU has published the notifying instruction's icount: the bytes are stamped with it.
        auto entropy = [&gate, &clock](std::span<uint8_t> out) { gate.entropy(clock.icount(), out); };
        place(std::make_unique<VirtioRng>(w.bus, config.version, entropy), w);
    }
    for (unsigned slot = 0; slot < kSlots; ++slot) {
        if (std::find(device_slots_.begin(), device_slots_.end(), slot) != device_slots_.end())
            continue;
        empty_.push_back(std::make_unique<EmptyVirtioSlot>(config.version));
        w.bus.add_mmio(slot_base(slot), virtio::kWindowBytes, empty_.back().get(), "virtio-mmio-empty");
    }
}

void VirtioSlots::place(std::unique_ptr<VirtioMmio> device, Wiring& w)
{
    unsigned slot = kSlots - 1 - static_cast<unsigned>(devices_.size());
    auto set_spi = w.set_spi;
    device->irq.connect([set_spi, slot](bool level) { set_spi(kFirstSpi + slot, level); });
    w.bus.add_mmio(slot_base(slot), virtio::kWindowBytes, device.get(), "virtio-mmio");
    device_slots_.push_back(slot);
    devices_.push_back(std::move(device));
}

std::vector<Component*> VirtioSlots::components()
{
    std::vector<Component*> c;
    for (auto& d : devices_)
        c.push_back(d.get());
    return c;
}

}  // namespace emu
