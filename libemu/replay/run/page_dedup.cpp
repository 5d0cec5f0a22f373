#include "replay/run/page_dedup.h"

#include <cstring>
#include <vector>

#include <xxhash.h>

#include "core/dirty_pages.h"

namespace emu {

PageContentIds::ContentHash PageContentIds::hash(const uint8_t* page)
{
    XXH128_hash_t h = XXH3_128bits(page, kPageSize);
    return {h.high64, h.low64};
}

std::pair<uint32_t, bool> PageContentIds::find_or_add(const uint8_t* page, uint32_t fresh)
{
    auto [it, added] = ids_.try_emplace(hash(page), fresh);
    return {it->second, added};
}

void PageContentIds::forget(const uint8_t* page) { ids_.erase(hash(page)); }

void take_written_pages(Bus& bus, DirtyBit bit,
                        const std::function<void(uint64_t page, const uint8_t* contents)>& visit)
{
    std::vector<uint8_t> padded;
    for (RamRegion& r : bus.ram_regions()) {
        take_marked_pages(r, bit, [&](size_t p) {
            uint64_t offset = uint64_t{p} << kPageBits;
            const uint8_t* contents = r.host.get() + offset;
            if (uint64_t n = r.size - offset; n < kPageSize) {
                padded.assign(kPageSize, 0);
                std::memcpy(padded.data(), contents, n);
                contents = padded.data();
            }
            visit((r.base + offset) >> kPageBits, contents);
        });
    }
}

}  // namespace emu
