#include "replay/search/bisect_runs.h"

#include <algorithm>
#include <thread>

#include "replay/search/machine_expr.h"

namespace emu {

namespace {

// Below this many instructions a thread costs more than replaying both runs in turn.
constexpr uint64_t kParallelAdvance = 1'000'000;

std::vector<uint64_t> page_numbers(const std::vector<CheckpointPageRef>& refs)
{
    std::vector<uint64_t> out;
    for (const CheckpointPageRef& r : refs)
        out.push_back(r.page);
    return out;
}

}  // namespace

Result<Done> SearchReplay::restore_checkpoint(std::optional<size_t> k)
{
    ended_ = false;
    return k ? session_->restore(*index_, *k) : session_->restart();
}

Result<bool> SearchReplay::advance(uint64_t icount)
{
    Result<ReplayReport> r = session_->replayer().run_to(icount);
    if (!r)
        return r.error();
    if (r->divergence)
        return Error{ExitStatus::Divergence, session_->path() + ": the replay diverged at icount " +
                                                 std::to_string(r->divergence->icount) + ": " + r->divergence->what};
    // The guest stopped, or the recording ends.
    ended_ = !r->reached_seek || session_->replayer().finished();
    return r->reached_seek;
}

UntilRun::UntilRun(SearchReplay replay, const Expr& expr) : replay_(std::move(replay)), expr_(expr)
{
    points_.push_back(0);
    for (const CheckpointInfo& c : replay_.index().checkpoints())
        points_.push_back(c.icount);
}

Result<Done> UntilRun::restore(size_t point)
{
    return replay_.restore_checkpoint(point == 0 ? std::nullopt : std::optional<size_t>(point - 1));
}

Result<bool> UntilRun::holds()
{
    MachineExprContext ctx(replay_.session().machine());
    Result<uint64_t> v = expr_.eval(ctx);
    if (!v)
        return v.error();
    return *v != 0;
}

AgainstRun::AgainstRun(SearchReplay a, SearchReplay b)
    : a_(std::move(a)),
      b_(std::move(b)),
      compare_(a_.session().machine(), a_.session().loaded_ram(), b_.session().machine(), b_.session().loaded_ram())
{
    points_.push_back(0);
    // Checkpoints both recordings have at the same icount.
    const auto& ca = a_.index().checkpoints();
    const auto& cb = b_.index().checkpoints();
    for (size_t i = 0, j = 0; i < ca.size() && j < cb.size();) {
        if (ca[i].icount == cb[j].icount && ca[i].icount > 0) {
            points_.push_back(ca[i].icount);
            checkpoints_.emplace_back(i, j);
        }
        if (ca[i].icount <= cb[j].icount)
            ++i;
        else
            ++j;
    }
}

uint64_t AgainstRun::end_icount() const { return std::max(a_.index().last_icount(), b_.index().last_icount()); }

Result<Done> AgainstRun::restore(size_t point)
{
    std::optional<size_t> ka, kb;
    restored_pages_.clear();
    if (point > 0) {
        ka = checkpoints_[point - 1].first;
        kb = checkpoints_[point - 1].second;
        restored_pages_ = page_numbers(a_.index().pages_written_up_to(*ka));
        std::vector<uint64_t> more = page_numbers(b_.index().pages_written_up_to(*kb));
        restored_pages_.insert(restored_pages_.end(), more.begin(), more.end());
    }
    if (Result<Done> r = a_.restore_checkpoint(ka); !r)
        return r;
    if (Result<Done> r = b_.restore_checkpoint(kb); !r)
        return r;
    compare_.forget_writes();
    return Done{};
}

Result<bool> AgainstRun::advance(uint64_t icount)
{
    Result<bool> moved_a = false, moved_b = false;
    if (icount - std::min(icount, a_.session().machine().icount()) >= kParallelAdvance) {
        std::thread other([&] { moved_b = b_.advance(icount); });
        moved_a = a_.advance(icount);
        other.join();
    } else {
        moved_a = a_.advance(icount);
        moved_b = b_.advance(icount);
    }
    if (!moved_a)
        return moved_a;
    if (!moved_b)
        return moved_b;
    uint64_t at_a = a_.session().machine().icount(), at_b = b_.session().machine().icount();
    if (at_a == at_b)
        return *moved_a && *moved_b;
    // One run ended first: both go back to where it ended, to be compared there.
    uint64_t end = std::min(at_a, at_b);
    Result<bool> there = seek_run(*this, end);
    if (!there)
        return there;
    return false;
}

Result<bool> AgainstRun::holds()
{
    uint64_t at = a_.session().machine().icount();
    if (a_.ended() != b_.ended()) {
        difference_ = std::string("the ") + (a_.ended() ? "first" : "second") + " run ends at icount " +
                      std::to_string(at) + ", the other goes on";
        return true;
    }
    std::optional<std::string> d = compare_.difference(restored_pages_);
    restored_pages_.clear();
    difference_ = d.value_or("");
    return d.has_value();
}

LimitedRun::LimitedRun(SearchRun& inner, uint64_t end) : inner_(inner), end_(end)
{
    for (uint64_t p : inner_.restore_points())
        if (p <= end_)
            points_.push_back(p);
}

Result<bool> LimitedRun::advance(uint64_t icount)
{
    if (icount <= end_)
        return inner_.advance(icount);
    Result<bool> there = inner_.advance(end_);
    if (!there)
        return there;
    return false;
}

}  // namespace emu
