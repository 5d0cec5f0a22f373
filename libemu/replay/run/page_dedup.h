// RAM pages by content, for the recorder's checkpoints and a debugging session's in-memory
// snapshots: each distinct 4 KiB is stored once however many pages and checkpoints hold it
// (zeroed pages, buffers written back unchanged), recognised by its 128-bit xxh3 hash.
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <utility>

#include "core/bus.h"

namespace emu {

class PageContentIds {
public:
    // The id these 4 KiB have, or `fresh` (from now on theirs) when they are new; the bool says
    // whether they were.
    std::pair<uint32_t, bool> find_or_add(const uint8_t* page, uint32_t fresh);
    // Forgets these contents, whose id is no longer in use.
    void forget(const uint8_t* page);

private:
    struct ContentHash {
        uint64_t high, low;
        bool operator==(const ContentHash&) const = default;
    };
    struct ContentHasher {
        size_t operator()(const ContentHash& h) const { return h.low; }
    };
    static ContentHash hash(const uint8_t* page);

    // Looked up, never iterated: the ids follow the order contents are first met.
    std::unordered_map<ContentHash, uint32_t, ContentHasher> ids_;
};

// Calls `visit(page number, its 4 KiB)` for every RAM page whose dirty byte has `bit`, clearing
// the bit: regions in bus order, pages increasing within each. A region's short last page is
// passed zero-filled.
void take_written_pages(Bus& bus, DirtyBit bit,
                        const std::function<void(uint64_t page, const uint8_t* contents)>& visit);

}  // namespace emu
