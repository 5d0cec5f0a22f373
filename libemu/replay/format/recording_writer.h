// Writes a recording (format version 2): a checksummed header, then zstd-compressed chunks of
// events, then an index and a footer. Each chunk goes out in one write, so a recorder that is
// killed leaves a file whose complete chunks still read; only finish() makes it complete.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "replay/format/recording_format.h"

struct ZSTD_CCtx_s;

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
};

class RecordingWriter {
public:
    // Writes the header and puts the file at `path`, replacing what was there; on an error
    // `path` is left as it was.
    static Result<RecordingWriter> create(const std::string& path, const RecordingHeaderSpec& header,
                                          RecordingWriterOptions options = {});

    // Destroying an unfinished writer closes the file as it is: what a crash would leave.
    RecordingWriter(RecordingWriter&&) noexcept = default;
    RecordingWriter& operator=(RecordingWriter&&) noexcept = default;

    // icount never decreases from one event to the next.
    Result<Done> append(uint64_t icount, EventKind kind, std::span<const uint8_t> payload);
    // Writes the buffered events as one chunk (nothing when none are buffered).
    Result<Done> flush();
    // Flushes, writes the index and the footer and closes the file.
    Result<Done> finish(uint64_t final_icount);

    uint64_t bytes_written() const { return offset_; }
    uint32_t chunks_written() const { return static_cast<uint32_t>(index_.size()); }

private:
    struct IndexEntry {
        uint64_t offset, first_icount, last_icount;
        uint32_t events;
    };
    // Owns the file descriptor, so moves and early returns close it exactly once.
    struct Fd {
        int v = -1;
        explicit Fd(int fd) : v(fd) {}
        Fd(Fd&& o) noexcept : v(std::exchange(o.v, -1)) {}
        Fd& operator=(Fd&& o) noexcept
        {
            std::swap(v, o.v);
            return *this;
        }
        ~Fd();
    };
    struct CCtxFree {
        void operator()(ZSTD_CCtx_s* p) const;
    };

    RecordingWriter(std::string path, int fd, RecordingWriterOptions options);
    Result<Done> write_all(const std::vector<uint8_t>& bytes);
    Error usage(const std::string& why) const;

    std::string path_;
    Fd fd_;
    RecordingWriterOptions options_;
    std::unique_ptr<ZSTD_CCtx_s, CCtxFree> cctx_;
    uint64_t offset_ = 0;
    bool finished_ = false;
    // The buffered chunk.
    ByteWriter events_;
    uint32_t chunk_events_ = 0;
    uint64_t chunk_first_ = 0;
    uint64_t prev_icount_ = 0;  // of the previous event in this chunk, 0 at a chunk's start
    uint64_t last_icount_ = 0;  // of the last event appended, across chunks
    uint64_t total_events_ = 0;
    std::vector<IndexEntry> index_;
};

}  // namespace emu
