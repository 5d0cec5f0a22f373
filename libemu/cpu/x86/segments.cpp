// Descriptors and segments: loading segment registers (real and virtual-8086 mode: the
// selector is the base's paragraph; protected mode: the descriptor checks), and the checks
// every access through a segment makes.
#include "cpu/x86/cpu.h"

#include <algorithm>

#include "core/format.h"
#include "cpu/x86/memory.h"

namespace emu::x86 {

Cpu::Fetch Cpu::read_descriptor(uint16_t selector, uint64_t& d, const Op* op)
{
    const bool local = selector & 4;
    uint32_t table = local ? s.ldtr.base : s.gdtr.base;
    uint32_t limit = local ? s.ldtr.limit : s.gdtr.limit;
    uint32_t index = selector & ~7u;
    if (local && !(s.ldtr.attr & 0x80))
        return Fetch::Invalid;
    if (index + 7 > limit)
        return Fetch::Invalid;
    if (!read_linear(table + index, 8, d, false, op))
        return Fetch::Faulted;
    return Fetch::Ok;
}

bool Cpu::set_descriptor_busy(uint16_t selector, bool busy, const Op* op)
{
    // TSS descriptors live in the GDT; bit 1 of the type is the busy bit.
    uint32_t at = s.gdtr.base + (selector & ~7u) + 5;
    uint64_t type;
    if (!read_linear(at, 1, type, false, op))
        return false;
    type = busy ? (type | 0x02) : (type & ~uint64_t{0x02});
    return write_linear(at, 1, type, false, op);
}

void Cpu::load_real_segment(uint8_t seg, uint16_t selector)
{
    Segment& g = s.seg[seg];
    g.selector = selector;
    g.base = uint32_t{selector} << 4;
    if (s.vm86()) {
        g.limit = 0xFFFF;
        g.attr = kVm86Data;
        return;
    }
    // Real mode: P6 and later processors keep the limit, DPL and size the descriptor cache
    // holds (what protected mode loaded: "big real mode"); the segment becomes present
    // read/write data, as after reset.
    g.attr = static_cast<uint16_t>((g.attr & 0xF60) | kRealModeData);
}

Cpu::Fetch Cpu::fetch_descriptor(uint16_t selector, Segment& out)
{
    uint64_t d;
    if (Fetch f = read_descriptor(selector, d); f != Fetch::Ok)
        return f;
    const bool local = selector & 4;
    uint32_t table = local ? s.ldtr.base : s.gdtr.base;
    uint32_t index = selector & ~7u;
    out = segment_from_descriptor(d, selector);
    // The CPU sets the accessed bit of code and data descriptors it loads.
    if ((out.attr & 0x10) && !(out.attr & 0x01)) {
        out.attr |= 0x01;
        uint64_t byte = (d >> 40) | 1;
        if (!write_linear(table + index + 5, 1, byte & 0xFF, false, nullptr))
            return Fetch::Faulted;
    }
    return Fetch::Ok;
}

bool Cpu::load_segment(uint8_t seg, uint16_t selector, const Op* op)
{
    if (s.real_segments()) {
        load_real_segment(seg, selector);
        update_flat_segments();
        return true;
    }
    Segment d;
    if (!check_data_segment(seg, selector, s.cpl, kExcGP, d, op))
        return false;
    s.seg[seg] = d;
    update_flat_segments();
    return true;
}

void Cpu::update_flat_segments()
{
    flat_stale_ = false;
    for (uint8_t r = 0; r < kNumSegs; r++) {
        const Segment& g = s.seg[r];
        const bool paging = s.cr0 & kCr0PG;
        const bool flat = g.base == 0 && g.limit == 0xFFFFFFFFu;
        // The attribute tests segment_check() makes: readable, and writable expand-up data.
        const bool readable = (g.attr & 0x9C) == 0x90 || (g.attr & 0x9A) == 0x9A;
        const bool writable = (g.attr & 0x9E) == 0x92;
        flat_read_end_[r] = !paging && flat && readable ? ram_.size : 0;
        flat_write_end_[r] = !paging && flat && writable ? ram_.size : 0;
        flat_paged_[r] = paging && flat ? (readable ? kFlatPagedRead : 0) | (writable ? kFlatPagedWrite : 0) : 0;
    }
}

bool Cpu::check_data_segment(uint8_t seg, uint16_t selector, unsigned cpl, uint8_t bad, Segment& out, const Op* op)
{
    uint8_t rpl = selector & 3;
    uint32_t err = selector & ~3u;
    if ((selector & ~3u) == 0) {
        if (seg == kSs) {
            fault(op, bad, err);
            return false;
        }
        out = Segment{selector, 0, 0, 0};  // null: any access through it is #GP(0)
        return true;
    }
    Segment d;
    if (Fetch f = fetch_descriptor(selector, d); f != Fetch::Ok) {
        if (f == Fetch::Invalid)
            fault(op, bad, err);
        return false;
    }
    unsigned dpl = (d.attr >> 5) & 3;
    bool is_segment = d.attr & 0x10;
    bool is_code = d.attr & 0x08;
    bool readable = is_code ? (d.attr & 0x02) : true;
    bool writable = !is_code && (d.attr & 0x02);
    bool conforming = is_code && (d.attr & 0x04);
    if (seg == kSs) {
        if (!is_segment || !writable || rpl != cpl || dpl != cpl) {
            fault(op, bad, err);
            return false;
        }
        if (!(d.attr & 0x80)) {
            fault(op, kExcSS, err);
            return false;
        }
    } else {
        if (!is_segment || !readable || (!conforming && (dpl < cpl || dpl < rpl))) {
            fault(op, bad, err);
            return false;
        }
        if (!(d.attr & 0x80)) {
            fault(op, kExcNP, err);
            return false;
        }
    }
    out = d;
    return true;
}

bool Cpu::segment_check(uint8_t seg, uint32_t offset, unsigned size, bool is_write, const Op* op, uint32_t& lin)
{
    const Segment& g = s.seg[seg];
    uint8_t vector = seg == kSs ? kExcSS : kExcGP;
    if (!(g.attr & 0x80)) {  // null or not present
        fault(op, vector, 0);
        return false;
    }
    bool is_code = g.attr & 0x08;
    if (is_write ? (is_code || !(g.attr & 0x02)) : (is_code && !(g.attr & 0x02))) {
        fault(op, vector, 0);
        return false;
    }
    uint64_t last = uint64_t{offset} + size - 1;
    bool expand_down = !is_code && (g.attr & 0x04);
    bool ok = expand_down ? (offset > g.limit && last <= ((g.attr & 0x400) ? 0xFFFFFFFFu : 0xFFFFu))
                          : last <= g.limit;
    if (!ok) {
        fault(op, vector, 0);
        return false;
    }
    lin = g.base + offset;
    return true;
}

}  // namespace emu::x86
