#include "replay/debug/stretch_search.h"

#include "replay/search/bisect_search.h"

namespace emu {

namespace {

// The stretch as a SearchRun whose time starts at `from`: its one restore point is the start.
class StretchRun final : public SearchRun {
public:
    StretchRun(ReplayCursor& cursor, uint64_t from, uint64_t to, const std::function<bool()>& holds)
        : cursor_(cursor), from_(from), to_(to), holds_(holds)
    {
    }
    const std::vector<uint64_t>& restore_points() const override { return points_; }
    Result<Done> restore(size_t) override { return cursor_.seek(from_); }
    Result<bool> advance(uint64_t icount) override
    {
        uint64_t target = std::min(from_ + icount, to_);
        if (Result<Done> r = cursor_.seek(target); !r)
            return r.error();
        return target == from_ + icount;
    }
    uint64_t icount() override { return cursor_.icount() - from_; }
    uint64_t end_icount() const override { return to_ - from_; }
    Result<bool> holds() override { return holds_(); }

private:
    ReplayCursor& cursor_;
    uint64_t from_, to_;
    const std::function<bool()>& holds_;
    std::vector<uint64_t> points_{0};
};

}  // namespace

Result<std::optional<uint64_t>> first_holding(ReplayCursor& cursor, uint64_t from, uint64_t to,
                                              const std::function<bool()>& holds)
{
    StretchRun run(cursor, from, to, holds);
    Result<SearchResult> found = search_first({&run}, SearchOptions{});
    if (!found)
        return found.error();
    if (!found->first_icount)
        return std::optional<uint64_t>{};
    return std::optional<uint64_t>{from + *found->first_icount};
}

}  // namespace emu
