// The device tree `virt` hands to Linux and firmware, built with libfdt as QEMU 7.2's virt
// builds it for `-M virt -cpu cortex-a57 -smp 1` (same node names, properties and phandles),
// for the devices this board has: memory, one CPU, PSCI over HVC, the GICv2, the generic
// timer, the PL011, the PL031, the 32 virtio-mmio transports, the flash banks when firmware
// is loaded, and /chosen. Not here because the board lacks them: the GICv2m frame, PMU,
// fw-cfg, the PL061 with its gpio-keys, platform bus and PCIe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace emu {

struct VirtDtbSpec {
    uint64_t ram_base = 0;
    uint64_t ram_size = 0;
    bool flash = false;  // the two CFI flash banks at 0 (firmware boots)
    std::string bootargs;  // empty: no /chosen/bootargs
    std::optional<uint64_t> initrd_start;
    uint64_t initrd_end = 0;
    // /chosen/kaslr-seed and rng-seed (QEMU draws both at random; see virt_dtb_seed).
    uint64_t kaslr_seed = 0;
    std::vector<uint8_t> rng_seed;  // 32 bytes
};

// QEMU's virt makes its device tree this big (the blob has room for firmware to add to it).
constexpr uint32_t kVirtDtbBytes = 1 << 20;

Result<std::vector<uint8_t>> build_virt_dtb(const VirtDtbSpec& spec);

// The seeds a replay gives the guest again: XXH3-64 of the kernel (or firmware) bytes, the
// command line and the RAM size, and rng-seed's 32 bytes from the same hash with seeds 1..4.
void virt_dtb_seed(VirtDtbSpec& spec, std::span<const uint8_t> boot_image);

// A device tree given with --dtb: checked with libfdt, and /memory, /chosen/bootargs and the
// initrd properties set as QEMU sets them in a user's tree.
Result<std::vector<uint8_t>> adapt_user_dtb(std::span<const uint8_t> dtb, const std::string& name,
                                            const VirtDtbSpec& spec);

}  // namespace emu
