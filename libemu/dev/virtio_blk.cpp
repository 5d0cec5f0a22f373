#include "dev/virtio_blk.h"

#include <algorithm>
#include <vector>

#include "core/state_archive.h"

namespace emu {

namespace {

// Feature bits ("Feature bits" of the block device).
constexpr unsigned kFeatureSegMax = 2;
constexpr unsigned kFeatureRo = 5;
constexpr unsigned kFeatureFlush = 9;
// Request types and status values.
constexpr uint32_t kTypeIn = 0;
constexpr uint32_t kTypeOut = 1;
constexpr uint32_t kTypeFlush = 4;
constexpr uint32_t kTypeGetId = 8;
constexpr uint8_t kStatusOk = 0;
constexpr uint8_t kStatusIoErr = 1;
constexpr uint8_t kStatusUnsupported = 2;
constexpr uint64_t kHeaderBytes = 16;  // type, reserved, sector
// A chain's data is copied through a bounce buffer of at most this size at a time.
constexpr uint64_t kBounceBytes = 1 << 20;

uint64_t le(const uint8_t* p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i)
        v |= uint64_t{p[i]} << (8 * i);
    return v;
}

void put_le(std::vector<uint8_t>& out, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; ++i)
        out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

VirtioBlk::VirtioBlk(Bus& bus, VirtualClock& clock, VirtioMmioVersion version, std::span<const uint8_t> image,
                     ReadOnly ro, std::string id)
    : VirtioMmio(bus, version, virtio::kBlockDevice, {kQueueSize}),
      clock_(clock),
      disk_(image),
      read_only_(ro),
      id_(std::move(id))
{
    timer_ = clock_.add_timer([this] { complete_requests(); });
}

uint64_t VirtioBlk::device_features() const
{
    uint64_t f = uint64_t{1} << kFeatureSegMax | uint64_t{1} << kFeatureFlush;
    if (read_only_ == ReadOnly::Yes)
        f |= uint64_t{1} << kFeatureRo;
    return f;
}

// capacity (in 512-byte sectors), size_max (0: none), seg_max, geometry (none), blk_size.
std::vector<uint8_t> VirtioBlk::config_space() const
{
    std::vector<uint8_t> c;
    put_le(c, disk_.size() / kSectorBytes, 8);
    put_le(c, 0, 4);
    put_le(c, kQueueSize - 2, 4);  // two descriptors of a chain are the header and the status
    put_le(c, 0, 4);
    put_le(c, kSectorBytes, 4);
    return c;
}

void VirtioBlk::queue_notified(unsigned)
{
    if (clock_.deadline(timer_) == VirtualClock::kNever)
        clock_.arm(timer_, clock_.ns() + kLatencyNs);
}

void VirtioBlk::device_reset() { clock_.disarm(timer_); }

void VirtioBlk::complete_requests()
{
    Virtqueue& q = queue(0);
    for (;;) {
        if (broken())
            return;
        VirtqChain chain;
        Virtqueue::Pop p = q.pop(bus_, chain);
        if (p == Virtqueue::Pop::Empty)
            return;
        if (p == Virtqueue::Pop::Malformed || !execute(chain)) {
            device_error();
            return;
        }
    }
}

uint8_t VirtioBlk::transfer_in(const VirtqChain& chain, uint64_t sector, uint64_t len)
{
    if (sector > disk_.size() / kSectorBytes || len % kSectorBytes != 0)
        return kStatusIoErr;
    std::vector<uint8_t> buf;
    for (uint64_t done = 0; done < len;) {
        buf.resize(std::min(kBounceBytes, len - done));
        if (!disk_.read(sector * kSectorBytes + done, buf))
            return kStatusIoErr;
        virtq_write(bus_, chain, done, buf.data(), buf.size());
        done += buf.size();
    }
    return kStatusOk;
}

uint8_t VirtioBlk::transfer_out(const VirtqChain& chain, uint64_t sector, uint64_t len)
{
    if (read_only_ == ReadOnly::Yes || sector > disk_.size() / kSectorBytes || len % kSectorBytes != 0 ||
        len > disk_.size() - sector * kSectorBytes)
        return kStatusIoErr;
    std::vector<uint8_t> buf;
    for (uint64_t done = 0; done < len;) {
        buf.resize(std::min(kBounceBytes, len - done));
        virtq_read(bus_, chain, kHeaderBytes + done, buf.data(), buf.size());
        if (!disk_.write(sector * kSectorBytes + done, buf))
            return kStatusIoErr;
        done += buf.size();
    }
    return kStatusOk;
}

bool VirtioBlk::execute(const VirtqChain& chain)
{
    uint8_t header[kHeaderBytes];
    uint64_t in_bytes = chain.writable_bytes();
    if (virtq_read(bus_, chain, 0, header, sizeof header) != sizeof header || in_bytes == 0)
        return false;  // no header or no status byte: not a request
    uint32_t type = static_cast<uint32_t>(le(header, 4));
    uint64_t sector = le(header + 8, 8);
    uint64_t data_in = in_bytes - 1;  // the status byte is the last writable one
    uint8_t status = kStatusUnsupported;
    switch (type) {
    case kTypeIn: status = transfer_in(chain, sector, data_in); break;
    case kTypeOut: status = transfer_out(chain, sector, chain.readable_bytes() - kHeaderBytes); break;
    case kTypeFlush: status = kStatusOk; break;  // writes are in the overlay as soon as they are made
    case kTypeGetId: {
        // As QEMU: the id and its terminating zero, as far as 20 bytes and the buffer allow.
        std::vector<uint8_t> id(id_.begin(), id_.end());
        id.push_back(0);
        id.resize(std::min<uint64_t>({id.size(), kIdBytes, data_in}));
        virtq_write(bus_, chain, 0, id.data(), id.size());
        status = kStatusOk;
        break;
    }
    default: break;
    }
    virtq_write(bus_, chain, in_bytes - 1, &status, 1);
    // As QEMU, the used length is the whole writable part.
    complete(0, chain.head, static_cast<uint32_t>(std::min<uint64_t>(in_bytes, UINT32_MAX)));
    return true;
}

void VirtioBlk::serialize_device(StateArchive& a)
{
    a.section("virtio-blk", 1);
    disk_.serialize(a);
}

}  // namespace emu
