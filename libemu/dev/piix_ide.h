// The PIIX3 IDE function (8086:7010) as QEMU 7.2's `-M pc` has it at 00:01.1: both channels in
// legacy mode (primary at ports 0x1f0-0x1f7 and 0x3f6 on ISA IRQ 14, secondary at 0x170-0x177
// and 0x376 on IRQ 15; programming interface 0x80) and the bus-master DMA engine at BAR4 (16
// ports, 8 per channel: command, status, descriptor table address).
//
// The engine walks the physical region descriptor table (8 bytes each: a word-aligned address,
// a byte count with 0 meaning 64 KiB, bit 31 ending the table) when the drive's DMA command and
// the start bit have both come (dev/ide_channel.h); the status's interrupt bit is set whenever
// the channel raises its IRQ, as QEMU sets it. A table that does not cover the transfer moves
// nothing, clears the active bit and raises no interrupt (QEMU 7.2's behaviour); a region
// outside RAM sets the error bit.
#pragma once

#include <array>
#include <cstdint>

#include "core/bus.h"
#include "core/io_ports.h"
#include "dev/ide_channel.h"
#include "dev/pci_function.h"

namespace emu {

class PiixIde final : public PciFunction, public PortDevice {
public:
    static constexpr uint16_t kPrimaryBase = 0x1f0, kPrimaryControl = 0x3f6;
    static constexpr uint16_t kSecondaryBase = 0x170, kSecondaryControl = 0x376;
    static constexpr unsigned kPrimaryIrq = 14, kSecondaryIrq = 15;
    static constexpr unsigned kBusMasterBar = 4;

    PiixIde(Bus& bus, VirtualClock& clock);

    IdeChannel& channel(unsigned i) { return channels_[i]; }
    const IdeChannel& channel(unsigned i) const { return channels_[i]; }

    // The legacy ports; the board claims them for this device.
    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;
    // The bus-master registers where BAR4 puts them; false for a port outside.
    bool bus_master_read(uint16_t port, unsigned size, uint32_t& value);
    bool bus_master_write(uint16_t port, uint32_t value, unsigned size);

    // ISA IRQ 14 and 15.
    IrqLine irq[2];

    void serialize(StateArchive& a) override;

private:
    struct BusMaster {
        uint8_t command = 0;
        uint8_t status = 0;
        uint32_t table = 0;
    };

    bool transfer(unsigned ch, std::span<uint8_t> data, bool to_memory);

    Bus& bus_;
    std::array<IdeChannel, 2> channels_;
    std::array<BusMaster, 2> bus_master_;
};

}  // namespace emu
