// virtio-rng (virtio 1.x, "Entropy Device") over virtio-mmio: one request queue whose
// buffers the device fills with random bytes. The bytes come from `entropy`, which the board
// binds to the input gate's synchronous side (a recording logs them, a replay gives them back),
// at the notification that made the buffers available.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "dev/virtio_mmio.h"

namespace emu {

class VirtioRng final : public VirtioMmio {
public:
    static constexpr uint16_t kQueueSize = 8;  // QEMU's
    // The most one buffer is filled with; the used length says how many.
    static constexpr uint32_t kMaxRequest = 4096;

    VirtioRng(Bus& bus, VirtioMmioVersion version, std::function<void(std::span<uint8_t>)> entropy);

private:
    uint64_t device_features() const override { return 0; }
    std::vector<uint8_t> config_space() const override { return {}; }
    void queue_notified(unsigned q) override;
    void serialize_device(StateArchive& a) override;

    std::function<void(std::span<uint8_t>)> entropy_;
};

}  // namespace emu
