#include "replay/search/divergence_search.h"

#include <atomic>
#include <mutex>
#include <thread>

namespace emu {

namespace {

struct Stretch {
    std::optional<size_t> checkpoint;  // nothing: from the start
    uint64_t start = 0;
    std::optional<uint64_t> end;       // the next checkpoint; nothing: to the end of the run
};

}  // namespace

Result<DivergenceSearchResult> find_divergence(const std::vector<SearchReplay*>& replays,
                                               const std::function<void(size_t, size_t)>& progress)
{
    const std::vector<CheckpointInfo>& checkpoints = replays.front()->index().checkpoints();
    std::vector<Stretch> stretches{{std::nullopt, 0, std::nullopt}};
    for (size_t k = 0; k < checkpoints.size(); ++k) {
        stretches.back().end = checkpoints[k].icount;
        stretches.push_back({k, checkpoints[k].icount, std::nullopt});
    }

    DivergenceSearchResult out;
    out.stretches = stretches.size();
    std::mutex lock;
    std::optional<Error> error;
    std::atomic<size_t> next{0}, done{0};
    std::atomic<uint64_t> found_at{UINT64_MAX};
    auto work = [&](SearchReplay& replay) {
        for (size_t i = next++; i < stretches.size(); i = next++) {
            const Stretch& s = stretches[i];
            if (s.start >= found_at.load())
                continue;  // an earlier departure is already known
            Result<Done> restored = replay.restore_checkpoint(s.checkpoint);
            // One instruction past the next checkpoint: its state hash is checked here, since
            // the replay from that checkpoint starts after it.
            Result<ReplayReport> r = restored ? replay.session().replayer().run_to(
                                                    s.end ? std::optional<uint64_t>(*s.end + 1) : std::nullopt)
                                              : Result<ReplayReport>(restored.error());
            std::lock_guard<std::mutex> hold(lock);
            if (!r) {
                if (!error)
                    error = r.error();
                found_at = 0;
                return;
            }
            out.state_hashes += r->state_hashes;
            if (r->divergence && (!out.first || r->divergence->icount < out.first->icount)) {
                out.first = r->divergence;
                out.stretch_start = s.start;
                found_at = std::min(found_at.load(), r->divergence->icount);
            }
            if (!s.end) {
                out.end_icount = r->outcome.icount;
                out.truncated = r->truncated;
            }
            if (progress)
                progress(++done, stretches.size());
        }
    };
    if (replays.size() == 1) {
        work(*replays.front());
    } else {
        std::vector<std::thread> threads;
        for (SearchReplay* r : replays)
            threads.emplace_back(work, std::ref(*r));
        for (std::thread& t : threads)
            t.join();
    }
    if (error)
        return *error;
    return out;
}

}  // namespace emu
