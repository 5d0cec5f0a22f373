#include "replay/format/recording_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include <xxhash.h>
#include <zstd.h>

namespace emu {

namespace {

void compress_into(ZSTD_CCtx* cctx, std::span<const uint8_t> in, int level, ByteWriter& out)
{
    size_t start = out.bytes.size();
    out.bytes.resize(start + ZSTD_compressBound(in.size()));
    size_t n = ZSTD_compressCCtx(cctx, out.bytes.data() + start, out.bytes.size() - start, in.data(), in.size(), level);
    // The output buffer has the bound zstd guarantees, so an error here is a broken invariant.
    if (ZSTD_isError(n)) {
        std::fprintf(stderr, "zstd compression failed: %s\n", ZSTD_getErrorName(n));
        std::abort();
    }
    out.bytes.resize(start + n);
}

struct CCtxFree {
    void operator()(ZSTD_CCtx* p) const { ZSTD_freeCCtx(p); }
};

// A flushed chunk: its events, uncompressed, and what its header and the index say of them.
struct PendingChunk {
    std::vector<uint8_t> events;
    uint32_t number;
    uint64_t first_icount, last_icount;
    uint32_t count;
};

// The chunk as it goes into the file: header, then the compressed events.
std::vector<uint8_t> encode_chunk(ZSTD_CCtx* cctx, const PendingChunk& p, int level)
{
    ByteWriter c;
    c.u32(kChunkMagic);
    c.u32(p.number);
    c.u64(p.first_icount);
    c.u64(p.last_icount);
    c.u32(p.count);
    c.u32(0);  // compressed size, patched below
    c.u32(static_cast<uint32_t>(p.events.size()));
    c.u64(0);  // payload checksum, patched below
    c.u32(0);  // header checksum, patched below
    compress_into(cctx, p.events, level, c);
    uint8_t* hdr = c.bytes.data();
    uint32_t compressed = static_cast<uint32_t>(c.bytes.size() - kChunkHeaderBytes);
    uint64_t payload_sum = XXH3_64bits(hdr + kChunkHeaderBytes, compressed);
    for (int i = 0; i < 4; ++i)
        hdr[28 + i] = static_cast<uint8_t>(compressed >> (8 * i));
    for (int i = 0; i < 8; ++i)
        hdr[36 + i] = static_cast<uint8_t>(payload_sum >> (8 * i));
    uint32_t header_sum = static_cast<uint32_t>(XXH3_64bits(hdr, 44));
    for (int i = 0; i < 4; ++i)
        hdr[44 + i] = static_cast<uint8_t>(header_sum >> (8 * i));
    return std::move(c.bytes);
}

// The header as create() checked it, with its own copy of the embedded blobs: the writer's
// thread compresses them while the guest already runs.
struct HeaderPlan {
    struct Blob {
        std::string name;
        uint64_t size;
        XXH128_hash_t hash;
        std::optional<std::vector<uint8_t>> embedded;
    };
    std::string tool_version;
    std::vector<uint8_t> payload;
    std::vector<Blob> blobs;
    std::string partial;  // the file the header goes to, renamed to the recording's path
};

Result<std::vector<uint8_t>> encode_header(ZSTD_CCtx* cctx, const HeaderPlan& plan, int level, const std::string& path)
{
    ByteWriter h;
    h.raw(kRecordingMagic, sizeof kRecordingMagic);
    h.u32(kRecordingFormatVersion);
    h.u32(0);  // the header size, patched below
    h.str(plan.tool_version);
    h.u32(static_cast<uint32_t>(plan.payload.size()));
    h.raw(plan.payload);
    h.u32(static_cast<uint32_t>(plan.blobs.size()));
    for (const HeaderPlan::Blob& b : plan.blobs) {
        h.str(b.name);
        h.u64(b.size);
        h.u64(b.hash.high64);
        h.u64(b.hash.low64);
        h.u8(b.embedded ? 1 : 0);
        if (b.embedded) {
            size_t size_at = h.bytes.size();
            h.u64(0);
            compress_into(cctx, *b.embedded, level, h);
            uint64_t compressed = h.bytes.size() - size_at - 8;
            for (int i = 0; i < 8; ++i)
                h.bytes[size_at + i] = static_cast<uint8_t>(compressed >> (8 * i));
        }
        if (h.bytes.size() + 8 > kMaxHeaderBytes)
            return Error{ExitStatus::Internal,
                         path + ": header with embedded blobs exceeds " + std::to_string(kMaxHeaderBytes) + " bytes"};
    }
    uint32_t size = static_cast<uint32_t>(h.bytes.size() + 8);
    for (int i = 0; i < 4; ++i)
        h.bytes[12 + i] = static_cast<uint8_t>(size >> (8 * i));
    h.u64(XXH3_64bits(h.bytes.data(), h.bytes.size()));
    return std::move(h.bytes);
}

}  // namespace

// The file, and the thread that writes the header into it and then appends the flushed chunks,
// in order. The caller writes into the file itself (finish()'s index and footer) only after
// drain(), while the thread is idle.
class RecordingWriter::ChunkSink {
public:
    struct IndexEntry {
        uint64_t offset, first_icount, last_icount;
        uint32_t events;
    };

