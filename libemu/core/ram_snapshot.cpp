#include "core/ram_snapshot.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace emu {

bool all_zero(const uint8_t* bytes, size_t n)
{
    // Each byte equals the next and the first is zero: memcmp runs at vector width where a byte
    // loop with an early exit does not (replay start-up scans the whole RAM with this).
    return n == 0 || (bytes[0] == 0 && std::memcmp(bytes, bytes + 1, n - 1) == 0);
}

namespace {

// The region's non-zero pages with their offsets; loading zeroes the others.
void serialize_pages(StateArchive& a, RamRegion& r)
{
    auto page_bytes = [&](uint64_t off) { return std::min<uint64_t>(kPageSize, r.size - off); };
    uint32_t pages = 0;
    if (!a.loading())
        for (uint64_t off = 0; off < r.size; off += kPageSize)
            pages += !all_zero(r.host.get() + off, page_bytes(off));
    a.field("pages", pages);
    if (a.loading())
        r.host.zero();
    uint64_t off = 0;
    for (uint32_t i = 0; i < pages; ++i) {
        if (!a.loading())
            while (all_zero(r.host.get() + off, page_bytes(off)))
                off += kPageSize;
        uint64_t at = off;
        a.field("page", at);
        std::vector<uint8_t> bytes;
        if (!a.loading())
            bytes.assign(r.host.get() + off, r.host.get() + off + page_bytes(off));
        a.blob("bytes", bytes);
        if (a.loading()) {
            if (at >= r.size || bytes.size() > r.size - at || a.error())
                return;
            std::memcpy(r.host.get() + at, bytes.data(), bytes.size());
        }
        off += kPageSize;
    }
}

// The pages written since the last state hash, as u32 page numbers: few, since a hash is taken
// before every checkpoint. Only the state hash's bit: the others belong to whoever drives the
// machine now.
void serialize_hash_dirty(StateArchive& a, RamRegion& r)
{
    std::vector<uint8_t> list;
    for (uint32_t p = 0; p < r.dirty_page.size(); ++p)
        if (r.dirty_page[p] & kDirtyForHash)
            for (int i = 0; i < 4; ++i)
                list.push_back(static_cast<uint8_t>(p >> (8 * i)));
    a.blob("hash_dirty_pages", list);
    if (!a.loading() || a.error())
        return;
    if (list.size() % 4 != 0)
        return a.fail("hash_dirty_pages is not a list of u32 page numbers");
    std::fill(r.dirty_page.begin(), r.dirty_page.end(), 0);
    for (size_t i = 0; i < list.size(); i += 4) {
        uint32_t p = list[i] | list[i + 1] << 8 | list[i + 2] << 16 | uint32_t{list[i + 3]} << 24;
        if (p >= r.dirty_page.size())
            return a.fail("hash_dirty_pages lists page " + std::to_string(p) + " beyond the RAM");
        r.dirty_page[p] = kDirtyForHash;
    }
}

}  // namespace

void serialize_ram(StateArchive& a, Bus& bus, RamPages pages)
{
    if (pages == RamPages::None)
        return;
    a.section(pages == RamPages::Included ? "ram" : "ram-map", 2);
    if (a.loading() && a.error())
        return;  // a snapshot that already failed must not wipe the RAM
    for (RamRegion& r : bus.ram_regions()) {
        uint64_t base = r.base, size = r.size;
        a.field("base", base);
        a.field("size", size);
        if (a.loading() && (base != r.base || size != r.size))
            return;  // the next field read fails with the mismatch named
        if (pages == RamPages::Included)
            serialize_pages(a, r);
        serialize_hash_dirty(a, r);
    }
}

}  // namespace emu
