// rr-bisect --divergence: where a replay first departs from its recording. Each stretch between
// two restore points (the start and the checkpoints) is replayed from the recorded state at its
// start and checked against the recording's state hashes and events; the stretches are
// independent, so several jobs check several at once, and the earliest departure is the answer.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "replay/search/bisect_runs.h"
#include "replay/run/replayer.h"

namespace emu {

struct DivergenceSearchResult {
    std::optional<Divergence> first;       // nothing: the replay matches the recording throughout
    uint64_t stretch_start = 0;            // where the replay that found it started
    std::optional<std::string> truncated;  // the recording ends early
    uint64_t end_icount = 0;
    uint64_t stretches = 0;
    uint64_t state_hashes = 0;  // checked and matching
};

// One replay per job, all of the same recording. `progress` is called with stretches done and all.
Result<DivergenceSearchResult> find_divergence(const std::vector<SearchReplay*>& replays,
                                               const std::function<void(size_t, size_t)>& progress);

}  // namespace emu
