// The PCI side of `pc`, laid out as QEMU 7.2's i440FX/PIIX3 board: configuration mechanism #1
// at 0xcf8 (dev/pci_host.h) with, on bus 0, the i440FX host bridge (00:00.0, 8086:1237), the
// PIIX3 ISA bridge (00:01.0, 8086:7000, multi-function) and the PIIX3 IDE controller (00:01.1,
// dev/piix_ide.h) with the run's drives: --drive i is, as QEMU's `-drive if=ide,index=i`,
// primary master, primary slave, secondary master, secondary slave. The PIIX4 power management
// function QEMU has at 00:01.3 is not here (its configuration space reads as absent).
//
// There is no BIOS, so the functions start as SeaBIOS leaves them under QEMU: I/O, memory and
// SERR enabled in each, the IDE function's bus-master BAR at 0xc000 (bus mastering off), and
// both channels' IDE decode enabled.
#pragma once

#include <functional>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/component.h"
#include "core/io_ports.h"
#include "dev/pci_function.h"
#include "dev/pci_host.h"
#include "dev/piix_ide.h"
#include "machine/virtio_config.h"

namespace emu {

class PcPci final : public PortDevice {
public:
    static constexpr unsigned kMaxDrives = 4;

    // `drives` beyond kMaxDrives are left out (the run configuration's check refuses them).
    PcPci(Bus& bus, VirtualClock& clock, const std::vector<VirtioDrive>& drives);

    // Claims the configuration ports, the IDE ports and, last, every port no other device took
    // (where the functions' I/O BARs may be put): call after the board's own devices.
    void add_ports(IoPorts& io);
    // Devices with state, in a fixed order.
    std::vector<Component*> components();
    // Drive i as the guest sees it now, or null.
    const DiskOverlay* drive(size_t i) const;

    PciHost& host() { return host_; }
    PiixIde& ide() { return ide_; }

    // Ports no fixed device decodes: the functions' I/O BARs.
    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;

private:
    PciHost host_;
    PciFunction i440fx_;
    PciFunction piix3_;
    PiixIde ide_;
};

}  // namespace emu