    ChunkSink(std::string path, int fd, RecordingWriterOptions options)
        : path_(std::move(path)), fd_(fd), options_(options), cctx_(ZSTD_createCCtx())
    {
    }
    ~ChunkSink()
    {
        stop();
        if (fd_ >= 0)
            ::close(fd_);
    }

    // The thread writes the header first, then renames the file to the recording's path; until
    // it has, drain() waits, and a failure there fails every call after it as a chunk's would.
    void start(HeaderPlan header)
    {
        thread_ = std::thread([this, header = std::move(header)]() mutable { run(std::move(header)); });
    }

    // Queues a chunk once there is room (bytes_in_flight); the first error so far, if any.
    Result<Done> submit(PendingChunk chunk)
    {
        std::unique_lock lock(mutex_);
        size_t size = chunk.events.size();
        room_.wait(lock, [&] { return queued_bytes_ == 0 || queued_bytes_ + size <= options_.bytes_in_flight || error_; });
        if (error_)
            return *error_;
        queued_bytes_ += size;
        queue_.push_back(std::move(chunk));
        work_.notify_one();
        return Done{};
    }
    // The first error of the thread so far, if any.
    Result<Done> status()
    {
        std::lock_guard lock(mutex_);
        if (error_)
            return *error_;
        return Done{};
    }
    // Waits until every queued chunk is in the file; the first error, if any.
    Result<Done> drain()
    {
        std::unique_lock lock(mutex_);
        room_.wait(lock, [this] { return (!header_pending_ && queued_bytes_ == 0) || error_; });
        if (error_)
            return *error_;
        return Done{};
    }
    // Writes the chunks queued so far (unless one failed) and ends the thread.
    void stop()
    {
        if (!thread_.joinable())
            return;
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        work_.notify_one();
        thread_.join();
    }

    Result<Done> write_all(const std::vector<uint8_t>& bytes)
    {
        size_t done = 0;
        while (done < bytes.size()) {
            ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return Error{ExitStatus::IoError, path_ + ": write error: " + std::strerror(errno)};
            done += static_cast<size_t>(n);
        }
        offset_ += bytes.size();
        if (options_.fsync == Fsync::Yes && ::fsync(fd_) != 0)
            return Error{ExitStatus::IoError, path_ + ": fsync: " + std::strerror(errno)};
        return Done{};
    }
    Result<Done> close()
    {
        stop();
        int fd = std::exchange(fd_, -1);
        if (::close(fd) != 0)
            return Error{ExitStatus::IoError, path_ + ": close: " + std::strerror(errno)};
        return Done{};
    }

