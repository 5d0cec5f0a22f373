#include "cpu/x86/cpu.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/format.h"
#include "core/state_archive.h"
#include "cpu/x86/decoder.h"
#include "cpu/x86/memory.h"

namespace emu::x86 {

namespace {

// Segment::attr holds the access byte in bits 0-7 and the flags nibble (AVL, L, D/B, G) in
// bits 8-11.
constexpr uint16_t kFlatCode = 0x0C9B;  // present, DPL 0, code exec/read accessed, 32-bit, 4 KiB granularity
constexpr uint16_t kFlatData = 0x0C93;  // present, DPL 0, data read/write accessed, big, 4 KiB granularity

const Op* end_of_block(Cpu& c, const Op* op) { return c.fall_through(op); }

// A fetch that faulted: raised when the block is entered, so that it lands after the
// instructions before it.
const Op* fetch_page_fault(Cpu& c, const Op* op)
{
    c.s.eip = c.eip_of(op);
    uint64_t dummy;
    if (!c.read_linear(c.s.seg[kCs].base + c.s.eip, 1, dummy, c.s.cpl == 3, op))
        return nullptr;
    return c.stop_unsupported(op, "instruction fetch from " + hex(c.s.seg[kCs].base + c.s.eip) +
                                      ", which is not RAM");
}

const Op* fetch_limit_fault(Cpu& c, const Op* op) { return c.fault(op, kExcGP, 0); }

// An instruction that starts on this page and continues onto a page that cannot be fetched:
// the fault is for the first byte of the next page.
const Op* fetch_page_fault_next(Cpu& c, const Op* op)
{
    c.s.eip = c.eip_of(op);
    uint32_t next_page = ((c.s.seg[kCs].base + c.s.eip) | 0xFFFu) + 1;
    uint64_t dummy;
    if (!c.read_linear(next_page, 1, dummy, c.s.cpl == 3, op))
        return nullptr;
    return c.stop_unsupported(op, "instruction fetch from " + hex(next_page) + ", which is not RAM");
}

}  // namespace

Cpu::Cpu(Bus& bus, IoPorts& io, VirtualClock& clock) : bus_(bus), io_(io), clock_(clock)
{
    bus_.set_code_write_listener([this](PhysAddr page) { on_code_write(page); });
    if (bus_.ram_regions().empty())
        throw std::logic_error("an i386 CPU needs RAM on its bus");
    RamRegion& ram = bus_.ram_regions()[0];
    if (ram.base == 0 && ram.size >= 8) {
        ram_host_ = ram.host.get();
        ram_size_ = std::min<uint64_t>(ram.size, uint64_t{1} << 32);
        code_page_ = ram.code_page.data();
        dirty_page_ = ram.dirty_page.data();
    }
}

void Cpu::reset_flat(uint32_t eip)
{
    s = State{};
    s.eip = eip;
    for (unsigned i = 0; i < kNumSegs; ++i)
        s.seg[i] = Segment{i == kCs ? uint16_t{0x08} : uint16_t{0x10}, 0, 0xFFFFFFFF, i == kCs ? kFlatCode : kFlatData};
    s.tr.attr = 0x008B;  // a busy 32-bit TSS at 0, until the guest loads its own
    halted_ = false;
    nmi_pending_ = nmi_blocked_ = false;
    interrupt_shadow_ = false;
    stop_requested_ = false;
    pause_requested_ = false;
    delivering_ = false;
    unsupported_.clear();
    last_fault_ = Fault{};
    flush_tlb();
}

void Cpu::serialize(StateArchive& a)
{
    a.section("x86-cpu", 2);
    static const char* const kRegs[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    for (unsigned i = 0; i < 8; ++i)
        a.field(kRegs[i], s.r[i]);
    a.field("eip", s.eip);
    a.field("eflags", s.eflags);
    auto segment = [&](const std::string& n, Segment& g) {
        a.field(n + ".selector", g.selector);
        a.field(n + ".base", g.base);
        a.field(n + ".limit", g.limit);
        a.field(n + ".attr", g.attr);
    };
    static const char* const kSegs[] = {"es", "cs", "ss", "ds", "fs", "gs"};
    for (unsigned i = 0; i < kNumSegs; ++i)
        segment(kSegs[i], s.seg[i]);
    segment("ldtr", s.ldtr);
    segment("tr", s.tr);
    a.field("gdtr.base", s.gdtr.base);
    a.field("gdtr.limit", s.gdtr.limit);
    a.field("idtr.base", s.idtr.base);
    a.field("idtr.limit", s.idtr.limit);
    a.field("cr0", s.cr0);
    a.field("cr2", s.cr2);
    a.field("cr3", s.cr3);
    a.field("cr4", s.cr4);
    a.field("cpl", s.cpl);
    a.field("halted", halted_);
    a.field("interrupt_shadow", interrupt_shadow_);
    a.field("intr", intr_);
    a.field("nmi_pending", nmi_pending_);
    a.field("nmi_blocked", nmi_blocked_);
    a.field("icount", icount_);
    if (a.loading()) {
        // Translated code and translations may not match the restored RAM and page tables.
        cache_.flush();
        bus_.clear_code_pages();
        flush_tlb();
        clock_.set_icount(icount_);
        stop_requested_ = pause_requested_ = false;
        delivering_ = false;
        unsupported_.clear();
    }
}


StopReason Cpu::run(uint64_t max_insns)
{
    const uint64_t target = icount_ + max_insns;
    last_fault_ = Fault{};
    for (;;) {
        if (__builtin_expect(stop_requested_, 0)) {
            stop_requested_ = false;
            return StopReason::Requested;
        }
        if (__builtin_expect(!unsupported_.empty(), 0))
            return StopReason::Unsupported;

        uint64_t deadline = clock_.next_deadline_icount();
        if (__builtin_expect(icount_ >= deadline, 0)) {
            clock_.set_icount(icount_);
            clock_.fire_due();
        }
        if (__builtin_expect(nmi_pending_ && !nmi_blocked_ && !interrupt_shadow_, 0)) {
            nmi_pending_ = false;
            nmi_blocked_ = true;
            halted_ = false;
            clock_.set_icount(icount_);
            deliver(kExcNMI, false, 0, s.eip, false);
            if (!unsupported_.empty())
                return StopReason::Unsupported;
        }
        if (__builtin_expect(intr_ && (s.eflags & kIF) && !interrupt_shadow_, 0)) {
            uint8_t vector = acknowledge ? acknowledge() : 0;
            halted_ = false;
            clock_.set_icount(icount_);
            deliver(vector, false, 0, s.eip, false);
            if (!unsupported_.empty())
                return StopReason::Unsupported;
        }
        if (__builtin_expect(pause_requested_, 0)) {
            pause_requested_ = false;
            clock_.set_icount(icount_);
            return StopReason::Requested;
        }
        if (__builtin_expect(halted_, 0)) {
            clock_.set_icount(icount_);
            return StopReason::Idle;
        }
        if (icount_ >= target) {
            clock_.set_icount(icount_);
            return StopReason::Budget;
        }

        uint64_t limit = std::min(target, std::max(deadline, icount_ + 1));
        unsigned room = static_cast<unsigned>(std::min<uint64_t>(limit - icount_, kMaxBlockInsns));
        // After STI or MOV SS one instruction runs before any interrupt is recognised.
        chain_limit_ = limit;
        if (interrupt_shadow_) {
            room = 1;
            chain_limit_ = icount_;  // the interrupt check comes right after this instruction
        }
        interrupt_shadow_ = false;
        BlockT* b = find_or_build(s.seg[kCs].base + s.eip);
        if (!b)
            continue;  // the fetch faulted and was delivered
        if (b->n_insns > room) {
            uint32_t phys = b->pc;
            b = build_block(reinterpret_cast<BlockT*>(scratch_), phys, s.eip, room);
        }
        execute(b);
    }
}

Cpu::BlockT* Cpu::find_or_build(uint32_t lin)
{
    uint32_t phys;
    if (s.eip > s.seg[kCs].limit) {
        fault(nullptr, kExcGP, 0);
        return nullptr;
    }
    if (!translate(lin, false, s.cpl == 3, phys, nullptr))
        return nullptr;
    if (BlockT* b = cache_.find(phys))
        return b;
    BlockT* b = cache_.allocate(kMaxBlockInsns + 1);
    if (!b) {
        cache_.flush();
        bus_.clear_code_pages();
        b = cache_.allocate(kMaxBlockInsns + 1);
    }
    build_block(b, phys, s.eip, kMaxBlockInsns);
    if (b->n_insns == 0)
        return b;  // a fetch fault or a page-crossing first instruction: never cached
    cache_.insert(b, b->n_insns + 1);
    if (RamRegion* r = bus_.ram_at(phys)) {
        uint64_t page = (phys - r->base) >> kPageBits;
        if (!r->code_page[page]) {
            r->code_page[page] = 1;
            // Writes to this page must now take the slow path, which invalidates its blocks.
            for (TlbEntry& e : tlb_)
                if (e.phys == (phys & ~0xFFFu))
                    e.perm &= ~(kTlbWrite | kTlbWriteUser);
        }
    }
    return b;
}

Cpu::BlockT* Cpu::build_block(BlockT* b, uint32_t phys, uint32_t eip, unsigned max_insns)
{
    *b = BlockT{};
    b->pc = phys;
    Op* ops = b->ops();
    unsigned n = 0;
    uint32_t off = 0;
    uint32_t page_left = kPageSize - (phys & (kPageSize - 1));
    const uint8_t* code = bus_.ram_ptr(phys, 1);
    auto finish = [&](Handler last) {
        Op& t = ops[n];
        t = Op{};
        t.fn = last;
        t.off = static_cast<uint16_t>(off);
        t.idx = static_cast<uint8_t>(n);
        b->n_insns = n;
        b->n_bytes = off;
        return b;
    };
    if (!code)
        return finish(fetch_page_fault);
    // The code segment's limit ends the block like a page end; fetching past it is #GP.
    uint64_t seg_left = uint64_t{s.seg[kCs].limit} - eip + 1;
    while (n < max_insns && off < page_left) {
        Op& op = ops[n];
        op = Op{};
        op.off = static_cast<uint16_t>(off);
        op.idx = static_cast<uint8_t>(n);
        size_t avail = std::min<uint64_t>(page_left - off, seg_left > off ? seg_left - off : 0);
        if (avail == 0) {
            if (n == 0)
                return finish(fetch_limit_fault);
            break;
        }
        DecodeResult r = decode(code + off, avail, op);
        if (r == DecodeResult::TooShort) {
            if (n > 0)
                break;
            // The first instruction crosses into the next page: copy it out and decode it
            // uncached (a block of one instruction that the page map does not cover).
            uint8_t bytes[15];
            size_t got = 0;
            for (; got < sizeof bytes && got < seg_left; ++got) {
                uint64_t v;
                // Only the bytes the instruction needs may fault: stop at the first that does
                // and let the decoder say whether it needed it.
                uint32_t phys_next;
                if (!translate_quiet(s.seg[kCs].base + eip + static_cast<uint32_t>(got), phys_next) ||
                    bus_.read(phys_next, 1, v) != Bus::Status::Ok)
                    break;
                bytes[got] = static_cast<uint8_t>(v);
            }
            r = decode(bytes, got, op);
            if (r == DecodeResult::TooShort)
                return finish(got < seg_left ? fetch_page_fault_next : fetch_limit_fault);
            off += op.len;
            n++;
            finish(end_of_block);
            b->n_bytes = 0;  // not cached, nothing to register
            b->n_insns = 0 + 1;
            return b;
        }
        off += op.len;
        n++;
        if (r == DecodeResult::EndBlock)
            break;
    }
    return finish(end_of_block);
}

void Cpu::execute(BlockT* b)
{
    current_ = b;
    block_eip_ = s.eip;
    block_start_icount_ = icount_;
    icount_ += b->n_insns;
    io_exit_ = false;
    const Op* op = b->ops();
    do {
        op = op->fn(*this, op);
    } while (op);
    current_ = nullptr;
}

void Cpu::on_code_write(PhysAddr page)
{
    if (RamRegion* r = bus_.ram_at(page))
        r->code_page[(page - r->base) >> kPageBits] = 0;
    if (cache_.invalidate_page(page, current_))
        io_exit_ = true;
}

const Op* Cpu::exit_after(const Op* op)
{
    s.eip = next_eip(op);
    icount_ = block_start_icount_ + op->idx + 1;
    return nullptr;
}

const Op* Cpu::exit_to(const Op* op, uint32_t target)
{
    s.eip = target;
    icount_ = block_start_icount_ + op->idx + 1;
    return nullptr;
}

const Op* Cpu::stop_unsupported(const Op* op, std::string what)
{
    unsupported_ = std::move(what);
    if (op) {
        s.eip = eip_of(op);
        icount_ = block_start_icount_ + op->idx;
    }
    return nullptr;
}

// --- exceptions and interrupts ---------------------------------------------------------------

const Op* Cpu::fault(const Op* op, uint8_t vector) { return fault(op, vector, 0); }

const Op* Cpu::fault(const Op* op, uint8_t vector, uint32_t error_code)
{
    bool has_error = vector == kExcDF || (vector >= kExcTS && vector <= kExcPF) || vector == kExcAC;
    if (op) {
        s.eip = eip_of(op);
        icount_ = block_start_icount_ + op->idx;  // the faulting instruction does not retire
    }
    clock_.set_icount(icount_);
    last_fault_ = Fault{vector, error_code, has_error};
    if (stop_on_exception_) {
        stop_requested_ = true;
        return nullptr;
    }
    deliver(vector, has_error, error_code, s.eip, false);
    return nullptr;
}

const Op* Cpu::software_interrupt(const Op* op, uint8_t vector)
{
    uint32_t ret = next_eip(op);
    icount_ = block_start_icount_ + op->idx + 1;
    clock_.set_icount(icount_);
    s.eip = ret;
    last_fault_ = Fault{vector, 0, false};
    if (stop_on_exception_) {
        stop_requested_ = true;
        return nullptr;
    }
    deliver(vector, false, 0, ret, true);
    return nullptr;
}

// Protected-mode delivery through a 32-bit interrupt or trap gate (task gates and 16-bit gates
// are not supported). A fault while delivering becomes #DF; a fault delivering #DF is a triple
// fault, which stops the machine.
void Cpu::deliver(uint8_t vector, bool has_error, uint32_t error, uint32_t return_eip, bool software)
{
    if (!(s.cr0 & kCr0PE)) {
        unsupported_ = "interrupt " + std::to_string(vector) + " in real mode";
        return;
    }
    if (delivering_) {
        if (vector == kExcDF || last_fault_.vector == kExcDF) {
            unsupported_ = "triple fault (an exception while delivering a double fault)";
            return;
        }
        delivering_ = false;
        deliver(kExcDF, true, 0, return_eip, false);
        return;
    }
    delivering_ = true;
    struct Guard {
        bool& flag;
        ~Guard() { flag = false; }
    } guard{delivering_};
    uint32_t ext = software ? 0 : 1;
    uint32_t idt_error = vector * 8u + 2u + ext;
    if (vector * 8u + 7u > s.idtr.limit) {
        delivering_ = false;
        return (void)fault(nullptr, kExcGP, idt_error);
    }
    uint64_t gate;
    if (!read_linear(s.idtr.base + vector * 8u, 8, gate, false, nullptr))
        return;
    unsigned type = (gate >> 40) & 0x1F;
    unsigned dpl = (gate >> 45) & 3;
    bool present = (gate >> 47) & 1;
    if (type != 0x0E && type != 0x0F) {
        if (type == 0x05) {
            unsupported_ = "task gate in the IDT (vector " + std::to_string(vector) + ")";
            return;
        }
        delivering_ = false;
        return (void)fault(nullptr, kExcGP, idt_error);
    }
    if (software && s.cpl > dpl) {
        delivering_ = false;
        return (void)fault(nullptr, kExcGP, idt_error);
    }
    if (!present) {
        delivering_ = false;
        return (void)fault(nullptr, kExcNP, idt_error);
    }
    uint16_t selector = static_cast<uint16_t>(gate >> 16);
    uint32_t offset = static_cast<uint32_t>((gate & 0xFFFF) | ((gate >> 32) & 0xFFFF0000));
    Segment cs;
    if (Fetch f = fetch_descriptor(selector, cs); f != Fetch::Ok) {
        delivering_ = false;
        if (f == Fetch::Invalid)
            fault(nullptr, kExcGP, (selector & ~3u) + ext);
        return;
    }
    unsigned cs_dpl = (cs.attr >> 5) & 3;
    bool is_code = (cs.attr & 0x18) == 0x18;
    if (!is_code || cs_dpl > s.cpl) {
        delivering_ = false;
        return (void)fault(nullptr, kExcGP, (selector & ~3u) + ext);
    }
    if (!(cs.attr & 0x80)) {
        delivering_ = false;
        return (void)fault(nullptr, kExcNP, (selector & ~3u) + ext);
    }
    if (!(cs.attr & 0x400)) {
        unsupported_ = "a 16-bit code segment (selector " + hex(selector) + ")";
        return;
    }
    bool conforming = cs.attr & 0x04;
    uint8_t new_cpl = conforming ? s.cpl : static_cast<uint8_t>(cs_dpl);

    uint32_t old_eflags = s.eflags;
    uint16_t old_cs = s.seg[kCs].selector;
    uint32_t old_esp = s.r[kEsp];
    uint16_t old_ss = s.seg[kSs].selector;
    Segment old_ss_seg = s.seg[kSs];
    uint8_t old_cpl = s.cpl;
    if (new_cpl < s.cpl) {
        // Inner privilege: the stack comes from the TSS.
        uint64_t esp0, ss0;
        uint32_t at = 4 + 8 * new_cpl;
        if (at + 5 > s.tr.limit) {
            delivering_ = false;
            return (void)fault(nullptr, kExcTS, (s.tr.selector & ~3u) + ext);
        }
        if (!read_linear(s.tr.base + at, 4, esp0, false, nullptr) ||
            !read_linear(s.tr.base + at + 4, 2, ss0, false, nullptr))
            return;
        Segment ss;
        uint16_t ss_sel = static_cast<uint16_t>(ss0);
        if ((ss_sel & ~3u) == 0 || fetch_descriptor(ss_sel, ss) != Fetch::Ok || (ss_sel & 3) != new_cpl ||
            ((ss.attr >> 5) & 3) != new_cpl || (ss.attr & 0x1A) != 0x12) {
            delivering_ = false;
            return (void)fault(nullptr, kExcTS, (ss_sel & ~3u) + ext);
        }
        ss.selector = ss_sel;
        s.seg[kSs] = ss;
        s.r[kEsp] = static_cast<uint32_t>(esp0);
        s.cpl = new_cpl;
        if (!push(old_ss, 4, nullptr) || !push(old_esp, 4, nullptr)) {
            s.seg[kSs] = old_ss_seg;
            s.r[kEsp] = old_esp;
            s.cpl = old_cpl;
            return;
        }
    }
    uint8_t saved_cpl = s.cpl;
    s.cpl = new_cpl;
    if (!push(old_eflags, 4, nullptr) || !push(old_cs, 4, nullptr) || !push(return_eip, 4, nullptr) ||
        (has_error && !push(error, 4, nullptr))) {
        s.cpl = saved_cpl;
        return;
    }
    if (new_cpl < old_cpl) {
        // Data segments the new privilege level may not use are nulled on the way back, not here.
    }
    cs.selector = static_cast<uint16_t>((selector & ~3u) | new_cpl);
    s.seg[kCs] = cs;
    s.eip = offset;
    s.eflags &= ~(kTF | kNT | kRF);
    if (type == 0x0E)
        s.eflags &= ~kIF;
    halted_ = false;
}

// --- descriptors and segments ------------------------------------------------------------------

Cpu::Fetch Cpu::fetch_descriptor(uint16_t selector, Segment& out)
{
    const bool local = selector & 4;
    uint32_t table = local ? s.ldtr.base : s.gdtr.base;
    uint32_t limit = local ? s.ldtr.limit : s.gdtr.limit;
    uint32_t index = selector & ~7u;
    if (local && !(s.ldtr.attr & 0x80))
        return Fetch::Invalid;
    if (index + 7 > limit)
        return Fetch::Invalid;
    uint64_t d;
    if (!read_linear(table + index, 8, d, false, nullptr))
        return Fetch::Faulted;
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
    uint16_t index = selector & ~3u;
    uint8_t rpl = selector & 3;
    if (index == 0 && !(selector & 4)) {
        if (seg == kSs) {
            fault(op, kExcGP, 0);
            return false;
        }
        s.seg[seg] = Segment{selector, 0, 0, 0};  // null: any access through it is #GP(0)
        return true;
    }
    Segment d;
    if (Fetch f = fetch_descriptor(selector, d); f != Fetch::Ok) {
        if (f == Fetch::Invalid)
            fault(op, kExcGP, index | (selector & 4));
        return false;
    }
    unsigned dpl = (d.attr >> 5) & 3;
    bool is_segment = d.attr & 0x10;
    bool is_code = d.attr & 0x08;
    bool readable = is_code ? (d.attr & 0x02) : true;
    bool writable = !is_code && (d.attr & 0x02);
    bool conforming = is_code && (d.attr & 0x04);
    uint32_t err = selector & ~3u;
    if (seg == kSs) {
        if (!is_segment || !writable || rpl != s.cpl || dpl != s.cpl) {
            fault(op, kExcGP, err);
            return false;
        }
        if (!(d.attr & 0x80)) {
            fault(op, kExcSS, err);
            return false;
        }
    } else {
        if (!is_segment || !readable || (!conforming && (dpl < s.cpl || dpl < rpl))) {
            fault(op, kExcGP, err);
            return false;
        }
        if (!(d.attr & 0x80)) {
            fault(op, kExcNP, err);
            return false;
        }
    }
    s.seg[seg] = d;
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

// --- paging ------------------------------------------------------------------------------------

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
    // Cache RAM pages for the fast path; code pages keep writes on the slow path.
    TlbEntry& e = tlb_[(lin >> kPageBits) % kTlbEntries];
    uint32_t page = phys & ~0xFFFu;
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
    for (unsigned i = 0; i < size;) {
        uint32_t a = lin + i;
        unsigned chunk = std::min<unsigned>(size - i, kPageSize - (a & 0xFFF));
        uint32_t phys;
        if (!translate(a, false, user, phys, op))
            return false;
        if (op)
            clock_.set_icount(exact_icount(op));
        // MMIO takes the access whole when it does not cross a page.
        if (chunk == size && !bus_.ram_at(phys, 1)) {
            bus_.read(phys, size, value);
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

// --- I/O, control registers, privileged control transfers ---------------------------------------

uint32_t Cpu::port_in(uint16_t port, unsigned size, const Op* op)
{
    clock_.set_icount(exact_icount(op));
    io_exit_ = true;
    return io_.read(port, size);
}

void Cpu::port_out(uint16_t port, uint32_t value, unsigned size, const Op* op)
{
    clock_.set_icount(exact_icount(op));
    io_exit_ = true;
    io_.write(port, value, size);
}

bool Cpu::write_cr(unsigned n, uint32_t value, const Op* op)
{
    switch (n) {
    case 0:
        if ((value & kCr0PG) && !(value & kCr0PE)) {
            fault(op, kExcGP, 0);
            return false;
        }
        if (!(value & kCr0PE)) {
            stop_unsupported(op, "switching back to real mode (CR0.PE = 0)");
            return false;
        }
        s.cr0 = value | kCr0ET;
        flush_tlb();
        return true;
    case 2: s.cr2 = value; return true;
    case 3:
        s.cr3 = value;
        flush_tlb();
        return true;
    case 4:
        if (value & ~0x3FFu & ~(1u << 9) & ~(1u << 10)) {
            fault(op, kExcGP, 0);
            return false;
        }
        s.cr4 = value;
        flush_tlb();
        return true;
    default: fault(op, kExcUD); return false;
    }
}

uint64_t Cpu::timestamp(const Op* op)
{
    clock_.set_icount(exact_icount(op));
    return clock_.ns();
}

const Op* Cpu::halt(const Op* op)
{
    const Op* r = exit_after(op);
    halted_ = true;
    return r;
}

}  // namespace emu::x86
