#include "tools/rr-inspect/scan.h"

#include <cstdio>
#include <memory>
#include <sys/stat.h>

#include "replay/event_text.h"
#include "replay/recording_format.h"

namespace emu::inspect {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// Reads chunk headers straight from the file. The reader exposes no per-chunk sizes while it
// streams, so this follows it: a chunk header is read only once the reader has handed out the
// chunk's first event, i.e. after the reader validated that header, its checksum and its frame.
class ChunkWalker {
public:
    static Result<ChunkWalker> open(const std::string& path, uint64_t first_chunk)
    {
        std::FILE* f = std::fopen(path.c_str(), "rb");
        if (!f)
            return Error{ExitStatus::NoInput, path + ": cannot open"};
        return ChunkWalker(path, f, first_chunk);
    }

    // The header of the next chunk.
    Result<ChunkStats> next()
    {
        uint8_t h[kChunkHeaderBytes];
        if (fseeko(file_.get(), static_cast<off_t>(pos_), SEEK_SET) != 0 || std::fread(h, 1, sizeof h, file_.get()) != sizeof h)
            return Error{ExitStatus::BadRecording,
                         path_ + ": chunk " + str(number_) + " at offset " + str(pos_) + ": read error"};
        ChunkStats c;
        c.number = number_++;
        c.offset = pos_;
        c.first_icount = load_le64(h + 8);
        c.last_icount = load_le64(h + 16);
        c.events = load_le32(h + 24);
        c.compressed_bytes = load_le32(h + 28);
        c.uncompressed_bytes = load_le32(h + 32);
        pos_ += kChunkHeaderBytes + c.compressed_bytes;
        return c;
    }

private:
    ChunkWalker(std::string path, std::FILE* f, uint64_t pos) : path_(std::move(path)), file_(f), pos_(pos) {}
    std::string path_;
    std::unique_ptr<std::FILE, FileCloser> file_;
    uint64_t pos_;
    uint32_t number_ = 0;
};

}  // namespace

size_t kind_slot(EventKind kind)
{
    for (size_t i = 0; i < kKindCount; ++i)
        if (kAllKinds[i] == kind)
            return i;
    return 0;  // unreachable: the reader only hands out kinds of events.inc
}

std::optional<double> Scan::bytes_per_million_insns() const
{
    uint64_t n = icount();
    if (n == 0)
        return std::nullopt;
    return static_cast<double>(file_bytes) * 1e6 / static_cast<double>(n);
}

Result<Scan> scan_recording(const std::string& path, const ScanHooks& hooks)
{
    Result<RecordingReader> opened = RecordingReader::open(path);
    if (!opened)
        return opened.error();
    RecordingReader& reader = *opened;

    Scan s;
    s.path = path;
    s.header = reader.header();
    struct stat st;
    if (::stat(path.c_str(), &st) == 0)
        s.file_bytes = static_cast<uint64_t>(st.st_size);
    Result<RecordingConfig> config = decode_recording_config(s.header.payload, path);
    if (!config)
        return config.error();
    s.config = std::move(*config);

    Result<ChunkWalker> walker = ChunkWalker::open(path, s.header.header_bytes);
    if (!walker)
        return walker.error();

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
            Result<ChunkStats> c = walker->next();
            if (!c)
                return c.error();
            current = *c;
            left = c->events;
        }
        EventPlace place{current->number, current->offset, current->events - left};
        --left;
        if (hooks.on_event)
            hooks.on_event(ev, place);

        EventDescription d = describe_event_payload(ev.kind, ev.payload);
        if (!d.well_formed)
            return Error{ExitStatus::BadRecording, path + ": chunk " + str(place.chunk) + " at offset " +
                                                       str(place.chunk_offset) + ": event " + str(place.index) +
                                                       " (icount " + str(ev.icount) + ", " + event_kind_name(ev.kind) +
                                                       "): " + d.text};
        KindStats& k = s.by_kind[kind_slot(ev.kind)];
        ++k.count;
        k.payload_bytes += ev.payload.size();
        ++s.events;
        s.exit_is_last = ev.kind == EventKind::GuestExit;
        if (ev.kind == EventKind::GuestExit) {
            if (!s.exit) {
                s.exit = decode_guest_exit(ev.payload);
                s.exit_icount = ev.icount;
            }
            ++s.guest_exits;
        }
    }
    chunk_done();
    s.end = reader.end();
    return s;
}

Result<Done> verify_extra(const std::string& path, const Scan& scan)
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

}  // namespace emu::inspect
