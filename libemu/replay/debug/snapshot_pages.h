// The RAM page contents a debugging session's snapshots hold, each distinct 4 KiB once
// (replay/run/page_dedup.h), counted by reference so that the contents of dropped snapshots go.
// Ids start at `first_id`: those below belong to the recording's checkpoints.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <vector>

#include "core/bus.h"
#include "replay/run/page_dedup.h"

namespace emu {

class SnapshotPages {
public:
    explicit SnapshotPages(uint32_t first_id) : first_id_(first_id) {}

    // Whether `id` is one of these (else one of the recording's).
    bool holds(uint32_t id) const { return id >= first_id_; }
    // The id of these contents, with one more reference to it.
    uint32_t add(const uint8_t* page);
    void retain(uint32_t id) { ++references_[id - first_id_]; }
    // One reference fewer; unreferenced contents are dropped.
    void release(uint32_t id);
    const uint8_t* contents(uint32_t id) const { return slots_[id - first_id_].data(); }
    // Distinct contents held, in bytes.
    uint64_t bytes() const { return (slots_.size() - free_.size()) * kPageSize; }

private:
    uint32_t first_id_;
    PageContentIds ids_;
    std::deque<std::array<uint8_t, kPageSize>> slots_;  // by id - first_id_; never moves
    std::vector<uint32_t> references_;
    std::vector<uint32_t> free_;  // slots without contents, reused first
};

}  // namespace emu
