// The search behind rr-bisect: the first icount at which a condition holds in a recorded run,
// assuming that once it holds it keeps holding. First a binary search over the restore points
// (the start and the recording's checkpoints), which costs restores and no replay; then, inside
// the interval found, levels of probes: each level replays from the last restore point to the
// interval and probes it at kFanout evenly spaced icounts, and the next level searches the step
// where the condition turned true, down to a single instruction. With several jobs, each level's
// probes are shared between them, each replaying its own part.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace emu {

// A recorded run that can be put at any icount and tested there.
class SearchRun {
public:
    virtual ~SearchRun() = default;
    // Icounts where the run can be restored without replay, increasing; the first is 0.
    virtual const std::vector<uint64_t>& restore_points() const = 0;
    virtual Result<Done> restore(size_t point) = 0;
    // Replays forward to `icount`: false when the run ends before it (it is then at its end).
    virtual Result<bool> advance(uint64_t icount) = 0;
    virtual uint64_t icount() = 0;
    // Where the recorded run ends.
    virtual uint64_t end_icount() const = 0;
    // The condition at the current icount.
    virtual Result<bool> holds() = 0;
};

struct SearchProgress {
    int level = 0;  // 0: over restore points
    uint64_t low = 0, high = 0;  // the interval still searched
    uint64_t probes = 0;
};

struct SearchOptions {
    bool linear = false;  // test every instruction from the start instead
    std::function<void(const SearchProgress&)> progress;
};

struct SearchResult {
    std::optional<uint64_t> first_icount;  // nothing: the condition never holds
    uint64_t end_icount = 0;               // where the run ended, when the search got there
    uint64_t probes = 0;
    uint64_t replayed = 0;  // instructions replayed, all jobs together
};

// `runs` holds one run per job (at least one), each over the same recording(s).
Result<SearchResult> search_first(const std::vector<SearchRun*>& runs, const SearchOptions& options);

// Puts the run at icount (restoring the nearest point before it): false if it ends before.
Result<bool> seek_run(SearchRun& run, uint64_t icount);

}  // namespace emu
