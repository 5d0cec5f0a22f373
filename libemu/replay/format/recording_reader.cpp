#include "replay/format/recording_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>
#include <zstd.h>

namespace emu {

// Random access to the recording's bytes: a file read with pread, or a copy in memory.
class RecordingReader::Source {
public:
    virtual ~Source() = default;
    virtual uint64_t size() const = 0;
    // Reads exactly n bytes at off into dst; false on an I/O error.
    virtual bool read(uint64_t off, uint8_t* dst, size_t n) const = 0;
};

namespace {

class MemorySource final : public RecordingReader::Source {
public:
    explicit MemorySource(std::span<const uint8_t> b) : bytes_(b.begin(), b.end()) {}
    uint64_t size() const override { return bytes_.size(); }
    bool read(uint64_t off, uint8_t* dst, size_t n) const override
    {
        if (off > bytes_.size() || n > bytes_.size() - off)
            return false;
        if (n > 0)
            std::memcpy(dst, bytes_.data() + off, n);
        return true;
    }

private:
    std::vector<uint8_t> bytes_;
};

class FileSource final : public RecordingReader::Source {
public:
    FileSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
    ~FileSource() override { ::close(fd_); }
    uint64_t size() const override { return size_; }
    bool read(uint64_t off, uint8_t* dst, size_t n) const override
    {
        while (n > 0) {
            ssize_t got = ::pread(fd_, dst, n, static_cast<off_t>(off));
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                return false;
            dst += got;
            off += static_cast<uint64_t>(got);
            n -= static_cast<size_t>(got);
        }
        return true;
    }

private:
    int fd_;
    uint64_t size_;
};

std::string str(uint64_t v) { return std::to_string(v); }

}  // namespace

void RecordingReader::DCtxFree::operator()(ZSTD_DCtx_s* p) const { ZSTD_freeDCtx(p); }

RecordingReader::RecordingReader(std::unique_ptr<Source> source, std::string name)
    : source_(std::move(source)), name_(std::move(name)), dctx_(ZSTD_createDCtx())
{
}

RecordingReader::RecordingReader(RecordingReader&&) noexcept = default;
RecordingReader& RecordingReader::operator=(RecordingReader&&) noexcept = default;
RecordingReader::~RecordingReader() = default;

Error RecordingReader::bad(const std::string& why) const { return Error{ExitStatus::BadRecording, name_ + ": " + why}; }

Error RecordingReader::bad_chunk(const std::string& why) const
{
    return bad("chunk " + str(chunk_no_) + " at offset " + str(pos_) + ": " + why);
}

Result<RecordingReader> RecordingReader::open(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return Error{ExitStatus::NoInput, path + ": cannot open: " + std::strerror(errno)};
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return Error{ExitStatus::NoInput, path + ": not a regular file"};
    }
    RecordingReader r(std::make_unique<FileSource>(fd, static_cast<uint64_t>(st.st_size)), path);
    if (auto h = r.read_header(); !h)
        return h.error();
    if (auto f = r.read_footer(); !f)
        return f.error();
    return r;
}

Result<RecordingReader> RecordingReader::from_bytes(std::span<const uint8_t> bytes, const std::string& name)
{
    RecordingReader r(std::make_unique<MemorySource>(bytes), name);
    if (auto h = r.read_header(); !h)
        return h.error();
    if (auto f = r.read_footer(); !f)
        return f.error();
    return r;
}

