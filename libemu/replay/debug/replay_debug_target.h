// The gdb target over a real replay (debug/debug_target.h states the semantics): registers and
// memory of the replayed machine (guest_view.h), forward and backward stepping and continuing
// over a ReplayCursor.
//
// Breakpoints are the engine's (Machine::set_breakpoints): a continue never single-steps. Going
// back, the recorded past is searched interval by interval, latest first: each interval between
// two restore points is replayed forward once with the breakpoints set, and the last stop in it
// wins; an interval without one sends the search to the one before.
//
// Write watchpoints work by value: the replay runs in stretches of 4,096 instructions and
// compares the watched bytes at each stretch's end; a stretch that changed them is searched in
// levels (stretch_search.h) for the instruction that did, a few replays of one stretch. As gdb's
// `watch` reports only changed values, this agrees with it, except that a value changed and
// changed back within one stretch goes unseen.
//
// Read and access watchpoints are seen by the CPU itself: for each resume their ranges are set
// on the machine's access watch (core/access_watch.h), which the CPU's slow path tells of every
// data access to them with the icount of the accessing instruction, so one replay of a stretch
// (forward) or an interval (backward) finds the first or the last hit exactly; no search and no
// single-stepping. Addresses are the CPU's (virtual, through the MMU as it is at each access),
// so the watch follows the address when the guest changes its mapping. Device DMA into or out
// of a watched range is not an access by the CPU and does not stop.
#pragma once

#include <memory>
#include <vector>

#include "core/access_watch.h"
#include "debug/debug_target.h"
#include "replay/debug/guest_view.h"
#include "replay/debug/replay_cursor.h"

namespace emu {

class ReplayDebugTarget final : public debug::DebugTarget {
public:
    // The cursor's machine must be one make_guest_view() knows (see open()).
    static Result<std::unique_ptr<ReplayDebugTarget>> open(ReplayCursor& cursor);

    debug::Arch arch() const override { return view_->arch(); }
    bool read_register(unsigned regnum, std::span<uint8_t> out) override;
    size_t read_memory(uint64_t addr, std::span<uint8_t> out) override;
    debug::StopEvent resume(debug::Direction direction, debug::Motion motion, const debug::StopConditions& conditions,
                            const debug::InterruptCheck& interrupted) override;
    bool supports_watch(debug::WatchKind) const override { return true; }
    uint64_t icount() const override { return cursor_.icount(); }
    debug::Extent extent() const override { return {0, cursor_.end()}; }
    std::vector<uint64_t> checkpoints() const override { return cursor_.restore_points(); }
    Result<Done> seek(uint64_t icount) override;

private:
    using Values = std::vector<std::vector<uint8_t>>;  // the bytes of each watched range
    struct Candidate {
        uint64_t icount;
        debug::StopKind kind;
        std::optional<debug::WatchHit> watch;
    };

    class AccessScope;

    ReplayDebugTarget(ReplayCursor& cursor, std::unique_ptr<GuestView> view) : cursor_(cursor), view_(std::move(view)) {}

    debug::StopEvent forward_step(const debug::StopConditions& c, AccessScope& scope);
    debug::StopEvent forward_continue(const debug::StopConditions& c, AccessScope& scope,
                                      const debug::InterruptCheck& interrupted);
    debug::StopEvent backward_step(const debug::StopConditions& c, AccessScope& scope);
    debug::StopEvent backward_continue(const debug::StopConditions& c, AccessScope& scope,
                                       const debug::InterruptCheck& interrupted);
    // Replays [from, to) of the past looking for stops; the latest, if any.
    std::optional<Candidate> scan_interval(uint64_t from, uint64_t to, uint64_t here, const debug::StopConditions& c,
                                           AccessScope& scope, const debug::InterruptCheck& interrupted,
                                           bool& was_interrupted);
    // The report of an access hit (the cursor is left at or just after the accessing instruction).
    debug::WatchHit access_hit(const debug::StopConditions& c, const AccessScope& scope, const AccessHit& hit);

    Values watched(const debug::StopConditions& c) const;
    // The hit of instruction k, which changed the watched bytes from `before` to `after`.
    debug::WatchHit watch_hit(const debug::StopConditions& c, uint64_t k, const Values& before,
                              const Values& after) const;
    // The instruction in [from, to) whose change of the watched bytes a stop reports: the first
    // one changing them from `at_from` (forward), or the last one before they became `at_to`.
    std::optional<uint64_t> first_change(const debug::StopConditions& c, uint64_t from, uint64_t to,
                                         const Values& at_from);
    std::optional<uint64_t> last_change(const debug::StopConditions& c, uint64_t from, uint64_t to,
                                        const Values& at_to);
    // Moves to a stop found by a search (the cursor is wherever the search left it).
    debug::StopEvent stop_at(uint64_t icount, debug::StopKind kind, std::optional<debug::WatchHit> watch = {});
    bool is_breakpoint(const debug::StopConditions& c) const;

    ReplayCursor& cursor_;
    std::unique_ptr<GuestView> view_;
};

}  // namespace emu
