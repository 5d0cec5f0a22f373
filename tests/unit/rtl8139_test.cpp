// The RTL8139 on `pc`'s PCI bus, driven through its I/O BAR as a driver written from the
// RTL8139C(L)+ datasheet would: the configuration space QEMU's function has, reset values,
// ISR write-1-to-clear and the interrupt through PIIX3's PIRQB route, transmit descriptors in
// turn, the receive ring (header, padding, CRC, dword alignment, CAPR's 16-byte offset, the wrap
// to the start and WRAP's run past the end), room and overflow, the address filters, and a
// snapshot taken with frames in the ring.
#include <catch2/catch.hpp>

#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/state_archive.h"
#include "dev/pci_host.h"
#include "dev/rtl8139.h"
#include "machine/pc_pci.h"

using namespace emu;
using namespace emu::rtl8139;

namespace {

constexpr uint16_t kIo = 0xc000;  // where the board leaves BAR0
constexpr uint32_t kRing = 0x10000, kTx = 0x20000;

uint32_t config_address(unsigned dev, unsigned reg) { return 0x80000000u | dev << 11 | reg; }

struct Rig {
    Bus bus;
    VirtualClock clock{0};
    IoPorts io;
    std::vector<std::pair<unsigned, bool>> irqs;
    PcPci pci;
    std::vector<std::vector<uint8_t>> sent;
    Rig() : pci(bus, clock, {}, true, [this](unsigned irq, bool level) { irqs.emplace_back(irq, level); })
    {
        bus.add_ram(0, 1 << 20);
        pci.add_ports(io);
        pci.nic()->transmit = [this](std::span<const uint8_t> f) { sent.emplace_back(f.begin(), f.end()); };
    }
    Rtl8139& nic() { return *pci.nic(); }
    uint32_t config(unsigned reg, unsigned size = 4)
    {
        io.write(PciHost::kAddressPort, config_address(PcPci::kNicSlot, reg & 0xfc), 4);
        return io.read(static_cast<uint16_t>(PciHost::kDataPort + (reg & 3)), size);
    }
    uint32_t in(uint8_t reg, unsigned size) { return io.read(kIo + reg, size); }
    void out(uint8_t reg, uint32_t v, unsigned size) { io.write(kIo + reg, v, size); }
    // Reset, an 8 KiB ring (plus `rcr`) at kRing, receiver and transmitter on, every interrupt
    // but RXOVW unmasked.
    void start(uint32_t rcr = kRcrApm | kRcrAb)
    {
        out(kCr, kCrRst, 1);
        out(kRbstart, kRing, 4);
        out(kCr, kCrRe | kCrTe, 1);
        out(kRcr, rcr, 4);
        out(kImr, kIntRok | kIntTok | kIntRer | kIntTer, 2);
    }
    uint8_t ram(uint32_t addr)
    {
        uint8_t b = 0;
        bus.read_bytes(addr, &b, 1);
        return b;
    }
};

std::vector<uint8_t> frame_to(std::array<uint8_t, 6> dst, size_t size, uint8_t fill = 0xa5)
{
    std::vector<uint8_t> f(size, fill);
    std::copy(dst.begin(), dst.end(), f.begin());
    return f;
}

constexpr std::array<uint8_t, 6> kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

}  // namespace

TEST_CASE("rtl8139: configuration space as QEMU's, at 00:02.0 on PIRQB", "[rtl8139][pci]")
{
    Rig r;
    CHECK(r.config(0x00) == 0x813910ec);
    CHECK((r.config(0x08) & 0xff) == 0x20);
    CHECK(r.config(0x08) >> 8 == 0x020000);
    CHECK(r.config(0x2c) == 0x11001af4);
    CHECK(r.config(0x3d, 1) == 1);   // INTA
    CHECK(r.config(0x3c, 1) == 10);  // PIRQB, which SeaBIOS routes to IRQ 10
    CHECK(r.config(0x10) == (kIo | 1u));
    CHECK(r.config(0x14) == 0xfebff000);
}

