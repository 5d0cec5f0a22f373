// Paging: two-level translation with 4 MiB pages (CR4.PSE), the accessed and dirty bits, the
// TLB the fast paths use, and memory accesses by linear address.
#include "cpu/x86/cpu.h"

#include <algorithm>

#include "core/format.h"
#include "cpu/x86/memory.h"

namespace emu::x86 {

void Cpu::flush_tlb()
{
    for (TlbEntry& e : tlb_)
        e = TlbEntry{};
}

void Cpu::invalidate_page(uint32_t lin)
{
    TlbEntry& e = tlb_[(lin >> kPageBits) % kTlbEntries];
    if (e.page == (lin & ~0xFFFu))
        e = TlbEntry{};
}

bool Cpu::translate(uint32_t lin, bool is_write, bool user, uint32_t& phys, const Op* op)
{
    uint32_t perm = kTlbRead | kTlbReadUser | kTlbWrite | kTlbWriteUser;
    if (s.cr0 & kCr0PG) {
        auto page_fault = [&](bool present) {
            s.cr2 = lin;
            fault(op, kExcPF, (present ? 1u : 0u) | (is_write ? 2u : 0u) | (user ? 4u : 0u));
            return false;
        };
        uint32_t pde_addr = (s.cr3 & ~0xFFFu) + ((lin >> 22) << 2);
        uint64_t pde, pte;
        if (bus_.read(pde_addr, 4, pde) != Bus::Status::Ok)
            return stop_unsupported(op, "page directory at " + hex(pde_addr) + " is not RAM"), false;
        if (!(pde & 1))
            return page_fault(false);
        bool big = (s.cr4 & kCr4PSE) && (pde & 0x80);
        uint32_t entry = static_cast<uint32_t>(pde);
        uint32_t pte_addr = 0;
        if (!big) {
            pte_addr = (entry & ~0xFFFu) + (((lin >> 12) & 0x3FF) << 2);
            if (bus_.read(pte_addr, 4, pte) != Bus::Status::Ok)
                return stop_unsupported(op, "page table at " + hex(pte_addr) + " is not RAM"), false;
            if (!(pte & 1))
                return page_fault(false);
            entry &= static_cast<uint32_t>(pte) | ~6u;  // U/S and R/W must allow in both levels
        }
        bool u = entry & 4, w = entry & 2;
        if (user && !u)
            return page_fault(true);
        if (is_write && !w && (user || (s.cr0 & kCr0WP)))
            return page_fault(true);
        // Accessed and dirty bits, as the CPU writes them.
        if (!(pde & 0x20) || (big && is_write && !(pde & 0x40))) {
            pde |= 0x20 | (big && is_write ? 0x40 : 0);
            bus_.write(pde_addr, 4, pde);
        }
        if (!big && (!(pte & 0x20) || (is_write && !(pte & 0x40)))) {
            pte |= 0x20 | (is_write ? 0x40 : 0);
            bus_.write(pte_addr, 4, pte);
        }
        bool dirty = big ? (pde & 0x40) : (pte & 0x40);
        phys = big ? ((static_cast<uint32_t>(pde) & 0xFFC00000u) | (lin & 0x3FFFFF))
                   : ((static_cast<uint32_t>(pte) & ~0xFFFu) | (lin & 0xFFF));
        perm = kTlbRead | (u ? kTlbReadUser : 0);
        if (dirty) {
            if (w || !(s.cr0 & kCr0WP))
                perm |= kTlbWrite;
            if (w && u)
                perm |= kTlbWriteUser;
        }
    } else {
        phys = lin;
    }
    // Cache RAM pages for the fast path; code pages keep writes on the slow path, pages with
    // data breakpoints every access.
    TlbEntry& e = tlb_[(lin >> kPageBits) % kTlbEntries];
    uint32_t page = phys & ~0xFFFu;
    if (__builtin_expect(watching_, 0) && watched_page(lin & ~0xFFFu))
        return true;
    if (RamRegion* r = bus_.ram_at(page, kPageSize)) {
        uint64_t index = (page - r->base) >> kPageBits;
        if (r->code_page[index])
            perm &= ~(kTlbWrite | kTlbWriteUser);
        e.page = lin & ~0xFFFu;
        e.perm = perm;
        e.host = r->host.get() + (page - r->base);
        e.dirty = &r->dirty_page[index];
        e.phys = page;
    }
    return true;
}

bool Cpu::translate_quiet(uint32_t lin, uint32_t& phys)
{
    if (!(s.cr0 & kCr0PG)) {
        phys = lin;
        return true;
    }
    uint64_t pde, pte;
    if (bus_.read((s.cr3 & ~0xFFFu) + ((lin >> 22) << 2), 4, pde) != Bus::Status::Ok || !(pde & 1))
        return false;
    if ((s.cr4 & kCr4PSE) && (pde & 0x80)) {
        phys = (static_cast<uint32_t>(pde) & 0xFFC00000u) | (lin & 0x3FFFFF);
        return !(s.cpl == 3 && !(pde & 4));
    }
    if (bus_.read((static_cast<uint32_t>(pde) & ~0xFFFu) + (((lin >> 12) & 0x3FF) << 2), 4, pte) != Bus::Status::Ok ||
        !(pte & 1))
        return false;
    if (s.cpl == 3 && !(pde & pte & 4))
        return false;
    phys = (static_cast<uint32_t>(pte) & ~0xFFFu) | (lin & 0xFFF);
    return true;
}

bool Cpu::read_linear(uint32_t lin, unsigned size, uint64_t& value, bool user, const Op* op)
{
    value = 0;
    if (__builtin_expect(watching_, 0))
        check_data_breakpoints(lin, size, false);
    for (unsigned i = 0; i < size;) {
        uint32_t a = lin + i;
        unsigned chunk = std::min<unsigned>(size - i, kPageSize - (a & 0xFFF));
        uint32_t phys;
        if (!translate(a, false, user, phys, op))
            return false;
        if (op)
            clock_.set_icount(exact_icount(op));
        // MMIO takes the access whole when it does not cross a page; nothing there reads as
        // all ones, as on a PC bus.
        if (chunk == size && !bus_.ram_at(phys, 1)) {
            if (bus_.read(phys, size, value) != Bus::Status::Ok)
                value = size == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1;
            io_exit_ = true;
            return true;
        }
        for (unsigned k = 0; k < chunk; ++k) {
            uint64_t b;
            if (bus_.read(phys + k, 1, b) != Bus::Status::Ok)
                b = 0xFF;
            value |= b << (8 * (i + k));
        }
        i += chunk;
    }
    if (__builtin_expect(watching_, 0))
        note_watched(lin, size, false, op);
    return true;
}

bool Cpu::write_linear(uint32_t lin, unsigned size, uint64_t value, bool user, const Op* op)
{
    // Both pages are checked before anything is written: a store that faults changes nothing.
    uint32_t phys[2];
    unsigned first = std::min<unsigned>(size, kPageSize - (lin & 0xFFF));
    if (!translate(lin, true, user, phys[0], op))
        return false;
    if (first < size && !translate(lin + first, true, user, phys[1], op))
        return false;
    if (op)
        clock_.set_icount(exact_icount(op));
    if (__builtin_expect(watching_, 0)) {
        check_data_breakpoints(lin, size, true);
        note_watched(lin, size, true, op);
    }
    if (first == size && !bus_.ram_at(phys[0], size)) {
        if (bus_.write(phys[0], size, value) == Bus::Status::Ok)
            io_exit_ = true;
        return true;
    }
    for (unsigned i = 0; i < size; ++i) {
        uint32_t a = i < first ? phys[0] + i : phys[1] + (i - first);
        bus_.write(a, 1, (value >> (8 * i)) & 0xFF);
    }
    return true;
}

bool Cpu::push(uint32_t value, unsigned size, const Op* op)
{
    uint32_t esp = s.r[kEsp] - size;
    bool big = s.seg[kSs].attr & 0x400;
    uint32_t offset = big ? esp : (esp & 0xFFFF);
    bool ok = size == 4 ? write<uint32_t>(kSs, offset, value, op) : write<uint16_t>(kSs, offset, static_cast<uint16_t>(value), op);
    if (!ok)
        return false;
    s.r[kEsp] = big ? esp : ((s.r[kEsp] & 0xFFFF0000u) | (esp & 0xFFFF));
    return true;
}

bool Cpu::pop(uint32_t& value, unsigned size, const Op* op)
{
    bool big = s.seg[kSs].attr & 0x400;
    uint32_t offset = big ? s.r[kEsp] : (s.r[kEsp] & 0xFFFF);
    if (size == 4) {
        if (!read<uint32_t>(kSs, offset, value, op))
            return false;
    } else {
        uint16_t v;
        if (!read<uint16_t>(kSs, offset, v, op))
            return false;
        value = v;
    }
    uint32_t esp = s.r[kEsp] + size;
    s.r[kEsp] = big ? esp : ((s.r[kEsp] & 0xFFFF0000u) | (esp & 0xFFFF));
    return true;
}

}  // namespace emu::x86
