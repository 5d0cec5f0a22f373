#include "dev/piix_ide.h"

#include <algorithm>
#include <vector>

#include "core/state_archive.h"

namespace emu {

namespace {

constexpr uint8_t kStart = 0x01, kToMemory = 0x08;
constexpr uint8_t kActive = 0x01, kError = 0x02, kInterrupt = 0x04, kDriveCapable = 0x60;
constexpr uint32_t kEndOfTable = 1u << 31;
constexpr uint16_t kFastBackToBack = 0x0080, kDevselMedium = 0x0200;
// A table longer than this is a loop the guest made: the transfer fails instead.
constexpr unsigned kMaxDescriptors = 65536;

}  // namespace

PiixIde::PiixIde(Bus& bus, VirtualClock& clock)
    : PciFunction({0x8086, 0x7010, 0x00, 0x010180, false, kFastBackToBack | kDevselMedium}, "piix3-ide"),
      bus_(bus),
      channels_{IdeChannel(clock, "primary"), IdeChannel(clock, "secondary")}
{
    add_io_bar(kBusMasterBar, 16);
    for (unsigned ch = 0; ch < 2; ++ch) {
        channels_[ch].irq.connect([this, ch](bool level) {
            if (level)
                bus_master_[ch].status |= kInterrupt;
            irq[ch].set(level);
        });
        channels_[ch].set_dma_transfer(
            [this, ch](std::span<uint8_t> data, bool to_memory) { return transfer(ch, data, to_memory); });
    }
}

uint32_t PiixIde::port_read(uint16_t port, unsigned size)
{
    if (port == kPrimaryControl || port == kSecondaryControl)
        return channels_[port == kSecondaryControl].read_alternate_status();
    unsigned ch = port < kPrimaryBase;
    return channels_[ch].read_command_block(port & 7u, size);
}

void PiixIde::port_write(uint16_t port, uint32_t value, unsigned size)
{
    if (port == kPrimaryControl || port == kSecondaryControl) {
        channels_[port == kSecondaryControl].write_device_control(static_cast<uint8_t>(value));
        return;
    }
    unsigned ch = port < kPrimaryBase;
    channels_[ch].write_command_block(port & 7u, value, size);
}

bool PiixIde::bus_master_read(uint16_t port, unsigned size, uint32_t& value)
{
    uint16_t base = io_bar(kBusMasterBar);
    if (!base || port < base || port - base >= 16)
        return false;
    value = 0;
    for (unsigned i = 0; i < size; ++i) {
        unsigned r = (port - base + i) & 15u;
        const BusMaster& bm = bus_master_[r >> 3];
        uint8_t b = 0xff;  // registers 1 and 3 are reserved
        switch (r & 7u) {
        case 0: b = bm.command; break;
        case 2: b = bm.status; break;
        case 4: case 5: case 6: case 7: b = static_cast<uint8_t>(bm.table >> (8 * ((r & 7u) - 4))); break;
        }
        value |= uint32_t{b} << (8 * i);
    }
    return true;
}

bool PiixIde::bus_master_write(uint16_t port, uint32_t value, unsigned size)
{
    uint16_t base = io_bar(kBusMasterBar);
    if (!base || port < base || port - base >= 16)
        return false;
    for (unsigned i = 0; i < size; ++i) {
        unsigned r = (port - base + i) & 15u;
        unsigned ch = r >> 3;
        BusMaster& bm = bus_master_[ch];
        uint8_t b = static_cast<uint8_t>(value >> (8 * i));
        switch (r & 7u) {
        case 0: {
            bool was = bm.command & kStart;
            bm.command = b & (kStart | kToMemory);
            if ((b & kStart) && !was) {
                bm.status |= kActive;
                channels_[ch].set_dma_active(true);
            } else if (!(b & kStart) && was) {
                bm.status &= ~kActive;
                channels_[ch].set_dma_active(false);
            }
            break;
        }
        case 2:  // drive-capable bits written, error and interrupt cleared by writing 1
            bm.status = static_cast<uint8_t>((b & kDriveCapable) | (bm.status & kActive) |
                                             (bm.status & ~b & (kError | kInterrupt)));
            break;
        case 4: case 5: case 6: case 7: {
            unsigned shift = 8 * ((r & 7u) - 4);
            bm.table = (bm.table & ~(0xffu << shift)) | (uint32_t{b} << shift);
            bm.table &= ~uint32_t{3};
            break;
        }
        }
    }
    return true;
}

bool PiixIde::transfer(unsigned ch, std::span<uint8_t> data, bool to_memory)
{
    BusMaster& bm = bus_master_[ch];
    bm.status &= ~kActive;
    // The regions first: a table that does not cover the transfer moves nothing (QEMU's way).
    struct Region {
        uint32_t address;
        uint64_t bytes;
    };
    std::vector<Region> regions;
    uint64_t covered = 0;
    uint32_t entry = bm.table;
    for (unsigned n = 0; n < kMaxDescriptors && covered < data.size(); ++n, entry += 8) {
        uint32_t words[2] = {};
        if (!bus_.read_bytes(entry, words, sizeof words))
            return false;
        uint32_t bytes = words[1] & 0xfffe;
        uint64_t take = std::min<uint64_t>(bytes ? bytes : 0x10000, data.size() - covered);
        regions.push_back({words[0] & ~uint32_t{1}, take});
        covered += take;
        if (words[1] & kEndOfTable)
            break;
    }
    if (covered < data.size())
        return false;
    uint64_t done = 0;
    for (const Region& r : regions) {
        bool ok = to_memory ? bus_.write_bytes(r.address, data.data() + done, r.bytes)
                            : bus_.read_bytes(r.address, data.data() + done, r.bytes);
        if (!ok)
            bm.status |= kError;  // a region outside RAM: the rest still moves
        done += r.bytes;
    }
    return true;
}

void PiixIde::serialize(StateArchive& a)
{
    PciFunction::serialize(a);
    a.section("piix3-ide bus master", 1);
    for (BusMaster& bm : bus_master_) {
        a.field("command", bm.command);
        a.field("status", bm.status);
        a.field("table", bm.table);
    }
    for (IdeChannel& c : channels_)
        c.serialize(a);
    if (a.loading())
        for (unsigned ch = 0; ch < 2; ++ch)
            irq[ch].restore_level(channels_[ch].irq.level());
}

}  // namespace emu
