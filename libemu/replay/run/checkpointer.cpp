#include "replay/run/checkpointer.h"

#include <algorithm>

#include "replay/format/event_payloads.h"

namespace emu {

namespace {

// Pages per CheckpointPages event: 4 MiB, well inside the event payload limit.
constexpr size_t kPagesPerEvent = 1024;

}  // namespace

Checkpointer::Checkpointer(Machine& m) : m_(m)
{
    for (RamRegion& r : m_.bus().ram_regions())
        for (uint8_t& d : r.dirty_page)
            d &= ~kDirtyForCheckpoint;
}

uint32_t Checkpointer::content_id(const uint8_t* page)
{
    if (pending_.pages.size() >= kPagesPerEvent * kPageSize)
        flush_pages(pending_icount_, *pending_log_);
    auto [id, added] = ids_.find_or_add(page, next_id_);
    if (added) {
        if (pending_.pages.empty())
            pending_.first_id = next_id_;
        pending_.pages.insert(pending_.pages.end(), page, page + kPageSize);
        next_id_++;
        stats_.pages_stored++;
    }
    return id;
}

void Checkpointer::flush_pages(uint64_t icount, EventLog& log)
{
    if (pending_.pages.empty())
        return;
    std::vector<uint8_t> payload = encode(pending_);
    stats_.payload_bytes += payload.size();
    log.append(icount, EventKind::CheckpointPages, payload);
    pending_.pages.clear();
}

void Checkpointer::take(uint64_t icount, EventLog& log)
{
    pending_icount_ = icount;
    pending_log_ = &log;
    CheckpointEvent c;
    c.number = static_cast<uint32_t>(stats_.checkpoints);
    take_written_pages(m_.bus(), kDirtyForCheckpoint, [&](uint64_t page, const uint8_t* contents) {
        c.pages.push_back({page, content_id(contents)});
    });
    // The encoding wants increasing pages; regions need not be in address order.
    std::sort(c.pages.begin(), c.pages.end(), [](auto& a, auto& b) { return a.page < b.page; });
    StateWriter w;
    w.set_page_store(this);
    m_.serialize(w, RamPages::DirtyMap);
    c.state = w.bytes();
    // The pages the state refers to come before it, with the RAM pages.
    flush_pages(icount, log);
    std::vector<uint8_t> payload = encode(c);
    stats_.payload_bytes += payload.size();
    stats_.pages_written += c.pages.size();
    stats_.checkpoints++;
    log.append(icount, EventKind::Checkpoint, payload);
}

}  // namespace emu
