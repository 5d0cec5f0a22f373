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

namespace {

void put_le64(std::vector<uint8_t>& out, uint64_t v)
{
    for (unsigned i = 0; i < 8; ++i)
        out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t le64(const uint8_t* p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; ++i)
        v |= uint64_t{p[i]} << (8 * i);
    return v;
}

}  // namespace

// The written blocks' numbers as 8-byte little-endian words; then their contents in the same
// order, or, for an archive with a page store (a checkpoint), the ids of their contents there
// as 8-byte words, so that a block written once is stored once however many checkpoints hold it.
void DiskOverlay::serialize(StateArchive& a)
{
    static_assert(kBlockBytes == PageStore::kPageBytes);
    a.section("disk-overlay", 2);  // 2: blocks may be stored apart, by id
    uint64_t disk_size = size();
    a.field("disk_size", disk_size);
    if (a.loading() && disk_size != size())
        a.fail("disk-overlay: the snapshot's disk has " + std::to_string(disk_size) + " bytes, this one " +
               std::to_string(size()));
    PageStore* store = a.page_store();
    bool by_id = store != nullptr;
    a.field("stored_apart", by_id);
    if (a.loading() && by_id != (store != nullptr)) {
        a.fail("disk-overlay: the blocks are stored apart, and this archive has no page store (or the other way)");
        return;
    }
    std::vector<uint8_t> numbers, contents;
    if (!a.loading()) {
        for (const auto& [block, bytes] : blocks_) {
            put_le64(numbers, block);
            if (store)
                put_le64(contents, store->put(bytes.data()));
            else
                contents.insert(contents.end(), bytes.begin(), bytes.end());
        }
    }
    a.blob("blocks", numbers);
    a.blob(store ? "ids" : "contents", contents);
    if (!a.loading())
        return;
    blocks_.clear();
    uint64_t count = numbers.size() / 8;
    uint64_t each = store ? 8 : kBlockBytes;
    if (numbers.size() % 8 != 0 || contents.size() != count * each) {
        a.fail("disk-overlay: block list and contents do not match");
        return;
    }
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t block = le64(numbers.data() + 8 * i);
        if (block >= (size() + kBlockBytes - 1) / kBlockBytes || blocks_.count(block)) {
            a.fail("disk-overlay: block " + std::to_string(block) + " is past the disk or listed twice");
            return;
        }
        const uint8_t* bytes = contents.data() + i * each;
        if (store) {
            uint64_t id = le64(bytes);
            bytes = id <= UINT32_MAX ? store->get(static_cast<uint32_t>(id)) : nullptr;
            if (!bytes) {
                a.fail("disk-overlay: block " + std::to_string(block) + " refers to page " + std::to_string(id) +
                       ", which is not stored");
                return;
            }
        }
        blocks_[block].assign(bytes, bytes + kBlockBytes);
    }
}

}  // namespace emu
