// Memory through the MMU: the slow paths behind Cpu::read and Cpu::write, fetch translation,
// the TLB they fill, and the instructions that work on translations (DC, IC, AT, TLBI).
#include <algorithm>
#include <cstring>

#include "cpu/a64/cpu.h"

namespace emu::a64 {

namespace {

// Data Abort ISS bits (ARM ARM D13.2, ESR_EL1). ISV stays 0: the instruction syndrome is
// only given for stage 2 aborts, which EL1 never takes.
constexpr uint32_t kIssWnR = 1u << 6;
constexpr uint32_t kIssCm = 1u << 8;

constexpr uint64_t kPageMask = ~(kPageSize - 1);
// VA[55:0]: what a TLBI by address names (Xt[43:0] is VA[55:12]), bit 55 telling the halves.
constexpr uint64_t kVaBits = (uint64_t{1} << 56) - 1;
constexpr unsigned kZvaBytes = 64;

// PAR_EL1 (ARM ARM D13.2): bit 11 is RES1 in the 64-bit format, and like QEMU's EL1 (which
// is Non-secure) a successful translation reports NS.
constexpr uint64_t kParRes1 = uint64_t{1} << 11;
constexpr uint64_t kParNs = uint64_t{1} << 9;
constexpr uint64_t kParF = 1;

Fault fault_of(FaultKind kind, unsigned level = 0) { return {kind, static_cast<uint8_t>(level)}; }

}  // namespace

// --- faults ----------------------------------------------------------------------------------

const Op* Cpu::data_abort(const Op* op, uint64_t far, uint32_t fsc, bool wnr, bool cache_maintenance)
{
    auto ec = s.el == 0 ? ExceptionClass::DataAbortLowerEl : ExceptionClass::DataAbortSameEl;
    uint32_t iss = fsc | (wnr ? kIssWnR : 0) | (cache_maintenance ? kIssCm : 0);
    return raise(op, ec, iss, pc_of(op), false, far, true);
}

bool Cpu::check_alignment(uint64_t va, unsigned align, bool is_write, const Op* op)
{
    if ((va & (align - 1)) == 0)
        return true;
    data_abort(op, va, fault_status_code(fault_of(FaultKind::Alignment)), is_write);
    return false;
}

// --- translation -----------------------------------------------------------------------------

bool Cpu::translate_fetch(PhysAddr& pa)
{
    const uint64_t pc = s.pc;
    const FetchTlbEntry& e = fetch_tlb_entry(s.el, pc);
    if (e.exec == (pc & kPageMask)) {
        pa = e.pa_page | (pc & (kPageSize - 1));
        return true;
    }
    TranslationResult r = translate_stage1(s.sys, kIdAa64Mmfr0CortexA57, pc, true, bus_);
    Fault f = r.fault;
    if (r.ok() && !(r.t.perms & exec_perm(s.el)))
        f = fault_of(FaultKind::Permission, r.t.level);
    // A fetch from an address with nothing behind it is an external abort.
    if (r.ok() && f.kind == FaultKind::None && !bus_.ram_ptr(r.t.pa, 4))
        f = fault_of(FaultKind::External);
    if (f.kind != FaultKind::None) {
        auto ec = s.el == 0 ? ExceptionClass::InsnAbortLowerEl : ExceptionClass::InsnAbortSameEl;
        fetch_fault(ec, fault_status_code(f));
        return false;
    }
    fill_fetch_tlb(s.el, pc, r.t);
    pa = r.t.pa;
    return true;
}

bool Cpu::translate_data(uint64_t va, unsigned size, DataAccess kind, unsigned el, const Op* op, Translation& t)
{
    const bool cm = kind == DataAccess::CacheClean || kind == DataAccess::CacheInvalidate;
    // WnR: a write, and for cache maintenance always 1 (ARM ARM D13.2, ESR_EL1.WnR). An
    // atomic is translated as a write; only a Permission fault for reading reports a read.
    bool wnr = kind != DataAccess::Read;
    TranslationResult r = translate_stage1(s.sys, kIdAa64Mmfr0CortexA57, va, false, bus_);
    Fault f = r.fault;
    if (r.ok()) {
        const uint8_t p = r.t.perms;
        const Fault denied = fault_of(FaultKind::Permission, r.t.level);
        switch (kind) {
        case DataAccess::Read:
            if (!(p & read_perm(el)))
                f = denied;
            break;
        case DataAccess::Write:
        case DataAccess::ZeroBlock:
        case DataAccess::CacheInvalidate:
            if (!(p & write_perm(el)))
                f = denied;
            break;
        case DataAccess::Atomic:
            if (!(p & read_perm(el))) {
                f = denied;
                wnr = false;
            } else if (!(p & write_perm(el))) {
                f = denied;
            }
            break;
        case DataAccess::CacheClean:
            // Maintenance by VA never takes a Permission fault at EL1 (AArch64.CheckPermission).
            if (el == 0 && !(p & read_perm(0)))
                f = denied;
            break;
        }
        // Device memory takes no unaligned access, and no DC ZVA at all. (With the MMU off,
        // where all data is Device-nGnRnE, neither is checked: QEMU 7.2 checks neither, and
        // bare-metal guests that run with the MMU off rely on that.)
        if (f.kind == FaultKind::None && mmu_on_ && is_device(r.t.attr) && !cm &&
            ((va & (size - 1)) || kind == DataAccess::ZeroBlock))
            f = fault_of(FaultKind::Alignment);
    }
    if (f.kind != FaultKind::None) {
        data_abort(op, va, fault_status_code(f), wnr, cm);
        return false;
    }
    t = r.t;
    return true;
}

// --- the slow paths of read and write -------------------------------------------------------

bool Cpu::read_physical(PhysAddr pa, unsigned size, uint64_t& value, uint64_t va, const Op* op)
{
    value = 0;
    if (const uint8_t* p = bus_.ram_ptr(pa, size)) {
        std::memcpy(&value, p, size);
        return true;
    }
    // Devices take naturally sized accesses; what remains of a page-crossing one goes byte
    // by byte.
    bool whole = size == 1 || size == 2 || size == 4 || size == 8;
    for (unsigned i = 0; i < size; i += whole ? size : 1) {
        uint64_t v;
        if (bus_.read(pa + i, whole ? size : 1, v) != Bus::Status::Ok) {
            data_abort(op, va, fault_status_code(fault_of(FaultKind::External)), false);
            return false;
        }
        value |= whole ? v : (v & 0xFF) << (8 * i);
    }
    io_exit_ = true;  // a device was looked at: interrupts may be due after this instruction
    return true;
}

bool Cpu::write_physical(PhysAddr pa, unsigned size, uint64_t value, uint64_t va, const Op* op)
{
    bool is_ram = bus_.ram_at(pa, size) != nullptr;
    bool whole = is_ram || size == 1 || size == 2 || size == 4 || size == 8;
    for (unsigned i = 0; i < size; i += whole ? size : 1) {
        uint64_t v = whole ? value : (value >> (8 * i)) & 0xFF;
        if (bus_.write(pa + i, whole ? size : 1, v) != Bus::Status::Ok) {
            data_abort(op, va, fault_status_code(fault_of(FaultKind::External)), true);
            return false;
        }
    }
    if (!is_ram)
        io_exit_ = true;
    return true;
}

bool Cpu::read_slow(uint64_t va, unsigned size, uint64_t& value, const Op* op, unsigned el, DataAccess kind)
{
    clock_.set_icount(exact_icount(op));
    if (alignment_checked() && (va & (size - 1))) {
        data_abort(op, va, fault_status_code(fault_of(FaultKind::Alignment)), kind != DataAccess::Read);
        return false;
    }
    // An access that crosses a page is two, each translated before either is made; the
    // second one's fault reports the first byte of its page (as QEMU, and as the
    // architecture's byte-by-byte accesses would).
    unsigned first = static_cast<unsigned>(std::min<uint64_t>(size, kPageSize - (va & (kPageSize - 1))));
    Translation t0, t1;
    if (!translate_data(va, size, kind, el, op, t0))
        return false;
    if (first < size && !translate_data(va + first, size - first, kind, el, op, t1))
        return false;
    if (first == size) {
        if (!read_physical(t0.pa, size, value, va, op))
            return false;
        fill_data_tlb(el, va, t0);
        note_watched(va, size, false, op);
        return true;
    }
    uint64_t lo, hi;
    if (!read_physical(t0.pa, first, lo, va, op) || !read_physical(t1.pa, size - first, hi, va + first, op))
        return false;
    value = lo | (hi << (8 * first));
    note_watched(va, size, false, op);
    return true;
}

bool Cpu::write_slow(uint64_t va, unsigned size, uint64_t value, const Op* op, unsigned el)
{
    clock_.set_icount(exact_icount(op));
    if (alignment_checked() && (va & (size - 1))) {
        data_abort(op, va, fault_status_code(fault_of(FaultKind::Alignment)), true);
        return false;
    }
    // Both pages are checked before anything is written: a store that faults changes nothing.
    unsigned first = static_cast<unsigned>(std::min<uint64_t>(size, kPageSize - (va & (kPageSize - 1))));
    Translation t0, t1;
    if (!translate_data(va, size, DataAccess::Write, el, op, t0))
        return false;
    if (first < size && !translate_data(va + first, size - first, DataAccess::Write, el, op, t1))
        return false;
    if (first == size) {
        if (!write_physical(t0.pa, size, value, va, op))
            return false;
        fill_data_tlb(el, va, t0);
        note_watched(va, size, true, op);
        return true;
    }
    if (!write_physical(t0.pa, first, value, va, op) ||
        !write_physical(t1.pa, size - first, value >> (8 * first), va + first, op))
        return false;
    note_watched(va, size, true, op);
    return true;
}

void Cpu::note_watched(uint64_t va, unsigned size, bool is_write, const Op* op)
{
    if (__builtin_expect(bus_.access_watch().active(), 0))
        bus_.access_watch().note(va, size, is_write, exact_icount(op) - 1);
}

// --- the TLB ---------------------------------------------------------------------------------

void Cpu::fill_data_tlb(unsigned el, uint64_t va, const Translation& t)
{
    // Device memory and SCTLR_EL1.A need their alignment checked: they stay slow.
    if (alignment_checked() || (mmu_on_ && is_device(t.attr)))
        return;
    // Pages a debugger watches stay slow, so that their accesses are seen.
    if (__builtin_expect(bus_.access_watch().active(), 0) && bus_.access_watch().watches_page(va & kPageMask, kPageSize))
        return;
    PhysAddr pa_page = t.pa & kPageMask;
    RamRegion* r = bus_.ram_at(pa_page, kPageSize);
    // MMIO stays on the slow path, and so does a ROM device (flash), whose owner takes every
    // store and switches its reads between the bytes and its registers.
    if (!r || r->device_writes)
        return;
    uint64_t index = (pa_page - r->base) >> kPageBits;
    uint64_t page = va & kPageMask;
    DataTlbEntry& e = data_tlb_[el][tlb_index(va)];
    e.read = (t.perms & read_perm(el)) ? page : kTlbEmpty;
    // Code pages keep stores on the slow path, which invalidates their blocks.
    e.write = (t.perms & write_perm(el)) && !r->code_page[index] ? page : kTlbEmpty;
    e.addend = reinterpret_cast<uintptr_t>(r->host.get() + (pa_page - r->base)) - page;
    e.dirty = &r->dirty_page[index];
    note_tlb_source(data_tlb_source_[el][tlb_index(va)], va, t.block_bits);
}

void Cpu::note_tlb_source(TlbSource& source, uint64_t va, unsigned block_bits)
{
    source = {va & kPageMask, block_bits};
    if (block_bits <= kMaxSweepBits) {
        tlb_max_block_bits_ = std::max(tlb_max_block_bits_, block_bits);
        return;
    }
    uint64_t block_mask = (uint64_t{1} << block_bits) - 1;
    tlb_large_first_ = std::min(tlb_large_first_, va & kVaBits & ~block_mask);
    tlb_large_last_ = std::max(tlb_large_last_, (va & kVaBits) | block_mask);
}

void Cpu::fill_fetch_tlb(unsigned el, uint64_t va, const Translation& t)
{
    fetch_tlb_[el][tlb_index(va)] = {va & kPageMask, t.pa & kPageMask};
    note_tlb_source(fetch_tlb_source_[el][tlb_index(va)], va, t.block_bits);
}

void Cpu::flush_tlb()
{
    for (auto& level : data_tlb_)
        std::fill(std::begin(level), std::end(level), kEmptyDataEntry);
    for (auto& level : fetch_tlb_)
        std::fill(std::begin(level), std::end(level), kEmptyFetchEntry);
    tlb_max_block_bits_ = kPageBits;
    tlb_large_first_ = ~uint64_t{0};
    tlb_large_last_ = 0;
}

void Cpu::on_new_code_page(PhysAddr page)
{
    RamRegion* r = bus_.ram_at(page);
    if (!r)
        return;
    const uint8_t* dirty = &r->dirty_page[(page - r->base) >> kPageBits];
    for (auto& level : data_tlb_)
        for (DataTlbEntry& e : level)
            if (e.dirty == dirty)
                e.write = kTlbEmpty;
}

void Cpu::translation_changed()
{
    constexpr uint64_t kSctlrM = 1;
    constexpr uint64_t kTcrTbi = uint64_t{3} << 37;
    mmu_on_ = s.sys.sctlr_el1 & kSctlrM;
    tbi_ = s.sys.tcr_el1 & kTcrTbi;
    flat_limit_ = mmu_on_ || alignment_checked() || bus_.access_watch().active() ? 0 : ram_.size - 7;
    flush_tlb();
    cache_.unlink_all();
}

void Cpu::tlb_invalidate(unsigned op2, uint64_t xt)
{
    // Only the current ASID's translations are ever cached (a TTBR write flushes), so the
    // ASID forms need no ASID match; and invalidating more than asked is always allowed.
    constexpr unsigned kVmalle1 = 0, kAside1 = 2;
    if (op2 == kVmalle1 || op2 == kAside1) {
        flush_tlb();
        return;
    }
    // By address (VAE1, VAAE1, VALE1, VAALE1): Xt[43:0] is VA[55:12]. The entries that may
    // translate it are those of its page and, for a translation from a block, of the block's
    // other pages: up to 16 pages are swept by index. Entries of larger blocks (Linux maps its
    // kernel with them, and unmaps user pages all the time) are found by their sources, so
    // that such a TLBI leaves the rest of the TLB as it was.
    uint64_t va = (xt << kPageBits) & kVaBits;
    uint64_t block = uint64_t{1} << tlb_max_block_bits_;
    for (uint64_t a = va & ~(block - 1); a < (va & ~(block - 1)) + block; a += kPageSize) {
        for (auto& level : data_tlb_)
            level[tlb_index(a)] = kEmptyDataEntry;
        for (auto& level : fetch_tlb_)
            level[tlb_index(a)] = kEmptyFetchEntry;
    }
    if (va < tlb_large_first_ || va > tlb_large_last_)
        return;
    auto holds_va = [va](const TlbSource& source) {
        return source.block_bits > kMaxSweepBits && (((source.page ^ va) & kVaBits) >> source.block_bits) == 0;
    };
    for (unsigned el = 0; el < 2; el++) {
        for (unsigned i = 0; i < (1u << kTlbBits); i++) {
            if (holds_va(data_tlb_source_[el][i]))
                data_tlb_[el][i] = kEmptyDataEntry;
            if (holds_va(fetch_tlb_source_[el][i]))
                fetch_tlb_[el][i] = kEmptyFetchEntry;
        }
    }
}

// --- memory as semihosting sees it ------------------------------------------------------------

bool Cpu::read_virtual(uint64_t va, void* out, uint64_t len)
{
    auto* dst = static_cast<uint8_t*>(out);
    for (uint64_t done = 0; done < len;) {
        uint64_t chunk = std::min<uint64_t>(len - done, kPageSize - ((va + done) & (kPageSize - 1)));
        TranslationResult r = translate_stage1(s.sys, kIdAa64Mmfr0CortexA57, va + done, false, bus_);
        if (!r.ok() || !bus_.read_bytes(r.t.pa, dst + done, chunk))
            return false;
        done += chunk;
    }
    return true;
}

bool Cpu::write_virtual(uint64_t va, const void* in, uint64_t len)
{
    auto* src = static_cast<const uint8_t*>(in);
    for (uint64_t done = 0; done < len;) {
        uint64_t chunk = std::min<uint64_t>(len - done, kPageSize - ((va + done) & (kPageSize - 1)));
        TranslationResult r = translate_stage1(s.sys, kIdAa64Mmfr0CortexA57, va + done, false, bus_);
        if (!r.ok() || !bus_.write_bytes(r.t.pa, src + done, chunk))
            return false;
        done += chunk;
    }
    return true;
}

// --- instructions on translations ------------------------------------------------------------

const Op* Cpu::zero_block(const Op* op, uint64_t va)
{
    // A block in a page the TLB has for writing: a page of RAM, holding no code, with no
    // watchpoint, the store permitted. Linux clears its pages this way, 64 blocks each.
    uint64_t block = va & ~uint64_t{kZvaBytes - 1};
    const DataTlbEntry& e = data_tlb_entry(s.el, block);
    if (e.write == (block & kPageMask)) {
        std::memset(reinterpret_cast<uint8_t*>(e.addend + block), 0, kZvaBytes);
        *e.dirty = kPageWritten;
        return step(op);
    }
    clock_.set_icount(exact_icount(op));
    // The block is translated once; a fault reports the address the instruction gave.
    Translation t;
    if (!translate_data(va, kZvaBytes, DataAccess::ZeroBlock, s.el, op, t))
        return nullptr;
    fill_data_tlb(s.el, va, t);  // the page's other blocks follow (Linux clears whole pages)
    PhysAddr pa = t.pa & ~PhysAddr{kZvaBytes - 1};
    static constexpr uint8_t kZeros[kZvaBytes] = {};
    if (!bus_.write_bytes(pa, kZeros, kZvaBytes)) {
        for (unsigned i = 0; i < kZvaBytes; i += 8)
            if (!write_physical(pa + i, 8, 0, va, op))
                return nullptr;
    }
    note_watched(va & ~uint64_t{kZvaBytes - 1}, kZvaBytes, true, op);
    return next(op);
}

const Op* Cpu::cache_maintenance(const Op* op, uint64_t va, bool invalidate)
{
    // Nothing to do but check the translation and permission, and a TLB entry for the access
    // the instruction needs shows both (an entry of the page's EL allows what it is filled for).
    const DataTlbEntry& e = data_tlb_entry(s.el, va);
    uint64_t page = va & kPageMask;
    if ((invalidate ? e.write : e.read) == page)
        return step(op);
    Translation t;
    if (!translate_data(va, 1, invalidate ? DataAccess::CacheInvalidate : DataAccess::CacheClean, s.el, op, t))
        return nullptr;
    fill_data_tlb(s.el, va, t);  // maintenance goes line by line over whole ranges
    return step(op);
}

void Cpu::address_translate(uint64_t va, unsigned el, bool is_write)
{
    TranslationResult r = translate_stage1(s.sys, kIdAa64Mmfr0CortexA57, va, false, bus_);
    Fault f = r.fault;
    if (r.ok() && !(r.t.perms & (is_write ? write_perm(el) : read_perm(el))))
        f = fault_of(FaultKind::Permission, r.t.level);
    if (f.kind != FaultKind::None) {
        s.sys.par_el1 = kParRes1 | (uint64_t{fault_status_code(f)} << 1) | kParF;
        return;
    }
    s.sys.par_el1 = (uint64_t{r.t.attr} << 56) | (r.t.pa & 0x0000FFFFFFFFF000ull) | kParRes1 | kParNs |
                    (uint64_t{r.t.sh} << 7);
}

}  // namespace emu::a64
