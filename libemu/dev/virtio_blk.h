// virtio-blk (virtio 1.x, "Block Device") over virtio-mmio: one request queue; read, write,
// flush and get-id; read-only disks offer VIRTIO_BLK_F_RO and fail writes. No discard or
// write-zeroes (not offered).
//
// Deterministic by construction: the data comes from the disk image (identified by its content
// hash in the recording) under the guest's own writes (DiskOverlay), and requests complete at
// a virtual time computed from the guest's notification alone: a notification arms the
// completion timer, if it is not armed, kLatencyNs of virtual time later; when it fires, every
// request then available is carried out and returned, in ring order. Host timing never decides
// anything, so a recording needs no block events.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/clock.h"
#include "dev/disk_overlay.h"
#include "dev/virtio_mmio.h"

namespace emu {

class VirtioBlk final : public VirtioMmio {
public:
    static constexpr uint64_t kSectorBytes = 512;
    static constexpr uint16_t kQueueSize = 256;  // QEMU's default queue-size
    static constexpr uint64_t kLatencyNs = 10'000;
    static constexpr size_t kIdBytes = 20;  // VIRTIO_BLK_ID_BYTES

    enum class ReadOnly : bool { No, Yes };

    // `image` must outlive the device. `id` answers GET_ID (QEMU's serial=, empty by default).
    VirtioBlk(Bus& bus, VirtualClock& clock, VirtioMmioVersion version, std::span<const uint8_t> image, ReadOnly ro,
              std::string id);

    const DiskOverlay& disk() const { return disk_; }

private:
    uint64_t device_features() const override;
    std::vector<uint8_t> config_space() const override;
    void queue_notified(unsigned q) override;
    void device_reset() override;
    void serialize_device(StateArchive& a) override;

    void complete_requests();
    // Carries out one request; false when the chain is not a request at all.
    bool execute(const VirtqChain& chain);
    uint8_t transfer_in(const VirtqChain& chain, uint64_t sector, uint64_t len);
    uint8_t transfer_out(const VirtqChain& chain, uint64_t sector, uint64_t len);

    VirtualClock& clock_;
    VirtualClock::TimerId timer_;
    DiskOverlay disk_;
    ReadOnly read_only_;
    std::string id_;
};

}  // namespace emu