    uint64_t offset() const { return offset_; }
    const std::vector<IndexEntry>& index() const { return index_; }

private:
    Result<Done> write_header(HeaderPlan header)
    {
        Result<std::vector<uint8_t>> bytes = encode_header(cctx_.get(), header, options_.zstd_level, path_);
        Result<Done> written = bytes ? write_all(*bytes) : Result<Done>(bytes.error());
        if (written && ::rename(header.partial.c_str(), path_.c_str()) != 0)
            written = Error{ExitStatus::IoError, path_ + ": cannot create: " + std::strerror(errno)};
        if (!written)
            ::unlink(header.partial.c_str());
        return written;
    }
    void run(HeaderPlan header)
    {
        Result<Done> header_written = write_header(std::move(header));
        std::unique_lock lock(mutex_);
        header_pending_ = false;
        if (!header_written)
            error_ = header_written.error();
        room_.notify_all();
        for (;;) {
            work_.wait(lock, [this] { return !queue_.empty() || stopping_; });
            if (queue_.empty() || error_)
                return;  // stopping, with nothing (more) to write
            PendingChunk chunk = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            std::vector<uint8_t> bytes = encode_chunk(cctx_.get(), chunk, options_.zstd_level);
            uint64_t offset = offset_;
            Result<Done> written = write_all(bytes);
            lock.lock();
            queued_bytes_ -= chunk.events.size();
            if (written)
                index_.push_back({offset, chunk.first_icount, chunk.last_icount, chunk.count});
            else
                error_ = written.error();
            room_.notify_all();
        }
    }

