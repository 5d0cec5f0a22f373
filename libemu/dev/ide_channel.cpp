#include "dev/ide_channel.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/state_archive.h"

namespace emu {

namespace {

constexpr uint8_t kNien = 0x02, kSrst = 0x04, kHob = 0x80;
constexpr uint8_t kDeviceLba = 0x40, kDeviceAlwaysOn = 0xa0;
constexpr uint64_t kMaxLba28 = 0x0fffffff;

// What QEMU 7.2's IDE disks answer in IDENTIFY: model, firmware revision, and a serial
// "QM000" + drive number when none is given.
constexpr const char* kModel = "QEMU HARDDISK";
constexpr const char* kFirmware = "2.5+";

// ATA strings: two characters per word, the first in the high byte, padded with spaces.
void put_string(std::array<uint8_t, 512>& id, unsigned word, unsigned words, const std::string& s)
{
    for (unsigned i = 0; i < 2 * words; ++i) {
        char c = i < s.size() ? s[i] : ' ';
        id[2 * word + (i ^ 1)] = static_cast<uint8_t>(c);
    }
}

void put_word(std::array<uint8_t, 512>& id, unsigned word, uint16_t v)
{
    id[2 * word] = static_cast<uint8_t>(v);
    id[2 * word + 1] = static_cast<uint8_t>(v >> 8);
}

}  // namespace

IdeChannel::IdeChannel(VirtualClock& clock, std::string name)
    : clock_(clock), timer_(clock.add_timer([this] { finish(); })), name_(std::move(name))
{
}

void IdeChannel::attach(unsigned drive, const IdeDriveConfig& config)
{
    Drive& d = drives_[drive];
    d.disk = std::make_unique<DiskOverlay>(config.image);
    d.read_only = config.read_only;
    d.serial = config.serial;
    d.status = kDrdy | kDsc;
    d.error = 0x01;  // diagnostics passed, as after power-on
    count_ = lba_low_ = 1;  // the ATA signature
    device_ = kDeviceAlwaysOn;
}

uint8_t IdeChannel::status() const
{
    const Drive* d = selected();
    return d ? d->status : 0;
}

uint32_t IdeChannel::read_command_block(unsigned r, unsigned size)
{
    bool hob = control_ & kHob;
    Drive* d = selected();
    bool any = drives_[0].disk || drives_[1].disk;
    switch (r) {
    case 0: {
        if (!d || phase_ != Phase::PioIn)
            return 0;
        uint32_t v = 0;
        for (unsigned i = 0; i < size && buffer_pos_ < kSectorBytes; ++i)
            v |= uint32_t{buffer_[buffer_pos_++]} << (8 * i);
        if (buffer_pos_ == kSectorBytes) {
            bool block_done = moved_ % block_sectors_ == 0;
            if (remaining_ > 0 && load_next_sector()) {
                d->status = kDrdy | kDsc | kDrq;
                if (block_done)
                    raise_irq();
            } else if (phase_ == Phase::PioIn) {
                phase_ = Phase::Idle;
                d->status = kDrdy | kDsc;
            }
        }
        return v;
    }
    case 1: return d ? (hob ? hob_features_ : d->error) : 0;
    case 2: return any ? (hob ? hob_count_ : count_) : 0;
    case 3: return any ? (hob ? hob_lba_low_ : lba_low_) : 0;
    case 4: return any ? (hob ? hob_lba_mid_ : lba_mid_) : 0;
    case 5: return any ? (hob ? hob_lba_high_ : lba_high_) : 0;
    case 6: return any ? device_ : 0;
    case 7:
        irq_pending_ = false;
        irq.set(false);
        return status();
    }
    return 0xff;
}

void IdeChannel::write_command_block(unsigned r, uint32_t value, unsigned size)
{
    uint8_t b = static_cast<uint8_t>(value);
    if (r != 0 && r != 7)
        control_ &= ~kHob;  // a write to the task file ends reading its high bytes
    switch (r) {
    case 0: {
        Drive* d = selected();
        if (!d || phase_ != Phase::PioOut)
            return;
        for (unsigned i = 0; i < size && buffer_pos_ < kSectorBytes; ++i)
            buffer_[buffer_pos_++] = static_cast<uint8_t>(value >> (8 * i));
        if (buffer_pos_ == kSectorBytes)
            store_sector();
        return;
    }
    case 1: hob_features_ = features_, features_ = b; return;
    case 2: hob_count_ = count_, count_ = b; return;
    case 3: hob_lba_low_ = lba_low_, lba_low_ = b; return;
    case 4: hob_lba_mid_ = lba_mid_, lba_mid_ = b; return;
    case 5: hob_lba_high_ = lba_high_, lba_high_ = b; return;
    case 6: device_ = b | kDeviceAlwaysOn; return;
    case 7: {
        Drive* d = selected();
        // Commands to an absent drive, and while the drive is busy or moving data, are ignored.
        if (!d || (d->status & (kBsy | kDrq)))
            return;
        irq_pending_ = false;
        irq.set(false);
        execute(b);
        return;
    }
    }
}

void IdeChannel::write_device_control(uint8_t value)
{
    uint8_t old = control_;
    control_ = value;
    if (!(old & kSrst) && (value & kSrst)) {
        clock_.disarm(timer_);
        phase_ = Phase::Idle;
        op_ = Op::None;
        for (Drive& d : drives_)
            if (d.disk)
                d.status = kBsy | kDsc;
    } else if ((old & kSrst) && !(value & kSrst)) {
        reset_drives();
    }
    irq.set(irq_pending_ && !(control_ & kNien));
}

void IdeChannel::reset_drives()
{
    for (Drive& d : drives_) {
        if (!d.disk)
            continue;
        d.status = kDrdy | kDsc;
        d.error = 0x01;
        d.multiple = kMaxMultipleSectors;
    }
    count_ = lba_low_ = 1;
    lba_mid_ = lba_high_ = 0;
    device_ = kDeviceAlwaysOn;
}

void IdeChannel::execute(uint8_t command)
{
    Drive& d = *selected();
    d.error = 0;
    switch (command) {
    case 0xec: start(Op::Identify, false); return;
    case 0x20: case 0x21: start(Op::Read, false); return;
    case 0x24: start(Op::Read, true); return;
    case 0x30: case 0x31: start(Op::Write, false); return;
    case 0x34: start(Op::Write, true); return;
    case 0xc4: case 0x29: case 0xc5: case 0x39:  // READ/WRITE MULTIPLE (EXT): blocks of `multiple`
        if (d.multiple == 0)
            break;
        start(command == 0xc4 || command == 0x29 ? Op::Read : Op::Write, command == 0x29 || command == 0x39,
              d.multiple);
        return;
    case 0xc6:  // SET MULTIPLE MODE: a power of two up to kMaxMultipleSectors, or 0 for none
        if (count_ > kMaxMultipleSectors || (count_ & (count_ - 1)) != 0)
            break;
        d.multiple = count_;
        start(Op::NoData, false);
        return;
    case 0xc8: case 0xc9: start(Op::ReadDma, false); return;
    case 0x25: start(Op::ReadDma, true); return;
    case 0xca: case 0xcb: start(Op::WriteDma, false); return;
    case 0x35: start(Op::WriteDma, true); return;
    case 0xe7: case 0xea: start(Op::Flush, false); return;
    case 0x91:  // INITIALIZE DEVICE PARAMETERS: the CHS translation
        d.sectors_per_track = count_;
        d.heads = static_cast<uint16_t>((device_ & 0x0f) + 1);
        start(Op::NoData, false);
        return;
    case 0xe5: case 0x98:  // CHECK POWER MODE: active or idle
        count_ = 0xff;
        start(Op::NoData, false);
        return;
    case 0xef:  // SET FEATURES: transfer mode, write cache, look-ahead, defaults on reset
        switch (features_) {
        case 0x02: case 0x03: case 0x55: case 0x66: case 0x82: case 0xaa: case 0xcc:
            start(Op::NoData, false);
            return;
        }
        break;
    case 0x40: case 0x41: case 0x42:  // READ VERIFY SECTORS (EXT): nothing to check
    case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0x94: case 0x95: case 0x96: case 0x97:
        start(Op::NoData, false);
        return;
    default:
        if (command >= 0x70 && command <= 0x7f) {  // SEEK
            start(Op::NoData, false);
            return;
        }
        break;
    }
    abort();
}

void IdeChannel::start(Op op, bool lba48, unsigned block)
{
    Drive& d = *selected();
    op_ = op;
    block_sectors_ = block;
    moved_ = 0;
    if (op == Op::Read || op == Op::Write || op == Op::ReadDma || op == Op::WriteDma) {
        uint64_t lba;
        uint32_t count;
        if (lba48) {
            count = uint32_t{hob_count_} << 8 | count_;
            count = count ? count : 65536;
            lba = uint64_t{hob_lba_high_} << 40 | uint64_t{hob_lba_mid_} << 32 | uint64_t{hob_lba_low_} << 24 |
                  uint64_t{lba_high_} << 16 | uint64_t{lba_mid_} << 8 | lba_low_;
        } else {
            count = count_ ? count_ : 256;
            if (device_ & kDeviceLba) {
                lba = uint64_t{device_ & 0x0fu} << 24 | uint64_t{lba_high_} << 16 | uint64_t{lba_mid_} << 8 | lba_low_;
            } else {
                uint64_t cylinder = uint64_t{lba_high_} << 8 | lba_mid_;
                if (lba_low_ == 0 || lba_low_ > d.sectors_per_track || (device_ & 0x0fu) >= d.heads) {
                    abort();
                    return;
                }
                lba = (cylinder * d.heads + (device_ & 0x0fu)) * d.sectors_per_track + lba_low_ - 1;
            }
        }
        // PIO checks each sector as it comes to it (a read running past the end delivers the
        // sectors before it, as QEMU's does); DMA checks the whole transfer first.
        bool writes = op == Op::Write || op == Op::WriteDma;
        bool dma = op == Op::ReadDma || op == Op::WriteDma;
        if ((dma ? lba + count : lba + 1) > total_sectors(d) || (writes && d.read_only)) {
            abort();
            return;
        }
        lba_ = lba;
        remaining_ = count;
    }
    if (op == Op::Write) {
        // PIO data-out: the first block is asked for at once, with no interrupt.
        phase_ = Phase::PioOut;
        buffer_pos_ = 0;
        d.status = kDrdy | kDsc | kDrq;
        return;
    }
    if (op == Op::ReadDma || op == Op::WriteDma) {
        phase_ = Phase::DmaWait;
        d.status = kDrdy | kDsc | kDrq;  // not busy: a driver watches the bus-master status
        if (dma_active_)
            clock_.arm(timer_, clock_.ns() + kLatencyNs);
        return;
    }
    phase_ = Phase::Busy;
    d.status = kBsy | kDsc;
    clock_.arm(timer_, clock_.ns() + kLatencyNs);
}

void IdeChannel::set_dma_active(bool active)
{
    dma_active_ = active;
    if (phase_ != Phase::DmaWait)
        return;
    if (active)
        clock_.arm(timer_, clock_.ns() + kLatencyNs);
    else
        clock_.disarm(timer_);
}

void IdeChannel::finish()
{
    Drive* d = selected();
    if (!d)
        return;
    switch (op_) {
    case Op::Identify:
        buffer_ = identify(*d);
        buffer_pos_ = 0;
        remaining_ = 0;
        phase_ = Phase::PioIn;
        d->status = kDrdy | kDsc | kDrq;
        raise_irq();
        return;
    case Op::Read:
        if (!load_next_sector())
            return;
        d->status = kDrdy | kDsc | kDrq;
        raise_irq();
        return;
    case Op::ReadDma:
    case Op::WriteDma: transfer_dma(); return;
    case Op::Write:
    case Op::Flush:
    case Op::NoData: complete(kDrdy | kDsc); return;
    case Op::None: return;
    }
}

bool IdeChannel::load_next_sector()
{
    Drive& d = *selected();
    if (!d.disk->read(lba_ * kSectorBytes, buffer_)) {
        abort();
        return false;
    }
    lba_++;
    remaining_--;
    moved_++;
    buffer_pos_ = 0;
    phase_ = Phase::PioIn;
    return true;
}

void IdeChannel::store_sector()
{
    Drive& d = *selected();
    if (!d.disk->write(lba_ * kSectorBytes, buffer_)) {
        abort();
        return;
    }
    lba_++;
    remaining_--;
    moved_++;
    buffer_pos_ = 0;
    if (remaining_ > 0) {
        d.status = kDrdy | kDsc | kDrq;
        if (moved_ % block_sectors_ == 0)
            raise_irq();
        return;
    }
    // The last block: busy until the write is done.
    phase_ = Phase::Busy;
    d.status = kBsy | kDsc;
    clock_.arm(timer_, clock_.ns() + kLatencyNs);
}

void IdeChannel::transfer_dma()
{
    Drive& d = *selected();
    std::vector<uint8_t> data(uint64_t{remaining_} * kSectorBytes);
    bool to_memory = op_ == Op::ReadDma;
    if (to_memory && !d.disk->read(lba_ * kSectorBytes, data)) {
        abort();
        return;
    }
    if (!dma_ || !dma_(data, to_memory)) {
        // The descriptors do not cover the transfer: nothing moves, and the command ends
        // without an interrupt or an error, as QEMU ends it.
        d.status = kDrdy | kDsc;
        phase_ = Phase::Idle;
        op_ = Op::None;
        return;
    }
    if (!to_memory && !d.disk->write(lba_ * kSectorBytes, data)) {
        abort();
        return;
    }
    lba_ += remaining_;
    remaining_ = 0;
    complete(kDrdy | kDsc);
}

void IdeChannel::complete(uint8_t status)
{
    selected()->status = status;
    phase_ = Phase::Idle;
    op_ = Op::None;
    raise_irq();
}

void IdeChannel::abort()
{
    Drive& d = *selected();
    d.error = kAbrt;
    complete(kDrdy | kErr);  // without DSC, as QEMU's
}

void IdeChannel::raise_irq()
{
    irq_pending_ = true;
    if (!(control_ & kNien))
        irq.set(true);
}

std::array<uint8_t, IdeChannel::kSectorBytes> IdeChannel::identify(const Drive& d) const
{
    std::array<uint8_t, kSectorBytes> id{};
    uint64_t sectors = total_sectors(d);
    // The default geometry QEMU guesses for a disk without a partition table.
    uint64_t cylinders = std::clamp<uint64_t>(sectors / (16 * 63), 2, 16383);
    uint16_t heads = 16, spt = 63;
    uint64_t lba28 = std::min(sectors, kMaxLba28);
    unsigned index = static_cast<unsigned>(&d - drives_.data());
    std::string serial = d.serial.empty() ? "QM0000" + std::to_string(index + 1) : d.serial;

    put_word(id, 0, 0x0040);  // fixed disk
    put_word(id, 1, static_cast<uint16_t>(cylinders));
    put_word(id, 3, heads);
    put_word(id, 4, static_cast<uint16_t>(512 * spt));
    put_word(id, 5, 512);
    put_word(id, 6, spt);
    put_string(id, 10, 10, serial);
    put_word(id, 20, 3);    // buffer type
    put_word(id, 21, 512);  // buffer size in sectors
    put_word(id, 22, 4);    // ECC bytes
    put_string(id, 23, 4, kFirmware);
    put_string(id, 27, 20, kModel);
    put_word(id, 47, 0x8000 | kMaxMultipleSectors);
    put_word(id, 48, 1);  // doubleword I/O
    put_word(id, 49, 1 << 11 | 1 << 9 | 1 << 8);  // IORDY, LBA, DMA
    put_word(id, 51, 0x200);  // PIO timing
    put_word(id, 52, 0x200);  // DMA timing
    put_word(id, 53, 1 | 1 << 1 | 1 << 2);  // words 54-58, 64-70 and 88 are valid
    put_word(id, 54, static_cast<uint16_t>(cylinders));
    put_word(id, 55, d.heads);
    put_word(id, 56, d.sectors_per_track);
    uint32_t chs = static_cast<uint32_t>(cylinders * d.heads * d.sectors_per_track);
    put_word(id, 57, static_cast<uint16_t>(chs));
    put_word(id, 58, static_cast<uint16_t>(chs >> 16));
    if (d.multiple)
        put_word(id, 59, 0x100 | d.multiple);
    put_word(id, 60, static_cast<uint16_t>(lba28));
    put_word(id, 61, static_cast<uint16_t>(lba28 >> 16));
    put_word(id, 62, 0x07);  // single-word DMA 0-2
    put_word(id, 63, 0x07);  // multiword DMA 0-2
    put_word(id, 64, 0x03);  // PIO 3 and 4
    put_word(id, 65, 120);
    put_word(id, 66, 120);
    put_word(id, 67, 120);
    put_word(id, 68, 120);
    put_word(id, 80, 0xf0);  // ATA-4 to ATA-7
    put_word(id, 81, 0x16);
    put_word(id, 82, 1 << 14 | 1 << 5 | 1);  // NOP, write cache, SMART
    put_word(id, 83, 1 << 14 | 1 << 13 | 1 << 12 | 1 << 10);  // FLUSH CACHE EXT, FLUSH CACHE, LBA48
    put_word(id, 84, 1 << 14);
    put_word(id, 85, 1 << 14 | 1 << 5 | 1);
    put_word(id, 86, 1 << 13 | 1 << 12 | 1 << 10);
    put_word(id, 87, 1 << 14);
    put_word(id, 88, 0x3f | 1 << 13);  // UDMA 0-5, mode 5 selected
    put_word(id, 93, 1 | 1 << 14 | 0x2000);
    for (unsigned i = 0; i < 4; ++i)
        put_word(id, 100 + i, static_cast<uint16_t>(sectors >> (16 * i)));
    return id;
}

void IdeChannel::serialize(StateArchive& a)
{
    a.section("ide " + name_, 1);
    for (unsigned i = 0; i < 2; ++i) {
        Drive& d = drives_[i];
        bool present = d.disk != nullptr;
        a.field(i ? "slave" : "master", present);
        if (a.loading() && present != (d.disk != nullptr)) {
            a.fail("ide " + name_ + ": the snapshot's drives differ from this machine's");
            return;
        }
        if (!present)
            continue;
        a.field("status", d.status);
        a.field("error", d.error);
        a.field("heads", d.heads);
        a.field("sectors_per_track", d.sectors_per_track);
        a.field("multiple", d.multiple);
        d.disk->serialize(a);
    }
    a.field("features", features_);
    a.field("count", count_);
    a.field("lba_low", lba_low_);
    a.field("lba_mid", lba_mid_);
    a.field("lba_high", lba_high_);
    a.field("device", device_);
    a.field("hob_features", hob_features_);
    a.field("hob_count", hob_count_);
    a.field("hob_lba_low", hob_lba_low_);
    a.field("hob_lba_mid", hob_lba_mid_);
    a.field("hob_lba_high", hob_lba_high_);
    a.field("control", control_);
    a.field("irq_pending", irq_pending_);
    a.field("phase", phase_);
    a.field("op", op_);
    a.field("lba", lba_);
    a.field("remaining", remaining_);
    a.field("block_sectors", block_sectors_);
    a.field("moved", moved_);
    std::vector<uint8_t> buffer(buffer_.begin(), buffer_.end());
    a.blob("buffer", buffer);
    a.field("buffer_pos", buffer_pos_);
    a.field("dma_active", dma_active_);
    if (!a.loading())
        return;
    if (buffer.size() != kSectorBytes || buffer_pos_ > kSectorBytes || phase_ > Phase::DmaWait || op_ > Op::NoData ||
        block_sectors_ == 0) {
        a.fail("ide " + name_ + ": malformed state");
        return;
    }
    std::copy(buffer.begin(), buffer.end(), buffer_.begin());
    irq.restore_level(irq_pending_ && !(control_ & kNien));
}

}  // namespace emu
