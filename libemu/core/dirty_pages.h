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
// increasing order, clearing the bit. Most of a large RAM (and all of an untouched flash) is
// pages no store touched since the consumer last looked, so the map is read 64 marks at a time
// (an OR the compiler vectorises) and only a span with a hit a word at a time: a state hash
// every 100 instructions, or a comparison after every instruction, is otherwise mostly this scan.
template <class Visit>
void take_marked_pages(RamRegion& r, DirtyBit bit, Visit&& visit)
{
    static_assert(std::endian::native == std::endian::little, "a map word's first byte is its lowest");
    constexpr size_t kSpan = 64;
    const uint64_t bit_of_each_byte = 0x0101010101010101ull * bit;
    std::vector<uint8_t>& map = r.dirty_page;
    for (size_t span = 0; span < map.size(); span += kSpan) {
        uint64_t words[kSpan / 8] = {};
        if (map.size() - span >= kSpan)
            std::memcpy(words, map.data() + span, kSpan);
        else
            std::memcpy(words, map.data() + span, map.size() - span);
        uint64_t any = 0;
        for (uint64_t w : words)
            any |= w;
        if (!(any & bit_of_each_byte))
            continue;
        for (size_t i = 0; i < kSpan / 8; i++) {
            for (uint64_t hits = words[i] & bit_of_each_byte; hits != 0; hits &= hits - 1) {
                size_t p = span + 8 * i + std::countr_zero(hits) / 8;
                map[p] &= static_cast<uint8_t>(~bit);
                visit(p);
            }
        }
    }
}

}  // namespace emu
