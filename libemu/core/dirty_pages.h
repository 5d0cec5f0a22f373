// Visiting the pages a consumer of RamRegion::dirty_page has not seen yet (see DirtyBit).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/bus.h"

namespace emu {

// Calls visit(p) for each page number p (from the region's start) whose mark has `bit`, in
// increasing order, clearing the bit. The map is read a word at a time: most of a large RAM is
// pages no store touched since the consumer last looked, and a byte loop over them was most of
// the time of a state hash every 100 instructions or a comparison after every instruction.
template <class Visit>
void take_marked_pages(RamRegion& r, DirtyBit bit, Visit&& visit)
{
    static_assert(std::endian::native == std::endian::little, "a map word's first byte is its lowest");
    const uint64_t bit_of_each_byte = 0x0101010101010101ull * bit;
    std::vector<uint8_t>& map = r.dirty_page;
    for (size_t first = 0; first < map.size(); first += 8) {
        uint64_t word = 0;
        std::memcpy(&word, map.data() + first, std::min<size_t>(8, map.size() - first));
        for (uint64_t hits = word & bit_of_each_byte; hits != 0; hits &= hits - 1) {
            size_t p = first + std::countr_zero(hits) / 8;
            map[p] &= static_cast<uint8_t>(~bit);
            visit(p);
        }
    }
}

}  // namespace emu
