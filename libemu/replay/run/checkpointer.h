// The recorder's checkpoints: at each one, the RAM pages written since the previous one (since
// the image was loaded, for the first) and the rest of the machine. A page's contents are
// stored once per recording, however many pages and checkpoints hold them (zeroed pages,
// buffers written back unchanged); the writer's chunks compress what is stored.
#pragma once

#include <cstdint>
#include <vector>

#include "machine/machine.h"
#include "replay/format/event_log.h"
#include "replay/format/event_payloads.h"
#include "replay/run/page_dedup.h"

namespace emu {

struct CheckpointStats {
    uint64_t checkpoints = 0;
    uint64_t pages_written = 0;  // referenced, summed over checkpoints
    uint64_t pages_stored = 0;   // distinct contents
    uint64_t payload_bytes = 0;  // of the Checkpoint and CheckpointPages events, before compression
};

class Checkpointer : private PageStore {
public:
    // The machine as loaded: what it holds now is the base every checkpoint builds on.
    explicit Checkpointer(Machine& m);

    // Appends the CheckpointPages events for contents not stored before, then the Checkpoint.
    void take(uint64_t icount, EventLog& log);
    const CheckpointStats& stats() const { return stats_; }

private:
    // The id of this page's contents, queueing them for storage when new.
    uint32_t content_id(const uint8_t* page);
    // Pages of device state (a disk overlay's blocks) go to the same store as RAM pages.
    uint32_t put(const uint8_t* page) override { return content_id(page); }
    const uint8_t* get(uint32_t) const override { return nullptr; }
    void flush_pages(uint64_t icount, EventLog& log);

    Machine& m_;
    PageContentIds ids_;
    uint32_t next_id_ = 0;
    CheckpointPagesEvent pending_;
    // Where a full batch of pending pages goes while a checkpoint is being taken.
    uint64_t pending_icount_ = 0;
    EventLog* pending_log_ = nullptr;
    CheckpointStats stats_;
};

}  // namespace emu
