// The `pc` PCI host bridge (configuration mechanism #1), a PCI function's configuration space,
// and the PIIX3 IDE controller with an ATA disk: driven through their ports as a driver written
// from the PCI 3.0 and ATA/ATAPI-6 specifications would, with the disk image checked untouched.
#include <catch2/catch.hpp>

#include <numeric>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/state_archive.h"
#include "dev/pci_host.h"
#include "dev/piix_ide.h"
#include "machine/pc_pci.h"

using namespace emu;

namespace {

constexpr uint16_t kData = 0x1f0, kError = 0x1f1, kCount = 0x1f2, kLba0 = 0x1f3, kLba1 = 0x1f4, kLba2 = 0x1f5,
                   kDevice = 0x1f6, kStatus = 0x1f7, kControl = 0x3f6;
constexpr uint32_t kSectors = 64;

std::vector<uint8_t> image_bytes()
{
    std::vector<uint8_t> v(kSectors * 512);
    for (size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<uint8_t>(i * 31 + i / 512);
    return v;
}

uint32_t config_address(unsigned dev, unsigned fn, unsigned reg) { return 0x80000000u | dev << 11 | fn << 8 | reg; }

struct Rig {
    std::vector<uint8_t> image = image_bytes();
    const std::vector<uint8_t> original = image;
    Bus bus;
    VirtualClock clock{0};
    IoPorts io;
    PcPci pci;
    Rig() : pci(bus, clock, {VirtioDrive{image, false, ""}}, false, [](unsigned, bool) {})
    {
        bus.add_ram(0, 1 << 20);
        pci.add_ports(io);
    }
    uint32_t config(unsigned dev, unsigned fn, unsigned reg, unsigned size = 4)
    {
        io.write(PciHost::kAddressPort, config_address(dev, fn, reg & 0xfc), 4);
        return io.read(static_cast<uint16_t>(PciHost::kDataPort + (reg & 3)), size);
    }
    void set_config(unsigned dev, unsigned fn, unsigned reg, uint32_t v, unsigned size = 4)
    {
        io.write(PciHost::kAddressPort, config_address(dev, fn, reg & 0xfc), 4);
        io.write(static_cast<uint16_t>(PciHost::kDataPort + (reg & 3)), v, size);
    }
    // Lets virtual time run past the drive's latency.
    void wait()
    {
        clock.set_icount(clock.icount() + 2 * IdeChannel::kLatencyNs);
        clock.fire_due();
    }
    void command(uint8_t cmd, uint32_t lba, uint8_t count)
    {
        io.write(kDevice, 0xe0 | (lba >> 24), 1);
        io.write(kCount, count, 1);
        io.write(kLba0, lba & 0xff, 1);
        io.write(kLba1, (lba >> 8) & 0xff, 1);
        io.write(kLba2, (lba >> 16) & 0xff, 1);
        io.write(kStatus, cmd, 1);
    }
    std::vector<uint8_t> read_data(unsigned sectors)
    {
        std::vector<uint8_t> out;
        for (unsigned s = 0; s < sectors; ++s) {
            wait();
            REQUIRE((io.read(kStatus, 1) & (IdeChannel::kDrq | IdeChannel::kBsy)) == IdeChannel::kDrq);
            for (unsigned i = 0; i < 256; ++i) {
                uint32_t w = io.read(kData, 2);
                out.push_back(static_cast<uint8_t>(w));
                out.push_back(static_cast<uint8_t>(w >> 8));
            }
        }
        return out;
    }
};

}  // namespace

TEST_CASE("pci host: configuration mechanism #1 reaches the i440FX/PIIX3 functions", "[pci]")
{
    Rig r;
    r.io.write(PciHost::kAddressPort, 0x80000a07, 4);
    CHECK(r.io.read(PciHost::kAddressPort, 4) == 0x80000a04);  // bits 1:0 read as 0
    CHECK(r.config(0, 0, 0) == 0x12378086);
    CHECK(r.config(1, 0, 0) == 0x70008086);
    CHECK(r.config(1, 1, 0) == 0x70108086);
    CHECK(r.config(1, 1, 0x0a, 2) == 0x0101);       // mass storage, IDE
    CHECK(r.config(1, 1, 0x09, 1) == 0x80);         // bus-master capable, legacy mode
    CHECK((r.config(1, 0, 0x0c) >> 16 & 0x80) != 0);  // the PIIX3 is multi-function
    CHECK(r.config(1, 3, 0) == 0xffffffffu);
    CHECK(r.config(2, 0, 0) == 0xffffffffu);
    r.io.write(PciHost::kAddressPort, config_address(1, 1, 0) & 0x7fffffff, 4);
    CHECK(r.io.read(PciHost::kDataPort, 4) == 0xffffffffu);  // enable bit clear

    // Read-only identity, writable command bits only, BAR sizing down to 16 bytes.
    r.set_config(1, 1, 0, 0);
    CHECK(r.config(1, 1, 0) == 0x70108086);
    r.set_config(1, 1, 4, 0xffff, 2);
    CHECK(r.config(1, 1, 4, 2) == (pci::kCommandIo | pci::kCommandMemory | pci::kCommandMaster | pci::kCommandSerr |
                                    pci::kCommandIntxDisable));
    r.set_config(1, 1, 0x20, 0xffffffffu);
    CHECK(r.config(1, 1, 0x20) == 0xfffffff1u);
    r.set_config(1, 1, 0x20, 0xd000);
    CHECK(r.config(1, 1, 0x20) == 0xd001);
    CHECK(r.config(1, 1, 0x22, 2) == 0);  // byte and word reads at an offset
    CHECK(r.config(1, 1, 0x21, 1) == 0xd0);
}

TEST_CASE("ide: reset signature, IDENTIFY, absent slave and empty channel", "[pci][ide]")
{
    Rig r;
    r.io.write(kControl, 0x04, 1);
    CHECK((r.io.read(kControl, 1) & IdeChannel::kBsy) != 0);
    r.io.write(kControl, 0x02, 1);
    CHECK(r.io.read(kStatus, 1) == 0x50);
    CHECK(r.io.read(kError, 1) == 0x01);
    CHECK(r.io.read(kCount, 1) == 1);
    CHECK(r.io.read(kLba0, 1) == 1);
    CHECK(r.io.read(kLba1, 1) == 0);
    CHECK(r.io.read(kLba2, 1) == 0);
    r.io.write(kDevice, 0xb0, 1);
    CHECK(r.io.read(kStatus, 1) == 0);
    r.io.write(kStatus, 0xec, 1);  // ignored: no slave
    CHECK(r.io.read(kStatus, 1) == 0);
    CHECK(r.io.read(0x177, 1) == 0);

    r.io.write(kDevice, 0xa0, 1);
    r.io.write(kStatus, 0xec, 1);
    CHECK((r.io.read(kControl, 1) & IdeChannel::kBsy) != 0);
    std::vector<uint8_t> id = r.read_data(1);
    auto word = [&](unsigned w) { return id[2 * w] | id[2 * w + 1] << 8; };
    CHECK(word(0) == 0x0040);
    CHECK(word(60) == kSectors);
    CHECK(word(100) == kSectors);
    CHECK((word(49) & 0x0300) == 0x0300);  // LBA and DMA
    CHECK((word(83) & 0x3400) == 0x3400);  // LBA48, FLUSH CACHE (EXT)
    CHECK(std::string(id.begin() + 54, id.begin() + 58) == "EQUM");  // "QEMU" byte-swapped
    CHECK(r.io.read(kStatus, 1) == 0x50);  // DRQ dropped after the last word
}

TEST_CASE("ide: PIO reads and writes, LBA48, CHS, errors; the image is never written", "[pci][ide]")
{
    Rig r;
    r.command(0x20, 3, 2);
    std::vector<uint8_t> got = r.read_data(2);
    CHECK(std::equal(got.begin(), got.end(), r.image.begin() + 3 * 512));

    // LBA48: the high bytes go first, each register keeping the previous value as HOB.
    r.io.write(kCount, 0, 1);
    r.io.write(kLba0, 0, 1);
    r.io.write(kLba1, 0, 1);
    r.io.write(kLba2, 0, 1);
    r.command(0x24, 40, 1);
    got = r.read_data(1);
    CHECK(std::equal(got.begin(), got.end(), r.image.begin() + 40 * 512));

    // CHS 0/1/2 with the default 16 heads of 63 sectors is LBA 64: past the end.
    r.io.write(kDevice, 0xa1, 1);
    r.io.write(kCount, 1, 1);
    r.io.write(kLba0, 2, 1);
    r.io.write(kLba1, 0, 1);
    r.io.write(kLba2, 0, 1);
    r.io.write(kStatus, 0x20, 1);
    r.wait();
    CHECK(r.io.read(kStatus, 1) == 0x41);
    CHECK(r.io.read(kError, 1) == IdeChannel::kAbrt);
    // CHS 0/0/5 is LBA 4.
    r.io.write(kDevice, 0xa0, 1);
    r.io.write(kCount, 1, 1);
    r.io.write(kLba0, 5, 1);
    r.io.write(kStatus, 0x20, 1);
    got = r.read_data(1);
    CHECK(std::equal(got.begin(), got.end(), r.image.begin() + 4 * 512));

    // Write two sectors: DRQ at once for the first, an interrupt for the second, then busy.
    r.command(0x30, 10, 2);
    CHECK(r.io.read(kControl, 1) == 0x58);
    for (unsigned i = 0; i < 256; ++i)
        r.io.write(kData, 0xa5a5u + i, 2);
    CHECK(r.io.read(kControl, 1) == 0x58);
    for (unsigned i = 0; i < 128; ++i)
        r.io.write(kData, 0x01020304u, 4);  // 32-bit data accesses
    CHECK((r.io.read(kControl, 1) & IdeChannel::kBsy) != 0);
    r.wait();
    CHECK(r.io.read(kStatus, 1) == 0x50);
    r.command(0x20, 11, 1);
    got = r.read_data(1);
    CHECK(got[0] == 0x04);
    CHECK(got[3] == 0x01);
    CHECK(r.image == r.original);
    CHECK(r.pci.drive(0)->written_blocks() == 1);

    // Across the end: the last sector comes, then the command aborts.
    r.command(0x20, kSectors - 1, 2);
    got = r.read_data(1);
    CHECK(std::equal(got.begin(), got.end(), r.image.end() - 512));
    CHECK(r.io.read(kStatus, 1) == 0x41);
    CHECK(r.io.read(kError, 1) == IdeChannel::kAbrt);
    r.command(0x20, kSectors, 1);  // past the end
    r.wait();
    CHECK(r.io.read(kStatus, 1) == 0x41);
    r.io.write(kStatus, 0xa1, 1);  // IDENTIFY PACKET DEVICE: not a packet device
    r.wait();
    CHECK(r.io.read(kStatus, 1) == 0x41);
    CHECK(r.io.read(kError, 1) == IdeChannel::kAbrt);
}

TEST_CASE("ide: bus-master DMA through a descriptor table, the interrupt and nIEN", "[pci][ide]")
{
    Rig r;
    bool irq = false;
    r.pci.ide().irq[0].connect([&](bool level) { irq = level; });
    uint16_t bm = static_cast<uint16_t>(r.config(1, 1, 0x20) & 0xfff0);
    REQUIRE(bm == 0xc000);
    // Two descriptors: 1 KiB at 0x10000, then 3 KiB at 0x20000 (the last).
    uint32_t table[4] = {0x10000, 1024, 0x20000, 3072 | 0x80000000u};
    r.bus.write_bytes(0x8000, table, sizeof table);
    r.io.write(static_cast<uint16_t>(bm + 4), 0x8000, 4);
    r.io.write(kControl, 0x00, 1);
    r.command(0xc8, 8, 8);
    r.wait();
    CHECK((r.io.read(kControl, 1) & IdeChannel::kDrq) != 0);  // waits for the start bit
    CHECK_FALSE(irq);
    r.io.write(bm, 0x09, 1);
    CHECK(r.io.read(static_cast<uint16_t>(bm + 2), 1) == 0x01);
    r.wait();
    CHECK(irq);
    CHECK(r.io.read(static_cast<uint16_t>(bm + 2), 1) == 0x04);
    std::vector<uint8_t> got(4096);
    r.bus.read_bytes(0x10000, got.data(), 1024);
    r.bus.read_bytes(0x20000, got.data() + 1024, 3072);
    CHECK(std::equal(got.begin(), got.end(), r.image.begin() + 8 * 512));
    CHECK(r.io.read(kStatus, 1) == 0x50);
    CHECK_FALSE(irq);
    r.io.write(static_cast<uint16_t>(bm + 2), 0x04, 1);
    CHECK(r.io.read(static_cast<uint16_t>(bm + 2), 1) == 0x00);
    r.io.write(bm, 0x00, 1);

    // A write from memory.
    std::vector<uint8_t> pattern(4096);
    std::iota(pattern.begin(), pattern.end(), uint8_t{7});
    r.bus.write_bytes(0x10000, pattern.data(), 1024);
    r.bus.write_bytes(0x20000, pattern.data() + 1024, 3072);
    r.io.write(bm, 0x01, 1);
    r.command(0xca, 30, 8);
    r.wait();
    CHECK(r.io.read(kStatus, 1) == 0x50);
    std::vector<uint8_t> back(4096);
    REQUIRE(r.pci.drive(0)->read(30 * 512, back));
    CHECK(back == pattern);
    // A table too short moves nothing and ends the command without an interrupt, as QEMU's.
    r.io.read(kStatus, 1);
    r.io.write(bm, 0x00, 1);
    r.io.write(static_cast<uint16_t>(bm + 2), 0x06, 1);
    r.io.write(bm, 0x09, 1);
    std::vector<uint8_t> before(1024);
    r.bus.read_bytes(0x10000, before.data(), before.size());
    r.command(0xc8, 0, 16);
    r.wait();
    CHECK_FALSE(irq);
    CHECK(r.io.read(kStatus, 1) == 0x50);
    CHECK(r.io.read(static_cast<uint16_t>(bm + 2), 1) == 0x00);
    std::vector<uint8_t> after(1024);
    r.bus.read_bytes(0x10000, after.data(), after.size());
    CHECK(after == before);

    // nIEN masks the line, not the pending interrupt.
    r.io.write(bm, 0x00, 1);
    r.io.write(kControl, 0x02, 1);
    r.command(0xe7, 0, 0);
    r.wait();
    CHECK_FALSE(irq);
    r.io.write(kControl, 0x00, 1);
    CHECK(irq);
    r.io.read(kStatus, 1);
    CHECK_FALSE(irq);
}

TEST_CASE("ide: a snapshot in the middle of a PIO read carries the transfer and the overlay", "[pci][ide]")
{
    Rig a;
    a.command(0x30, 2, 1);
    for (unsigned i = 0; i < 256; ++i)
        a.io.write(kData, 0x1234, 2);
    a.wait();
    a.command(0x20, 1, 3);
    a.wait();
    for (unsigned i = 0; i < 300; ++i)
        a.io.read(kData, 2);  // all of sector 1 and 44 words of sector 2
    StateWriter w;
    a.clock.serialize(w);
    for (Component* c : a.pci.components())
        c->serialize(w);

    Rig b;
    StateReader rd(w.bytes());
    b.clock.serialize(rd);
    for (Component* c : b.pci.components())
        c->serialize(rd);
    REQUIRE(rd.finish());
    b.clock.set_icount(a.clock.icount());
    std::vector<uint8_t> rest_a, rest_b;
    for (unsigned i = 0; i < 212; ++i) {
        rest_a.push_back(static_cast<uint8_t>(a.io.read(kData, 2)));
        rest_b.push_back(static_cast<uint8_t>(b.io.read(kData, 2)));
    }
    CHECK(rest_a == rest_b);
    CHECK(rest_b[0] == 0x34);  // the rest of sector 2, from the overlay
    std::vector<uint8_t> last_a = a.read_data(1), last_b = b.read_data(1);
    CHECK(last_a == last_b);
    CHECK(std::equal(last_b.begin(), last_b.end(), b.image.begin() + 3 * 512));
}
