#include "replay/debug/replay_debug_target.h"

#include <algorithm>

#include "replay/debug/stretch_search.h"

namespace emu {

using debug::StopEvent;
using Stop = debug::StopKind;
using debug::WatchSide;

namespace {

// The replay runs in stretches of 2^19 instructions (about a millisecond), polling the
// interrupt check at their ends; with watchpoints, in stretches of 2^12 (about 10 us), comparing
// the watched bytes at their ends: a value changed and changed back within one goes unseen.
constexpr unsigned kStretchBits = 19;
constexpr unsigned kWatchStretchBits = 12;

uint64_t stretch_end(uint64_t from, bool watching)
{
    unsigned bits = watching ? kWatchStretchBits : kStretchBits;
    return ((from >> bits) + 1) << bits;
}

// Whether a stop at `icount` ends a stretch of kStretchBits, where the interrupt check is polled.
bool poll_point(uint64_t icount) { return (icount & ((uint64_t{1} << kStretchBits) - 1)) == 0; }

// Watchpoint hits rank before breakpoints, breakpoints before icount breakpoints.
int rank(Stop kind)
{
    switch (kind) {
    case Stop::Watchpoint: return 0;
    case Stop::Breakpoint: return 1;
    case Stop::IcountBreakpoint: return 2;
    case Stop::Stepped:
    case Stop::Interrupted:
    case Stop::RecordingBegin:
    case Stop::RecordingEnd: break;
    }
    return 3;
}

bool contains(const std::vector<uint64_t>& sorted, uint64_t v)
{
    return std::binary_search(sorted.begin(), sorted.end(), v);
}

bool watches(const debug::StopConditions& c)
{
    return std::any_of(c.watchpoints.begin(), c.watchpoints.end(),
                       [](const debug::Watchpoint& w) { return w.kind == debug::WatchKind::Write; });
}

// Where a stop for a hit by instruction k goes.
uint64_t stop_side(const debug::StopConditions& c, uint64_t k)
{
    return c.watch_side == WatchSide::BeforeAccess ? k : k + 1;
}

}  // namespace

// The read and access watchpoints of one resume, set on the replayed machine's access watch
// (core/access_watch.h) for as long as the resume lasts: seeks between resumes keep the fast
// paths.
class ReplayDebugTarget::AccessScope {
public:
    AccessScope(AccessWatch& watch, const debug::StopConditions& c) : watch_(watch)
    {
        std::vector<WatchedRange> ranges;
        for (size_t i = 0; i < c.watchpoints.size(); ++i) {
            const debug::Watchpoint& w = c.watchpoints[i];
            if (w.kind == debug::WatchKind::Write)
                continue;  // found by value (see the header)
            ranges.push_back({w.addr, w.length, true, w.kind == debug::WatchKind::Access});
            watchpoint_.push_back(i);
        }
        watch_.set_ranges(std::move(ranges));
    }
    ~AccessScope() { watch_.set_ranges({}); }
    AccessScope(const AccessScope&) = delete;
    AccessScope& operator=(const AccessScope&) = delete;

