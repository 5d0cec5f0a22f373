// The PCI side of `pc`, laid out as QEMU 7.2's i440FX/PIIX3 board: configuration mechanism #1
// at 0xcf8 (dev/pci_host.h) with, on bus 0, the i440FX host bridge (00:00.0, 8086:1237), the
// PIIX3 ISA bridge (00:01.0, 8086:7000, multi-function) and the PIIX3 IDE controller (00:01.1,
// dev/piix_ide.h) with the run's drives: --drive i is, as QEMU's `-drive if=ide,index=i`,
// primary master, primary slave, secondary master, secondary slave. The PIIX4 power management
// function QEMU has at 00:01.3 is not here (its configuration space reads as absent). With a
// network, an RTL8139 (dev/rtl8139.h) at 00:02.0, where `-nodefaults -nic user,model=rtl8139`
// puts it.
//
// PCI interrupts go as on QEMU's i440FX: INTx of slot N to PIIX3 PIRQ (N - 1 + x) & 3, which
// the PIRQ route control registers (PIIX3 0x60-0x63) send to an ISA IRQ. Several PIRQs on one
// IRQ are or-ed. A route changed while its line is up takes effect at the line's next change.
//
// There is no BIOS, so the functions start as SeaBIOS leaves them under QEMU: I/O, memory and
// SERR enabled in each, PIRQA-D routed to IRQ 10, 10, 11, 11 (level triggered in the ELCR,
// which the board sets), each function's interrupt line set to its PIRQ's IRQ, the I/O BARs
// assigned from 0xc000 up, largest first (the NIC's 256 ports, then the IDE function's
// bus-master BAR, bus mastering off), the NIC's memory BAR below 0xfec00000, and both
// channels' IDE decode enabled.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/component.h"
#include "core/io_ports.h"
#include "dev/pci_function.h"
#include "dev/pci_host.h"
#include "dev/piix_ide.h"
#include "dev/rtl8139.h"
#include "machine/virtio_config.h"

namespace emu {

class PcPci final : public PortDevice {
public:
    static constexpr unsigned kMaxDrives = 4;

    static constexpr unsigned kNicSlot = 2;
    // The ISA IRQs SeaBIOS routes PIRQA-D to.
    static constexpr std::array<uint8_t, 4> kSeaBiosPirqIrqs = {10, 10, 11, 11};

    // `drives` beyond kMaxDrives are left out (the run configuration's check refuses them); an
    // RTL8139 when `nic`. `isa_irq` takes the PCI interrupts as PIIX3 routes them.
    PcPci(Bus& bus, VirtualClock& clock, const std::vector<VirtioDrive>& drives, bool nic,
          std::function<void(unsigned irq, bool level)> isa_irq);

    // Claims the configuration ports, the IDE ports and, last, every port no other device took
    // (where the functions' I/O BARs may be put): call after the board's own devices.
    void add_ports(IoPorts& io);
    // Devices with state, in a fixed order.
    std::vector<Component*> components();
    // Drive i as the guest sees it now, or null.
    const DiskOverlay* drive(size_t i) const;

    PciHost& host() { return host_; }
    PiixIde& ide() { return ide_; }
    Rtl8139* nic() { return nic_.get(); }

    // Ports no fixed device decodes: the functions' I/O BARs.
    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;

private:
    // INTx (0 = INTA) of the function in `slot` changed.
    void pci_irq(unsigned slot, unsigned intx, bool level);
    // PIRQRC[pirq] without its reserved bits, and whether a function holds that PIRQ up.
    uint8_t pirq_route(unsigned pirq) const;
    bool pirq_level(unsigned pirq) const;

    PciHost host_;
    PciFunction i440fx_;
    PciFunction piix3_;
    PiixIde ide_;
    std::unique_ptr<Rtl8139> nic_;
    std::function<void(unsigned, bool)> isa_irq_;
};

}  // namespace emu
