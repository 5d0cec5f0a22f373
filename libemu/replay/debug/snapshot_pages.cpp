#include "replay/debug/snapshot_pages.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace emu {

uint32_t SnapshotPages::add(const uint8_t* page)
{
    uint32_t slot = free_.empty() ? static_cast<uint32_t>(slots_.size()) : free_.back();
    auto [id, added] = ids_.find_or_add(page, first_id_ + slot);
    if (added) {
        if (free_.empty()) {
            slots_.emplace_back();
            references_.push_back(0);
        } else {
            free_.pop_back();
        }
        std::memcpy(slots_[slot].data(), page, kPageSize);
    }
    retain(id);
    return id;
}

void SnapshotPages::release(uint32_t id)
{
    uint32_t slot = id - first_id_;
    if (references_[slot] == 0) {
        std::fprintf(stderr, "snapshot pages: page contents %u released more often than held\n", id);
        std::abort();
    }
    if (--references_[slot] > 0)
        return;
    ids_.forget(slots_[slot].data());
    free_.push_back(slot);
}

}  // namespace emu
