#include "dev/pci_function.h"

#include "core/state_archive.h"

namespace emu {

PciFunction::PciFunction(const PciIdentity& id, std::string name) : name_(std::move(name))
{
    set_config(pci::kVendorId, id.vendor, 2);
    set_config(pci::kDeviceId, id.device, 2);
    set_config(pci::kRevision, id.revision, 1);
    set_config(pci::kProgIf, id.class_code, 3);
    set_config(pci::kHeaderType, id.multi_function ? pci::kHeaderMultiFunction : 0, 1);
    set_config(pci::kStatus, id.status, 2);
    set_config(pci::kSubsystemVendorId, id.subsystem_vendor, 2);
    set_config(pci::kSubsystemId, id.subsystem, 2);
    set_writable(pci::kCommand,
                 pci::kCommandIo | pci::kCommandMemory | pci::kCommandMaster | pci::kCommandSerr | pci::kCommandIntxDisable, 2);
    set_writable(pci::kCacheLineSize, 0xff, 1);
    set_writable(pci::kInterruptLine, 0xff, 1);
    for (unsigned i = 0x40; i < 0x100; ++i)
        writable_[i] = 0xff;
}

uint32_t PciFunction::config_read(uint8_t offset, unsigned size) const
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size && offset + i < 0x100; ++i)
        v |= uint32_t{config_[offset + i]} << (8 * i);
    return v;
}

void PciFunction::config_write(uint8_t offset, uint32_t value, unsigned size)
{
    for (unsigned i = 0; i < size && offset + i < 0x100; ++i) {
        uint8_t& b = config_[offset + i];
        uint8_t mask = writable_[offset + i];
        b = static_cast<uint8_t>((b & ~mask) | ((value >> (8 * i)) & mask));
    }
    config_written(offset, size);
}

void PciFunction::set_config(uint8_t offset, uint32_t value, unsigned size)
{
    for (unsigned i = 0; i < size; ++i)
        config_[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

void PciFunction::set_writable(uint8_t offset, uint32_t mask, unsigned size)
{
    for (unsigned i = 0; i < size; ++i)
        writable_[offset + i] = static_cast<uint8_t>(mask >> (8 * i));
}

void PciFunction::add_io_bar(unsigned index, uint32_t bytes)
{
    uint8_t offset = static_cast<uint8_t>(pci::kBar0 + 4 * index);
    set_config(offset, pci::kBarIo, 4);
    // Sizing writes all ones and reads back ~(bytes - 1) with the I/O bit, as QEMU answers.
    set_writable(offset, ~(bytes - 1), 4);
}

void PciFunction::add_memory_bar(unsigned index, uint32_t bytes)
{
    uint8_t offset = static_cast<uint8_t>(pci::kBar0 + 4 * index);
    set_config(offset, 0, 4);
    set_writable(offset, ~(bytes - 1), 4);
}

uint32_t PciFunction::memory_bar(unsigned index) const
{
    return config_read(static_cast<uint8_t>(pci::kBar0 + 4 * index), 4) & ~uint32_t{0xf};
}

uint16_t PciFunction::io_bar(unsigned index) const
{
    if (!(command() & pci::kCommandIo))
        return 0;
    uint32_t bar = config_read(static_cast<uint8_t>(pci::kBar0 + 4 * index), 4) & ~uint32_t{3};
    // A base past the 64 KiB I/O space (all ones while being sized) decodes nothing.
    return bar > 0xffff ? 0 : static_cast<uint16_t>(bar);
}

void PciFunction::serialize(StateArchive& a)
{
    a.section("pci " + name_, 1);
    std::vector<uint8_t> bytes(config_.begin(), config_.end());
    a.blob("config", bytes);
    if (!a.loading())
        return;
    if (bytes.size() != config_.size()) {
        a.fail("pci " + name_ + ": configuration space of " + std::to_string(bytes.size()) + " bytes");
        return;
    }
    std::copy(bytes.begin(), bytes.end(), config_.begin());
}

}  // namespace emu
