// The Linux arm64 `Image` (Documentation/arch/arm64/booting.rst) and raw AArch64 kernels,
// placed as QEMU's arm loader places them: an Image with a non-zero image_size at a 2 MiB
// aligned base plus text_offset (2 MiB further up when text_offset would put it over the boot
// stub at the base of RAM), anything else at RAM + 0x80000. A gzip-compressed kernel (Debian's
// vmlinuz) is decompressed first, as QEMU does.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "machine/boot_images.h"

namespace emu {

// "ARM\x64" at 0x38.
bool is_arm64_image(std::span<const uint8_t> file);

struct Arm64Kernel {
    std::vector<uint8_t> bytes;  // decompressed
    uint64_t load_offset = 0;    // from the base of RAM
    uint64_t size = 0;           // image_size, or the file's size when the header has none
    bool has_header = false;
    bool was_gzipped = false;
};

Result<Arm64Kernel> prepare_arm64_kernel(const BootFile& kernel);

}  // namespace emu
