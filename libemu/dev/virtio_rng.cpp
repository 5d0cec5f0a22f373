#include "dev/virtio_rng.h"

#include <algorithm>
#include <vector>

#include "core/state_archive.h"

namespace emu {

VirtioRng::VirtioRng(Bus& bus, VirtioMmioVersion version, std::function<void(std::span<uint8_t>)> entropy)
    : VirtioMmio(bus, version, virtio::kEntropyDevice, {kQueueSize}), entropy_(std::move(entropy))
{
}

void VirtioRng::queue_notified(unsigned)
{
    Virtqueue& q = queue(0);
    for (;;) {
        VirtqChain chain;
        Virtqueue::Pop p = q.pop(bus_, chain);
        if (p == Virtqueue::Pop::Empty)
            return;
        if (p == Virtqueue::Pop::Malformed) {
            device_error();
            return;
        }
        std::vector<uint8_t> bytes(std::min<uint64_t>(chain.writable_bytes(), kMaxRequest));
        if (!bytes.empty())
            entropy_(bytes);
        virtq_write(bus_, chain, 0, bytes.data(), bytes.size());
        complete(0, chain.head, static_cast<uint32_t>(bytes.size()));
    }
}

void VirtioRng::serialize_device(StateArchive& a) { a.section("virtio-rng", 1); }

}  // namespace emu
