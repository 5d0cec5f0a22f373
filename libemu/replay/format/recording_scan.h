// One pass over a recording, for rr-inspect and the tests: the header and run configuration, every event
// (counted per kind and per chunk, its payload decoded strictly), and how the stream ended.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "replay/format/event_payloads.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_reader.h"

namespace emu {

// Every kind of events.inc, in id order.
inline constexpr EventKind kAllKinds[] = {
#define RR_EVENT(name, id, payload, cls) EventKind::name,
#include "replay/format/events.inc"
#undef RR_EVENT
};
inline constexpr size_t kKindCount = sizeof kAllKinds / sizeof kAllKinds[0];

// Position of a kind in kAllKinds.
size_t kind_slot(EventKind kind);

struct KindStats {
    uint64_t count = 0;
    uint64_t payload_bytes = 0;
};

// The StateHash events: icount and digest, in order.
using StateHashes = std::vector<std::pair<uint64_t, StateDigest>>;

// One chunk as its (already validated) chunk header describes it.
using ChunkStats = RecordingChunkStats;

// Where an event sits: chunk number, the chunk's file offset, its index inside the chunk.
struct EventPlace {
    uint32_t chunk = 0;
    uint64_t chunk_offset = 0;
    uint32_t index = 0;
};

struct ScanHooks {
    // Each event in file order, before its payload is checked (so a listing shows it).
    std::function<void(const RecordingEvent&, const EventPlace&)> on_event;
    // Each chunk once all its events have been read.
    std::function<void(const ChunkStats&)> on_chunk;
};

struct RecordingScan {
    std::string path;
    uint64_t file_bytes = 0;
    RecordingHeader header;
    RecordingConfig config;
    KindStats by_kind[kKindCount];
    uint64_t events = 0;
    std::vector<ChunkStats> chunks;
    StateHashes state_hashes;
    std::optional<GuestExitEvent> exit;  // the first GuestExit event
    uint64_t exit_icount = 0;
    uint64_t guest_exits = 0;
    bool exit_is_last = false;  // the last event read was a GuestExit
    RecordingEnd end;

    // The final icount: from the index when complete, else the last event's.
    uint64_t icount() const { return end.final_icount ? *end.final_icount : end.last_icount; }
    // File bytes per million instructions, or nothing when no instruction ran.
    std::optional<double> bytes_per_million_insns() const;
};

// Reads the whole recording. Errors: NoInput for a missing file; BadRecording for damage, a
// malformed header payload or a malformed event payload (naming the chunk and the event).
// A truncated recording (no footer) is not an error here: see RecordingScan::end.
Result<RecordingScan> scan_recording(const std::string& path, const ScanHooks& hooks);

// The checks only --verify makes: embedded images decompress and match their hashes, and a
// complete recording ends with exactly one GuestExit. A truncation is reported by the caller.
Result<Done> verify_recording_extras(const std::string& path, const RecordingScan& scan);

}  // namespace emu
