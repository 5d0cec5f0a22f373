// The checkpoints of a recording, read once, and how to put a machine into any of them: RAM as
// the image loader left it, overwritten by the pages of every checkpoint up to that one, then
// the machine state the checkpoint holds. Seeking and bisection restore checkpoints instead of
// replaying from the start.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "machine/machine.h"
#include "replay/format/event_payloads.h"
#include "replay/format/recording_reader.h"

namespace emu {

// The 4 KiB a CheckpointPageRef's id names.
using PageContents = std::function<const uint8_t*(uint32_t id)>;

// The non-zero RAM pages of a freshly loaded machine: what a checkpoint's pages build on.
class LoadedRam {
public:
    // Right after the image is loaded into a new machine: a page no write has marked dirty
    // since the machine was made is taken as zero.
    static LoadedRam capture(Bus& bus);
    // The page's contents, or null for a zero page.
    const uint8_t* page(uint64_t page_number) const;
    // Makes the bus's RAM this, overwritten by `written` (increasing pages, contents from
    // `contents` by id). Returns how many of `written` lie in RAM. Only pages that can differ
    // are looked at: those written since the last restore (or the capture) and those the last
    // restore overwrote.
    size_t restore(Bus& bus, const std::vector<CheckpointPageRef>& written, const PageContents& contents);

private:
    std::vector<uint64_t> pages_;  // increasing
    std::vector<uint8_t> bytes_;
    std::vector<uint64_t> overwritten_;  // by the last restore
};

struct CheckpointInfo {
    uint32_t number = 0;
    uint64_t icount = 0;
    RecordingPosition resume;   // the event after the Checkpoint event
    uint32_t pages_written = 0;  // since the previous checkpoint
    uint32_t pages_stored = 0;   // new contents stored for it
    uint64_t state_bytes = 0;    // the machine state without RAM
    uint64_t payload_bytes = 0;  // of its Checkpoint and CheckpointPages events, uncompressed
};

class CheckpointIndex {
public:
    // Reads events from the reader's position to the end, or to the last event at or before
    // `until`. A malformed checkpoint or a page reference to contents not stored before it is a
    // BadRecording error naming the checkpoint; `name` starts messages.
    static Result<CheckpointIndex> scan(RecordingReader& reader, const std::string& name,
                                        uint64_t until = UINT64_MAX);
    // The same over the recording at `path`, from its start.
    static Result<CheckpointIndex> read(const std::string& path, uint64_t until = UINT64_MAX);

    const std::vector<CheckpointInfo>& checkpoints() const { return infos_; }
    // The icount of the last event scanned: where the recorded run ends, for a whole scan.
    uint64_t last_icount() const { return last_icount_; }
    // For a scan to the end: why the recording is unfinished (the recorder was killed, or
    // wrote no GuestExit), as one line; nothing when it is whole.
    const std::optional<std::string>& truncation() const { return truncation_; }
    // The last checkpoint at or before icount.
    std::optional<size_t> at_or_before(uint64_t icount) const;

    // Every page written between the load and checkpoint k, with the contents it had there.
    std::vector<CheckpointPageRef> pages_written_up_to(size_t k) const;
    const uint8_t* page_contents(uint32_t id) const { return store_.data() + size_t{id} * kPageSize; }
    // How many page contents the recording stores: ids below this are page_contents()'.
    uint32_t stored_pages() const { return static_cast<uint32_t>(store_.size() / kPageSize); }

    // Puts the machine (built and loaded like the recorded one, in any state since) into
    // checkpoint k. After an error the machine must be thrown away.
    Result<Done> restore(size_t k, Machine& m, LoadedRam& loaded) const;

private:
    explicit CheckpointIndex(std::string name) : name_(std::move(name)) {}
    Error bad(size_t k, const std::string& why) const;

    std::string name_;
    std::vector<CheckpointInfo> infos_;
    std::vector<std::vector<uint8_t>> states_;
    std::vector<std::vector<CheckpointPageRef>> written_;  // per checkpoint, since the previous
    std::vector<uint8_t> store_;                            // page contents by id
    uint64_t last_icount_ = 0;
    std::optional<std::string> truncation_;
};

}  // namespace emu
