// What rr-bisect searches over: one replay tested with an expression (--until), or two replays
// in lockstep tested for any difference in machine state (--against). Both restore from the
// recordings' checkpoints; a replay that departs from its recording is an error, since the
// search would then be over a run that is not the recorded one.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "replay/search/bisect_search.h"
#include "replay/run/checkpoint_index.h"
#include "replay/search/expr.h"
#include "replay/search/machine_compare.h"
#include "replay/run/replay_session.h"

namespace emu {

// A replay as the search moves it: restores, replays forward, knows when the run has ended.
class SearchReplay {
public:
    SearchReplay(std::unique_ptr<ReplaySession> session, std::shared_ptr<const CheckpointIndex> index)
        : session_(std::move(session)), index_(std::move(index))
    {
    }
    // Point 0 is the start; point k + 1 is checkpoint k.
    Result<Done> restore_checkpoint(std::optional<size_t> k);
    Result<bool> advance(uint64_t icount);
    bool ended() const { return ended_; }
    ReplaySession& session() { return *session_; }
    const CheckpointIndex& index() const { return *index_; }

private:
    std::unique_ptr<ReplaySession> session_;
    std::shared_ptr<const CheckpointIndex> index_;
    bool ended_ = false;
};

class UntilRun final : public SearchRun {
public:
    UntilRun(SearchReplay replay, const Expr& expr);
    const std::vector<uint64_t>& restore_points() const override { return points_; }
    Result<Done> restore(size_t point) override;
    Result<bool> advance(uint64_t icount) override { return replay_.advance(icount); }
    uint64_t icount() override { return replay_.session().machine().icount(); }
    uint64_t end_icount() const override { return replay_.index().last_icount(); }
    Result<bool> holds() override;
    Machine& machine() { return replay_.session().machine(); }

private:
    SearchReplay replay_;
    const Expr& expr_;
    std::vector<uint64_t> points_;
};

class AgainstRun final : public SearchRun {
public:
    AgainstRun(SearchReplay a, SearchReplay b);
    const std::vector<uint64_t>& restore_points() const override { return points_; }
    Result<Done> restore(size_t point) override;
    Result<bool> advance(uint64_t icount) override;
    uint64_t icount() override { return a_.session().machine().icount(); }
    uint64_t end_icount() const override;
    // Whether the two machines differ; difference() says how.
    Result<bool> holds() override;
    const std::string& difference() const { return difference_; }
    Machine& machine() { return a_.session().machine(); }

private:
    SearchReplay a_, b_;
    MachineComparison compare_;
    std::vector<uint64_t> points_;
    std::vector<std::pair<size_t, size_t>> checkpoints_;  // per point after 0: checkpoint in a, in b
    std::vector<uint64_t> restored_pages_;  // written before the restored checkpoints
    std::string difference_;
};

// A run searched only up to `end`: a replay must not cross the point where it departs from its
// recording. The search sees the run end there.
class LimitedRun final : public SearchRun {
public:
    LimitedRun(SearchRun& inner, uint64_t end);
    const std::vector<uint64_t>& restore_points() const override { return points_; }
    Result<Done> restore(size_t point) override { return inner_.restore(point); }
    Result<bool> advance(uint64_t icount) override;
    uint64_t icount() override { return inner_.icount(); }
    uint64_t end_icount() const override { return end_; }
    Result<bool> holds() override { return inner_.holds(); }

private:
    SearchRun& inner_;
    uint64_t end_;
    std::vector<uint64_t> points_;  // the inner run's, up to end
};

}  // namespace emu
