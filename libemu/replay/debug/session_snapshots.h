// The snapshots a debugging session takes as it replays: the machine kept in memory at icounts
// the replay passes, beside the recording's checkpoints, so that going back restores one close
// by instead of replaying from a checkpoint far away. A snapshot holds the machine state without
// RAM, every page written since the image was loaded (by content, each distinct 4 KiB once,
// shared with the recording's checkpoint pages where a restore brought them in), and where the
// event stream stands. Snapshots are taken only where the replay has settled
// (Arrival::BeforeInstruction). Beyond the limits, the snapshots farthest from where the session
// is are dropped first.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/result.h"
#include "replay/debug/snapshot_pages.h"
#include "replay/run/checkpoint_index.h"
#include "replay/run/replay_session.h"

namespace emu {

struct SnapshotLimits {
    size_t max_snapshots = 1024;
    uint64_t max_page_bytes = uint64_t{1} << 30;  // distinct page contents held
};

class SessionSnapshots {
public:
    SessionSnapshots(ReplaySession& session, const CheckpointIndex& index, SnapshotLimits limits);
    SessionSnapshots(const SessionSnapshots&) = delete;
    SessionSnapshots& operator=(const SessionSnapshots&) = delete;

    // The session has just restored checkpoint k of the index, or started over (nothing).
    void restored_checkpoint(std::optional<size_t> k);
    // Takes one where the replay is now, unless there is one, and drops what the limits ask.
    void take();
    // Puts the session into the snapshot at `icount` (one of icounts()).
    Result<Done> restore(uint64_t icount);

    std::optional<uint64_t> last_at_or_before(uint64_t icount) const;
    bool has(uint64_t icount) const { return snapshots_.count(icount) != 0; }
    std::vector<uint64_t> icounts() const;
    uint64_t page_bytes() const { return pages_.bytes(); }

private:
    struct Snapshot {
        RecordingPosition at;
        std::vector<uint8_t> state;
        std::vector<CheckpointPageRef> pages;
    };

    const uint8_t* contents(uint32_t id) const;
    void hold(const std::vector<CheckpointPageRef>& refs);
    void drop(const std::vector<CheckpointPageRef>& refs);
    void replace_ram(std::vector<CheckpointPageRef> pages);
    void evict(uint64_t here);

    ReplaySession& session_;
    const CheckpointIndex& index_;
    SnapshotLimits limits_;
    SnapshotPages pages_;
    // Every page written since the image was loaded, with its contents as of the last restore
    // or snapshot; the pages written after that have kDirtyForSnapshot. Holds its references.
    std::vector<CheckpointPageRef> ram_;
    std::map<uint64_t, Snapshot> snapshots_;
};

}  // namespace emu