TEST_CASE("rtl8139: reset values, MAC, TCR version, PHY link up", "[rtl8139]")
{
    Rig r;
    r.out(kCr, kCrRst, 1);
    CHECK(r.in(kCr, 1) == kCrBufe);  // RST done at once, the ring empty
    CHECK(r.in(kIdr0, 4) == 0x12005452u);
    CHECK(r.in(kIdr0 + 4, 2) == 0x5634);
    CHECK(r.in(kTcr, 4) == 0x74800000u);
    CHECK(r.in(kTsd0, 4) == kTsdOwn);
    CHECK(r.in(kTsadSummary, 2) == 0x000f);  // all four owned by the host
    CHECK((r.in(kBmsr, 2) & 0x0024) == 0x0024);
    CHECK(r.in(kCapr, 2) == 0xfff0);
    // TCR's version bits do not change.
    r.out(kTcr, 0, 4);
    CHECK(r.in(kTcr, 4) == 0x74800000u);
}

TEST_CASE("rtl8139: ISR is write-1-to-clear and drives INTA through PIRQB to IRQ 10", "[rtl8139][irq]")
{
    Rig r;
    r.start();
    r.irqs.clear();
    r.nic().receive(frame_to(kBroadcast, 100));
    r.out(kTsad0, kTx, 4);
    r.out(kTsd0, 64, 4);
    CHECK(r.in(kIsr, 2) == (kIntRok | kIntTok));
    REQUIRE(r.irqs.size() == 1);
    CHECK(r.irqs[0] == std::make_pair(10u, true));
    r.out(kIsr, kIntTok, 2);  // clears TOK only
    CHECK(r.in(kIsr, 2) == kIntRok);
    CHECK(r.irqs.size() == 1);
    r.out(kIsr, 0, 2);  // zeros clear nothing
    CHECK(r.in(kIsr, 2) == kIntRok);
    r.out(kIsr, kIntRok, 1);  // a byte write reaches the low byte
    CHECK(r.in(kIsr, 2) == 0);
    REQUIRE(r.irqs.size() == 2);
    CHECK(r.irqs[1] == std::make_pair(10u, false));
    // Masked in IMR: the bit is set, the line stays down.
    r.out(kImr, 0, 2);
    r.nic().receive(frame_to(kBroadcast, 100));
    CHECK(r.in(kIsr, 2) == kIntRok);
    CHECK(r.irqs.size() == 2);
    // A PIRQ route that is disabled keeps the line from the 8259.
    r.io.write(PciHost::kAddressPort, config_address(1, 0x60), 4);
    r.io.write(PciHost::kDataPort + 1, 0x80, 1);
    r.out(kImr, kIntRok, 2);
    CHECK(r.nic().irq.level());
    CHECK(r.irqs.size() == 2);
}

TEST_CASE("rtl8139: transmit descriptors go in turn, OWN and TOK set", "[rtl8139][tx]")
{
    Rig r;
    r.start();
    for (unsigned i = 0; i < 4; ++i) {
        for (unsigned b = 0; b < 80; ++b)
            r.bus.write_bytes(kTx + i * 0x800 + b, std::vector<uint8_t>{static_cast<uint8_t>(i * 16 + b)}.data(), 1);
        r.out(static_cast<uint8_t>(kTsad0 + 4 * i), kTx + i * 0x800, 4);
    }
    r.out(kTsd0, 70, 4);
    r.out(kTsd0 + 4, 61, 4);
    REQUIRE(r.sent.size() == 2);
    CHECK(r.sent[0].size() == 70);
    CHECK(r.sent[1].size() == 61);
    CHECK(r.sent[1][0] == 16);
    CHECK(r.in(kTsd0, 4) == (70 | kTsdOwn | kTsdTok));
    CHECK(r.in(kTsadSummary, 2) == (0x3000 | 0x000f));
    // Descriptor 3 before 2: nothing goes until 2 is handed over, then both.
    r.out(kTsd0 + 12, 62, 4);
    CHECK(r.sent.size() == 2);
    r.out(kTsd0 + 8, 63, 4);
    REQUIRE(r.sent.size() == 4);
    CHECK(r.sent[2].size() == 63);
    CHECK(r.sent[3].size() == 62);
    // With the transmitter off a descriptor waits for TE.
    r.out(kCr, kCrRe, 1);
    r.out(kTsd0, 64, 4);
    CHECK(r.sent.size() == 4);
    r.out(kCr, kCrRe | kCrTe, 1);
    CHECK(r.sent.size() == 5);
}

