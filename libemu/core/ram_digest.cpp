#include "core/ram_digest.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <xxhash.h>

namespace emu {

namespace {

static_assert(std::endian::native == std::endian::little, "a map word's first byte is its lowest");
constexpr uint64_t kHashBitOfEachByte = 0x0101010101010101ull * kDirtyForHash;

}  // namespace

uint64_t hash_dirty_pages(Bus& bus, uint32_t& pages)
{
    pages = 0;
    XXH3_state_t* state = XXH3_createState();
    XXH3_64bits_reset(state);
    for (RamRegion& r : bus.ram_regions()) {
        std::vector<uint8_t>& dirty = r.dirty_page;
        // Eight pages' bytes at a time: most of the map is pages untouched since the last hash
        // (a byte loop over it was most of the time of a run hashing every 100 instructions).
        for (size_t first = 0; first < dirty.size(); first += 8) {
            uint64_t word = 0;
            std::memcpy(&word, dirty.data() + first, std::min<size_t>(8, dirty.size() - first));
            for (uint64_t hits = word & kHashBitOfEachByte; hits != 0; hits &= hits - 1) {
                size_t p = first + std::countr_zero(hits) / 8;  // lowest page first
                dirty[p] &= ~kDirtyForHash;
                uint64_t offset = uint64_t{p} << kPageBits;
                uint64_t addr = r.base + offset;
                XXH3_64bits_update(state, &addr, sizeof addr);
                XXH3_64bits_update(state, r.host.get() + offset, std::min<uint64_t>(kPageSize, r.size - offset));
                pages++;
            }
        }
    }
    uint64_t h = XXH3_64bits_digest(state);
    XXH3_freeState(state);
    return h;
}

}  // namespace emu
