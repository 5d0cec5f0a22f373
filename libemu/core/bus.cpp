#include "core/bus.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace emu {

RamRegion& Bus::add_ram(PhysAddr base, uint64_t size)
{
    RamRegion& r = ram_.emplace_back();
    r.base = base;
    r.size = size;
    // Value-initialised: guest-visible RAM never holds host garbage.
    r.host = std::make_unique<uint8_t[]>(size);
    r.code_page.assign((size + kPageSize - 1) >> kPageBits, 0);
    r.dirty_page.assign(r.code_page.size(), 0);
    return r;
}

void Bus::add_mmio(PhysAddr base, uint64_t size, MmioDevice* device, std::string name)
{
    mmio_.push_back({base, size, device, std::move(name)});
}

void Bus::move_mmio(MmioDevice* device, PhysAddr new_base)
{
    for (MmioRegion& m : mmio_)
        if (m.device == device)
            m.base = new_base;
}

RamRegion* Bus::ram_at(PhysAddr addr, uint64_t len)
{
    for (RamRegion& r : ram_) {
        uint64_t off = addr - r.base;
        if (addr >= r.base && off < r.size && len <= r.size - off && !r.device_reads)
            return &r;
    }
    return nullptr;
}

uint8_t* Bus::ram_ptr(PhysAddr addr, uint64_t len)
{
    RamRegion* r = ram_at(addr, len);
    return r ? r->host.get() + (addr - r->base) : nullptr;
}

Bus::MmioRegion* Bus::mmio_at(PhysAddr addr)
{
    for (MmioRegion& m : mmio_)
        if (addr >= m.base && addr - m.base < m.size)
            return &m;
    return nullptr;
}

void Bus::note_ram_write(RamRegion& ram, PhysAddr addr, uint64_t len)
{
    uint64_t first = (addr - ram.base) >> kPageBits;
    uint64_t last = (addr + len - 1 - ram.base) >> kPageBits;
    for (uint64_t p = first; p <= last && p < ram.code_page.size(); p++) {
        ram.dirty_page[p] = kPageWritten;
        if (ram.code_page[p] && code_write_listener_)
            code_write_listener_(ram.base + (p << kPageBits));
    }
}

void Bus::clear_code_pages()
{
    for (RamRegion& r : ram_)
        std::fill(r.code_page.begin(), r.code_page.end(), 0);
}

Bus::Status Bus::read(PhysAddr addr, unsigned size, uint64_t& value)
{
    if (RamRegion* r = ram_at(addr, size)) {
        value = 0;
        std::memcpy(&value, r->host.get() + (addr - r->base), size);
        return Status::Ok;
    }
    if (MmioRegion* m = mmio_at(addr)) {
        value = m->device->mmio_read(addr - m->base, size);
        return Status::Ok;
    }
    value = 0;
    return Status::Unmapped;
}

Bus::Status Bus::write(PhysAddr addr, unsigned size, uint64_t value)
{
    if (RamRegion* r = ram_at(addr, size); r && !r->device_writes) {
        std::memcpy(r->host.get() + (addr - r->base), &value, size);
        note_ram_write(*r, addr, size);
        return Status::Ok;
    }
    if (MmioRegion* m = mmio_at(addr)) {
        m->device->mmio_write(addr - m->base, value, size);
        return Status::Ok;
    }
    return Status::Unmapped;
}

bool Bus::write_bytes(PhysAddr addr, const void* data, uint64_t len)
{
    if (len == 0)
        return true;
    RamRegion* r = ram_at(addr, len);
    if (!r || r->device_writes)
        return false;
    std::memcpy(r->host.get() + (addr - r->base), data, len);
    note_ram_write(*r, addr, len);
    return true;
}

bool Bus::read_bytes(PhysAddr addr, void* data, uint64_t len)
{
    if (len == 0)
        return true;
    const uint8_t* p = ram_ptr(addr, len);
    if (!p)
        return false;
    std::memcpy(data, p, len);
    return true;
}

}  // namespace emu