    bool active() const { return watch_.active(); }
    void forget() { watch_.forget_hits(); }
    const std::optional<AccessHit>& first() const { return watch_.first_hit(); }
    const std::optional<AccessHit>& last() const { return watch_.last_hit(); }
    // The index in StopConditions::watchpoints of the one `hit` is for.
    size_t watchpoint_of(const AccessHit& hit) const { return watchpoint_[hit.range]; }

private:
    AccessWatch& watch_;
    std::vector<size_t> watchpoint_;
};

Result<std::unique_ptr<ReplayDebugTarget>> ReplayDebugTarget::open(ReplayCursor& cursor)
{
    std::unique_ptr<GuestView> view = make_guest_view(cursor.machine());
    if (!view)
        return Error{ExitStatus::Usage, "gdb cannot debug a replay of machine '" +
                                            cursor.session().config().machine.machine + "'"};
    return std::unique_ptr<ReplayDebugTarget>(new ReplayDebugTarget(cursor, std::move(view)));
}

bool ReplayDebugTarget::read_register(unsigned regnum, std::span<uint8_t> out)
{
    return view_->read_register(regnum, out);
}

size_t ReplayDebugTarget::read_memory(uint64_t addr, std::span<uint8_t> out) { return view_->read_memory(addr, out); }

Result<Done> ReplayDebugTarget::seek(uint64_t icount) { return cursor_.seek(icount); }

bool ReplayDebugTarget::is_breakpoint(const debug::StopConditions& c) const
{
    return contains(c.breakpoints, cursor_.machine().pc());
}

ReplayDebugTarget::Values ReplayDebugTarget::watched(const debug::StopConditions& c) const
{
    Values out;
    for (const debug::Watchpoint& w : c.watchpoints) {
        std::vector<uint8_t> bytes(w.kind == debug::WatchKind::Write ? w.length : 0);
        bytes.resize(view_->read_memory(w.addr, bytes));
        out.push_back(std::move(bytes));
    }
    return out;
}

debug::WatchHit ReplayDebugTarget::watch_hit(const debug::StopConditions& c, uint64_t k, const Values& before,
                                             const Values& after) const
{
    for (size_t i = 0; i < c.watchpoints.size(); ++i) {
        if (before[i] == after[i])
            continue;
        const debug::Watchpoint& w = c.watchpoints[i];
        size_t first = 0;
        while (first < before[i].size() && first < after[i].size() && before[i][first] == after[i][first])
            ++first;
        return debug::WatchHit{w, w.addr + first, true, k, before[i], after[i]};
    }
    return debug::WatchHit{};  // not reached: the caller saw a difference
}

std::optional<uint64_t> ReplayDebugTarget::first_change(const debug::StopConditions& c, uint64_t from, uint64_t to,
                                                        const Values& at_from)
{
    std::function<bool()> changed = [&] { return watched(c) != at_from; };
    Result<std::optional<uint64_t>> first = first_holding(cursor_, from, to, changed);
    if (!first || !*first)
        return std::nullopt;
    return **first - 1;
}

std::optional<uint64_t> ReplayDebugTarget::last_change(const debug::StopConditions& c, uint64_t from, uint64_t to,
                                                       const Values& at_to)
{
    std::function<bool()> settled = [&] { return watched(c) == at_to; };
    Result<std::optional<uint64_t>> first = first_holding(cursor_, from, to, settled);
    if (!first || !*first || **first == from)
        return std::nullopt;
    return **first - 1;
}

debug::WatchHit ReplayDebugTarget::access_hit(const debug::StopConditions& c, const AccessScope& scope,
                                              const AccessHit& hit)
{
    const debug::Watchpoint& w = c.watchpoints[scope.watchpoint_of(hit)];
    auto bytes = [&] {
        std::vector<uint8_t> out(w.length);
        out.resize(view_->read_memory(w.addr, out));
        return out;
    };
    // The values on both sides of instruction k (a read watchpoint hit by a read-modify-write
    // sees the value change too).
    (void)cursor_.seek(hit.icount);
    std::vector<uint8_t> before = bytes();
    cursor_.run(hit.icount + 1, false);
    std::vector<uint8_t> after = bytes();
    bool write = hit.write || before != after;
    return debug::WatchHit{w, hit.addr, write, hit.icount, std::move(before), std::move(after)};
}

StopEvent ReplayDebugTarget::stop_at(uint64_t icount, Stop kind, std::optional<debug::WatchHit> watch)
{
    (void)cursor_.seek(icount);  // a position the replay has reached before
    return {kind, std::move(watch)};
}

StopEvent ReplayDebugTarget::resume(debug::Direction direction, debug::Motion motion,
                                    const debug::StopConditions& conditions, const debug::InterruptCheck& interrupted)
{
    AccessScope scope(cursor_.machine().bus().access_watch(), conditions);
    if (direction == debug::Direction::Forward)
        return motion == debug::Motion::Step ? forward_step(conditions, scope)
                                             : forward_continue(conditions, scope, interrupted);
    return motion == debug::Motion::Step ? backward_step(conditions, scope)
                                         : backward_continue(conditions, scope, interrupted);
}

StopEvent ReplayDebugTarget::forward_step(const debug::StopConditions& c, AccessScope& scope)
{
    uint64_t here = cursor_.icount();
    if (here >= cursor_.end())
        return {Stop::RecordingEnd, {}};
    Values before = watched(c);
    scope.forget();
    cursor_.run(here + 1, false);
    if (cursor_.icount() == here)
        return {Stop::RecordingEnd, {}};  // the replay could not go on
    if (watches(c)) {
        Values after = watched(c);
        if (after != before) {
            debug::WatchHit hit = watch_hit(c, here, before, after);
            if (c.watch_side == WatchSide::BeforeAccess)
                return stop_at(here, Stop::Watchpoint, std::move(hit));
            return {Stop::Watchpoint, std::move(hit)};
        }
    }
    if (std::optional<AccessHit> hit = scope.first(); hit && hit->icount == here)
        return stop_at(stop_side(c, here), Stop::Watchpoint, access_hit(c, scope, *hit));
    return {Stop::Stepped, {}};
}

StopEvent ReplayDebugTarget::forward_continue(const debug::StopConditions& c, AccessScope& scope,
                                              const debug::InterruptCheck& interrupted)
{
    uint64_t here = cursor_.icount();
    if (here >= cursor_.end())
        return {Stop::RecordingEnd, {}};
    cursor_.set_breakpoints(c.breakpoints);
    bool watching = watches(c);
    uint64_t from = here;
    Values at_from = watched(c);
    for (;;) {
        uint64_t limit = stretch_end(cursor_.icount(), watching);
        const std::vector<uint64_t>& icount_breaks = c.icount_breakpoints;
        auto next_icount_break = std::upper_bound(icount_breaks.begin(), icount_breaks.end(), cursor_.icount());
        if (next_icount_break != icount_breaks.end())
            limit = std::min(limit, *next_icount_break);
        scope.forget();
        ReplayCursor::Stop stop = cursor_.run(limit, true);
        uint64_t now = cursor_.icount();
        // The first access hit of the run, if it is the earliest stop (the search for a change
        // of value below replays again, so it is taken first).
        std::optional<AccessHit> access = scope.first();
        if (access && access->icount >= now)
            access.reset();  // made at `now` by an interrupt's entry: for the next instruction
        if (watching && now > from) {
            Values at_now = watched(c);
            if (at_now != at_from) {
                std::optional<uint64_t> k = first_change(c, from, now, at_from);
                if (k && (!access || *k < access->icount)) {
                    (void)cursor_.seek(*k + 1);
                    debug::WatchHit hit = watch_hit(c, *k, at_from, watched(c));
                    return stop_at(stop_side(c, *k), Stop::Watchpoint, std::move(hit));
                }
            }
            at_from = std::move(at_now);
            from = now;
        }
        if (access)
            return stop_at(stop_side(c, access->icount), Stop::Watchpoint, access_hit(c, scope, *access));
        if (now > here && (stop == ReplayCursor::Stop::Breakpoint || is_breakpoint(c)))
            return {Stop::Breakpoint, {}};
        if (contains(c.icount_breakpoints, now) && now > here)
            return {Stop::IcountBreakpoint, {}};
        if (stop == ReplayCursor::Stop::End || now >= cursor_.end())
            return {Stop::RecordingEnd, {}};
        if (poll_point(now) && interrupted())
            return {Stop::Interrupted, {}};
    }
}

StopEvent ReplayDebugTarget::backward_step(const debug::StopConditions& c, AccessScope& scope)
{
    uint64_t here = cursor_.icount();
    if (here == 0)
        return {Stop::RecordingBegin, {}};
    Values after = watched(c);
    if (!cursor_.seek(here - 1))
        return {Stop::RecordingBegin, {}};
    if (scope.active()) {
        // Whether the instruction stepped back over made a watched access: replay it again.
        scope.forget();
        cursor_.run(here, false);
        std::optional<AccessHit> hit = scope.first();
        if (hit && hit->icount == here - 1)
            return stop_at(stop_side(c, here - 1), Stop::Watchpoint, access_hit(c, scope, *hit));
        if (!cursor_.seek(here - 1))
            return {Stop::RecordingBegin, {}};
    }
    if (watches(c)) {
        Values before = watched(c);
        if (before != after) {
            debug::WatchHit hit = watch_hit(c, here - 1, before, after);
            if (c.watch_side == WatchSide::AfterAccess)
                return stop_at(here, Stop::Watchpoint, std::move(hit));  // right behind us: no move
            return {Stop::Watchpoint, std::move(hit)};
        }
    }
    return {Stop::Stepped, {}};
}

StopEvent ReplayDebugTarget::backward_continue(const debug::StopConditions& c, AccessScope& scope,
                                               const debug::InterruptCheck& interrupted)
{
    uint64_t here = cursor_.icount();
    if (here == 0)
        return {Stop::RecordingBegin, {}};
    cursor_.set_breakpoints(c.breakpoints);
    // Intervals between restore points, latest first, each reaching at least twice as far back
    // as the one before, so that a stop far back costs few restores. The restore points grow as
    // the replay takes snapshots on the way.
    for (uint64_t to = here, span = 0;;) {
        std::vector<uint64_t> points = cursor_.restore_points();
        uint64_t reach = span == 0 ? to - 1 : to - std::min(to, 2 * span);
        uint64_t from = *std::prev(std::upper_bound(points.begin(), points.end(), reach));
        span = to - from;
        bool was_interrupted = false;
        std::optional<Candidate> best = scan_interval(from, to, here, c, scope, interrupted, was_interrupted);
        if (best)
            return stop_at(best->icount, best->kind, std::move(best->watch));
        if (was_interrupted)
            return stop_at(to, Stop::Interrupted);
        if (from == 0)
            return stop_at(0, Stop::RecordingBegin);
        to = from;
    }
}

std::optional<ReplayDebugTarget::Candidate> ReplayDebugTarget::scan_interval(uint64_t from, uint64_t to, uint64_t here,
                                                                            const debug::StopConditions& c,
                                                                            AccessScope& scope,
                                                                            const debug::InterruptCheck& interrupted,
                                                                            bool& was_interrupted)
{
    std::optional<Candidate> best;
    auto consider = [&](uint64_t icount, Stop kind, std::optional<debug::WatchHit> hit = {}) {
        if (!best || icount > best->icount || (icount == best->icount && rank(kind) < rank(best->kind)))
            best = Candidate{icount, kind, std::move(hit)};
    };
    if (!cursor_.seek(from))
        return std::nullopt;
    scope.forget();
    if (is_breakpoint(c))
        consider(from, Stop::Breakpoint);
    auto icount_break = std::lower_bound(c.icount_breakpoints.begin(), c.icount_breakpoints.end(), to);
    if (icount_break != c.icount_breakpoints.begin() && *std::prev(icount_break) >= from)
        consider(*std::prev(icount_break), Stop::IcountBreakpoint);

    // Forward once through the interval: every breakpoint stop, and the stretches whose ends
    // show the watched bytes changed (only the last one matters).
    bool watching = watches(c);
    Values previous = watched(c);
    uint64_t previous_at = from;
    std::optional<std::pair<uint64_t, uint64_t>> changed;  // [start, end) of the last such stretch
    Values at_changed_end;
    while (cursor_.icount() < to) {
        ReplayCursor::Stop stop = cursor_.run(std::min(to, stretch_end(cursor_.icount(), watching)), true);
        uint64_t now = cursor_.icount();
        if (stop == ReplayCursor::Stop::Breakpoint)
            consider(now, Stop::Breakpoint);
        if (watching && now > previous_at) {
            Values at_now = watched(c);
            if (at_now != previous) {
                changed = {previous_at, now};
                at_changed_end = at_now;
            }
            previous = std::move(at_now);
            previous_at = now;
        }
        if (stop == ReplayCursor::Stop::End && now < to)
            break;  // the replay cannot go on (reported in the verdict)
        if (now < to && poll_point(now) && interrupted()) {
            was_interrupted = true;
            return std::nullopt;
        }
    }
    // The last access hit of the interval (the searches below replay again, so it is taken
    // first); one made at `to` by an interrupt's entry belongs to the instruction after it.
    std::optional<AccessHit> access = scope.last();
    if (access && access->icount < to && access->icount >= from)
        consider(stop_side(c, access->icount), Stop::Watchpoint, access_hit(c, scope, *access));
    if (changed) {
        auto [start, end] = *changed;
        if (std::optional<uint64_t> k = last_change(c, start, end, at_changed_end)) {
            (void)cursor_.seek(*k);
            debug::WatchHit hit = watch_hit(c, *k, watched(c), at_changed_end);
            uint64_t at = stop_side(c, *k);
            if (at < here || (at == here && c.watch_side == WatchSide::AfterAccess))
                consider(at, Stop::Watchpoint, std::move(hit));
        }
    }
    return best;
}

}  // namespace emu