    std::string path_;
    int fd_;
    RecordingWriterOptions options_;
    std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx_;
    uint64_t offset_ = 0;               // the file's size; the thread's while it runs
    std::vector<IndexEntry> index_;     // under mutex_ while the thread runs
    std::mutex mutex_;
    std::condition_variable work_;      // a chunk was queued, or stop()
    std::condition_variable room_;      // a chunk was written, or failed
    std::deque<PendingChunk> queue_;
    size_t queued_bytes_ = 0;           // events of the chunks queued and of the one being written
    bool header_pending_ = true;        // the thread has yet to write the header
    bool stopping_ = false;
    std::optional<Error> error_;
    std::thread thread_;
};

RecordingWriter::RecordingWriter(std::string path, size_t chunk_bytes, std::unique_ptr<ChunkSink> sink)
    : path_(std::move(path)), chunk_bytes_(chunk_bytes), sink_(std::move(sink))
{
}

RecordingWriter::RecordingWriter(RecordingWriter&&) noexcept = default;
RecordingWriter& RecordingWriter::operator=(RecordingWriter&&) noexcept = default;
RecordingWriter::~RecordingWriter() = default;

Error RecordingWriter::usage(const std::string& why) const
{
    return Error{ExitStatus::Internal, path_ + ": " + why};
}

uint64_t RecordingWriter::bytes_written() const { return sink_ ? sink_->offset() : 0; }
uint32_t RecordingWriter::chunks_written() const { return sink_ ? static_cast<uint32_t>(sink_->index().size()) : 0; }

Result<RecordingWriter> RecordingWriter::create(const std::string& path, const RecordingHeaderSpec& header,
                                                RecordingWriterOptions options)
{
    auto bad = [&](const std::string& why) { return Error{ExitStatus::Internal, path + ": " + why}; };
    if (header.tool_version.size() > kMaxToolVersionBytes)
        return bad("tool version string is longer than " + std::to_string(kMaxToolVersionBytes) + " bytes");
    if (header.payload.size() > kMaxHeaderPayloadBytes)
        return bad("header payload is larger than " + std::to_string(kMaxHeaderPayloadBytes) + " bytes");
    if (header.blobs.size() > kMaxBlobs)
        return bad("more than " + std::to_string(kMaxBlobs) + " embedded blobs");
    if (options.chunk_bytes == 0 || options.chunk_bytes > kMaxChunkBytes)
        return bad("chunk size must be between 1 and " + std::to_string(kMaxChunkBytes) + " bytes");

    HeaderPlan plan{header.tool_version, header.payload, {}, {}};
    for (const RecordingBlobSpec& b : header.blobs) {
        if (b.name.size() > kMaxBlobNameBytes)
            return bad("blob name longer than " + std::to_string(kMaxBlobNameBytes) + " bytes");
        if (b.bytes.size() > kMaxBlobBytes)
            return bad("blob " + b.name + " is larger than " + std::to_string(kMaxBlobBytes) + " bytes");
        HeaderPlan::Blob blob{b.name, b.bytes.size(), XXH3_128bits(b.bytes.data(), b.bytes.size()), std::nullopt};
        if (b.embed == Embed::Yes)
            blob.embedded.emplace(b.bytes.begin(), b.bytes.end());
        plan.blobs.push_back(std::move(blob));
    }

    // The header goes to a new file that replaces `path` only once it is whole, so that a
    // recording that cannot start leaves whatever `path` held before untouched.
    plan.partial = path + ".partial-" + std::to_string(::getpid());
    int fd = ::open(plan.partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return Error{ExitStatus::IoError, plan.partial + ": cannot create: " + std::strerror(errno)};
    auto sink = std::make_unique<ChunkSink>(path, fd, options);
    sink->start(std::move(plan));
    return RecordingWriter(path, options.chunk_bytes, std::move(sink));
}

Result<Done> RecordingWriter::append(uint64_t icount, EventKind kind, std::span<const uint8_t> payload)
{
    if (finished_)
        return usage("append after finish");
    if (!event_kind_from_id(static_cast<uint16_t>(kind)))
        return usage("append of unknown event kind " + std::to_string(static_cast<uint16_t>(kind)));
    if (payload.size() > kMaxEventPayloadBytes)
        return usage(std::string(event_kind_name(kind)) + " payload of " + std::to_string(payload.size()) +
                     " bytes exceeds the limit of " + std::to_string(kMaxEventPayloadBytes));
    if (icount < last_icount_)
        return usage(std::string(event_kind_name(kind)) + " at icount " + std::to_string(icount) +
                     " appended after icount " + std::to_string(last_icount_));

    // Worst case: ten-byte delta, kind, ten-byte length, payload.
    size_t encoded = 10 + 2 + 10 + payload.size();
    if (chunk_events_ > 0 && events_.bytes.size() + encoded > kMaxChunkBytes)
        if (auto r = flush(); !r)
            return r;
    if (chunk_events_ == 0)
        chunk_first_ = icount;
    events_.varint(icount - prev_icount_);
    events_.u16(static_cast<uint16_t>(kind));
    events_.varint(payload.size());
    events_.raw(payload);
    prev_icount_ = last_icount_ = icount;
    ++chunk_events_;
    ++total_events_;
    if (events_.bytes.size() >= chunk_bytes_)
        return flush();
    return Done{};
}

Result<Done> RecordingWriter::flush()
{
    if (finished_)
        return usage("flush after finish");
    if (chunk_events_ == 0)
        return sink_->status();
    if (chunks_flushed_ >= kMaxIndexChunks)
        return usage("more than " + std::to_string(kMaxIndexChunks) + " chunks");
    PendingChunk chunk{std::move(events_.bytes), chunks_flushed_, chunk_first_, last_icount_, chunk_events_};
    events_.bytes.clear();
    events_.bytes.reserve(chunk_bytes_);  // the moved buffer went with the chunk
    chunk_events_ = 0;
    prev_icount_ = 0;
    ++chunks_flushed_;
    return sink_->submit(std::move(chunk));
}

Result<Done> RecordingWriter::finish(uint64_t final_icount)
{
    if (finished_)
        return usage("finish called twice");
    if (final_icount < last_icount_)
        return usage("final icount " + std::to_string(final_icount) + " is before the last event at icount " +
                     std::to_string(last_icount_));
    if (auto r = flush(); !r)
        return r;
    if (auto r = sink_->drain(); !r)
        return r;
    ByteWriter t;
    uint64_t index_offset = sink_->offset();
    t.u32(kIndexMagic);
    t.u32(static_cast<uint32_t>(sink_->index().size()));
    t.u64(final_icount);
    t.u64(total_events_);
    for (const ChunkSink::IndexEntry& e : sink_->index()) {
        t.u64(e.offset);
        t.u64(e.first_icount);
        t.u64(e.last_icount);
        t.u32(e.events);
    }
    t.u64(XXH3_64bits(t.bytes.data(), t.bytes.size()));
    size_t footer_at = t.bytes.size();
    t.u64(index_offset);
    t.u64(XXH3_64bits(t.bytes.data() + footer_at, 8));
    t.raw(kFooterMagic, sizeof kFooterMagic);
    if (auto r = sink_->write_all(t.bytes); !r)
        return r;
    finished_ = true;
    return sink_->close();
}

}  // namespace emu
