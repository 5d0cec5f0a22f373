// PCI configuration mechanism #1 as the i440FX host bridge decodes it (ports 0xcf8-0xcff):
// CONFIG_ADDRESS at 0xcf8 (enable bit 31, bus 23:16, device 15:11, function 10:8, register
// 7:2), latched by 32-bit writes only; CONFIG_DATA at 0xcfc-0xcff, any size, reaching the
// addressed function's configuration space at register + (port & 3). Only bus 0 exists; an
// absent function reads as all ones. Port 0xcf9, a byte wide, is the PIIX3's reset control
// register: writing bit 2 (with bit 1, hard, or without, soft) resets the machine.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "core/component.h"
#include "core/io_ports.h"
#include "dev/pci_function.h"

namespace emu {

class PciHost final : public PortDevice, public Component {
public:
    static constexpr uint16_t kAddressPort = 0xcf8, kResetControlPort = 0xcf9, kDataPort = 0xcfc;
    static constexpr uint16_t kPortCount = 8;

    // `function` (the device outlives the host) answers at bus 0, device:function `devfn`.
    void attach(uint8_t devfn, PciFunction& function) { functions_[devfn] = &function; }
    static constexpr uint8_t devfn(unsigned device, unsigned function) { return static_cast<uint8_t>(device << 3 | function); }

    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;

    std::function<void()> reset_request;

    // CONFIG_ADDRESS and the reset control register (section "pci-host"); the functions'
    // spaces are their own components.
    void serialize(StateArchive& a) override;

private:
    PciFunction* addressed() const;

    std::array<PciFunction*, 256> functions_{};
    uint32_t address_ = 0;
    uint8_t reset_control_ = 0;
};

}  // namespace emu
