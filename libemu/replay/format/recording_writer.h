// Writes a recording (format version 2): a checksummed header, then zstd-compressed chunks of
// events, then an index and a footer. Each chunk goes out in one write, so a recorder that is
// killed leaves a file whose complete chunks still read; only finish() makes it complete.
//
// The header and the chunks are compressed and written on a thread of the writer's own, in
// order, so that a recorder's CPU thread does not wait for zstd (a Linux guest's embedded
// kernel and its checkpoints are most of what it would wait for). The file's bytes do not
// depend on that thread's timing. Flushed chunks wait for it up to
// RecordingWriterOptions::bytes_in_flight of events, or one chunk of any size; flush() waits
// for room beyond that.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "replay/format/recording_format.h"

namespace emu {

enum class Embed : bool { No, Yes };
enum class Fsync : bool { No, Yes };

// A guest image or disk: always recorded by size and XXH3-128, optionally with its bytes.
struct RecordingBlobSpec {
    std::string name;
    std::span<const uint8_t> bytes;
    Embed embed = Embed::No;
};

struct RecordingHeaderSpec {
    std::string tool_version;
    std::vector<uint8_t> payload;  // opaque to this layer: machine configuration and so on
    std::vector<RecordingBlobSpec> blobs;
};

struct RecordingWriterOptions {
    size_t chunk_bytes = 1u << 20;  // flush once this many event bytes are buffered
    Fsync fsync = Fsync::No;        // fsync after the header, every chunk and the footer
    int zstd_level = 3;
    // Events of flushed chunks not yet written that flush() lets wait: memory for a Linux
    // guest's checkpoint (a few MiB) and more, so that the recorder does not wait for zstd.
    size_t bytes_in_flight = 64u << 20;
};

class RecordingWriter {
public:
    // Checks the header and opens a new file for it; the writer's thread then writes the
    // header (compressing the embedded blobs, from a copy) and puts the file at `path`,
    // replacing what was there. On an error `path` is left as it was: create() returns the
    // errors it finds, and one of the thread's comes back from flush() or finish().
    static Result<RecordingWriter> create(const std::string& path, const RecordingHeaderSpec& header,
                                          RecordingWriterOptions options = {});

    RecordingWriter(RecordingWriter&&) noexcept;
    RecordingWriter& operator=(RecordingWriter&&) noexcept;

    // icount never decreases from one event to the next. A chunk the writer's thread failed
    // to write fails every flush() and finish() after it, and every append() that flushes.
    Result<Done> append(uint64_t icount, EventKind kind, std::span<const uint8_t> payload);
    // Hands the buffered events to the writer's thread as one chunk (nothing when none are
    // buffered).
    Result<Done> flush();
    // Flushes, waits for every chunk to be written, writes the index and the footer and closes
    // the file.
    Result<Done> finish(uint64_t final_icount);

    // What finish() wrote: the file's size and its chunks.
    uint64_t bytes_written() const;
    uint32_t chunks_written() const;

    // Destroying an unfinished writer writes the chunks already flushed and closes the file.
    ~RecordingWriter();

private:
    class ChunkSink;  // the file and the thread that compresses and writes chunks into it

    RecordingWriter(std::string path, size_t chunk_bytes, std::unique_ptr<ChunkSink> sink);
    Error usage(const std::string& why) const;

    std::string path_;
    size_t chunk_bytes_;
    std::unique_ptr<ChunkSink> sink_;
    bool finished_ = false;
    // The buffered chunk.
    ByteWriter events_;
    uint32_t chunk_events_ = 0;
    uint64_t chunk_first_ = 0;
    uint64_t prev_icount_ = 0;  // of the previous event in this chunk, 0 at a chunk's start
    uint64_t last_icount_ = 0;  // of the last event appended, across chunks
    uint64_t total_events_ = 0;
    uint32_t chunks_flushed_ = 0;
};

}  // namespace emu
