// Which virtio-mmio devices a `virt` machine has (machine/virtio_slots.h) and how its
// transports present themselves. Part of MachineConfig and of a recording's run configuration;
// a disk's bytes are not: they are host data, identified by content hash in the recording.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace emu {

// The register layout every transport presents: legacy (version 1, what QEMU's virt presents
// unless -global virtio-mmio.force-legacy=false) or modern (version 2).
enum class VirtioMmioVersion : uint8_t { Legacy = 1, Modern = 2 };
const char* virtio_mmio_version_name(VirtioMmioVersion v);

struct VirtioDrive {
    std::span<const uint8_t> image;  // the disk's bytes; the caller keeps them alive
    bool read_only = false;
    std::string serial;  // what GET_ID answers (QEMU's serial=), empty by default
};

struct VirtioConfig {
    VirtioMmioVersion version = VirtioMmioVersion::Legacy;
    // Devices take slots in this order: drives, then the NIC, then the entropy device.
    std::vector<VirtioDrive> drives;
    bool net = false;
    bool rng = false;

    bool any() const { return !drives.empty() || net || rng; }
};

}  // namespace emu