Result<Done> RecordingReader::read_header()
{
    uint64_t size = source_->size();
    if (size == 0)
        return bad("empty file, not a recording");
    uint8_t prefix[kFilePrefixBytes];
    size_t have = static_cast<size_t>(std::min<uint64_t>(size, sizeof prefix));
    if (!source_->read(0, prefix, have))
        return bad("read error in the header");
    if (std::memcmp(prefix, kRecordingMagic, std::min(have, sizeof kRecordingMagic)) != 0)
        return bad("not a recording (bad magic)");
    if (have < kFilePrefixBytes)
        return bad("recording truncated inside its header (" + str(size) + " bytes)");
    uint32_t version = load_le32(prefix + 8);
    if (version > kRecordingFormatVersion)
        return bad("recording format version " + str(version) + " is newer than this build reads (version " +
                   str(kRecordingFormatVersion) + ")");
    if (version != kRecordingFormatVersion)
        return bad("recording format version " + str(version) + " is not supported (this build reads version " +
                   str(kRecordingFormatVersion) + "): record the run again with this build");
    uint64_t header_size = load_le32(prefix + 12);
    if (header_size < kFilePrefixBytes + 8 || header_size > kMaxHeaderBytes)
        return bad("header size " + str(header_size) + " is out of range");
    if (header_size > size)
        return bad("recording truncated inside its header (header is " + str(header_size) + " bytes, file is " +
                   str(size) + ")");

    header_bytes_.resize(header_size);
    if (!source_->read(0, header_bytes_.data(), header_size))
        return bad("read error in the header");
    if (load_le64(header_bytes_.data() + header_size - 8) != XXH3_64bits(header_bytes_.data(), header_size - 8))
        return bad("header checksum mismatch");

    ByteReader d(std::span<const uint8_t>(header_bytes_).first(header_size - 8));
    std::span<const uint8_t> skip, payload;
    uint32_t payload_size, blobs;
    header_.format_version = version;
    header_.header_bytes = header_size;
    if (!d.bytes(kFilePrefixBytes, skip) || !d.str(header_.tool_version, kMaxToolVersionBytes) ||
        !d.u32(payload_size) || payload_size > kMaxHeaderPayloadBytes || !d.bytes(payload_size, payload) ||
        !d.u32(blobs) || blobs > kMaxBlobs)
        return bad("malformed header");
    header_.payload.assign(payload.begin(), payload.end());
    for (uint32_t i = 0; i < blobs; ++i) {
        RecordingBlobInfo b;
        uint8_t embedded;
        if (!d.str(b.name, kMaxBlobNameBytes) || !d.u64(b.size) || b.size > kMaxBlobBytes || !d.u64(b.hash_high) ||
            !d.u64(b.hash_low) || !d.u8(embedded) || embedded > 1)
            return bad("malformed header (blob " + str(i) + ")");
        std::span<const uint8_t> data;
        if (embedded) {
            uint64_t compressed;
            if (!d.u64(compressed) || compressed > d.remaining() || !d.bytes(compressed, data))
                return bad("malformed header (blob " + str(i) + ")");
        }
        b.embedded = embedded == 1;
        header_.blobs.push_back(std::move(b));
        blob_data_.push_back(data);
    }
    if (d.remaining() != 0)
        return bad("malformed header (" + str(d.remaining()) + " unexplained bytes)");
    pos_ = data_end_ = header_size;
    return Done{};
}

Result<Done> RecordingReader::read_footer()
{
    uint64_t size = source_->size();
    data_end_ = size;
    if (size < header_.header_bytes + kIndexFixedBytes + kFooterBytes)
        return Done{};
    uint8_t footer[kFooterBytes];
    if (!source_->read(size - kFooterBytes, footer, kFooterBytes))
        return bad("read error in the footer");
    // Without the footer magic the recorder stopped before finish(): read what is there.
    if (std::memcmp(footer + 16, kFooterMagic, sizeof kFooterMagic) != 0)
        return Done{};
    uint64_t index_offset = load_le64(footer);
    if (load_le64(footer + 8) != XXH3_64bits(footer, 8))
        return bad("footer at offset " + str(size - kFooterBytes) + ": checksum mismatch");
    uint64_t index_end = size - kFooterBytes;
    if (index_offset < header_.header_bytes || index_offset > index_end ||
        index_end - index_offset < kIndexFixedBytes)
        return bad("footer: index offset " + str(index_offset) + " is out of range");
    uint64_t index_size = index_end - index_offset;
    // The index holds one entry per chunk and each chunk is larger than an entry, so a valid
    // index is never larger than the chunk area it describes.
    if (index_size > index_offset)
        return bad("index at offset " + str(index_offset) + ": implausible size " + str(index_size));
    std::vector<uint8_t> raw(index_size);
    if (!source_->read(index_offset, raw.data(), index_size))
        return bad("read error in the index");
    auto bad_index = [&](const std::string& why) { return bad("index at offset " + str(index_offset) + ": " + why); };
    if (load_le64(raw.data() + index_size - 8) != XXH3_64bits(raw.data(), index_size - 8))
        return bad_index("checksum mismatch");
    ByteReader d(std::span<const uint8_t>(raw).first(index_size - 8));
    uint32_t magic, count;
    if (!d.u32(magic) || magic != kIndexMagic || !d.u32(count) || !d.u64(final_icount_) || !d.u64(total_events_))
        return bad_index("malformed");
    if (count > kMaxIndexChunks || uint64_t{count} * kIndexEntryBytes != d.remaining())
        return bad_index("chunk count " + str(count) + " does not match its size");
    index_.resize(count);
    for (RecordingChunkInfo& c : index_) {
        if (!d.u64(c.offset) || !d.u64(c.first_icount) || !d.u64(c.last_icount) || !d.u32(c.events))
            return bad_index("malformed");
    }
    complete_ = true;
    data_end_ = index_offset;
    return Done{};
}

