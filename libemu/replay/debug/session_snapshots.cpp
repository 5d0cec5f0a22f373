#include "replay/debug/session_snapshots.h"

#include <algorithm>

#include "replay/run/page_dedup.h"

namespace emu {

SessionSnapshots::SessionSnapshots(ReplaySession& session, const CheckpointIndex& index, SnapshotLimits limits)
    : session_(session), index_(index), limits_(limits), pages_(index.stored_pages())
{
}

const uint8_t* SessionSnapshots::contents(uint32_t id) const
{
    return pages_.holds(id) ? pages_.contents(id) : index_.page_contents(id);
}

void SessionSnapshots::hold(const std::vector<CheckpointPageRef>& refs)
{
    for (const CheckpointPageRef& r : refs)
        if (pages_.holds(r.id))
            pages_.retain(r.id);
}

void SessionSnapshots::drop(const std::vector<CheckpointPageRef>& refs)
{
    for (const CheckpointPageRef& r : refs)
        if (pages_.holds(r.id))
            pages_.release(r.id);
}

void SessionSnapshots::replace_ram(std::vector<CheckpointPageRef> pages)
{
    // Loading the machine state cleared every page's kDirtyForSnapshot: RAM is `pages` now.
    hold(pages);
    drop(ram_);
    ram_ = std::move(pages);
}

void SessionSnapshots::restored_checkpoint(std::optional<size_t> k)
{
    replace_ram(k ? index_.pages_written_up_to(*k) : std::vector<CheckpointPageRef>{});
}

void SessionSnapshots::take()
{
    Machine& m = session_.machine();
    uint64_t here = m.icount();
    std::vector<CheckpointPageRef> fresh;
    take_written_pages(m.bus(), kDirtyForSnapshot,
                       [&](uint64_t page, const uint8_t* bytes) { fresh.push_back({page, pages_.add(bytes)}); });
    std::sort(fresh.begin(), fresh.end(), [](auto& a, auto& b) { return a.page < b.page; });
    // Merged into ram_, the newer contents replacing the older.
    std::vector<CheckpointPageRef> merged;
    merged.reserve(ram_.size() + fresh.size());
    std::vector<CheckpointPageRef> replaced;
    auto old = ram_.begin();
    for (const CheckpointPageRef& f : fresh) {
        while (old != ram_.end() && old->page < f.page)
            merged.push_back(*old++);
        if (old != ram_.end() && old->page == f.page)
            replaced.push_back(*old++);
        merged.push_back(f);
    }
    merged.insert(merged.end(), old, ram_.end());
    drop(replaced);
    ram_ = std::move(merged);

    if (!has(here)) {
        StateWriter state;
        m.serialize(state, RamPages::DirtyMap);
        hold(ram_);
        snapshots_.emplace(here, Snapshot{session_.stream_position(), state.bytes(), ram_});
    }
    evict(here);
}

void SessionSnapshots::evict(uint64_t here)
{
    auto distance = [here](uint64_t icount) { return icount > here ? icount - here : here - icount; };
    while (snapshots_.size() > 1 &&
           (snapshots_.size() > limits_.max_snapshots || pages_.bytes() > limits_.max_page_bytes)) {
        auto farthest = snapshots_.begin();
        if (distance(std::prev(snapshots_.end())->first) > distance(farthest->first))
            farthest = std::prev(snapshots_.end());
        drop(farthest->second.pages);
        snapshots_.erase(farthest);
    }
}

Result<Done> SessionSnapshots::restore(uint64_t icount)
{
    const Snapshot& s = snapshots_.at(icount);
    if (Result<Done> r = session_.restore_snapshot(s.at, icount, s.state, s.pages,
                                                   [this](uint32_t id) { return contents(id); });
        !r)
        return r;
    replace_ram(s.pages);
    return Done{};
}

std::optional<uint64_t> SessionSnapshots::last_at_or_before(uint64_t icount) const
{
    auto after = snapshots_.upper_bound(icount);
    if (after == snapshots_.begin())
        return std::nullopt;
    return std::prev(after)->first;
}

std::vector<uint64_t> SessionSnapshots::icounts() const
{
    std::vector<uint64_t> out;
    for (const auto& [icount, s] : snapshots_)
        out.push_back(icount);
    return out;
}

}  // namespace emu
