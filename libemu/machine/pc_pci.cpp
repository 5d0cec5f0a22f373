#include "machine/pc_pci.h"

namespace emu {

namespace {

// Where SeaBIOS puts the IDE bus-master BAR on QEMU's `-M pc -nodefaults`: the first I/O BAR
// it assigns, at the bottom of its I/O window.
constexpr uint32_t kSeaBiosIdeBusMaster = 0xc000;
// PIIX IDETIM (0x40 primary, 0x42 secondary): bit 15 enables the channel's decode.
constexpr uint8_t kIdeTimingPrimary = 0x40, kIdeTimingSecondary = 0x42;
constexpr uint16_t kIdeDecodeEnable = 0x8000;
// The command SeaBIOS leaves in every function: I/O, memory, SERR.
constexpr uint16_t kSeaBiosCommand = pci::kCommandIo | pci::kCommandMemory | pci::kCommandSerr;
constexpr uint16_t kDevselMedium = 0x0200;

}  // namespace

PcPci::PcPci(Bus& bus, VirtualClock& clock, const std::vector<VirtioDrive>& drives)
    : i440fx_({0x8086, 0x1237, 0x02, 0x060000}, "i440fx"),
      piix3_({0x8086, 0x7000, 0x00, 0x060100, true, kDevselMedium}, "piix3"),
      ide_(bus, clock)
{
    host_.attach(PciHost::devfn(0, 0), i440fx_);
    host_.attach(PciHost::devfn(1, 0), piix3_);
    host_.attach(PciHost::devfn(1, 1), ide_);
    for (size_t i = 0; i < drives.size() && i < kMaxDrives; ++i)
        ide_.channel(static_cast<unsigned>(i / 2))
            .attach(static_cast<unsigned>(i % 2), IdeDriveConfig{drives[i].image, drives[i].read_only, drives[i].serial});

    ide_.config_write(pci::kBar0 + 4 * PiixIde::kBusMasterBar, kSeaBiosIdeBusMaster, 4);
    for (PciFunction* f : {static_cast<PciFunction*>(&i440fx_), &piix3_, static_cast<PciFunction*>(&ide_)})
        f->config_write(pci::kCommand, kSeaBiosCommand, 2);
    ide_.config_write(kIdeTimingPrimary, kIdeDecodeEnable, 2);
    ide_.config_write(kIdeTimingSecondary, kIdeDecodeEnable, 2);
}

void PcPci::add_ports(IoPorts& io)
{
    io.add(PciHost::kAddressPort, PciHost::kPortCount, &host_, "pci-host");
    io.add(PiixIde::kPrimaryBase, 8, &ide_, "ide0");
    io.add(PiixIde::kPrimaryControl, 1, &ide_, "ide0-control");
    io.add(PiixIde::kSecondaryBase, 8, &ide_, "ide1");
    io.add(PiixIde::kSecondaryControl, 1, &ide_, "ide1-control");
    io.add(0, 0xffff, this, "pci-io");
}

std::vector<Component*> PcPci::components() { return {&host_, &i440fx_, &piix3_, &ide_}; }

const DiskOverlay* PcPci::drive(size_t i) const
{
    if (i >= kMaxDrives)
        return nullptr;
    return ide_.channel(static_cast<unsigned>(i / 2)).disk(static_cast<unsigned>(i % 2));
}

uint32_t PcPci::port_read(uint16_t port, unsigned size)
{
    uint32_t v = 0;
    if (ide_.bus_master_read(port, size, v))
        return v;
    return size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu;
}

void PcPci::port_write(uint16_t port, uint32_t value, unsigned size)
{
    ide_.bus_master_write(port, value, size);
}

}  // namespace emu
