#include "dev/virtio_mmio.h"

#include "core/state_archive.h"

namespace emu {

namespace {

// Register offsets ("MMIO Device Register Layout"); the legacy-only ones are marked.
enum Reg : uint64_t {
    MagicValue = 0x000,
    Version = 0x004,
    DeviceId = 0x008,
    VendorId = 0x00c,
    DeviceFeatures = 0x010,
    DeviceFeaturesSel = 0x014,
    DriverFeatures = 0x020,
    DriverFeaturesSel = 0x024,
    GuestPageSize = 0x028,  // legacy
    QueueSel = 0x030,
    QueueNumMax = 0x034,
    QueueNum = 0x038,
    QueueAlign = 0x03c,  // legacy
    QueuePfn = 0x040,    // legacy
    QueueReady = 0x044,
    QueueNotify = 0x050,
    InterruptStatus = 0x060,
    InterruptAck = 0x064,
    Status = 0x070,
    QueueDescLow = 0x080,
    QueueDescHigh = 0x084,
    QueueDriverLow = 0x090,
    QueueDriverHigh = 0x094,
    QueueDeviceLow = 0x0a0,
    QueueDeviceHigh = 0x0a4,
    ConfigGeneration = 0x0fc,
    Config = 0x100,
};

uint64_t set_low(uint64_t v, uint32_t low) { return (v & ~uint64_t{0xffffffff}) | low; }
uint64_t set_high(uint64_t v, uint32_t high) { return (v & 0xffffffff) | uint64_t{high} << 32; }

// The registers every transport answers alike, with or without a device.
bool identity_register(uint64_t offset, VirtioMmioVersion version, uint32_t device_id, uint32_t& value)
{
    switch (offset) {
    case MagicValue: value = virtio::kMagic; return true;
    case Version: value = static_cast<uint32_t>(version); return true;
    case DeviceId: value = device_id; return true;
    case VendorId: value = virtio::kVendorQemu; return true;
    default: return false;
    }
}

}  // namespace

const char* virtio_mmio_version_name(VirtioMmioVersion v)
{
    switch (v) {
    case VirtioMmioVersion::Legacy: return "legacy";
    case VirtioMmioVersion::Modern: return "modern";
    }
    return "?";
}

VirtioMmio::VirtioMmio(Bus& bus, VirtioMmioVersion version, uint32_t device_id, std::vector<uint16_t> queue_sizes)
    : bus_(bus), version_(version), device_id_(device_id), queue_regs_(queue_sizes.size())
{
    for (uint16_t n : queue_sizes)
        queues_.emplace_back(n);
}

uint64_t VirtioMmio::offered_features() const
{
    uint64_t f = device_features() | uint64_t{1} << virtio::kFeatureIndirectDesc;
    if (version_ == VirtioMmioVersion::Modern)
        f |= uint64_t{1} << virtio::kFeatureVersion1;
    else
        f |= uint64_t{1} << virtio::kFeatureAnyLayout;
    return f;
}

Virtqueue* VirtioMmio::selected() { return queue_sel_ < queues_.size() ? &queues_[queue_sel_] : nullptr; }

uint32_t VirtioMmio::read_register(uint64_t offset)
{
    uint32_t v = 0;
    if (identity_register(offset, version_, device_id_, v))
        return v;
    bool legacy = version_ == VirtioMmioVersion::Legacy;
    Virtqueue* q = selected();
    switch (offset) {
    case DeviceFeatures:
        // A legacy transport has only the first 32 feature bits.
        if (device_features_sel_ > 1 || (legacy && device_features_sel_ != 0))
            return 0;
        return static_cast<uint32_t>(offered_features() >> (32 * device_features_sel_));
    case QueueNumMax: return q ? q->max_size() : 0;
    case QueueNum: return q ? q->size() : 0;
    case QueuePfn: return legacy && q ? queue_regs_[queue_sel_].legacy_pfn : 0;
    case QueueAlign: return legacy && q ? queue_regs_[queue_sel_].legacy_align : 0;
    case QueueReady: return !legacy && q && q->ready();
    case InterruptStatus: return interrupt_status_;
    case Status: return status_;
    case ConfigGeneration: return 0;  // no device here changes its configuration
    case QueueDescLow: return !legacy && q ? static_cast<uint32_t>(q->desc_addr()) : 0;
    case QueueDescHigh: return !legacy && q ? static_cast<uint32_t>(q->desc_addr() >> 32) : 0;
    case QueueDriverLow: return !legacy && q ? static_cast<uint32_t>(q->avail_addr()) : 0;
    case QueueDriverHigh: return !legacy && q ? static_cast<uint32_t>(q->avail_addr() >> 32) : 0;
    case QueueDeviceLow: return !legacy && q ? static_cast<uint32_t>(q->used_addr()) : 0;
    case QueueDeviceHigh: return !legacy && q ? static_cast<uint32_t>(q->used_addr() >> 32) : 0;
    default: return 0;  // write-only and reserved registers
    }
}

// Legacy: the queue occupies guest pages from PFN * GuestPageSize: the descriptor table, the
// available ring right after it, the used ring at the next QueueAlign boundary
// ("Legacy Interfaces: A Note on Virtqueue Layout"). PFN 0 stops the queue.
void VirtioMmio::set_legacy_pfn(uint32_t pfn)
{
    Virtqueue* q = selected();
    if (!q)
        return;
    QueueRegs& r = queue_regs_[queue_sel_];
    r.legacy_pfn = pfn;
    if (pfn == 0) {
        q->set_ready(false);
        return;
    }
    uint64_t page = guest_page_size_ ? guest_page_size_ : 4096;
    uint64_t align = r.legacy_align ? r.legacy_align : 4096;
    uint64_t desc = uint64_t{pfn} * page;
    uint64_t avail = desc + 16 * uint64_t{q->size()};
    uint64_t avail_end = avail + 6 + 2 * uint64_t{q->size()};
    uint64_t used = (avail_end + align - 1) / align * align;
    q->set_addresses(desc, avail, used);
    q->set_ready(true);
}

void VirtioMmio::write_register(uint64_t offset, uint32_t value)
{
    bool legacy = version_ == VirtioMmioVersion::Legacy;
    Virtqueue* q = selected();
    switch (offset) {
    case DeviceFeaturesSel: device_features_sel_ = value; break;
    case DriverFeaturesSel: driver_features_sel_ = value; break;
    case DriverFeatures:
        // Only before FEATURES_OK; a legacy driver has one word of them.
        if ((status_ & virtio::kStatusFeaturesOk) || driver_features_sel_ > 1 || (legacy && driver_features_sel_ != 0))
            break;
        driver_features_ = driver_features_sel_ ? set_high(driver_features_, value) : set_low(driver_features_, value);
        break;
    case GuestPageSize:
        if (legacy)
            guest_page_size_ = value;
        break;
    case QueueSel: queue_sel_ = value; break;
    case QueueNum:
        if (q && !q->ready())
            q->set_size(static_cast<uint16_t>(value > 0xffff ? 0 : value));
        break;
    case QueueAlign:
        if (legacy && q)
            queue_regs_[queue_sel_].legacy_align = value;
        break;
    case QueuePfn:
        if (legacy)
            set_legacy_pfn(value);
        break;
    case QueueReady:
        if (!legacy && q)
            q->set_ready(value & 1);
        break;
    case QueueDescLow:
    case QueueDescHigh:
    case QueueDriverLow:
    case QueueDriverHigh:
    case QueueDeviceLow:
    case QueueDeviceHigh: {
        if (legacy || !q || q->ready())
            break;
        uint64_t desc = q->desc_addr(), avail = q->avail_addr(), used = q->used_addr();
        bool high = offset & 4;
        uint64_t& field = offset < QueueDriverLow ? desc : offset < QueueDeviceLow ? avail : used;
        field = high ? set_high(field, value) : set_low(field, value);
        q->set_addresses(desc, avail, used);
        break;
    }
    case QueueNotify:
        if (value < queues_.size() && queues_[value].ready() && !broken())
            queue_notified(value);
        break;
    case InterruptAck:
        interrupt_status_ &= ~value;
        update_irq();
        break;
    case Status: write_status(value); break;
    default: break;  // read-only and reserved registers
    }
}

void VirtioMmio::write_status(uint32_t value)
{
    if (value == 0) {
        reset();
        return;
    }
    uint32_t was = status_;
    // The device keeps DEVICE_NEEDS_RESET until the driver resets it.
    status_ = value | (status_ & virtio::kStatusNeedsReset);
    if ((status_ & virtio::kStatusFeaturesOk) && !(was & virtio::kStatusFeaturesOk)) {
        // FEATURES_OK stays clear when the driver took a bit not offered, or (modern) did not
        // take VIRTIO_F_VERSION_1: the driver then sees that the device refused.
        bool unknown = driver_features_ & ~offered_features();
        bool no_v1 = version_ == VirtioMmioVersion::Modern && !negotiated(virtio::kFeatureVersion1);
        if (unknown || no_v1)
            status_ &= ~virtio::kStatusFeaturesOk;
    }
}

void VirtioMmio::reset()
{
    status_ = 0;
    device_features_sel_ = driver_features_sel_ = 0;
    driver_features_ = 0;
    queue_sel_ = 0;
    interrupt_status_ = 0;
    for (Virtqueue& q : queues_)
        q.reset();
    for (QueueRegs& r : queue_regs_)
        r = QueueRegs{};
    update_irq();
    device_reset();
}

void VirtioMmio::complete(unsigned q, uint16_t head, uint32_t written)
{
    if (!queues_[q].push(bus_, head, written)) {
        device_error();
        return;
    }
    if (queues_[q].wants_interrupt(bus_)) {
        interrupt_status_ |= virtio::kInterruptUsedBuffer;
        update_irq();
    }
}

void VirtioMmio::device_error()
{
    status_ |= virtio::kStatusNeedsReset;
    if (status_ & virtio::kStatusDriverOk) {
        interrupt_status_ |= virtio::kInterruptConfigChange;
        update_irq();
    }
}

// Registers are 32 bits wide and read as such; the configuration space takes any width.
uint64_t VirtioMmio::mmio_read(uint64_t offset, unsigned size)
{
    if (offset >= Config) {
        std::vector<uint8_t> config = config_space();
        uint64_t v = 0;
        for (unsigned i = 0; i < size; ++i)
            if (offset - Config + i < config.size())
                v |= uint64_t{config[offset - Config + i]} << (8 * i);
        return v;
    }
    return size == 4 && offset % 4 == 0 ? read_register(offset) : 0;
}

void VirtioMmio::mmio_write(uint64_t offset, uint64_t value, unsigned size)
{
    if (offset >= Config) {
        config_write(offset - Config, value, size);
        return;
    }
    if (size == 4 && offset % 4 == 0)
        write_register(offset, static_cast<uint32_t>(value));
}

void VirtioMmio::serialize(StateArchive& a)
{
    a.section("virtio-mmio", 1);
    uint32_t id = device_id_;
    a.field("device_id", id);
    if (a.loading() && id != device_id_)
        a.fail("virtio-mmio: the snapshot has device " + std::to_string(id) + " here, this machine device " +
               std::to_string(device_id_));
    a.field("status", status_);
    a.field("device_features_sel", device_features_sel_);
    a.field("driver_features_sel", driver_features_sel_);
    a.field("driver_features", driver_features_);
    a.field("guest_page_size", guest_page_size_);
    a.field("queue_sel", queue_sel_);
    a.field("interrupt_status", interrupt_status_);
    for (size_t i = 0; i < queues_.size(); ++i) {
        a.field("legacy_align", queue_regs_[i].legacy_align);
        a.field("legacy_pfn", queue_regs_[i].legacy_pfn);
        queues_[i].serialize(a);
    }
    bool level = irq.level();
    a.field("irq", level);
    if (a.loading())
        irq.restore_level(level);
    serialize_device(a);
}

uint64_t EmptyVirtioSlot::mmio_read(uint64_t offset, unsigned size)
{
    uint32_t v = 0;
    return size == 4 && identity_register(offset, version_, 0, v) ? v : 0;
}

}  // namespace emu
