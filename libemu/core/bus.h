// The physical memory bus: RAM regions backed by host memory and MMIO regions backed by devices.
// CPUs reach RAM through host pointers on their fast path and come here for everything else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/access_watch.h"
#include "core/host_pages.h"

namespace emu {

using PhysAddr = uint64_t;

constexpr unsigned kPageBits = 12;
constexpr uint64_t kPageSize = uint64_t{1} << kPageBits;

// Bits of RamRegion::dirty_page. Each consumer of "the pages written since I last looked" owns
// one bit and clears only its own; a store sets them all.
enum DirtyBit : uint8_t {
    kDirtyForHash = 1,        // state hashes (ram_digest)
    kDirtyForCheckpoint = 2,  // the recorder's checkpoints
    kDirtyForCompare = 4,     // rr-bisect comparing two machines
    kDirtyForRestore = 8,     // a replay restoring checkpoints (LoadedRam::restore)
    kDirtyForSnapshot = 16,   // a debugging session's in-memory snapshots
};
constexpr uint8_t kPageWritten = 0xff;

// A device register window. Offsets are relative to the region base; size is 1, 2, 4 or 8.
class MmioDevice {
public:
    virtual ~MmioDevice() = default;
    virtual uint64_t mmio_read(uint64_t offset, unsigned size) = 0;
    virtual void mmio_write(uint64_t offset, uint64_t value, unsigned size) = 0;
};

struct RamRegion {
    PhysAddr base = 0;
    uint64_t size = 0;
    HostPages host{0};
    // One byte per page: non-zero while the page holds translated code, so that a store to it
    // can invalidate the blocks decoded from it.
    std::vector<uint8_t> code_page;
    // One byte per page: kPageWritten once the page is written; see DirtyBit.
    std::vector<uint8_t> dirty_page;
    // A ROM device (flash): an MMIO device over the same range takes every store, and while
    // device_reads is set (a command mode) also every read and fetch. Its owner changes the
    // bytes itself and reports them with Bus::note_ram_write.
    bool device_writes = false;
    bool device_reads = false;
};

class Bus {
public:
    enum class Status { Ok, Unmapped };

    RamRegion& add_ram(PhysAddr base, uint64_t size);
    void add_mmio(PhysAddr base, uint64_t size, MmioDevice* device, std::string name);
    // Moves a device's register window (the local APIC's page follows IA32_APIC_BASE). RAM
    // still wins where the two overlap.
    void move_mmio(MmioDevice* device, PhysAddr new_base);

    // The RAM region containing [addr, addr + len) that reads come from, or null.
    RamRegion* ram_at(PhysAddr addr, uint64_t len = 1);
    uint8_t* ram_ptr(PhysAddr addr, uint64_t len);

    // Slow-path accesses: RAM or MMIO. Stores to RAM mark pages dirty and notify the
    // code-write listener.
    Status read(PhysAddr addr, unsigned size, uint64_t& value);
    Status write(PhysAddr addr, unsigned size, uint64_t value);

    // Block copies for loaders and DMA; false if any byte is outside RAM.
    bool write_bytes(PhysAddr addr, const void* data, uint64_t len);
    bool read_bytes(PhysAddr addr, void* data, uint64_t len);

    // Called with the physical page address when RAM holding translated code is written.
    void set_code_write_listener(std::function<void(PhysAddr page)> listener)
    {
        code_write_listener_ = std::move(listener);
    }
    void note_ram_write(RamRegion& ram, PhysAddr addr, uint64_t len);
    // Forgets which pages hold translated code, for a CPU that dropped all its translations.
    void clear_code_pages();

    const std::vector<RamRegion>& ram_regions() const { return ram_; }
    std::vector<RamRegion>& ram_regions() { return ram_; }

    // The accesses of the CPU on this bus a debugger watches (core/access_watch.h).
    AccessWatch& access_watch() { return access_watch_; }

private:
    struct MmioRegion {
        PhysAddr base;
        uint64_t size;
        MmioDevice* device;
        std::string name;
    };
    MmioRegion* mmio_at(PhysAddr addr);

    std::vector<RamRegion> ram_;
    std::vector<MmioRegion> mmio_;
    std::function<void(PhysAddr)> code_write_listener_;
    AccessWatch access_watch_;
};

}  // namespace emu
