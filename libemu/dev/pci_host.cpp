#include "dev/pci_host.h"

#include "core/state_archive.h"

namespace emu {

namespace {

constexpr uint32_t kEnable = 1u << 31;
constexpr uint8_t kResetCpu = 1 << 2;

uint32_t all_ones(unsigned size) { return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1; }

}  // namespace

PciFunction* PciHost::addressed() const
{
    if (!(address_ & kEnable) || ((address_ >> 16) & 0xff) != 0)
        return nullptr;
    return functions_[(address_ >> 8) & 0xff];
}

uint32_t PciHost::port_read(uint16_t port, unsigned size)
{
    if (port == kAddressPort && size == 4)
        return address_;
    if (port == kResetControlPort && size == 1)
        return reset_control_;
    if (port >= kDataPort) {
        PciFunction* f = addressed();
        unsigned offset = (address_ & 0xfc) + (port & 3u);
        if (f && offset + size <= 0x100)
            return f->config_read(static_cast<uint8_t>(offset), size);
    }
    return all_ones(size);
}

void PciHost::port_write(uint16_t port, uint32_t value, unsigned size)
{
    if (port == kAddressPort && size == 4) {
        address_ = value & ~uint32_t{3};  // bits 1:0 read as 0 (type 0 accesses only)
        return;
    }
    if (port == kResetControlPort && size == 1) {
        // Bit 1 (hard reset) is kept; bit 2 acts and reads back as 0.
        if ((value & kResetCpu) && reset_request)
            reset_request();
        else
            reset_control_ = static_cast<uint8_t>(value & 0x02);
        return;
    }
    if (port >= kDataPort) {
        PciFunction* f = addressed();
        unsigned offset = (address_ & 0xfc) + (port & 3u);
        if (f && offset + size <= 0x100)
            f->config_write(static_cast<uint8_t>(offset), value, size);
    }
}

void PciHost::serialize(StateArchive& a)
{
    a.section("pci-host", 1);
    a.field("address", address_);
    a.field("reset_control", reset_control_);
}

}  // namespace emu
