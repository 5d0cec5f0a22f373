// The memory fast path of the i386 CPU: an access through a flat segment with paging off
// (flat_read_end_, flat_write_end_) is one bounds check against the RAM window, and with paging
// on (flat_paged_) a TLB hit; segmentation for flat-enough segments and a TLB hit on RAM become
// one bounds check and a memcpy; everything else goes to the checked slow path.
#pragma once

#include <cstring>

#include "cpu/x86/cpu.h"

namespace emu::x86 {

// The flat-segment hits alone, which cannot fault, touch a device or write code: a handler's
// memory-form variant tries one and, on a miss, tail-calls its general variant, so that its hit
// path needs no stack frame and no check for a device access after it.
template <class T>
[[gnu::always_inline]] inline bool Cpu::read_flat(uint8_t seg, uint32_t offset, T& out) const
{
    if (__builtin_expect(uint64_t{offset} + sizeof(T) <= flat_read_end_[seg], 1)) {
        std::memcpy(&out, ram_.host + offset, sizeof(T));
        return true;
    }
    return (flat_paged_[seg] & kFlatPagedRead) && read_tlb_hit(offset, out);
}

template <class T>
[[gnu::always_inline]] inline bool Cpu::write_flat(uint8_t seg, uint32_t offset, T value)
{
    if (__builtin_expect(uint64_t{offset} + sizeof(T) <= flat_write_end_[seg], 1))
        return store_to_ram(offset, value);
    return (flat_paged_[seg] & kFlatPagedWrite) && write_tlb_hit(offset, value);
}

// The TLB holds RAM pages only, never a watched page, and gives pages holding code no write
// permission, so a hit needs no other check.
template <class T>
[[gnu::always_inline]] inline bool Cpu::read_tlb_hit(uint32_t lin, T& out) const
{
    const TlbEntry& e = tlb_[(lin >> kPageBits) % kTlbEntries];
    if (__builtin_expect(e.page == (lin & ~0xFFFu) && (e.perm & (s.cpl == 3 ? kTlbReadUser : kTlbRead)) &&
                             (lin & 0xFFF) <= kPageSize - sizeof(T),
                         1)) {
        std::memcpy(&out, e.host + (lin & 0xFFF), sizeof(T));
        return true;
    }
    return false;
}

template <class T>
[[gnu::always_inline]] inline bool Cpu::write_tlb_hit(uint32_t lin, T value)
{
    const TlbEntry& e = tlb_[(lin >> kPageBits) % kTlbEntries];
    if (__builtin_expect(e.page == (lin & ~0xFFFu) && (e.perm & (s.cpl == 3 ? kTlbWriteUser : kTlbWrite)) &&
                             (lin & 0xFFF) <= kPageSize - sizeof(T),
                         1)) {
        std::memcpy(e.host + (lin & 0xFFF), &value, sizeof(T));
        *e.dirty = kPageWritten;
        return true;
    }
    return false;
}

// Within one page (every byte store, nearly every other): one code-page test and one dirty
// mark. A store across two pages takes the slow path.
template <class T>
[[gnu::always_inline]] inline bool Cpu::store_to_ram(uint32_t addr, T value)
{
    uint8_t* host = ram_.host;
    uint8_t* dirty = ram_.dirty_page;
    uint32_t page = addr >> kPageBits;
    if (__builtin_expect((addr & (kPageSize - 1)) > kPageSize - sizeof(T) || ram_.code_page[page] != 0, 0))
        return false;
    std::memcpy(host + addr, &value, sizeof(T));
    dirty[page] = kPageWritten;
    return true;
}

// The fast paths are inlined into every handler; everything else is out of line.
template <class T>
[[gnu::always_inline]] inline bool Cpu::read(uint8_t seg, uint32_t offset, T& out, const Op* op)
{
    // A flat segment with paging off: the offset is the physical address.
    if (__builtin_expect(read_flat(seg, offset, out), 1))
        return true;
    const Segment& g = s.seg[seg];
    // Present expand-up data, or present readable code, within the limit: the common case
    // needs no other check.
    if (__builtin_expect(((g.attr & 0x9C) == 0x90 || (g.attr & 0x9A) == 0x9A) &&
                             uint64_t{offset} + sizeof(T) - 1 <= g.limit,
                         1)) {
        uint32_t lin = g.base + offset;
        // Paging off: linear addresses are physical, and the RAM from 0 is one window.
        if (__builtin_expect(!(s.cr0 & kCr0PG) && uint64_t{lin} + sizeof(T) <= ram_.size, 1)) {
            std::memcpy(&out, ram_.host + lin, sizeof(T));
            return true;
        }
        if (__builtin_expect(read_tlb_hit(lin, out), 1))
            return true;
    }
    return read_slow(seg, offset, out, op);
}

template <class T>
[[gnu::noinline]] bool Cpu::read_slow(uint8_t seg, uint32_t offset, T& out, const Op* op)
{
    uint32_t lin;
    if (!segment_check(seg, offset, sizeof(T), false, op, lin))
        return false;
    if (!(s.cr0 & kCr0PG) && uint64_t{lin} + sizeof(T) <= ram_.size) {
        std::memcpy(&out, ram_.host + lin, sizeof(T));
        return true;
    }
    uint64_t v;
    if (!read_linear(lin, sizeof(T), v, s.cpl == 3, op))
        return false;
    out = static_cast<T>(v);
    return true;
}

template <class T>
[[gnu::always_inline]] inline bool Cpu::write(uint8_t seg, uint32_t offset, T value, const Op* op)
{
    if (__builtin_expect(uint64_t{offset} + sizeof(T) <= flat_write_end_[seg], 1))
        return store_to_ram(offset, value) || write_slow(seg, offset, value, op);
    const Segment& g = s.seg[seg];
    // Present, writable data, expand-up, within the limit.
    if (__builtin_expect((g.attr & 0x9E) == 0x92 && uint64_t{offset} + sizeof(T) - 1 <= g.limit, 1)) {
        uint32_t lin = g.base + offset;
        if (__builtin_expect(!(s.cr0 & kCr0PG) && uint64_t{lin} + sizeof(T) <= ram_.size, 1)) {
            if (__builtin_expect(store_to_ram(lin, value), 1))
                return true;
        } else if (__builtin_expect(write_tlb_hit(lin, value), 1)) {
            return true;
        }
    }
    return write_slow(seg, offset, value, op);
}

template <class T>
[[gnu::noinline]] bool Cpu::write_slow(uint8_t seg, uint32_t offset, T value, const Op* op)
{
    uint32_t lin;
    if (!segment_check(seg, offset, sizeof(T), true, op, lin))
        return false;
    return write_linear(lin, sizeof(T), value, s.cpl == 3, op);
}

}  // namespace emu::x86