Result<std::vector<uint8_t>> RecordingReader::blob_bytes(size_t i) const
{
    if (i >= header_.blobs.size())
        return Error{ExitStatus::Internal, name_ + ": no blob " + str(i)};
    const RecordingBlobInfo& b = header_.blobs[i];
    if (!b.embedded)
        return bad("blob " + b.name + " is recorded by hash only, its bytes are not in the recording");
    std::span<const uint8_t> z = blob_data_[i];
    if (ZSTD_getFrameContentSize(z.data(), z.size()) != b.size)
        return bad("blob " + b.name + ": compressed size does not match its size " + str(b.size));
    std::vector<uint8_t> out(b.size);
    size_t n = ZSTD_decompressDCtx(dctx_.get(), out.data(), out.size(), z.data(), z.size());
    if (ZSTD_isError(n) || n != b.size)
        return bad("blob " + b.name + ": cannot decompress");
    XXH128_hash_t h = XXH3_128bits(out.data(), out.size());
    if (h.high64 != b.hash_high || h.low64 != b.hash_low)
        return bad("blob " + b.name + ": content hash mismatch");
    return out;
}

Result<bool> RecordingReader::load_chunk()
{
    uint64_t left = data_end_ - pos_;
    auto truncated = [&]() -> Result<bool> {
        if (complete_)
            return bad_chunk("runs past the index");
        end_.truncated_at_icount = end_.last_icount;
        end_.message = chunk_no_ == 0 ? "recording truncated before its first chunk"
                                      : "recording truncated after chunk " + str(chunk_no_ - 1) + " (icount " +
                                            str(end_.last_icount) + ")";
        return false;
    };
    if (left == 0) {
        if (!complete_)
            return truncated();
        if (chunk_no_ != index_.size())
            return bad("index lists " + str(index_.size()) + " chunks, the file has " + str(chunk_no_));
        if (end_.events != total_events_ || final_icount_ < end_.last_icount)
            return bad("index totals do not match the chunks");
        end_.complete = true;
        end_.final_icount = final_icount_;
        return false;
    }

    uint8_t h[kChunkHeaderBytes];
    size_t have = static_cast<size_t>(std::min<uint64_t>(left, kChunkHeaderBytes));
    if (!source_->read(pos_, h, have))
        return bad_chunk("read error");
    if (have >= 4 && load_le32(h) != kChunkMagic) {
        if (complete_ || load_le32(h) != kIndexMagic)
            return bad_chunk("bad chunk magic");
        // An index without a valid footer: a recorder killed while finishing leaves part of
        // them; when all of both are there, the footer itself is damaged.
        if (have < 8)
            return truncated();
        uint64_t whole = kIndexFixedBytes + uint64_t{load_le32(h + 4)} * kIndexEntryBytes + kFooterBytes;
        if (left < whole)
            return truncated();
        return bad("index at offset " + str(pos_) + " but the footer is damaged");
    }
    if (have < kChunkHeaderBytes)
        return truncated();
    if (load_le32(h + 44) != static_cast<uint32_t>(XXH3_64bits(h, 44)))
        return bad_chunk("chunk header checksum mismatch");
    uint32_t seq = load_le32(h + 4);
    uint64_t first = load_le64(h + 8), last = load_le64(h + 16);
    uint32_t count = load_le32(h + 24), compressed = load_le32(h + 28), raw_size = load_le32(h + 32);
    if (seq != chunk_no_)
        return bad_chunk("sequence number " + str(seq) + ", expected " + str(chunk_no_));
    if (raw_size > kMaxChunkBytes || compressed == 0 || compressed > ZSTD_compressBound(raw_size) || count == 0 ||
        count > raw_size / kMinEventBytes)
        return bad_chunk("implausible sizes (" + str(count) + " events, " + str(compressed) + " compressed bytes, " +
                         str(raw_size) + " bytes)");
    if (last < first || (chunk_no_ > 0 && first < end_.last_icount))
        return bad_chunk("icount range " + str(first) + ".." + str(last) + " out of order");
    if (compressed > left - kChunkHeaderBytes)
        return truncated();
    if (complete_) {
        if (chunk_no_ >= index_.size())
            return bad_chunk("not in the index");
        const RecordingChunkInfo& e = index_[chunk_no_];
        if (e.offset != pos_ || e.first_icount != first || e.last_icount != last || e.events != count)
            return bad_chunk("does not match its index entry");
    }

    std::vector<uint8_t> z(compressed);
    if (!source_->read(pos_ + kChunkHeaderBytes, z.data(), compressed))
        return bad_chunk("read error");
    if (load_le64(h + 36) != XXH3_64bits(z.data(), z.size()))
        return bad_chunk("checksum mismatch");
    if (ZSTD_getFrameContentSize(z.data(), z.size()) != raw_size)
        return bad_chunk("compressed size does not match the event bytes");
    chunk_.resize(raw_size);
    size_t n = ZSTD_decompressDCtx(dctx_.get(), chunk_.data(), chunk_.size(), z.data(), z.size());
    if (ZSTD_isError(n) || n != raw_size)
        return bad_chunk("cannot decompress");

    // Decode the whole chunk before handing out any of its events, so a malformed chunk never
    // yields a partial prefix.
    events_.clear();
    ByteReader d(chunk_);
    uint64_t icount = 0;
    for (uint32_t i = 0; i < count; ++i) {
        uint64_t delta, len;
        uint16_t id;
        std::span<const uint8_t> payload;
        if (!d.varint(delta) || delta > UINT64_MAX - icount || !d.u16(id) || !d.varint(len) ||
            len > kMaxEventPayloadBytes || !d.bytes(len, payload))
            return bad_chunk("malformed event " + str(i));
        std::optional<EventKind> kind = event_kind_from_id(id);
        if (!kind)
            return bad_chunk("event " + str(i) + " has unknown kind " + str(id));
        icount += delta;
        events_.push_back({icount, *kind, static_cast<uint32_t>(payload.data() - chunk_.data()),
                           static_cast<uint32_t>(len)});
    }
    if (d.remaining() != 0)
        return bad_chunk(str(d.remaining()) + " bytes after the last event");
    if (events_.front().icount != first || events_.back().icount != last)
        return bad_chunk("events do not match the chunk's icount range");

    next_event_ = 0;
    chunk_icount_before_ = end_.last_icount;
    current_chunk_ = RecordingChunkStats{chunk_no_, pos_, first, last, count, compressed, raw_size};
    pos_ += kChunkHeaderBytes + compressed;
    ++chunk_no_;
    end_.chunks = chunk_no_;
    end_.last_icount = last;
    return true;
}

