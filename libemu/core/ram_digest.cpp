#include "core/ram_digest.h"

#include <algorithm>

#include <xxhash.h>

#include "core/dirty_pages.h"

namespace emu {

uint64_t hash_dirty_pages(Bus& bus, uint32_t& pages)
{
    pages = 0;
    XXH3_state_t* state = XXH3_createState();
    XXH3_64bits_reset(state);
    for (RamRegion& r : bus.ram_regions()) {
        take_marked_pages(r, kDirtyForHash, [&](size_t p) {
            uint64_t offset = uint64_t{p} << kPageBits;
            uint64_t addr = r.base + offset;
            XXH3_64bits_update(state, &addr, sizeof addr);
            XXH3_64bits_update(state, r.host.get() + offset, std::min<uint64_t>(kPageSize, r.size - offset));
            pages++;
        });
    }
    uint64_t h = XXH3_64bits_digest(state);
    XXH3_freeState(state);
    return h;
}

}  // namespace emu
