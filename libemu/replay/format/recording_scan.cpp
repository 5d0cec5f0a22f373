#include "replay/format/recording_scan.h"

#include <sys/stat.h>

#include "replay/format/event_text.h"
#include "replay/format/recording_format.h"

namespace emu {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

}  // namespace

size_t kind_slot(EventKind kind)
{
    for (size_t i = 0; i < kKindCount; ++i)
        if (kAllKinds[i] == kind)
            return i;
    return 0;  // unreachable: the reader only hands out kinds of events.inc
}

std::optional<double> RecordingScan::bytes_per_million_insns() const
{
    uint64_t n = icount();
    if (n == 0)
        return std::nullopt;
    return static_cast<double>(file_bytes) * 1e6 / static_cast<double>(n);
}

Result<RecordingScan> scan_recording(const std::string& path, const ScanHooks& hooks)
{
    Result<RecordingReader> opened = RecordingReader::open(path);
    if (!opened)
        return opened.error();
    RecordingReader& reader = *opened;

    RecordingScan s;
    s.path = path;
    s.header = reader.header();
    struct stat st;
    if (::stat(path.c_str(), &st) == 0)
        s.file_bytes = static_cast<uint64_t>(st.st_size);
    Result<RecordingConfig> config = decode_recording_config(s.header.payload, path);
    if (!config)
        return config.error();
    s.config = std::move(*config);

    std::optional<ChunkStats> current;
    uint32_t left = 0;  // events of the current chunk not read yet
    auto chunk_done = [&] {
        if (current && left == 0) {
            s.chunks.push_back(*current);
            if (hooks.on_chunk)
                hooks.on_chunk(*current);
            current.reset();
        }
    };

    RecordingEvent ev;
    for (;;) {
        Result<bool> more = reader.next(ev);
        if (!more) {
            chunk_done();  // report the chunks that were whole before the damage
            return more.error();
        }
        if (!*more)
            break;
        if (left == 0) {
            chunk_done();
            current = reader.current_chunk();
            left = current->events;
        }
        EventPlace place{current->number, current->offset, current->events - left};
        --left;
        if (hooks.on_event)
            hooks.on_event(ev, place);

        if (!event_payload_well_formed(ev.kind, ev.payload))
            return Error{ExitStatus::BadRecording, path + ": chunk " + str(place.chunk) + " at offset " +
                                                       str(place.chunk_offset) + ": event " + str(place.index) +
                                                       " (icount " + str(ev.icount) + ", " + event_kind_name(ev.kind) +
                                                       "): " + describe_event_payload(ev.kind, ev.payload).text};
        KindStats& k = s.by_kind[kind_slot(ev.kind)];
        ++k.count;
        k.payload_bytes += ev.payload.size();
        ++s.events;
        s.exit_is_last = ev.kind == EventKind::GuestExit;
        if (ev.kind == EventKind::StateHash)
            s.state_hashes.emplace_back(ev.icount, *decode<StateDigest>(ev.payload));  // well formed: checked above
        if (ev.kind == EventKind::GuestExit) {
            if (!s.exit) {
                s.exit = decode<GuestExitEvent>(ev.payload);
                s.exit_icount = ev.icount;
            }
            ++s.guest_exits;
        }
    }
    chunk_done();
    s.end = reader.end();
    return s;
}

Result<Done> verify_recording_extras(const std::string& path, const RecordingScan& scan)
{
    Result<RecordingReader> reader = RecordingReader::open(path);
    if (!reader)
        return reader.error();
    for (size_t i = 0; i < reader->header().blobs.size(); ++i) {
        if (!reader->header().blobs[i].embedded)
            continue;
        if (Result<std::vector<uint8_t>> bytes = reader->blob_bytes(i); !bytes)
            return bytes.error();
    }
    if (scan.end.complete) {
        if (scan.guest_exits != 1 || !scan.exit_is_last)
            return Error{ExitStatus::BadRecording,
                         path + ": a finished recording must end with exactly one GuestExit event (it has " +
                             str(scan.guest_exits) + (scan.exit_is_last ? ", last" : ", not last") + ")"};
    }
    return Done{};
}

}  // namespace emu
