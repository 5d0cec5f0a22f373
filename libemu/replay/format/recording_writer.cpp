#include "replay/format/recording_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

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

}  // namespace

void RecordingWriter::CCtxFree::operator()(ZSTD_CCtx_s* p) const { ZSTD_freeCCtx(p); }

RecordingWriter::RecordingWriter(std::string path, int fd, RecordingWriterOptions options)
    : path_(std::move(path)), fd_(fd), options_(options)
{
}

RecordingWriter::Fd::~Fd()
{
    if (v >= 0)
        ::close(v);
}

Error RecordingWriter::usage(const std::string& why) const
{
    return Error{ExitStatus::Internal, path_ + ": " + why};
}

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

    std::unique_ptr<ZSTD_CCtx_s, CCtxFree> cctx(ZSTD_createCCtx());
    ByteWriter h;
    h.raw(kRecordingMagic, sizeof kRecordingMagic);
    h.u32(kRecordingFormatVersion);
    h.u32(0);  // the header size, patched below
    h.str(header.tool_version);
    h.u32(static_cast<uint32_t>(header.payload.size()));
    h.raw(header.payload);
    h.u32(static_cast<uint32_t>(header.blobs.size()));
    for (const RecordingBlobSpec& b : header.blobs) {
        if (b.name.size() > kMaxBlobNameBytes)
            return bad("blob name longer than " + std::to_string(kMaxBlobNameBytes) + " bytes");
        if (b.bytes.size() > kMaxBlobBytes)
            return bad("blob " + b.name + " is larger than " + std::to_string(kMaxBlobBytes) + " bytes");
        XXH128_hash_t hash = XXH3_128bits(b.bytes.data(), b.bytes.size());
        h.str(b.name);
        h.u64(b.bytes.size());
        h.u64(hash.high64);
        h.u64(hash.low64);
        h.u8(b.embed == Embed::Yes ? 1 : 0);
        if (b.embed == Embed::Yes) {
            size_t size_at = h.bytes.size();
            h.u64(0);
            compress_into(cctx.get(), b.bytes, options.zstd_level, h);
            uint64_t compressed = h.bytes.size() - size_at - 8;
            for (int i = 0; i < 8; ++i)
                h.bytes[size_at + i] = static_cast<uint8_t>(compressed >> (8 * i));
        }
        if (h.bytes.size() + 8 > kMaxHeaderBytes)
            return bad("header with embedded blobs exceeds " + std::to_string(kMaxHeaderBytes) + " bytes");
    }
    uint32_t size = static_cast<uint32_t>(h.bytes.size() + 8);
    for (int i = 0; i < 4; ++i)
        h.bytes[12 + i] = static_cast<uint8_t>(size >> (8 * i));
    h.u64(XXH3_64bits(h.bytes.data(), h.bytes.size()));

    // The header goes to a new file that replaces `path` only once it is whole, so that a
    // recording that cannot start leaves whatever `path` held before untouched.
    std::string partial = path + ".partial-" + std::to_string(::getpid());
    int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return Error{ExitStatus::IoError, partial + ": cannot create: " + std::strerror(errno)};
    RecordingWriter w(path, fd, options);
    w.cctx_ = std::move(cctx);
    Result<Done> written = w.write_all(h.bytes);
    if (written && ::rename(partial.c_str(), path.c_str()) != 0)
        written = Error{ExitStatus::IoError, path + ": cannot create: " + std::strerror(errno)};
    if (!written) {
        ::unlink(partial.c_str());
        return written.error();
    }
    return w;
}

Result<Done> RecordingWriter::write_all(const std::vector<uint8_t>& bytes)
{
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd_.v, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error{ExitStatus::IoError, path_ + ": write error: " + std::strerror(errno)};
        done += static_cast<size_t>(n);
    }
    offset_ += bytes.size();
    if (options_.fsync == Fsync::Yes && ::fsync(fd_.v) != 0)
        return Error{ExitStatus::IoError, path_ + ": fsync: " + std::strerror(errno)};
    return Done{};
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
    if (events_.bytes.size() >= options_.chunk_bytes)
        return flush();
    return Done{};
}

Result<Done> RecordingWriter::flush()
{
    if (finished_)
        return usage("flush after finish");
    if (chunk_events_ == 0)
        return Done{};
    if (index_.size() >= kMaxIndexChunks)
        return usage("more than " + std::to_string(kMaxIndexChunks) + " chunks");
    ByteWriter c;
    c.u32(kChunkMagic);
    c.u32(static_cast<uint32_t>(index_.size()));
    c.u64(chunk_first_);
    c.u64(last_icount_);
    c.u32(chunk_events_);
    c.u32(0);  // compressed size, patched below
    c.u32(static_cast<uint32_t>(events_.bytes.size()));
    c.u64(0);  // payload checksum, patched below
    c.u32(0);  // header checksum, patched below
    compress_into(cctx_.get(), events_.bytes, options_.zstd_level, c);
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

    IndexEntry entry{offset_, chunk_first_, last_icount_, chunk_events_};
    if (auto r = write_all(c.bytes); !r)
        return r;
    index_.push_back(entry);
    events_.bytes.clear();
    chunk_events_ = 0;
    prev_icount_ = 0;
    return Done{};
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
    ByteWriter t;
    uint64_t index_offset = offset_;
    t.u32(kIndexMagic);
    t.u32(static_cast<uint32_t>(index_.size()));
    t.u64(final_icount);
    t.u64(total_events_);
    for (const IndexEntry& e : index_) {
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
    if (auto r = write_all(t.bytes); !r)
        return r;
    finished_ = true;
    int fd = std::exchange(fd_.v, -1);
    if (::close(fd) != 0)
        return Error{ExitStatus::IoError, path_ + ": close: " + std::strerror(errno)};
    return Done{};
}

}  // namespace emu
