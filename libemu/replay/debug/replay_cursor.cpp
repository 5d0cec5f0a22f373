#include "replay/debug/replay_cursor.h"

#include <algorithm>

namespace emu {

namespace {

// Snapshots every 2^22 instructions: about 10 ms of replay apart, a few hundred over a run of
// 10^9 instructions, each costing a fraction of a millisecond.
constexpr unsigned kCoarseBits = 22;
// Every 2^16 in the 2^22 before a seek's destination: stepping back one instruction at a time
// from there replays a fraction of a millisecond per step instead of milliseconds.
constexpr unsigned kFineBits = 16;
// Going on from where the replay is beats restoring a point nearer the destination unless the
// point saves this many instructions: a restore costs about as much as replaying them (RAM
// pages put back, the translated code rebuilt).
constexpr uint64_t kRestoreWorth = uint64_t{1} << 18;

uint64_t next_multiple(uint64_t after, unsigned bits) { return ((after >> bits) + 1) << bits; }
uint64_t align_up(uint64_t x, unsigned bits) { return ((x + (uint64_t{1} << bits) - 1) >> bits) << bits; }

// The next icount after `from` where a replay heading for `destination` takes a snapshot.
uint64_t next_snapshot_point(uint64_t from, std::optional<uint64_t> destination)
{
    uint64_t point = next_multiple(from, kCoarseBits);
    if (destination) {
        uint64_t window = *destination - std::min(*destination, uint64_t{1} << kCoarseBits);
        point = std::min(point, from >= window ? next_multiple(from, kFineBits) : align_up(window, kFineBits));
    }
    return point;
}

}  // namespace

ReplayCursor::ReplayCursor(std::unique_ptr<ReplaySession> session, CheckpointIndex index, SnapshotLimits limits)
    : session_(std::move(session)), index_(std::move(index)), snapshots_(*session_, index_, limits)
{
    end_ = index_.last_icount();
}

Result<std::unique_ptr<ReplayCursor>> ReplayCursor::open(std::unique_ptr<ReplaySession> session,
                                                         SnapshotLimits limits, std::function<void(uint8_t)> output)
{
    Result<CheckpointIndex> index = session->scan_checkpoints();
    if (!index)
        return index.error();
    std::unique_ptr<ReplayCursor> c(new ReplayCursor(std::move(session), std::move(*index), limits));
    c->output_ = std::move(output);
    c->machine().set_output_observer(
        [cursor = c.get()](uint8_t byte, uint64_t icount) { cursor->on_output(byte, icount); });
    if (Result<Done> r = c->session_->restart(); !r)
        return r.error();
    c->snapshots_.restored_checkpoint(std::nullopt);
    c->take_report(c->session_->replayer().run_to(0, Arrival::BeforeInstruction));
    return c;
}

void ReplayCursor::on_output(uint8_t byte, uint64_t icount)
{
    if (icount != pass_icount_) {
        pass_icount_ = icount;
        pass_count_ = 0;
    }
    ++pass_count_;
    if (icount > output_icount_ || (icount == output_icount_ && pass_count_ > output_count_)) {
        output_icount_ = icount;
        output_count_ = pass_count_;
        if (output_)
            output_(byte);
    }
}

void ReplayCursor::problem(const std::string& line)
{
    if (!told_ && tell_problem_)
        tell_problem_(line);
    told_ = true;
}

void ReplayCursor::fail(std::string why)
{
    problem("the replay cannot go on at icount " + std::to_string(icount()) + ": " + why);
    if (!verdict_.failure)
        verdict_.failure = std::move(why);
    end_ = std::min(end_, icount());
}

bool ReplayCursor::take_report(const Result<ReplayReport>& report)
{
    if (!report) {
        fail(report.error().message);
        return false;
    }
    const ReplayReport& r = report.value();
    verdict_.state_hashes += r.state_hashes - std::min(hashes_seen_, r.state_hashes);
    hashes_seen_ = r.state_hashes;
    verdict_.furthest = std::max(verdict_.furthest, icount());
    if (r.divergence) {
        problem("the replay diverged at icount " + std::to_string(r.divergence->icount) + ": " +
                r.divergence->what + "; the recording ends there for gdb");
        if (!verdict_.divergence)
            verdict_.divergence = r.divergence;
        end_ = std::min(end_, icount());
        return false;
    }
    if (r.truncated) {
        problem(*r.truncated);
        verdict_.truncated = r.truncated;
        end_ = std::min(end_, icount());
        return false;
    }
    if (session_->replayer().finished() || (!r.reached_seek && !r.at_breakpoint)) {
        // The recorded run ended here.
        end_ = std::min(end_, icount());
        if (session_->replayer().finished())
            verdict_.end = r;
        return false;
    }
    return true;
}

Result<Done> ReplayCursor::restore_before(uint64_t target)
{
    std::optional<uint64_t> snapshot = snapshots_.last_at_or_before(target);
    std::optional<size_t> checkpoint = index_.at_or_before(target);
    uint64_t from_checkpoint = checkpoint ? index_.checkpoints()[*checkpoint].icount : 0;
    Result<Done> restored = Done{};
    uint64_t at = 0;
    if (snapshot && *snapshot >= from_checkpoint) {
        restored = snapshots_.restore(*snapshot);
        at = *snapshot;
    } else if (checkpoint) {
        restored = session_->restore(index_, *checkpoint);
        if (restored)
            snapshots_.restored_checkpoint(checkpoint);
        at = from_checkpoint;
    } else {
        restored = session_->restart();
        if (restored)
            snapshots_.restored_checkpoint(std::nullopt);
    }
    if (!restored) {
        broken_ = true;
        fail(restored.error().message);
        return restored;
    }
    hashes_seen_ = 0;
    pass_icount_ = UINT64_MAX;
    if (!take_report(session_->replayer().run_to(at, Arrival::BeforeInstruction)) && icount() != at)
        return Error{ExitStatus::Divergence, "the replay cannot settle at icount " + std::to_string(at)};
    return Done{};
}

Result<Done> ReplayCursor::seek(uint64_t target)
{
    if (broken_)
        return Error{ExitStatus::Internal, *verdict_.failure};
    if (target > end_)
        return Error{ExitStatus::Usage, "icount " + std::to_string(target) + " is past the end of the recording (" +
                                            std::to_string(end_) + ")"};
    uint64_t here = icount();
    std::optional<uint64_t> snapshot = snapshots_.last_at_or_before(target);
    std::optional<size_t> checkpoint = index_.at_or_before(target);
    uint64_t nearest = std::max(snapshot.value_or(0), checkpoint ? index_.checkpoints()[*checkpoint].icount : 0);
    if (here > target || (nearest > here && nearest - here > kRestoreWorth))
        if (Result<Done> r = restore_before(target); !r)
            return r;
    advance(target, target, false);
    if (icount() != target)
        return Error{ExitStatus::Divergence, "the replay stopped at icount " + std::to_string(icount()) +
                                                 " before reaching " + std::to_string(target)};
    return Done{};
}

void ReplayCursor::set_breakpoints(const std::vector<uint64_t>& pcs)
{
    if (pcs == breakpoints_)
        return;
    breakpoints_ = pcs;
    machine().set_breakpoints(pcs);
}

ReplayCursor::Stop ReplayCursor::run(uint64_t limit, bool at_breakpoints)
{
    if (broken_)
        return Stop::End;
    return advance(std::min(limit, end_), std::nullopt, at_breakpoints);
}

ReplayCursor::Stop ReplayCursor::advance(uint64_t limit, std::optional<uint64_t> destination, bool at_breakpoints)
{
    Replayer& replayer = session_->replayer();
    replayer.set_breakpoint_stops(at_breakpoints ? breakpoints_ : std::vector<uint64_t>{});
    while (icount() < limit) {
        uint64_t point = next_snapshot_point(icount(), destination);
        Result<ReplayReport> report = replayer.run_to(std::min(limit, point), Arrival::BeforeInstruction);
        if (!take_report(report))
            return Stop::End;
        if (report->at_breakpoint)
            return Stop::Breakpoint;
        if (icount() == point)
            snapshots_.take();
    }
    return icount() >= end_ ? Stop::End : Stop::Limit;
}

std::vector<uint64_t> ReplayCursor::restore_points() const
{
    std::vector<uint64_t> points = snapshots_.icounts();
    points.push_back(0);
    for (const CheckpointInfo& c : index_.checkpoints())
        points.push_back(c.icount);
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    return points;
}

}  // namespace emu
