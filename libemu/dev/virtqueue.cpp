#include "dev/virtqueue.h"

#include <algorithm>

#include "core/state_archive.h"

namespace emu {

namespace {

// Descriptor flags (virtio 1.x, "The Virtqueue Descriptor Table").
constexpr uint16_t kDescNext = 1;
constexpr uint16_t kDescWrite = 2;
constexpr uint16_t kDescIndirect = 4;
constexpr uint16_t kAvailNoInterrupt = 1;
constexpr uint64_t kDescBytes = 16;
// An indirect table longer than this is refused: the spec sets no bound beyond the u32 length,
// and the host should not walk millions of entries a guest made up.
constexpr uint32_t kMaxIndirect = 4096;

struct Desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

bool read_desc(Bus& bus, uint64_t at, Desc& d)
{
    uint8_t raw[kDescBytes];
    if (!bus.read_bytes(at, raw, sizeof raw))
        return false;
    auto le = [&raw](unsigned off, unsigned n) {
        uint64_t v = 0;
        for (unsigned i = 0; i < n; ++i)
            v |= uint64_t{raw[off + i]} << (8 * i);
        return v;
    };
    d = Desc{le(0, 8), static_cast<uint32_t>(le(8, 4)), static_cast<uint16_t>(le(12, 2)), static_cast<uint16_t>(le(14, 2))};
    return true;
}

bool read_u16(Bus& bus, uint64_t at, uint16_t& v)
{
    uint8_t b[2];
    if (!bus.read_bytes(at, b, 2))
        return false;
    v = static_cast<uint16_t>(b[0] | b[1] << 8);
    return true;
}

bool write_le(Bus& bus, uint64_t at, uint64_t v, unsigned n)
{
    uint8_t b[8];
    for (unsigned i = 0; i < n; ++i)
        b[i] = static_cast<uint8_t>(v >> (8 * i));
    return bus.write_bytes(at, b, n);
}

// Adds a descriptor's buffer to the chain: readable ones must all come before writable ones,
// and every buffer must be guest RAM.
bool add_segment(Bus& bus, const Desc& d, VirtqChain& out)
{
    if (d.len != 0 && !bus.ram_at(d.addr, d.len))
        return false;
    if (d.flags & kDescWrite) {
        out.writable.push_back({d.addr, d.len});
        return true;
    }
    if (!out.writable.empty())
        return false;
    out.readable.push_back({d.addr, d.len});
    return true;
}

}  // namespace

uint64_t VirtqChain::readable_bytes() const
{
    uint64_t n = 0;
    for (const VirtqSegment& s : readable)
        n += s.len;
    return n;
}

uint64_t VirtqChain::writable_bytes() const
{
    uint64_t n = 0;
    for (const VirtqSegment& s : writable)
        n += s.len;
    return n;
}

bool Virtqueue::set_ready(bool ready)
{
    bool valid_size = size_ != 0 && size_ <= max_size_ && (size_ & (size_ - 1)) == 0;
    ready_ = ready && valid_size;
    return ready_ == ready;
}

void Virtqueue::reset()
{
    size_ = max_size_;
    ready_ = false;
    desc_ = avail_ = used_ = 0;
    last_avail_ = used_idx_ = 0;
}

bool Virtqueue::has_chain(Bus& bus) const
{
    uint16_t idx = 0;
    return ready_ && read_u16(bus, avail_ + 2, idx) && idx != last_avail_;
}

Virtqueue::Pop Virtqueue::read_chain(Bus& bus, uint16_t head, VirtqChain& out) const
{
    out = VirtqChain{};
    out.head = head;
    if (head >= size_)
        return Pop::Malformed;
    Desc d;
    if (!read_desc(bus, desc_ + kDescBytes * head, d))
        return Pop::Malformed;
    if (d.flags & kDescIndirect) {
        // The chain is the indirect table: the only descriptor in the ring's chain.
        if ((d.flags & kDescNext) || d.len == 0 || d.len % kDescBytes != 0 || d.len / kDescBytes > kMaxIndirect)
            return Pop::Malformed;
        uint32_t entries = static_cast<uint32_t>(d.len / kDescBytes);
        uint64_t table = d.addr;
        uint32_t i = 0;
        for (uint32_t seen = 0;; ++seen) {
            Desc e;
            if (seen >= entries || !read_desc(bus, table + kDescBytes * i, e) || (e.flags & kDescIndirect) ||
                !add_segment(bus, e, out))
                return Pop::Malformed;
            if (!(e.flags & kDescNext))
                return Pop::Ok;
            if (e.next >= entries)
                return Pop::Malformed;
            i = e.next;
        }
    }
    for (uint32_t seen = 0;; ++seen) {
        if (seen >= size_ || !add_segment(bus, d, out))
            return Pop::Malformed;
        if (!(d.flags & kDescNext))
            return Pop::Ok;
        // An indirect descriptor is allowed only as the head.
        if (d.next >= size_ || !read_desc(bus, desc_ + kDescBytes * d.next, d) || (d.flags & kDescIndirect))
            return Pop::Malformed;
    }
}

Virtqueue::Pop Virtqueue::peek(Bus& bus, VirtqChain& out) const
{
    if (!ready_)
        return Pop::Empty;
    uint16_t idx = 0;
    if (!read_u16(bus, avail_ + 2, idx))
        return Pop::Malformed;
    if (idx == last_avail_)
        return Pop::Empty;
    // The driver cannot have made more chains available than the ring holds.
    if (static_cast<uint16_t>(idx - last_avail_) > size_)
        return Pop::Malformed;
    uint16_t head = 0;
    if (!read_u16(bus, avail_ + 4 + 2 * uint64_t{static_cast<uint16_t>(last_avail_ % size_)}, head))
        return Pop::Malformed;
    return read_chain(bus, head, out);
}

Virtqueue::Pop Virtqueue::pop(Bus& bus, VirtqChain& out)
{
    Pop p = peek(bus, out);
    if (p == Pop::Ok)
        last_avail_++;
    return p;
}

bool Virtqueue::push(Bus& bus, uint16_t head, uint32_t written)
{
    uint64_t entry = used_ + 4 + 8 * uint64_t{static_cast<uint16_t>(used_idx_ % size_)};
    if (!write_le(bus, entry, head, 4) || !write_le(bus, entry + 4, written, 4))
        return false;
    used_idx_++;
    // The entry is written before the index that publishes it, as the driver reads them.
    return write_le(bus, used_ + 2, used_idx_, 2);
}

bool Virtqueue::wants_interrupt(Bus& bus) const
{
    uint16_t flags = 0;
    return !read_u16(bus, avail_, flags) || !(flags & kAvailNoInterrupt);
}

void Virtqueue::serialize(StateArchive& a)
{
    a.section("virtq", 1);
    a.field("size", size_);
    a.field("ready", ready_);
    a.field("desc", desc_);
    a.field("avail", avail_);
    a.field("used", used_);
    a.field("last_avail", last_avail_);
    a.field("used_idx", used_idx_);
}

uint64_t virtq_read(Bus& bus, const VirtqChain& chain, uint64_t offset, void* out, uint64_t len)
{
    uint8_t* dst = static_cast<uint8_t*>(out);
    uint64_t done = 0;
    for (const VirtqSegment& s : chain.readable) {
        if (done == len)
            break;
        if (offset >= s.len) {
            offset -= s.len;
            continue;
        }
        uint64_t n = std::min<uint64_t>(s.len - offset, len - done);
        if (!bus.read_bytes(s.addr + offset, dst + done, n))
            break;
        done += n;
        offset = 0;
    }
    return done;
}

uint64_t virtq_write(Bus& bus, const VirtqChain& chain, uint64_t offset, const void* data, uint64_t len)
{
    const uint8_t* src = static_cast<const uint8_t*>(data);
    uint64_t done = 0;
    for (const VirtqSegment& s : chain.writable) {
        if (done == len)
            break;
        if (offset >= s.len) {
            offset -= s.len;
            continue;
        }
        uint64_t n = std::min<uint64_t>(s.len - offset, len - done);
        if (!bus.write_bytes(s.addr + offset, src + done, n))
            break;
        done += n;
        offset = 0;
    }
    return done;
}

}  // namespace emu
