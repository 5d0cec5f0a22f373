// One function of a conventional PCI device as its configuration space shows it: a type 0
// header of 256 bytes, with the bits software may write given by a mask the way QEMU 7.2 keeps
// them (command IO/memory/bus master/INTx disable, cache line size, interrupt line, BARs down to
// their size, and the device-specific registers from 0x40 writable; SERR enable too). Devices derive from it for
// their registers and their BARs' effects; a plain PciFunction is a function with nothing behind
// its configuration space (a host bridge, an ISA bridge).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/component.h"

namespace emu {

class StateArchive;

namespace pci {
// Configuration space offsets and bits the devices here use (PCI Local Bus 3.0, 6.1 and 6.2).
constexpr uint8_t kVendorId = 0x00, kDeviceId = 0x02, kCommand = 0x04, kStatus = 0x06, kRevision = 0x08,
                  kProgIf = 0x09, kClass = 0x0a, kCacheLineSize = 0x0c, kHeaderType = 0x0e, kBar0 = 0x10,
                  kSubsystemVendorId = 0x2c, kSubsystemId = 0x2e, kInterruptLine = 0x3c, kInterruptPin = 0x3d;
constexpr uint16_t kCommandIo = 1 << 0, kCommandMemory = 1 << 1, kCommandMaster = 1 << 2, kCommandSerr = 1 << 8,
                   kCommandIntxDisable = 1 << 10;
// QEMU's subsystem IDs for its own devices (Red Hat, QEMU).
constexpr uint16_t kQemuSubsystemVendor = 0x1af4, kQemuSubsystem = 0x1100;
constexpr uint8_t kHeaderMultiFunction = 0x80;
constexpr uint32_t kBarIo = 1;
}  // namespace pci

struct PciIdentity {
    uint16_t vendor, device;
    uint8_t revision;
    uint32_t class_code;  // base class, subclass, programming interface: 0x010180
    bool multi_function = false;
    uint16_t status = 0;  // read-only: DEVSEL timing, fast back-to-back
    uint16_t subsystem_vendor = pci::kQemuSubsystemVendor, subsystem = pci::kQemuSubsystem;
};

class PciFunction : public Component {
public:
    explicit PciFunction(const PciIdentity& id, std::string name);
    virtual ~PciFunction() = default;

    // `offset` + `size` stays within the 256 bytes (the host bridge sees to it); little-endian.
    uint32_t config_read(uint8_t offset, unsigned size) const;
    void config_write(uint8_t offset, uint32_t value, unsigned size);

    const std::string& name() const { return name_; }
    uint16_t command() const { return config16(pci::kCommand); }

    // The configuration space (section "pci <name>"); a derived device serializes it first.
    void serialize(StateArchive& a) override;

protected:
    // An I/O BAR of `bytes` (a power of two, at least 4) at BAR `index`.
    void add_io_bar(unsigned index, uint32_t bytes);
    // A 32-bit non-prefetchable memory BAR of `bytes` (a power of two, at least 16).
    void add_memory_bar(unsigned index, uint32_t bytes);
    // The I/O base BAR `index` decodes now, or 0 while I/O decoding is off or it is unset.
    uint16_t io_bar(unsigned index) const;
    // The address memory BAR `index` holds, whether or not memory decoding is on.
    uint32_t memory_bar(unsigned index) const;
    // After a write that changed bytes [offset, offset + size).
    virtual void config_written(uint8_t, unsigned) {}

    uint16_t config16(uint8_t offset) const { return static_cast<uint16_t>(config_read(offset, 2)); }
    void set_config(uint8_t offset, uint32_t value, unsigned size);
    void set_writable(uint8_t offset, uint32_t mask, unsigned size);

private:
    std::array<uint8_t, 256> config_{};
    std::array<uint8_t, 256> writable_{};
    std::string name_;
};

}  // namespace emu
