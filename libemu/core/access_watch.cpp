#include "core/access_watch.h"

#include <algorithm>

namespace emu {

namespace {

// [a, a + a_len) and [b, b + b_len) share a byte; lengths are at least 1, and the sums may
// wrap at the top of the address space, so the ends are compared inclusive.
bool overlap(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len)
{
    return a <= b + (b_len - 1) && b <= a + (a_len - 1);
}

}  // namespace

void AccessWatch::set_ranges(std::vector<WatchedRange> ranges)
{
    forget_hits();
    if (ranges == ranges_)
        return;
    ranges_ = std::move(ranges);
    if (listener_)
        listener_();
}

bool AccessWatch::watches_page(uint64_t page, uint64_t page_size) const
{
    return std::any_of(ranges_.begin(), ranges_.end(),
                       [&](const WatchedRange& r) { return overlap(page, page_size, r.addr, r.length); });
}

void AccessWatch::note(uint64_t addr, uint64_t size, bool write, uint64_t icount)
{
    for (size_t i = 0; i < ranges_.size(); ++i) {
        const WatchedRange& r = ranges_[i];
        if (!(write ? r.writes : r.reads) || !overlap(addr, size, r.addr, r.length))
            continue;
        AccessHit hit{icount, std::max(addr, r.addr), write, i};
        if (!first_)
            first_ = hit;
        last_ = hit;
        ++hit_count_;
        return;
    }
}

}  // namespace emu
