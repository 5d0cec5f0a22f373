#include "dev/disk_overlay.h"

#include <algorithm>
#include <cstring>

#include "core/state_archive.h"

namespace emu {

bool DiskOverlay::read(uint64_t offset, std::span<uint8_t> out) const
{
    if (!in_range(offset, out.size()))
        return false;
    uint64_t done = 0;
    while (done < out.size()) {
        uint64_t at = offset + done;
        uint64_t block = at / kBlockBytes, within = at % kBlockBytes;
        uint64_t n = std::min<uint64_t>(kBlockBytes - within, out.size() - done);
        auto it = blocks_.find(block);
        const uint8_t* src = it != blocks_.end() ? it->second.data() + within : base_.data() + at;
        std::memcpy(out.data() + done, src, n);
        done += n;
    }
    return true;
}

bool DiskOverlay::write(uint64_t offset, std::span<const uint8_t> data)
{
    if (!in_range(offset, data.size()))
        return false;
    uint64_t done = 0;
    while (done < data.size()) {
        uint64_t at = offset + done;
        uint64_t block = at / kBlockBytes, within = at % kBlockBytes;
        uint64_t n = std::min<uint64_t>(kBlockBytes - within, data.size() - done);
        auto [it, fresh] = blocks_.try_emplace(block);
        if (fresh) {
            // Copy on write; the last block of a disk whose size is not a multiple of the block
            // size is zero past the end.
            it->second.assign(kBlockBytes, 0);
            uint64_t start = block * kBlockBytes;
            std::memcpy(it->second.data(), base_.data() + start, std::min<uint64_t>(kBlockBytes, size() - start));
        }
        std::memcpy(it->second.data() + within, data.data() + done, n);
        done += n;
    }
    return true;
}

void DiskOverlay::copy_to(std::vector<uint8_t>& out) const
{
    out.assign(base_.begin(), base_.end());
    for (const auto& [block, bytes] : blocks_) {
        uint64_t start = block * kBlockBytes;
        std::memcpy(out.data() + start, bytes.data(), std::min<uint64_t>(kBlockBytes, size() - start));
    }
}

void DiskOverlay::serialize(StateArchive& a)
{
    a.section("disk-overlay", 1);
    uint64_t disk_size = size();
    a.field("disk_size", disk_size);
    if (a.loading() && disk_size != size())
        a.fail("disk-overlay: the snapshot's disk has " + std::to_string(disk_size) + " bytes, this one " +
               std::to_string(size()));
    // Block numbers as 8-byte little-endian words, then the blocks' contents in the same order.
    std::vector<uint8_t> numbers, contents;
    if (!a.loading()) {
        for (const auto& [block, bytes] : blocks_) {
            for (unsigned i = 0; i < 8; ++i)
                numbers.push_back(static_cast<uint8_t>(block >> (8 * i)));
            contents.insert(contents.end(), bytes.begin(), bytes.end());
        }
    }
    a.blob("blocks", numbers);
    a.blob("contents", contents);
    if (!a.loading())
        return;
    blocks_.clear();
    uint64_t count = numbers.size() / 8;
    if (numbers.size() % 8 != 0 || contents.size() != count * kBlockBytes) {
        a.fail("disk-overlay: block list and contents do not match");
        return;
    }
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t block = 0;
        for (unsigned b = 0; b < 8; ++b)
            block |= uint64_t{numbers[8 * i + b]} << (8 * b);
        if (block >= (size() + kBlockBytes - 1) / kBlockBytes || blocks_.count(block)) {
            a.fail("disk-overlay: block " + std::to_string(block) + " is past the disk or listed twice");
            return;
        }
        auto first = contents.begin() + static_cast<std::ptrdiff_t>(i * kBlockBytes);
        blocks_[block].assign(first, first + static_cast<std::ptrdiff_t>(kBlockBytes));
    }
}

}  // namespace emu