Result<bool> RecordingReader::next(RecordingEvent& ev)
{
    if (failed_)
        return *failed_;
    if (ended_)
        return false;
    while (next_event_ == events_.size()) {
        Result<bool> loaded = load_chunk();
        if (!loaded) {
            failed_ = loaded.error();
            return *failed_;
        }
        if (!loaded.value()) {
            ended_ = true;
            return false;
        }
    }
    const EventRef& e = events_[next_event_++];
    ev.icount = e.icount;
    ev.kind = e.kind;
    ev.payload = std::span<const uint8_t>(chunk_).subspan(e.offset, e.size);
    ++end_.events;
    return true;
}

RecordingPosition RecordingReader::position() const
{
    if (next_event_ < events_.size())
        return {current_chunk_.offset, current_chunk_.number, static_cast<uint32_t>(next_event_),
                end_.events - next_event_, chunk_icount_before_};
    return {pos_, chunk_no_, 0, end_.events, end_.last_icount};
}

Result<Done> RecordingReader::seek(const RecordingPosition& at)
{
    if (failed_)
        return *failed_;
    if (at.chunk_offset < header_.header_bytes || at.chunk_offset > data_end_)
        return Error{ExitStatus::Internal, name_ + ": seek to offset " + str(at.chunk_offset) + " outside the chunks"};
    pos_ = at.chunk_offset;
    chunk_no_ = at.chunk;
    ended_ = false;
    events_.clear();
    next_event_ = 0;
    end_ = RecordingEnd{};
    end_.chunks = at.chunk;
    end_.events = at.events_before;
    end_.last_icount = at.icount_before;
    Result<bool> loaded = load_chunk();
    if (!loaded) {
        failed_ = loaded.error();
        return *failed_;
    }
    if (!*loaded) {
        ended_ = true;
        return at.event == 0 ? Result<Done>(Done{}) : Result<Done>(bad_chunk("missing where a seek expects it"));
    }
    if (at.event > events_.size())
        return Error{ExitStatus::Internal, name_ + ": seek past the end of chunk " + str(at.chunk)};
    next_event_ = at.event;
    end_.events += at.event;
    return Done{};
}

}  // namespace emu
