#include "replay/format/recording_format.h"

namespace emu {

const char* event_kind_name(EventKind kind)
{
    switch (kind) {
#define RR_EVENT(name, id, payload, cls) \
    case EventKind::name: \
        return #name;
#include "replay/format/events.inc"
#undef RR_EVENT
    }
    return "unknown";
}

std::optional<EventKind> event_kind_from_id(uint16_t id)
{
    switch (static_cast<EventKind>(id)) {
#define RR_EVENT(name, id, payload, cls) \
    case EventKind::name: \
        return EventKind::name;
#include "replay/format/events.inc"
#undef RR_EVENT
    }
    return std::nullopt;
}

void ByteWriter::varint(uint64_t v)
{
    while (v >= 0x80) {
        bytes.push_back(static_cast<uint8_t>(v | 0x80));
        v >>= 7;
    }
    bytes.push_back(static_cast<uint8_t>(v));
}

void ByteWriter::str(const std::string& s)
{
    u32(static_cast<uint32_t>(s.size()));
    raw(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

bool ByteReader::le(uint64_t& v, int n)
{
    if (remaining() < static_cast<size_t>(n))
        return false;
    v = 0;
    for (int i = 0; i < n; ++i)
        v |= uint64_t{b_[pos_ + i]} << (8 * i);
    pos_ += n;
    return true;
}

bool ByteReader::u8(uint8_t& v)
{
    uint64_t x;
    if (!le(x, 1))
        return false;
    v = static_cast<uint8_t>(x);
    return true;
}

bool ByteReader::u16(uint16_t& v)
{
    uint64_t x;
    if (!le(x, 2))
        return false;
    v = static_cast<uint16_t>(x);
    return true;
}

bool ByteReader::u32(uint32_t& v)
{
    uint64_t x;
    if (!le(x, 4))
        return false;
    v = static_cast<uint32_t>(x);
    return true;
}

bool ByteReader::u64(uint64_t& v) { return le(v, 8); }

bool ByteReader::varint(uint64_t& v)
{
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t b;
        if (!u8(b))
            return false;
        // The tenth byte may only supply the top bit of a 64-bit value.
        if (shift == 63 && b > 1)
            return false;
        v |= uint64_t{b & 0x7fu} << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

bool ByteReader::bytes(size_t n, std::span<const uint8_t>& out)
{
    if (remaining() < n)
        return false;
    out = b_.subspan(pos_, n);
    pos_ += n;
    return true;
}

bool ByteReader::str(std::string& s, size_t limit)
{
    uint32_t n;
    std::span<const uint8_t> b;
    if (!u32(n) || n > limit || !bytes(n, b))
        return false;
    s.assign(b.begin(), b.end());
    return true;
}

uint64_t load_le64(const uint8_t* p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v |= uint64_t{p[i]} << (8 * i);
    return v;
}

uint32_t load_le32(const uint8_t* p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= uint32_t{p[i]} << (8 * i);
    return v;
}

}  // namespace emu
