#include "dev/virtio_net.h"

#include <vector>

#include "core/state_archive.h"

namespace emu {

namespace {

constexpr unsigned kFeatureMac = 5;
constexpr unsigned kFeatureStatus = 16;
constexpr uint16_t kLinkUp = 1;
// The largest frame the transmit path takes from one chain: an Ethernet frame with headroom
// for VLAN tags; a driver sending more is sending garbage, and the frame is dropped.
constexpr uint64_t kMaxFrame = 65536;

}  // namespace

VirtioNet::VirtioNet(Bus& bus, VirtioMmioVersion version, std::array<uint8_t, 6> mac)
    : VirtioMmio(bus, version, virtio::kNetDevice, {kQueueSize, kQueueSize}), mac_(mac)
{
}

uint64_t VirtioNet::device_features() const { return uint64_t{1} << kFeatureMac | uint64_t{1} << kFeatureStatus; }

std::vector<uint8_t> VirtioNet::config_space() const
{
    std::vector<uint8_t> c(mac_.begin(), mac_.end());
    c.push_back(kLinkUp & 0xff);
    c.push_back(kLinkUp >> 8);
    return c;
}

uint64_t VirtioNet::header_bytes() const { return negotiated(virtio::kFeatureVersion1) ? 12 : 10; }

bool VirtioNet::listening() const
{
    return driver_ok() && queue(kReceiveQueue).ready();
}

size_t VirtioNet::room() const
{
    if (!listening())
        return 0;
    VirtqChain chain;
    if (queue(kReceiveQueue).peek(bus_, chain) != Virtqueue::Pop::Ok)
        return 0;
    uint64_t space = chain.writable_bytes();
    return space > header_bytes() ? static_cast<size_t>(space - header_bytes()) : 0;
}

void VirtioNet::receive(std::span<const uint8_t> frame)
{
    VirtqChain chain;
    if (queue(kReceiveQueue).pop(bus_, chain) != Virtqueue::Pop::Ok ||
        chain.writable_bytes() < header_bytes() + frame.size()) {
        device_error();  // the port promised room it did not have: the recorder checks room()
        return;
    }
    // No offloads: flags and GSO type 0; num_buffers (modern) 1.
    uint8_t header[12] = {};
    header[10] = 1;
    uint64_t h = header_bytes();
    virtq_write(bus_, chain, 0, header, h);
    virtq_write(bus_, chain, h, frame.data(), frame.size());
    complete(kReceiveQueue, chain.head, static_cast<uint32_t>(h + frame.size()));
}

void VirtioNet::queue_notified(unsigned q)
{
    if (q == kTransmitQueue)
        transmit_frames();
    else if (rx_posted)
        rx_posted();
}

void VirtioNet::transmit_frames()
{
    Virtqueue& q = queue(kTransmitQueue);
    for (;;) {
        VirtqChain chain;
        Virtqueue::Pop p = q.pop(bus_, chain);
        if (p == Virtqueue::Pop::Empty)
            return;
        uint64_t total = chain.readable_bytes();
        if (p == Virtqueue::Pop::Malformed || total < header_bytes()) {
            device_error();
            return;
        }
        uint64_t len = total - header_bytes();
        if (len <= kMaxFrame) {
            std::vector<uint8_t> frame(len);
            virtq_read(bus_, chain, header_bytes(), frame.data(), len);
            if (transmit)
                transmit(frame);
        }
        complete(kTransmitQueue, chain.head, 0);
    }
}

void VirtioNet::serialize_device(StateArchive& a)
{
    a.section("virtio-net", 1);
    for (uint8_t& b : mac_)
        a.field("mac", b);
}

}  // namespace emu
