#include "machine/arm64_image.h"

#include <cstring>

#include "machine/kernel_format.h"

namespace emu {

namespace {
constexpr size_t kMagicOffset = 0x38;
constexpr size_t kTextOffset = 8;
constexpr size_t kImageSize = 16;
// QEMU's KERNEL64_LOAD_ADDR: where raw images and headerless (pre-3.17) Images go.
constexpr uint64_t kRawLoadOffset = 0x80000;
// The boot stub QEMU writes at the base of RAM never exceeds this (its BOOTLOADER_MAX_SIZE).
constexpr uint64_t kBootStubMax = 4096;
constexpr uint64_t kTwoMiB = 2 << 20;
// QEMU's LOAD_IMAGE_MAX_GUNZIP_BYTES.
constexpr uint64_t kMaxGunzipBytes = 256 << 20;

uint64_t le64(const uint8_t* p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v |= uint64_t{p[i]} << (8 * i);
    return v;
}
}  // namespace

bool is_arm64_image(std::span<const uint8_t> f)
{
    return f.size() > kMagicOffset + 4 && std::memcmp(f.data() + kMagicOffset, "ARM\x64", 4) == 0;
}

Result<Arm64Kernel> prepare_arm64_kernel(const BootFile& kernel)
{
    Arm64Kernel k;
    if (is_gzip(kernel.bytes)) {
        Result<std::vector<uint8_t>> plain = gunzip(kernel.bytes, kMaxGunzipBytes, kernel.name);
        if (!plain)
            return plain.error();
        k.bytes = std::move(*plain);
        k.was_gzipped = true;
    } else {
        k.bytes = kernel.bytes;
    }
    k.load_offset = kRawLoadOffset;
    if (is_arm64_image(k.bytes)) {
        k.has_header = true;
        k.size = le64(k.bytes.data() + kImageSize);
        if (k.size != 0) {
            k.load_offset = le64(k.bytes.data() + kTextOffset);
            if (k.load_offset < kBootStubMax)
                k.load_offset += kTwoMiB;
        }
    }
    if (k.size == 0)
        k.size = k.bytes.size();
    if (k.bytes.empty())
        return Error{ExitStatus::BadRecording, kernel.name + ": empty kernel image"};
    return k;
}

}  // namespace emu
