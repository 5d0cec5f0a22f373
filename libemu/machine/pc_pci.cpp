#include "machine/pc_pci.h"

namespace emu {

namespace {

// Where SeaBIOS puts the IDE bus-master BAR on QEMU's `-M pc -nodefaults`: the first I/O BAR
// it assigns, at the bottom of its I/O window.
constexpr uint32_t kSeaBiosIoBase = 0xc000;
// And the NIC's 256-byte memory BAR: the top of its 32-bit window, which ends at the I/O APIC.
constexpr uint32_t kSeaBiosNicMemory = 0xfebff000;
// PIIX3 PIRQRC[A-D]: bit 7 disables the route, bits 3-0 are the ISA IRQ.
constexpr uint8_t kPirqRouteControl = 0x60, kPirqDisabled = 0x80;
// PIIX IDETIM (0x40 primary, 0x42 secondary): bit 15 enables the channel's decode.
constexpr uint8_t kIdeTimingPrimary = 0x40, kIdeTimingSecondary = 0x42;
constexpr uint16_t kIdeDecodeEnable = 0x8000;
// The command SeaBIOS leaves in every function: I/O, memory, SERR.
constexpr uint16_t kSeaBiosCommand = pci::kCommandIo | pci::kCommandMemory | pci::kCommandSerr;
constexpr uint16_t kDevselMedium = 0x0200;

}  // namespace

PcPci::PcPci(Bus& bus, VirtualClock& clock, const std::vector<VirtioDrive>& drives, bool nic,
             std::function<void(unsigned irq, bool level)> isa_irq)
    : i440fx_({0x8086, 0x1237, 0x02, 0x060000}, "i440fx"),
      piix3_({0x8086, 0x7000, 0x00, 0x060100, true, kDevselMedium}, "piix3"),
      ide_(bus, clock),
      isa_irq_(std::move(isa_irq))
{
    host_.attach(PciHost::devfn(0, 0), i440fx_);
    host_.attach(PciHost::devfn(1, 0), piix3_);
    host_.attach(PciHost::devfn(1, 1), ide_);
    for (size_t i = 0; i < drives.size() && i < kMaxDrives; ++i)
        ide_.channel(static_cast<unsigned>(i / 2))
            .attach(static_cast<unsigned>(i % 2), IdeDriveConfig{drives[i].image, drives[i].read_only, drives[i].serial});

    for (unsigned i = 0; i < 4; ++i)
        piix3_.config_write(static_cast<uint8_t>(kPirqRouteControl + i), kSeaBiosPirqIrqs[i], 1);
    uint32_t io_base = kSeaBiosIoBase;
    if (nic) {
        nic_ = std::make_unique<Rtl8139>(bus);
        host_.attach(PciHost::devfn(kNicSlot, 0), *nic_);
        nic_->irq.connect([this](bool level) { pci_irq(kNicSlot, 0, level); });
        nic_->config_write(pci::kBar0 + 4 * Rtl8139::kIoBar, io_base, 4);
        io_base += Rtl8139::kRegisterBytes;
        nic_->config_write(pci::kBar0 + 4 * Rtl8139::kMemoryBar, kSeaBiosNicMemory, 4);
        // INTA of slot 2 is PIRQB.
        nic_->config_write(pci::kInterruptLine, kSeaBiosPirqIrqs[(kNicSlot - 1) & 3], 1);
        nic_->config_write(pci::kCommand, kSeaBiosCommand, 2);
    }
    ide_.config_write(pci::kBar0 + 4 * PiixIde::kBusMasterBar, io_base, 4);
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

std::vector<Component*> PcPci::components()
{
    std::vector<Component*> c = {&host_, &i440fx_, &piix3_, &ide_};
    if (nic_)
        c.push_back(nic_.get());
    return c;
}

void PcPci::pci_irq(unsigned slot, unsigned intx, bool)
{
    uint8_t route = pirq_route((slot - 1 + intx) & 3);
    if (route & kPirqDisabled)
        return;
    bool level = false;
    for (unsigned p = 0; p < 4; ++p)
        level = level || (pirq_level(p) && pirq_route(p) == route);
    isa_irq_(route & 0x0f, level);
}

uint8_t PcPci::pirq_route(unsigned pirq) const
{
    return static_cast<uint8_t>(piix3_.config_read(static_cast<uint8_t>(kPirqRouteControl + pirq), 1) & 0x8f);
}

// The lines are the devices' own, so that nothing here needs saving.
bool PcPci::pirq_level(unsigned pirq) const
{
    return nic_ && pirq == ((kNicSlot - 1) & 3) && nic_->irq.level();
}

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
    if (nic_ && nic_->io_read(port, size, v))
        return v;
    return size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu;
}

void PcPci::port_write(uint16_t port, uint32_t value, unsigned size)
{
    if (!ide_.bus_master_write(port, value, size) && nic_)
        nic_->io_write(port, value, size);
}

}  // namespace emu
