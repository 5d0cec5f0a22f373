// A split virtqueue (virtio 1.x, "Split Virtqueues") as the device side sees it: the
// descriptor table, the available ring the driver fills and the used ring the device fills,
// all in guest memory and reached through the Bus (so that the device's writes mark RAM dirty
// and drop translated code, as the CPU's do). Indirect descriptors are followed; EVENT_IDX is
// not offered, so notifications follow the rings' flags alone.
//
// A chain the driver built wrong (a loop, an index past the table, a table outside RAM, a
// readable descriptor after a writable one, an indirect table inside another) is never
// followed: pop() says Malformed and the transport sets DEVICE_NEEDS_RESET.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bus.h"

namespace emu {

class StateArchive;

// One buffer of a chain: guest-physical, in chain order.
struct VirtqSegment {
    uint64_t addr = 0;
    uint32_t len = 0;
};

struct VirtqChain {
    uint16_t head = 0;
    std::vector<VirtqSegment> readable;  // driver to device, first in the chain
    std::vector<VirtqSegment> writable;  // device to driver, after them
    uint64_t readable_bytes() const;
    uint64_t writable_bytes() const;
};

class Virtqueue {
public:
    enum class Pop { Empty, Ok, Malformed };

    // The sizes the driver may choose: a power of two up to max_size.
    explicit Virtqueue(uint16_t max_size) : max_size_(max_size), size_(max_size) {}

    uint16_t max_size() const { return max_size_; }
    uint16_t size() const { return size_; }
    bool ready() const { return ready_; }
    uint64_t desc_addr() const { return desc_; }
    uint64_t avail_addr() const { return avail_; }
    uint64_t used_addr() const { return used_; }

    // Driver configuration (the transport's registers).
    void set_size(uint16_t n) { size_ = n; }
    void set_addresses(uint64_t desc, uint64_t avail, uint64_t used)
    {
        desc_ = desc;
        avail_ = avail;
        used_ = used;
    }
    // A queue becomes ready only with a valid size: a power of two no larger than max_size.
    bool set_ready(bool ready);
    // Back to the state after a device reset.
    void reset();

    // Whether the driver has made a chain available that the device has not taken.
    bool has_chain(Bus& bus) const;
    // Takes the next available chain into `out`.
    Pop pop(Bus& bus, VirtqChain& out);
    // Looks at the next available chain without taking it.
    Pop peek(Bus& bus, VirtqChain& out) const;
    // Returns a chain to the driver with `written` bytes written into its writable part.
    // False when the used ring is not in RAM.
    bool push(Bus& bus, uint16_t head, uint32_t written);
    // Whether the driver wants an interrupt for used buffers (VIRTQ_AVAIL_F_NO_INTERRUPT clear).
    bool wants_interrupt(Bus& bus) const;

    // Size, readiness, ring addresses and the device's indices (section "virtq").
    void serialize(StateArchive& a);

private:
    Pop read_chain(Bus& bus, uint16_t head, VirtqChain& out) const;

    uint16_t max_size_;
    uint16_t size_;  // QueueNum: the largest size until the driver chooses, as QEMU has it
    bool ready_ = false;
    uint64_t desc_ = 0, avail_ = 0, used_ = 0;
    uint16_t last_avail_ = 0;  // the next available-ring entry the device takes
    uint16_t used_idx_ = 0;    // the device's used.idx
};

// Copies a chain's readable bytes from `offset` on into `out` (as many as fit); returns how
// many. And the other way: bytes into the writable part from `offset` on.
uint64_t virtq_read(Bus& bus, const VirtqChain& chain, uint64_t offset, void* out, uint64_t len);
uint64_t virtq_write(Bus& bus, const VirtqChain& chain, uint64_t offset, const void* data, uint64_t len);

}  // namespace emu
