// Recording format version 2: the constants, limits and byte encoding shared by
// RecordingWriter and RecordingReader. docs/recording-format.md describes every field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace emu {

// Bump when any byte of the layout changes meaning: a field, a limit the reader enforces,
// the event encoding, or an event kind's id. Adding an event kind does not need a bump
// (older readers refuse it by number), changing a payload of an existing kind does.
constexpr uint32_t kRecordingFormatVersion = 2;

// Shared with format version 0 (an early summary-only format), so old files are named as such.
constexpr uint8_t kRecordingMagic[8] = {'R', 'R', 'E', 'C', 'O', 'R', 'D', 0x1a};
constexpr uint8_t kFooterMagic[8] = {'R', 'R', 'E', 'N', 'D', '\r', '\n', 0x1a};
constexpr uint32_t kChunkMagic = 0x4b434852;  // "RHCK" read as little-endian bytes
constexpr uint32_t kIndexMagic = 0x58494852;  // "RHIX"

// Fixed sizes in bytes.
constexpr size_t kFilePrefixBytes = 16;   // magic, version, header size
constexpr size_t kChunkHeaderBytes = 48;  // see docs/recording-format.md, "Chunks"
constexpr size_t kIndexEntryBytes = 28;   // offset, first icount, last icount, event count
constexpr size_t kIndexFixedBytes = 32;   // magic, chunk count, final icount, event total, checksum
constexpr size_t kFooterBytes = 24;       // index offset, checksum, magic

// Limits. A reader checks every length against these before allocating, so a damaged or
// hostile file cannot make it allocate more than about kMaxHeaderBytes + 2 * kMaxChunkBytes.
constexpr uint64_t kMaxHeaderBytes = 1ull << 30;
constexpr size_t kMaxToolVersionBytes = 256;
constexpr size_t kMaxHeaderPayloadBytes = 16u << 20;
constexpr uint32_t kMaxBlobs = 1024;
constexpr size_t kMaxBlobNameBytes = 4096;
constexpr uint64_t kMaxBlobBytes = 1ull << 30;  // decompressed
constexpr size_t kMaxChunkBytes = 32u << 20;    // decompressed event bytes of one chunk
constexpr size_t kMaxEventPayloadBytes = 16u << 20;
constexpr size_t kMinEventBytes = 4;  // one-byte delta, two-byte kind, one-byte length
constexpr uint32_t kMaxIndexChunks = 1u << 28;

enum class EventKind : uint16_t {
#define RR_EVENT(name, id, payload, cls) name = id,
#include "replay/format/events.inc"
#undef RR_EVENT
};

const char* event_kind_name(EventKind kind);
// The kind with this id, or nothing for an id this build does not know.
std::optional<EventKind> event_kind_from_id(uint16_t id);

// Little-endian, position-independent encoding: no host layout ever reaches the file.
class ByteWriter {
public:
    void u8(uint8_t v) { bytes.push_back(v); }
    void u16(uint16_t v) { le(v, 2); }
    void u32(uint32_t v) { le(v, 4); }
    void u64(uint64_t v) { le(v, 8); }
    void varint(uint64_t v);
    void raw(std::span<const uint8_t> b) { bytes.insert(bytes.end(), b.begin(), b.end()); }
    void raw(const uint8_t* p, size_t n) { bytes.insert(bytes.end(), p, p + n); }
    // u32 length, then the bytes.
    void str(const std::string& s);

    std::vector<uint8_t> bytes;

private:
    void le(uint64_t v, int n)
    {
        for (int i = 0; i < n; ++i)
            bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
};

// Bounds-checked reads of the same encoding; every read fails rather than run past the end.
class ByteReader {
public:
    explicit ByteReader(std::span<const uint8_t> b) : b_(b) {}
    bool u8(uint8_t& v);
    bool u16(uint16_t& v);
    bool u32(uint32_t& v);
    bool u64(uint64_t& v);
    bool varint(uint64_t& v);
    // A span of n bytes inside the buffer.
    bool bytes(size_t n, std::span<const uint8_t>& out);
    bool str(std::string& s, size_t limit);
    size_t pos() const { return pos_; }
    size_t remaining() const { return b_.size() - pos_; }

private:
    bool le(uint64_t& v, int n);
    std::span<const uint8_t> b_;
    size_t pos_ = 0;
};

uint64_t load_le64(const uint8_t* p);
uint32_t load_le32(const uint8_t* p);

}  // namespace emu
