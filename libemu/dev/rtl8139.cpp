#include "dev/rtl8139.h"

#include <vector>

#include "core/state_archive.h"

namespace emu {

using namespace rtl8139;

namespace {

// TCR's hardware version (HWVERID) of an RTL8139C+, which the drivers identify the chip by.
constexpr uint32_t kTcrVersion = 0x74800000;
// Bits a write leaves alone, as QEMU keeps them: the version and reserved bits of TCR, the
// read-only ones of RCR (9356SEL, reserved), of CR (all but RST, RE, TE) and of IMR.
constexpr uint32_t kTcrKept = 0x7c800000 | 0x8070f80f;
constexpr uint32_t kRcrKept = 0xf0fc0040;
constexpr uint8_t kCrWritable = kCrRst | kCrRe | kCrTe;
constexpr uint16_t kImrKept = 0x1e00;
// TSD bits 22-23 are reserved.
constexpr uint32_t kTsdKept = 0x00c00000;
// 9346CR operating modes (bits 7-6): auto-load from the EEPROM, configuration writes enabled.
constexpr uint8_t k9346ModeMask = 0xc0, k9346AutoLoad = 0x40, k9346ConfigWrite = 0xc0;
// CONFIG1's I/O and memory mapping bits cannot be switched off.
constexpr uint8_t kConfig1Mapped = 0x0c;
// The PHY as QEMU presents it after reset: auto-negotiation on and complete, link up.
constexpr uint16_t kBmcrReset = 0x1000, kBmcrSelfClearing = 0x8200;
constexpr uint16_t kBmsrValue = 0x782d, kAnarReset = 0x05e1, kAnlparValue = 0x05e1, kAnerValue = 0x0001;
// MSR: flow control on both sides, the auxiliary power present, 100 Mb/s, link up.
constexpr uint8_t kMsrReset = 0xd0, kMsrWritable = 0xc0;
// CSCR: 100 Mb/s link, heartbeat, link detect (QEMU's value).
constexpr uint16_t kCscrValue = 0x0800 | 0x0100 | 0x0200;
constexpr uint32_t kMpcMask = 0x00ffffff;
// A frame in the ring: the 4-byte header, the frame, the 4-byte CRC, up to the next dword.
constexpr uint32_t kRxOverhead = 8;
constexpr uint32_t align4(uint32_t n) { return (n + 3) & ~uint32_t{3}; }
// The most a frame can be that RXOVW mode takes (it is dropped if it does not fit).
constexpr size_t kMaxFrame = 65535 - kRxOverhead;

// IEEE 802.3 CRC-32 as it goes on the wire (reflected, initial and final inversion).
uint32_t ethernet_fcs(std::span<const uint8_t> bytes)
{
    uint32_t crc = 0xffffffff;
    for (uint8_t b : bytes) {
        crc ^= b;
        for (int i = 0; i < 8; ++i)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

// The multicast filter's index: the top 6 bits of the CRC-32 of the destination address taken
// most significant bit first, as the chip computes it (and the drivers do to fill MAR).
unsigned multicast_hash(std::span<const uint8_t> mac)
{
    uint32_t crc = 0xffffffff;
    for (uint8_t b : mac)
        for (int i = 0; i < 8; ++i, b >>= 1)
            crc = (crc << 1) ^ (((crc >> 31) ^ (b & 1)) ? 0x04c11db7u : 0);
    return crc >> 26;
}

}  // namespace

Rtl8139::Rtl8139(Bus& bus, std::array<uint8_t, 6> mac)
    : PciFunction({0x10ec, 0x8139, 0x20, 0x020000, false, 0}, "rtl8139"), bus_(bus), rom_mac_(mac)
{
    add_io_bar(kIoBar, kRegisterBytes);
    add_memory_bar(kMemoryBar, kRegisterBytes);
    set_config(pci::kInterruptPin, 1, 1);  // INTA#
    bus_.add_mmio(memory_bar(kMemoryBar), kRegisterBytes, this, "rtl8139");
    reset();
}

void Rtl8139::reset()
{
    mac_ = rom_mac_;
    tsd_.fill(kTsdOwn);  // every descriptor the host's
    tsad_.fill(0);
    rbstart_ = 0;
    cr_ = 0;
    rx_read_ = rx_write_ = 0;
    imr_ = isr_ = 0;
    tcr_ = kTcrVersion;
    rcr_ = 0;
    cfg9346_ = 0;
    config0_ = 0;
    config1_ = kConfig1Mapped;
    config3_ = 0x01;  // fast back-to-back capable
    config4_ = 0;
    config5_ = 0;
    msr_ = kMsrReset;
    timer_int_ = 0;
    mulint_ = 0;
    bmcr_ = kBmcrReset;
    anar_ = kAnarReset;
    tx_next_ = 0;
    update_irq();
}

std::pair<uint8_t, unsigned> Rtl8139::register_at(uint8_t offset)
{
    if (offset >= kTsd0 && offset < kErbcr)  // TSD0-3, TSAD0-3, RBSTART
        return {static_cast<uint8_t>(offset & ~3), 4};
    if (offset >= kTcr && offset < k9346Cr)  // TCR, RCR, TCTR, MPC
        return {static_cast<uint8_t>(offset & ~3), 4};
    if (offset >= kTimerInt && offset < kMsr)
        return {kTimerInt, 4};
    switch (offset & ~1) {
    case kErbcr:
    case kCapr:
    case kCbr:
    case kImr:
    case kIsr:
    case kMulint:
    case kTsadSummary:
    case kBmcr:
    case kBmsr:
    case kAnar:
    case kAnlpar:
    case kAner:
    case kCscr: return {static_cast<uint8_t>(offset & ~1), 2};
    default: return {offset, 1};
    }
}

uint8_t Rtl8139::read8(uint8_t offset) const
{
    auto [start, width] = register_at(offset);
    unsigned shift = 8 * (offset - start);
    uint32_t v = 0;
    if (start < kMar0)
        return start < 6 ? mac_[start] : 0;
    if (start < kTsd0)
        return mar_[start - kMar0];
    if (start < kTsad0)
        v = tsd_[(start - kTsd0) / 4];
    else if (start < kRbstart)
        v = tsad_[(start - kTsad0) / 4];
    else
        switch (start) {
        case kRbstart: v = rbstart_; break;
        case kCr: v = cr_ | (rx_read_ == rx_write_ ? kCrBufe : 0); break;
        case kCapr: v = (rx_read_ - 16) & 0xffff; break;
        case kCbr: v = rx_write_ & 0xffff; break;
        case kImr: v = imr_; break;
        case kIsr: v = isr_; break;
        case kTcr: v = tcr_; break;
        case kRcr: v = rcr_; break;
        case kMpc: v = mpc_; break;
        case k9346Cr: v = cfg9346_; break;
        case kConfig0: v = config0_; break;
        case kConfig1: v = config1_; break;
        case kTimerInt: v = timer_int_; break;
        case kMsr: v = msr_; break;
        case kConfig3: v = config3_; break;
        case kConfig4: v = config4_; break;
        case kMulint: v = mulint_; break;
        case kTsadSummary:
            for (unsigned i = 0; i < 4; ++i)
                v |= (tsd_[i] & kTsdTok ? 1u << (12 + i) : 0) | (tsd_[i] & kTsdTun ? 1u << (8 + i) : 0) |
                     (tsd_[i] & kTsdTabt ? 1u << (4 + i) : 0) | (tsd_[i] & kTsdOwn ? 1u << i : 0);
            break;
        case kBmcr: v = bmcr_; break;
        case kBmsr: v = kBmsrValue; break;
        case kAnar: v = anar_; break;
        case kAnlpar: v = kAnlparValue; break;
        case kAner: v = kAnerValue; break;
        case kCscr: v = kCscrValue; break;
        case kConfig5: v = config5_; break;
        default: v = 0; break;  // TCTR, ERBCR, ERSR and the registers this model lacks
        }
    return static_cast<uint8_t>(v >> shift);
}

uint32_t Rtl8139::read(uint8_t offset, unsigned size) const
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; ++i)
        v |= uint32_t{read8(static_cast<uint8_t>(offset + i))} << (8 * i);
    return v;
}

void Rtl8139::write(uint8_t offset, uint32_t value, unsigned size)
{
    // A write covers whole registers or part of one; bytes of a register it leaves out keep
    // their value (ISR: are not cleared).
    for (unsigned i = 0; i < size;) {
        uint8_t at = static_cast<uint8_t>(offset + i);
        auto [start, width] = register_at(at);
        uint32_t merged = start == kIsr ? 0 : read(start, width);
        unsigned n = 0;
        for (; i < size && at + n < start + width; ++i, ++n) {
            unsigned shift = 8 * (at + n - start);
            merged = (merged & ~(0xffu << shift)) | (((value >> (8 * i)) & 0xff) << shift);
        }
        write_register(start, merged);
    }
}

void Rtl8139::write_register(uint8_t start, uint32_t v)
{
    if (start < kMar0) {
        if (start < 6)
            mac_[start] = static_cast<uint8_t>(v);
        return;
    }
    if (start < kTsd0) {
        mar_[start - kMar0] = static_cast<uint8_t>(v);
        return;
    }
    if (start < kTsad0) {
        uint32_t& tsd = tsd_[(start - kTsd0) / 4];
        tsd = (v & ~kTsdKept) | (tsd & kTsdKept);
        transmit_pending();
        return;
    }
    if (start < kRbstart) {
        tsad_[(start - kTsad0) / 4] = v;
        return;
    }
    bool config_unlocked = (cfg9346_ & k9346ModeMask) == k9346ConfigWrite;
    switch (start) {
    case kRbstart: rbstart_ = v; break;
    case kCr: {
        if (v & kCrRst)
            reset();
        bool receiver_on = !(cr_ & kCrRe) && (v & kCrRe);
        cr_ = static_cast<uint8_t>(v & kCrWritable & ~kCrRst);
        if (cr_ & kCrTe)
            transmit_pending();
        if (receiver_on && rx_room)
            rx_room();
        break;
    }
    case kCapr:
        rx_read_ = (v + 16) % ring_bytes();
        if (rx_room)
            rx_room();
        break;
    case kImr:
        imr_ = static_cast<uint16_t>((v & ~kImrKept) | (imr_ & kImrKept));
        update_irq();
        break;
    case kIsr:
        isr_ = static_cast<uint16_t>(isr_ & ~v);
        update_irq();
        break;
    case kTcr: tcr_ = (v & ~kTcrKept) | (tcr_ & kTcrKept); break;
    case kRcr:
        rcr_ = (v & ~kRcrKept) | (rcr_ & kRcrKept);
        // As QEMU: a new configuration starts the ring afresh at its first byte.
        rx_read_ = rx_write_ = 0;
        break;
    case kMpc: mpc_ = 0; break;  // any write clears the missed-packet count
    case k9346Cr:
        cfg9346_ = static_cast<uint8_t>(v & 0xcf);
        if ((cfg9346_ & k9346ModeMask) == k9346AutoLoad) {
            // Loading the EEPROM puts its address back in IDR and returns to normal mode.
            mac_ = rom_mac_;
            cfg9346_ = 0;
        }
        break;
    case kConfig0: break;  // boot ROM size and the like: read-only here
    case kConfig1:
        if (config_unlocked)
            config1_ = static_cast<uint8_t>(v | kConfig1Mapped);
        break;
    case kConfig3:
        if (config_unlocked)
            config3_ = static_cast<uint8_t>(v);
        break;
    case kConfig4:
        if (config_unlocked)
            config4_ = static_cast<uint8_t>(v);
        break;
    case kConfig5: config5_ = static_cast<uint8_t>(v); break;
    case kTimerInt: timer_int_ = v; break;
    case kMsr: msr_ = static_cast<uint8_t>((v & kMsrWritable) | (msr_ & ~kMsrWritable)); break;
    case kMulint: mulint_ = static_cast<uint16_t>(v & 0x0fff); break;
    case kBmcr: bmcr_ = static_cast<uint16_t>(v & ~kBmcrSelfClearing); break;
    case kAnar: anar_ = static_cast<uint16_t>(v); break;
    default: break;  // read-only or absent
    }
}

void Rtl8139::transmit_pending()
{
    if (!(cr_ & kCrTe))
        return;
    // The chip takes the descriptors in turn; one the driver has not handed over stops it.
    for (unsigned sent = 0; sent < 4 && !(tsd_[tx_next_] & kTsdOwn); ++sent) {
        uint32_t& tsd = tsd_[tx_next_];
        std::vector<uint8_t> frame(tsd & kTsdSizeMask);
        if (!bus_.read_bytes(tsad_[tx_next_], frame.data(), frame.size()))
            frame.clear();  // outside RAM: nothing goes out, the descriptor still completes
        if (!frame.empty() && transmit)
            transmit(frame);
        tsd |= kTsdOwn | kTsdTok;
        isr_ |= kIntTok;
        tx_next_ = (tx_next_ + 1) % 4;
    }
    update_irq();
}

bool Rtl8139::listening() const { return cr_ & kCrRe; }

uint32_t Rtl8139::ring_free() const
{
    uint32_t size = ring_bytes();
    uint32_t free = (rx_read_ + size - rx_write_) % size;
    return free == 0 ? size : free;
}

size_t Rtl8139::room() const
{
    if (!listening())
        return 0;
    if (imr_ & kIntRxovw)
        return kMaxFrame;
    // A frame fits when it leaves the write offset short of the read offset (equal means empty).
    uint32_t free = ring_free();
    uint32_t fits = ((free - 1) & ~uint32_t{3});
    return fits >= kMinFrame + kRxOverhead ? fits - kRxOverhead : 0;
}

bool Rtl8139::accepts(std::span<const uint8_t> frame, uint16_t& status) const
{
    status = 0;
    if (rcr_ & kRcrAap)
        return true;
    std::span<const uint8_t> dst = frame.first(6);
    bool broadcast = true;
    for (uint8_t b : dst)
        broadcast = broadcast && b == 0xff;
    if (broadcast) {
        status = kRxBroadcast;
        return rcr_ & kRcrAb;
    }
    if (dst[0] & 1) {
        status = kRxMulticast;
        unsigned bit = multicast_hash(dst);
        return (rcr_ & kRcrAm) && (mar_[bit / 8] >> (bit % 8) & 1);
    }
    status = kRxPhysical;
    return (rcr_ & kRcrApm) && std::equal(dst.begin(), dst.end(), mac_.begin());
}

void Rtl8139::ring_write(uint32_t offset, const uint8_t* data, size_t n)
{
    uint32_t size = ring_bytes();
    bool runs_on = (rcr_ & kRcrWrap) && size < 65536;
    for (size_t done = 0; done < n;) {
        uint32_t at = runs_on ? offset + static_cast<uint32_t>(done) : (offset + static_cast<uint32_t>(done)) % size;
        size_t chunk = runs_on ? n - done : std::min<size_t>(n - done, size - at);
        bus_.write_bytes(rbstart_ + at, data + done, chunk);  // a ring outside RAM loses the bytes
        done += chunk;
    }
}

void Rtl8139::receive(std::span<const uint8_t> frame)
{
    uint16_t status = 0;
    if (!listening() || frame.size() < 6 || !accepts(frame, status))
        return;
    std::vector<uint8_t> wire(frame.begin(), frame.end());
    if (wire.size() < kMinFrame)
        wire.resize(kMinFrame, 0);
    uint32_t length = static_cast<uint32_t>(wire.size());
    if (ring_free() != ring_bytes() && align4(length + kRxOverhead) >= ring_free()) {
        isr_ |= kIntRxovw;
        mpc_ = (mpc_ + 1) & kMpcMask;
        update_irq();
        return;
    }
    uint32_t fcs = ethernet_fcs(wire);
    status |= kRxRok;
    uint8_t header[4] = {static_cast<uint8_t>(status), static_cast<uint8_t>(status >> 8),
                         static_cast<uint8_t>(length + 4), static_cast<uint8_t>((length + 4) >> 8)};
    uint8_t crc[4] = {static_cast<uint8_t>(fcs), static_cast<uint8_t>(fcs >> 8), static_cast<uint8_t>(fcs >> 16),
                      static_cast<uint8_t>(fcs >> 24)};
    ring_write(rx_write_, header, 4);
    ring_write(rx_write_ + 4, wire.data(), length);
    ring_write(rx_write_ + 4 + length, crc, 4);
    rx_write_ = align4(rx_write_ + length + kRxOverhead) % ring_bytes();
    isr_ |= kIntRok;
    update_irq();
}

void Rtl8139::update_irq()
{
    irq.set((isr_ & imr_) != 0 && !(command() & pci::kCommandIntxDisable));
}

bool Rtl8139::io_read(uint16_t port, unsigned size, uint32_t& value)
{
    uint16_t base = io_bar(kIoBar);
    if (base == 0 || port < base || port - base >= static_cast<int>(kRegisterBytes))
        return false;
    value = read(static_cast<uint8_t>(port - base), std::min<unsigned>(size, kRegisterBytes - (port - base)));
    return true;
}

bool Rtl8139::io_write(uint16_t port, uint32_t value, unsigned size)
{
    uint16_t base = io_bar(kIoBar);
    if (base == 0 || port < base || port - base >= static_cast<int>(kRegisterBytes))
        return false;
    write(static_cast<uint8_t>(port - base), value, std::min<unsigned>(size, kRegisterBytes - (port - base)));
    return true;
}

uint32_t Rtl8139::port_read(uint16_t port, unsigned size)
{
    uint32_t v = 0;
    return io_read(port, size, v) ? v : (size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu);
}

void Rtl8139::port_write(uint16_t port, uint32_t value, unsigned size) { io_write(port, value, size); }

uint64_t Rtl8139::mmio_read(uint64_t offset, unsigned size)
{
    if (!(command() & pci::kCommandMemory) || offset >= kRegisterBytes)
        return size == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1;
    unsigned n = std::min<unsigned>(size, static_cast<unsigned>(kRegisterBytes - offset));
    return n > 4 ? read(static_cast<uint8_t>(offset), 4) | uint64_t{read(static_cast<uint8_t>(offset + 4), n - 4)} << 32
                 : read(static_cast<uint8_t>(offset), n);
}

void Rtl8139::mmio_write(uint64_t offset, uint64_t value, unsigned size)
{
    if (!(command() & pci::kCommandMemory) || offset >= kRegisterBytes)
        return;
    unsigned n = std::min<unsigned>(size, static_cast<unsigned>(kRegisterBytes - offset));
    write(static_cast<uint8_t>(offset), static_cast<uint32_t>(value), std::min(n, 4u));
    if (n > 4)
        write(static_cast<uint8_t>(offset + 4), static_cast<uint32_t>(value >> 32), n - 4);
}

void Rtl8139::config_written(uint8_t offset, unsigned size)
{
    auto touches = [&](uint8_t first, unsigned bytes) { return offset < first + bytes && first < offset + size; };
    if (touches(static_cast<uint8_t>(pci::kBar0 + 4 * kMemoryBar), 4))
        place_registers();
    if (touches(pci::kCommand, 2))
        update_irq();
}

void Rtl8139::place_registers() { bus_.move_mmio(this, memory_bar(kMemoryBar)); }

void Rtl8139::serialize(StateArchive& a)
{
    PciFunction::serialize(a);
    a.section("rtl8139", 1);
    for (uint8_t& b : rom_mac_)
        a.field("rom_mac", b);
    for (uint8_t& b : mac_)
        a.field("idr", b);
    for (uint8_t& b : mar_)
        a.field("mar", b);
    for (uint32_t& d : tsd_)
        a.field("tsd", d);
    for (uint32_t& d : tsad_)
        a.field("tsad", d);
    a.field("rbstart", rbstart_);
    a.field("cr", cr_);
    a.field("rx_read", rx_read_);
    a.field("rx_write", rx_write_);
    a.field("imr", imr_);
    a.field("isr", isr_);
    a.field("tcr", tcr_);
    a.field("rcr", rcr_);
    a.field("mpc", mpc_);
    a.field("9346cr", cfg9346_);
    a.field("config0", config0_);
    a.field("config1", config1_);
    a.field("config3", config3_);
    a.field("config4", config4_);
    a.field("config5", config5_);
    a.field("msr", msr_);
    a.field("timer_int", timer_int_);
    a.field("mulint", mulint_);
    a.field("bmcr", bmcr_);
    a.field("anar", anar_);
    a.field("tx_next", tx_next_);
    if (a.loading()) {
        tx_next_ %= 4;
        irq.restore_level((isr_ & imr_) != 0 && !(command() & pci::kCommandIntxDisable));
        place_registers();
    }
}

}  // namespace emu