TEST_CASE("rtl8139: the receive ring: header, padding, CRC, dword steps, CAPR and CBR", "[rtl8139][rx]")
{
    Rig r;
    r.start();
    CHECK(r.nic().listening());
    r.nic().receive(frame_to(kBroadcast, 42, 0x11));  // an ARP reply's size: padded to 60
    CHECK(r.in(kCbr, 2) == 68);                       // 4 + 60 + 4
    CHECK((r.in(kCr, 1) & kCrBufe) == 0);
    CHECK(r.ram(kRing) == (kRxRok & 0xff));
    CHECK(r.ram(kRing + 1) == (kRxBroadcast >> 8));
    CHECK(r.ram(kRing + 2) == 64);  // length with the CRC
    CHECK(r.ram(kRing + 4 + 41) == 0x11);
    CHECK(r.ram(kRing + 4 + 42) == 0);  // the padding
    // The CRC of the padded frame, little-endian: a frame with its FCS has the CRC-32 residue.
    std::vector<uint8_t> with_fcs;
    for (uint32_t i = 0; i < 64; ++i)
        with_fcs.push_back(r.ram(kRing + 4 + i));
    uint32_t crc = 0xffffffff;
    for (uint8_t b : with_fcs) {
        crc ^= b;
        for (int i = 0; i < 8; ++i)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    CHECK(crc == 0xdebb20e3);

    r.nic().receive(frame_to(kBroadcast, 101));
    CHECK(r.in(kCbr, 2) == 68 + 112);  // 4 + 101 + 4 = 109, up to 112
    // The driver takes the first frame: CAPR is its read offset less 16.
    r.out(kCapr, 68 - 16, 2);
    CHECK(r.in(kCapr, 2) == 52);
    CHECK((r.in(kCr, 1) & kCrBufe) == 0);
    r.out(kCapr, 68 + 112 - 16, 2);
    CHECK(r.in(kCr, 1) & kCrBufe);
}

TEST_CASE("rtl8139: the ring wraps to its start, or with WRAP runs on past its end", "[rtl8139][rx]")
{
    for (bool wrap : {false, true}) {
        Rig r;
        r.start(kRcrApm | kRcrAb | (wrap ? kRcrWrap : 0));
        // Move both offsets to 100 bytes before the end of the 8 KiB ring.
        r.out(kRcr, kRcrApm | kRcrAb | (wrap ? kRcrWrap : 0), 4);
        uint32_t at = 8192 - 100;
        while (r.in(kCbr, 2) < at) {
            r.nic().receive(frame_to(kBroadcast, std::min<uint32_t>(1500, at - r.in(kCbr, 2) - 8)));
            r.out(kCapr, r.in(kCbr, 2) - 16, 2);
        }
        REQUIRE(r.in(kCbr, 2) == at);
        r.nic().receive(frame_to(kBroadcast, 200, 0x77));
        CHECK(r.in(kCbr, 2) == (at + 208) % 8192);  // 4 + 200 + 4
        // Byte 150 of the frame is past the end: at the start of the ring, or after its end.
        uint32_t past = at + 4 + 150;
        CHECK(r.ram(kRing + (wrap ? past : past - 8192)) == 0x77);
        if (!wrap)
            CHECK(r.ram(kRing + past) == 0);
    }
}

TEST_CASE("rtl8139: room is what fits; overflow sets RXOVW and counts in MPC", "[rtl8139][rx]")
{
    Rig r;
    CHECK(r.nic().room() == 0);  // receiver off
    r.start();
    CHECK(r.nic().room() == 8192 - 4 - 8);
    // Fill the ring without the driver taking anything.
    while (r.nic().room() >= 1500)
        r.nic().receive(frame_to(kBroadcast, 1500));
    size_t room = r.nic().room();
    CHECK(room < 1500);
    uint32_t cbr = r.in(kCbr, 2);
    r.nic().receive(frame_to(kBroadcast, room + 1));  // does not fit
    CHECK(r.in(kIsr, 2) & kIntRxovw);
    CHECK(r.in(kMpc, 4) == 1);
    CHECK(r.in(kCbr, 2) == cbr);
    r.out(kMpc, 0, 4);
    CHECK(r.in(kMpc, 4) == 0);
    // With RXOVW unmasked any frame is taken (and dropped when it does not fit), as QEMU does.
    r.out(kImr, kIntRok | kIntRxovw, 2);
    CHECK(r.nic().room() > 60000);
    // Freeing the ring tells the recorder.
    bool told = false;
    r.nic().rx_room = [&] { told = true; };
    r.out(kCapr, cbr - 16, 2);
    CHECK(told);
}

TEST_CASE("rtl8139: address filters AAP, APM, AM with the MAR hash, AB", "[rtl8139][rx]")
{
    const std::array<uint8_t, 6> ours = Rtl8139::kDefaultMac;
    const std::array<uint8_t, 6> other = {0x52, 0x54, 0x00, 0x12, 0x34, 0x57};
    // 01:00:5e:00:00:01 (all hosts): the top 6 bits of its CRC-32 taken most significant bit
    // first (Linux's ether_crc) are 0x1f: MAR3 bit 7.
    const std::array<uint8_t, 6> multicast = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    auto taken = [](Rig& r, std::array<uint8_t, 6> dst) {
        uint32_t before = r.in(kCbr, 2);
        r.nic().receive(frame_to(dst, 64));
        return r.in(kCbr, 2) != before;
    };
    Rig r;
    r.start(kRcrApm);
    CHECK(taken(r, ours));
    CHECK(r.ram(kRing + 1) == (kRxPhysical >> 8));
    CHECK_FALSE(taken(r, other));
    CHECK_FALSE(taken(r, kBroadcast));
    CHECK_FALSE(taken(r, multicast));
    r.out(kRcr, kRcrAb, 4);
    CHECK_FALSE(taken(r, ours));
    CHECK(taken(r, kBroadcast));
    r.out(kRcr, kRcrAm, 4);
    CHECK_FALSE(taken(r, multicast));  // MAR all clear
    r.out(kMar0, 0xffffffff, 4);
    r.out(kMar0 + 4, 0xffffffff, 4);
    CHECK(taken(r, multicast));
    // Only the bit the hash names.
    r.out(kMar0 + 3, 0x7f, 1);
    CHECK_FALSE(taken(r, multicast));
    r.out(kMar0, 0, 4);
    r.out(kMar0 + 4, 0, 4);
    r.out(kMar0 + 3, 0x80, 1);
    CHECK(taken(r, multicast));
    CHECK(r.ram(kRing + 1) == (kRxMulticast >> 8));
    r.out(kRcr, kRcrAap, 4);
    CHECK(taken(r, other));
    CHECK(taken(r, multicast));
}

TEST_CASE("rtl8139: a snapshot with frames in the ring restores the same device", "[rtl8139][snapshot]")
{
    Rig a;
    a.start(kRcrApm | kRcrAb | kRcrWrap);
    a.nic().receive(frame_to(kBroadcast, 300));
    a.nic().receive(frame_to(kBroadcast, 80));
    a.out(kCapr, 308 - 16, 2);
    a.out(kTsad0, kTx, 4);
    a.out(kTsd0, 90, 4);
    a.out(kMar0 + 3, 0x40, 1);
    StateWriter w;
    for (Component* c : a.pci.components())
        c->serialize(w);

    Rig b;
    StateReader rd(w.bytes());
    for (Component* c : b.pci.components())
        c->serialize(rd);
    REQUIRE(rd.finish());
    StateWriter again;
    for (Component* c : b.pci.components())
        c->serialize(again);
    CHECK(again.bytes() == w.bytes());
    for (uint8_t reg = 0; reg < 0x80; reg = static_cast<uint8_t>(reg + 2))
        CHECK(a.in(reg, 2) == b.in(reg, 2));
    CHECK(b.nic().irq.level() == a.nic().irq.level());
    CHECK(b.nic().room() == a.nic().room());
    // The same next frame lands at the same place.
    a.nic().receive(frame_to(kBroadcast, 70));
    b.nic().receive(frame_to(kBroadcast, 70));
    CHECK(a.in(kCbr, 2) == b.in(kCbr, 2));
    // The memory BAR follows the restored configuration space.
    uint64_t v = 0;
    CHECK(b.bus.read(0xfebff000 + kTcr, 4, v) == Bus::Status::Ok);
    CHECK(v == 0x74800000u);
}
