// virtio-net (virtio 1.x, "Network Device") over virtio-mmio: one receive and one transmit
// queue, a MAC address and a link that is always up (VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS);
// no offloads, no mergeable buffers, no control queue.
//
// Frames the guest sends go to `transmit` as soon as it notifies the transmit queue. Received
// frames are asynchronous host input (core/input_gate.h): the device is an InputPort that
// listens once the driver is ready and has room for a frame when the driver has posted a
// receive buffer that holds it, so a frame waits in the host back end until then.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>

#include "core/input_gate.h"
#include "dev/virtio_mmio.h"

namespace emu {

class VirtioNet final : public VirtioMmio, public InputPort {
public:
    static constexpr uint16_t kQueueSize = 256;
    static constexpr unsigned kReceiveQueue = 0;
    static constexpr unsigned kTransmitQueue = 1;
    // QEMU's default for the first NIC.
    static constexpr std::array<uint8_t, 6> kDefaultMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

    VirtioNet(Bus& bus, VirtioMmioVersion version, std::array<uint8_t, 6> mac = kDefaultMac);

    bool listening() const override;
    // The largest frame the next posted receive buffer takes, 0 when none is posted.
    size_t room() const override;
    // One whole frame, at most room() bytes.
    void receive(std::span<const uint8_t> frame) override;

    // Every frame the guest sends, without the virtio-net header.
    std::function<void(std::span<const uint8_t>)> transmit;
    // The driver posted receive buffers: the moment a recorder holding frames delivers them.
    std::function<void()> rx_posted;

private:
    uint64_t device_features() const override;
    std::vector<uint8_t> config_space() const override;
    void queue_notified(unsigned q) override;
    void serialize_device(StateArchive& a) override;

    // The virtio-net header before every frame: 12 bytes with VIRTIO_F_VERSION_1 (num_buffers
    // included), 10 for a legacy driver without mergeable buffers.
    uint64_t header_bytes() const;
    void transmit_frames();

    std::array<uint8_t, 6> mac_;
};

}  // namespace emu
