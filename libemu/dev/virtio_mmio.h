// The virtio-mmio transport (virtio 1.x, "Virtio Over MMIO") as QEMU's virt places it: one
// 0x200-byte register window per slot. Legacy (version 1, the layout QEMU's virt presents by
// default: a queue is one guest page frame laid out with the guest's page size and alignment)
// or modern (version 2: separate descriptor, available and used ring addresses, QueueReady,
// VIRTIO_F_VERSION_1 offered and required).
//
// A device type derives from VirtioMmio and supplies its id, its feature bits, its
// configuration space and what a queue notification does; the transport keeps the registers,
// the feature negotiation, the queues and the interrupt. Everything is in serialize().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/bus.h"
#include "core/component.h"
#include "dev/irq_line.h"
#include "dev/virtqueue.h"
#include "machine/virtio_config.h"

namespace emu {

namespace virtio {
constexpr uint32_t kMagic = 0x74726976;     // "virt"
constexpr uint32_t kVendorQemu = 0x554D4551;  // "QEMU", as QEMU's transports report
constexpr uint64_t kWindowBytes = 0x200;
// Device ids ("Device Types").
constexpr uint32_t kNetDevice = 1;
constexpr uint32_t kBlockDevice = 2;
constexpr uint32_t kEntropyDevice = 4;
// Transport feature bits ("Reserved Feature Bits").
constexpr unsigned kFeatureAnyLayout = 27;
constexpr unsigned kFeatureIndirectDesc = 28;
constexpr unsigned kFeatureVersion1 = 32;
// Device status bits.
constexpr uint32_t kStatusAcknowledge = 1;
constexpr uint32_t kStatusDriver = 2;
constexpr uint32_t kStatusDriverOk = 4;
constexpr uint32_t kStatusFeaturesOk = 8;
constexpr uint32_t kStatusNeedsReset = 64;
constexpr uint32_t kStatusFailed = 128;
// InterruptStatus bits.
constexpr uint32_t kInterruptUsedBuffer = 1;
constexpr uint32_t kInterruptConfigChange = 2;
}  // namespace virtio

class VirtioMmio : public MmioDevice, public Component {
public:
    virtual ~VirtioMmio() = default;
    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;

    // The transport's registers, its queues, the interrupt level, then the device's own state
    // (section "virtio-mmio", then the device's).
    void serialize(StateArchive& a) final;

    uint32_t device_id() const { return device_id_; }
    VirtioMmioVersion version() const { return version_; }
    uint32_t status() const { return status_; }
    uint64_t driver_features() const { return driver_features_; }
    // Every feature bit offered: the device's and the transport's.
    uint64_t offered_features() const;
    unsigned queue_count() const { return static_cast<unsigned>(queues_.size()); }

    IrqLine irq;  // InterruptStatus != 0

protected:
    VirtioMmio(Bus& bus, VirtioMmioVersion version, uint32_t device_id, std::vector<uint16_t> queue_sizes);

    // The device type's feature bits (the transport adds its own).
    virtual uint64_t device_features() const = 0;
    // The device's configuration space as the driver reads it now (little-endian fields).
    virtual std::vector<uint8_t> config_space() const = 0;
    // A driver write into the configuration space; ignored unless a device takes one.
    virtual void config_write(uint64_t, uint64_t, unsigned) {}
    // The driver notified queue `q` (ready, and the device not broken).
    virtual void queue_notified(unsigned q) = 0;
    // The driver reset the device (status 0): back to the state after construction.
    virtual void device_reset() {}
    // The device type's own state, after the transport's.
    virtual void serialize_device(StateArchive& a) = 0;

    Virtqueue& queue(unsigned q) { return queues_[q]; }
    const Virtqueue& queue(unsigned q) const { return queues_[q]; }
    bool negotiated(unsigned feature) const { return (driver_features_ >> feature) & 1; }
    bool driver_ok() const { return (status_ & virtio::kStatusDriverOk) && !broken(); }
    bool broken() const { return status_ & virtio::kStatusNeedsReset; }
    // Returns a chain to the driver and interrupts unless the driver asked not to be.
    void complete(unsigned q, uint16_t head, uint32_t written);
    // The driver broke the protocol (a malformed chain): DEVICE_NEEDS_RESET, a configuration
    // change interrupt, and the device does nothing more until it is reset.
    void device_error();

    Bus& bus_;

private:
    struct QueueRegs {
        uint32_t legacy_align = 4096;  // QueueAlign (legacy)
        uint32_t legacy_pfn = 0;       // QueuePFN (legacy)
    };
    uint32_t read_register(uint64_t offset);
    void write_register(uint64_t offset, uint32_t value);
    void write_status(uint32_t value);
    void reset();
    void set_legacy_pfn(uint32_t pfn);
    void update_irq() { irq.set(interrupt_status_ != 0); }
    // Current queue (QueueSel), or null when it names none.
    Virtqueue* selected();

    VirtioMmioVersion version_;
    uint32_t device_id_;
    std::vector<Virtqueue> queues_;
    std::vector<QueueRegs> queue_regs_;
    uint32_t status_ = 0;
    uint32_t device_features_sel_ = 0;
    uint32_t driver_features_sel_ = 0;
    uint64_t driver_features_ = 0;
    uint32_t guest_page_size_ = 0;  // legacy; 0 until the driver sets it
    uint32_t queue_sel_ = 0;
    uint32_t interrupt_status_ = 0;
};

// A transport with no device behind it, as QEMU's virt leaves its unused slots: magic, version
// and vendor read as usual, device id 0, everything else 0. It has no state.
class EmptyVirtioSlot : public MmioDevice {
public:
    explicit EmptyVirtioSlot(VirtioMmioVersion version) : version_(version) {}
    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t, uint64_t, unsigned) override {}

private:
    VirtioMmioVersion version_;
};

}  // namespace emu
