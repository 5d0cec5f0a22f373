// Reads a recording (format version 2): validates the header, then hands out events in order
// across chunks. Damage is reported precisely ("chunk 3 at offset 12345: checksum mismatch");
// a file without a footer (a recorder that was killed) still yields every complete chunk and
// ends with a truncation status instead of an error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "replay/format/recording_format.h"

struct ZSTD_DCtx_s;

namespace emu {

struct RecordingBlobInfo {
    std::string name;
    uint64_t size = 0;
    uint64_t hash_high = 0;  // XXH3-128 of the bytes
    uint64_t hash_low = 0;
    bool embedded = false;
};

struct RecordingHeader {
    uint32_t format_version = 0;
    std::string tool_version;
    std::vector<uint8_t> payload;
    std::vector<RecordingBlobInfo> blobs;
    uint64_t header_bytes = 0;
};

struct RecordingChunkInfo {
    uint64_t offset = 0;
    uint64_t first_icount = 0;
    uint64_t last_icount = 0;
    uint32_t events = 0;
};

// A chunk as its header describes it, once the reader has validated and decoded it.
struct RecordingChunkStats {
    uint32_t number = 0;
    uint64_t offset = 0;  // of the chunk header in the file
    uint64_t first_icount = 0;
    uint64_t last_icount = 0;
    uint32_t events = 0;
    uint32_t compressed_bytes = 0;    // the zstd frame, without the 48-byte chunk header
    uint32_t uncompressed_bytes = 0;  // the decoded event bytes
};

// Where an event sits in the file, so that a reader can come back to it (seeking from a
// checkpoint). Valid for any reader of the same file.
struct RecordingPosition {
    uint64_t chunk_offset = 0;
    uint32_t chunk = 0;          // its sequence number
    uint32_t event = 0;          // within the chunk
    uint64_t events_before = 0;  // in the chunks before it
    uint64_t icount_before = 0;  // the last icount of the chunk before it, 0 for the first
};

struct RecordingEvent {
    uint64_t icount = 0;
    EventKind kind = EventKind::GuestExit;
    std::span<const uint8_t> payload;  // valid until the next call of next()
};

// How the event stream ended, once next() has returned false.
struct RecordingEnd {
    bool complete = false;  // the footer and index were present and matched the chunks
    uint32_t chunks = 0;
    uint64_t events = 0;
    uint64_t last_icount = 0;                   // of the last event read
    std::optional<uint64_t> final_icount;       // from the index, when complete
    std::optional<uint64_t> truncated_at_icount;  // when not complete
    std::string message;  // "recording truncated after chunk N (icount M)" when truncated
};

// The line for a file whose chunks are all whole but whose run has no end: the recorder
// wrote no GuestExit.
inline std::string no_guest_exit_line(uint64_t last_icount)
{
    return "recording truncated: it has no GuestExit event after icount " + std::to_string(last_icount);
}

class RecordingReader {
public:
    // Errors: NoInput when the file cannot be opened, BadRecording for an empty file, another
    // format, an unsupported version, a damaged header, footer or index.
    static Result<RecordingReader> open(const std::string& path);
    // The same over bytes in memory (copied); name is used in messages.
    static Result<RecordingReader> from_bytes(std::span<const uint8_t> bytes, const std::string& name = "<memory>");

    RecordingReader(RecordingReader&&) noexcept;
    RecordingReader& operator=(RecordingReader&&) noexcept;
    ~RecordingReader();

    const RecordingHeader& header() const { return header_; }
    // The decompressed bytes of an embedded blob, checked against its size and hash.
    Result<std::vector<uint8_t>> blob_bytes(size_t i) const;
    // Whether the file has a valid footer and index; chunk_index() is empty otherwise.
    bool complete() const { return complete_; }
    const std::vector<RecordingChunkInfo>& chunk_index() const { return index_; }

    // The next event into ev: true, or false at the end of the stream (then see end()).
    // A damaged chunk is an Error naming the chunk and its offset, and stays one.
    Result<bool> next(RecordingEvent& ev);
    const RecordingEnd& end() const { return end_; }
    // The chunk the last event handed out came from.
    const RecordingChunkStats& current_chunk() const { return current_chunk_; }
    // The position of the event next() hands out next.
    RecordingPosition position() const;
    // Goes back or forward to a position this file's reader gave; next() goes on from there.
    Result<Done> seek(const RecordingPosition& at);

    // Where the bytes come from (a file or memory); defined in the .cpp.
    class Source;

private:
    struct DCtxFree {
        void operator()(ZSTD_DCtx_s* p) const;
    };
    struct EventRef {
        uint64_t icount;
        EventKind kind;
        uint32_t offset, size;
    };

    RecordingReader(std::unique_ptr<Source> source, std::string name);
    Result<Done> read_header();
    Result<Done> read_footer();
    // Loads and fully validates the chunk at pos_; false when the stream ends there.
    Result<bool> load_chunk();
    Error bad(const std::string& why) const;
    Error bad_chunk(const std::string& why) const;

    std::unique_ptr<Source> source_;
    std::string name_;
    std::unique_ptr<ZSTD_DCtx_s, DCtxFree> dctx_;
    RecordingHeader header_;
    std::vector<std::span<const uint8_t>> blob_data_;  // into header_bytes_
    std::vector<uint8_t> header_bytes_;
    bool complete_ = false;
    uint64_t final_icount_ = 0;
    uint64_t total_events_ = 0;
    std::vector<RecordingChunkInfo> index_;
    uint64_t data_end_ = 0;  // where chunks stop: the index, or the end of the file

    uint64_t pos_ = 0;  // offset of the next chunk
    uint32_t chunk_no_ = 0;  // number of the chunk at pos_
    std::vector<uint8_t> chunk_;  // decompressed events of the current chunk
    std::vector<EventRef> events_;
    RecordingChunkStats current_chunk_;
    uint64_t chunk_icount_before_ = 0;  // the previous chunk's last icount, for the current chunk
    size_t next_event_ = 0;
    bool ended_ = false;
    std::optional<Error> failed_;
    RecordingEnd end_;
};

}  // namespace emu
