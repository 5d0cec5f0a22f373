#include "replay/search/bisect_search.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace emu {

namespace {

// Probes per level and job: three levels take 10^8 instructions down to one.
constexpr uint64_t kFanout = 1024;

struct Counters {
    std::atomic<uint64_t> probes{0};
    std::atomic<uint64_t> replayed{0};
};

Result<bool> advance_counted(SearchRun& run, uint64_t icount, Counters& c)
{
    uint64_t from = run.icount();
    Result<bool> moved = run.advance(icount);
    c.replayed += run.icount() - std::min(from, run.icount());
    return moved;
}

Result<bool> holds_counted(SearchRun& run, Counters& c)
{
    c.probes++;
    return run.holds();
}

// One job's share of a level: the probes from `start` (where the condition is false) on.
struct GroupOutcome {
    std::optional<uint64_t> first_true;
    uint64_t last_false = 0;
    std::optional<uint64_t> ended_at;  // the run ended, with the condition false there
};

Result<GroupOutcome> probe_group(SearchRun& run, uint64_t start, const std::vector<uint64_t>& probes, size_t job,
                                 std::atomic<size_t>& best_job, Counters& c)
{
    GroupOutcome out;
    out.last_false = start;
    if (probes.empty())
        return out;
    Result<bool> there = seek_run(run, start);
    if (!there)
        return there.error();
    // Evaluated although known false: comparing runs consumes what was written on the way.
    if (Result<bool> h = holds_counted(run, c); !h)
        return h.error();
    for (uint64_t q : probes) {
        if (best_job.load() < job)
            break;  // an earlier part already holds the answer
        Result<bool> moved = advance_counted(run, q, c);
        if (!moved)
            return moved.error();
        Result<bool> h = holds_counted(run, c);
        if (!h)
            return h.error();
        if (*h) {
            out.first_true = run.icount();
            size_t seen = best_job.load();
            while (job < seen && !best_job.compare_exchange_weak(seen, job)) {
            }
            return out;
        }
        if (!*moved) {
            out.ended_at = run.icount();
            return out;
        }
        out.last_false = q;
    }
    return out;
}

Result<SearchResult> linear_search(SearchRun& run, Counters& c)
{
    SearchResult out;
    if (Result<Done> r = run.restore(0); !r)
        return r.error();
    for (;;) {
        Result<bool> h = holds_counted(run, c);
        if (!h)
            return h.error();
        if (*h) {
            out.first_icount = run.icount();
            return out;
        }
        Result<bool> moved = advance_counted(run, run.icount() + 1, c);
        if (!moved)
            return moved.error();
        if (!*moved) {
            out.end_icount = run.icount();
            return out;
        }
    }
}

}  // namespace

Result<bool> seek_run(SearchRun& run, uint64_t icount)
{
    const std::vector<uint64_t>& points = run.restore_points();
    size_t point = size_t(std::upper_bound(points.begin(), points.end(), icount) - points.begin()) - 1;
    if (Result<Done> r = run.restore(point); !r)
        return r.error();
    return run.advance(icount);
}

Result<SearchResult> search_first(const std::vector<SearchRun*>& runs, const SearchOptions& options)
{
    Counters counters;
    SearchRun& run = *runs.front();
    auto finish = [&](SearchResult r) {
        r.probes = counters.probes;
        r.replayed = counters.replayed;
        return r;
    };
    if (options.linear) {
        Result<SearchResult> r = linear_search(run, counters);
        if (!r)
            return r;
        return finish(*r);
    }

    // Over the restore points: the last where the condition is false, the first where true.
    const std::vector<uint64_t>& points = run.restore_points();
    size_t low_point = 0, high_point = points.size();
    if (Result<Done> r = run.restore(0); !r)
        return r.error();
    Result<bool> at_start = holds_counted(run, counters);
    if (!at_start)
        return at_start.error();
    if (*at_start)
        return finish(SearchResult{0, 0, 0, 0});
    while (high_point - low_point > 1) {
        size_t mid = low_point + (high_point - low_point) / 2;
        if (options.progress)
            options.progress({0, points[low_point], high_point < points.size() ? points[high_point] : run.end_icount(),
                              counters.probes});
        if (Result<Done> r = run.restore(mid); !r)
            return r.error();
        Result<bool> h = holds_counted(run, counters);
        if (!h)
            return h.error();
        (*h ? high_point : low_point) = mid;
    }

    // Inside the interval, level by level.
    uint64_t low = points[low_point];
    bool high_known = high_point < points.size();  // else the end, untested
    uint64_t high = high_known ? points[high_point] : std::max(run.end_icount(), low);
    const size_t jobs = runs.size();
    for (int level = 1;; ++level) {
        if (high_known && high - low <= 1)
            return finish(SearchResult{high, 0, 0, 0});
        if (options.progress)
            options.progress({level, low, high, counters.probes});
        uint64_t step = std::max<uint64_t>(1, (high - low + kFanout * jobs - 1) / (kFanout * jobs));
        std::vector<uint64_t> probes;
        for (uint64_t q = low + step; q < high; q += step)
            probes.push_back(q);
        if (!high_known)
            probes.push_back(high);

        // Contiguous parts, one per job; each starts where the part before it ends.
        size_t per_job = (probes.size() + jobs - 1) / jobs;
        std::vector<std::vector<uint64_t>> parts;
        std::vector<uint64_t> starts;
        for (size_t at = 0; at < probes.size(); at += per_job) {
            starts.push_back(at == 0 ? low : probes[at - 1]);
            parts.emplace_back(probes.begin() + static_cast<std::ptrdiff_t>(at),
                               probes.begin() + static_cast<std::ptrdiff_t>(std::min(at + per_job, probes.size())));
        }
        std::atomic<size_t> best_job{parts.size()};
        std::vector<std::optional<Result<GroupOutcome>>> outcomes(parts.size());
        auto work = [&](size_t j) {
            outcomes[j] = probe_group(*runs[j], starts[j], parts[j], j, best_job, counters);
        };
        if (parts.size() == 1) {
            work(0);
        } else {
            std::vector<std::thread> threads;
            for (size_t j = 0; j < parts.size(); ++j)
                threads.emplace_back(work, j);
            for (std::thread& t : threads)
                t.join();
        }

        // The earliest part that found the condition true decides; parts after it were cut short.
        std::optional<uint64_t> ended;
        bool moved_on = false;
        for (size_t j = 0; j < parts.size(); ++j) {
            if (!*outcomes[j])
                return outcomes[j]->error();
            const GroupOutcome& g = outcomes[j]->value();
            if (g.first_true) {
                low = g.last_false;
                high = *g.first_true;
                high_known = true;
                moved_on = true;
                break;
            }
            if (g.ended_at) {
                ended = g.ended_at;
                break;
            }
        }
        if (moved_on)
            continue;
        if (ended || !high_known)
            return finish(SearchResult{std::nullopt, ended ? *ended : high, 0, 0});
        low = probes.back();
    }
}

}  // namespace emu
