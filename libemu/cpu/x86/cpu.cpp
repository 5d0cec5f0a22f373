#include "cpu/x86/cpu.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/format.h"
#include "core/state_archive.h"
#include "cpu/x86/cpuid.h"
#include "cpu/x86/decoder.h"
#include "cpu/x86/memory.h"
#include "cpu/x86/operands.h"
#include "cpu/x86/trace.h"

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

// A register CMP or TEST and the Jcc after its op (a JMP a trace went through between them
// leaves no op and changes nothing the pair reads) become one op in the compare's place, which
// takes the Jcc's place in EIP and icount (the compare cannot fault); the Jcc's own op is left
// behind it, never reached. A block cut between the two (a budget, a breakpoint) keeps both.
// `way`: how the Jcc runs (trace.h).
void fuse_compare_jcc(Op& compare, const Op& branch, Way way)
{
    Handler fused = handlers::fuse_compare_jcc(compare, branch, way);
    if (!fused)
        return;
    compare.fn = fused;
    compare.imm2 = branch.imm2;
    compare.off = branch.off;
    compare.len = branch.len;
    compare.idx = branch.idx;
}

// What a forward Jcc skips (trace.h): the instructions from `from` up to `to`, offsets in
// `code`, all in its page.
SkippedPath skipped_path(const uint8_t* code, int32_t from, int32_t to, CodeSize size)
{
    for (unsigned k = 0; k < kSkipLookahead && from < to; k++) {
        Op op{};
        if (decode(code + from, static_cast<size_t>(to - from), op, size) == DecodeResult::TooShort)
            break;
        if (handlers::is_return(op.fn))
            return SkippedPath::Returns;
        from += op.len;
    }
    return SkippedPath::Ordinary;
}

}  // namespace

Cpu::Cpu(Bus& bus, IoPorts& io, VirtualClock& clock) : Engine(bus, clock), io_(io)
{
    if (bus_.ram_regions().empty())
        throw std::logic_error("an i386 CPU needs RAM on its bus");
    // The paging-off fast path takes RAM from physical 0 only, and only the 4 GiB that 32-bit
    // addresses reach; other RAM goes through the TLB.
    if (ram_.base != 0 || ram_.size < 8)
        ram_ = RamWindow{};
    ram_.size = std::min<uint64_t>(ram_.size, uint64_t{1} << 32);
    ram_window_size_ = ram_.size;
    // Watched pages leave the fast paths (the RAM window and the TLB) as soon as they are set.
    bus_.access_watch().set_change_listener([this] { update_watchpoints(); });
}

void Cpu::reset_flat(uint32_t eip)
{
    s = State{};
    s.eip = eip;
    for (unsigned i = 0; i < kNumSegs; ++i)
        s.seg[i] = Segment{i == kCs ? uint16_t{0x08} : uint16_t{0x10}, 0, 0xFFFFFFFF, i == kCs ? kFlatCode : kFlatData};
    s.tr.attr = 0x008B;  // a busy 32-bit TSS at 0, until the guest loads its own
    reset_internal_state();
}

void Cpu::reset_power_on()
{
    s = State{};
    s.eip = 0xFFF0;
    s.r[kEdx] = kCpuidSignature;
    s.cr0 = kCr0ET | (1u << 29) | (1u << 30);  // CD and NW set
    for (unsigned i = 0; i < kNumSegs; ++i)
        s.seg[i] = Segment{0, 0, 0xFFFF, kRealModeData};
    s.seg[kCs] = Segment{0xF000, 0xFFFF0000, 0xFFFF, kRealModeData};
    s.ldtr = Segment{0, 0, 0xFFFF, 0x0082};
    s.tr = Segment{0, 0, 0xFFFF, 0x008B};
    // The FPU's power-on state: every register +0.0 and valid, the control word 0x0040.
    s.fpu.cw = kFcwFixed1;
    s.fpu.empty = 0;
    reset_internal_state();
}

void Cpu::reset_internal_state()
{
    lazy = LazyFlags{};
    halted_ = false;
    nmi_pending_ = nmi_blocked_ = false;
    delivering_ = false;
    delivered_into_new_task_ = false;
    last_fault_ = Fault{};
    debug_step_ = step_traps_ = false;
    pending_dr6_ = 0;
    rep_icount_ = ~uint64_t{0};
    if (ferr_ && fpu_error)
        fpu_error(false);
    ferr_ = ignne_ = false;
    update_watchpoints();
    flush_tlb();
    segments_changing();
}

void Cpu::serialize(StateArchive& a)
{
    // Version 3: the debug registers, the FPU and the debug and FPU error signalling state.
    a.section("x86-cpu", 3);
    static const char* const kRegs[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    for (unsigned i = 0; i < 8; ++i)
        a.field(kRegs[i], s.r[i]);
    a.field("eip", s.eip);
    a.field("eflags", flags());
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
    static const char* const kDrs[4] = {"dr0", "dr1", "dr2", "dr3"};
    for (unsigned i = 0; i < 4; ++i)
        a.field(kDrs[i], s.dr[i]);
    a.field("dr6", s.dr6);
    a.field("dr7", s.dr7);
    static const char* const kFpMant[8] = {"r0.mant", "r1.mant", "r2.mant", "r3.mant",
                                           "r4.mant", "r5.mant", "r6.mant", "r7.mant"};
    static const char* const kFpSe[8] = {"r0.se", "r1.se", "r2.se", "r3.se", "r4.se", "r5.se", "r6.se", "r7.se"};
    for (unsigned i = 0; i < 8; ++i) {
        a.field(kFpMant[i], s.fpu.reg[i].mant);
        a.field(kFpSe[i], s.fpu.reg[i].se);
    }
    a.field("fcw", s.fpu.cw);
    a.field("fsw", s.fpu.sw);
    a.field("fpu_empty", s.fpu.empty);
    a.field("fop", s.fpu.fop);
    a.field("fcs", s.fpu.fcs);
    a.field("fip", s.fpu.fip);
    a.field("fds", s.fpu.fds);
    a.field("fdp", s.fpu.fdp);
    a.field("ferr", ferr_);
    a.field("ignne", ignne_);
    a.field("intr", intr_);
    a.field("nmi_pending", nmi_pending_);
    a.field("nmi_blocked", nmi_blocked_);
    a.field("debug_step", debug_step_);
    a.field("step_traps", step_traps_);
    a.field("step_icount", step_icount_);
    a.field("pending_dr6", pending_dr6_);
    a.field("rep_icount", rep_icount_);
    serialize_engine(a);
    if (a.loading()) {
        delivering_ = false;
        delivered_into_new_task_ = false;
        // Translations may not match the restored page tables or breakpoints.
        update_watchpoints();
        flush_tlb();
        segments_changing();
    }
}


void Cpu::take_interrupt()
{
    // A single-step or breakpoint trap comes before NMI and INTR (which are then taken
    // before the #DB handler's first instruction).
    if (debug_step_) {
        debug_after_instruction();
        if (stop())
            return;
    }
    if (nmi_pending_ && !nmi_blocked_) {
        nmi_pending_ = false;
        nmi_blocked_ = true;
        halted_ = false;
        raise(Event{EventKind::External, kExcNMI, false, 0, s.eip, s.eip, icount_ == rep_icount_});
        return;
    }
    if (!intr_ || !(s.eflags & kIF))
        return;
    uint8_t vector = acknowledge ? acknowledge() : 0;
    halted_ = false;
    raise(Event{EventKind::External, vector, false, 0, s.eip, s.eip, icount_ == rep_icount_});
}

Cpu::BlockT* Cpu::find_or_build()
{
    if (flat_stale_)
        update_flat_segments();
    uint32_t phys;
    if (__builtin_expect(debugging(), 0) && !debug_before_instruction())
        return nullptr;
    if (s.eip > s.seg[kCs].limit) {
        fault(nullptr, kExcGP, 0);
        return nullptr;
    }
    if (!translate(s.seg[kCs].base + s.eip, false, s.cpl == 3, phys, nullptr))
        return nullptr;
    if (__builtin_expect(debug_step_, 0)) {
        // One instruction, uncached, and no chaining out of it: the check after it must run.
        chain_limit_ = icount_ + 1;
        return build_block(scratch(), phys, s.eip, 1);
    }
    BlockT* b = cache_.find(phys);
    if (b && b->mode == code_mode())
        return b;
    b = build_block(allocate_block(), phys, s.eip, kMaxBlockInsns);
    // A fetch fault or a page-crossing first instruction is never cached.
    if (b->n_bytes != 0)
        insert_block(b);
    return b;
}

void Cpu::on_new_code_page(PhysAddr page)
{
    // Stores to the page must now take the slow path, which invalidates its blocks.
    for (TlbEntry& e : tlb_)
        if (e.phys == page)
            e.perm &= ~(kTlbWrite | kTlbWriteUser);
}

Cpu::BlockT* Cpu::build_block(BlockT* b, uint32_t phys, uint32_t eip, unsigned max_insns)
{
    *b = BlockT{};
    b->pc = phys;
    b->mode = code_mode();
    const CodeSize size = s.seg[kCs].big() ? CodeSize::Bits32 : CodeSize::Bits16;
    Op* ops = b->ops();
    unsigned n = 0;  // instructions decoded
    unsigned k = 0;  // ops filled: n, less the JMPs a trace went through (they leave none)
    // `off` is the next instruction's offset from the first, negative when a trace (trace.h)
    // went back; every instruction lies in the first page, between offsets page_first and
    // page_left.
    int32_t off = 0;
    int32_t end = 0;  // one past the last byte decoded
    const int32_t page_first = -static_cast<int32_t>(phys & (kPageSize - 1));
    const int32_t page_left = static_cast<int32_t>(kPageSize) + page_first;
    const uint8_t* page = bus_.ram_ptr(phys & ~(kPageSize - 1), kPageSize);
    const uint8_t* code = page ? page + (phys & (kPageSize - 1)) : bus_.ram_ptr(phys, 1);
    const bool traces = page && chaining() && !(b->mode & (kMode16 | kModeLimited));
    auto finish = [&](Handler last) {
        Op& t = ops[k];
        t = Op{};
        t.fn = last;
        t.off = static_cast<int16_t>(off);
        t.idx = static_cast<uint8_t>(n);
        b->n_insns = n;
        b->n_bytes = static_cast<uint32_t>(end);
        set_chain_cost(b, eip);
        return b;
    };
    if (!code)
        return finish(fetch_page_fault);
    // The code segment's limit ends the block like a page end; fetching past it is #GP.
    const int64_t seg_left = int64_t{s.seg[kCs].limit} - eip + 1;
    while (n < max_insns && off < page_left) {
        if (n > 0 && block_ends_before(eip + static_cast<uint32_t>(off)))
            break;
        Op& op = ops[k];
        op = Op{};
        op.off = static_cast<int16_t>(off);
        op.idx = static_cast<uint8_t>(n);
        size_t avail = static_cast<size_t>(std::clamp<int64_t>(seg_left - off, 0, page_left - off));
        if (avail == 0) {
            if (n == 0)
                return finish(fetch_limit_fault);
            break;
        }
        DecodeResult r = decode(code + off, avail, op, size);
        if (r == DecodeResult::TooShort) {
            if (n > 0)
                break;
            // The first instruction crosses into the next page: copy it out and decode it
            // uncached (a block of one instruction that the page map does not cover).
            uint8_t bytes[15];
            size_t got = 0;
            for (; got < sizeof bytes && static_cast<int64_t>(got) < seg_left; ++got) {
                uint64_t v;
                // Only the bytes the instruction needs may fault: stop at the first that does
                // and let the decoder say whether it needed it.
                uint32_t phys_next;
                if (!translate_quiet(s.seg[kCs].base + eip + static_cast<uint32_t>(got), phys_next) ||
                    bus_.read(phys_next, 1, v) != Bus::Status::Ok)
                    break;
                bytes[got] = static_cast<uint8_t>(v);
            }
            r = decode(bytes, got, op, size);
            if (r == DecodeResult::TooShort)
                return finish(static_cast<int64_t>(got) < seg_left ? fetch_page_fault_next : fetch_limit_fault);
            off += op.len;
            n++;
            k++;
            finish(end_of_block);
            b->n_bytes = 0;  // not cached, nothing to register
            b->n_insns = 1;
            set_chain_cost(b, eip);
            return b;
        }
        off += op.len;
        end = std::max(end, off);
        n++;
        k++;
        if (r != DecodeResult::EndBlock)
            continue;
        if (!chaining())  // with chaining off, blocks are the plain reference
            break;
        std::optional<TraceStep> t;
        if (traces && n < max_insns) {
            int32_t target = static_cast<int32_t>(op.imm2);
            SkippedPath skipped = target > off ? skipped_path(code, off, target, size) : SkippedPath::Ordinary;
            t = handlers::trace_step(op, skipped);
            if (t && (t->next_off < page_first || t->next_off >= page_left))
                t.reset();
        }
        if (k >= 2)
            fuse_compare_jcc(ops[k - 2], op, t ? t->way : Way::EndsBlock);
        if (!t)
            break;
        if (t->in_trace)
            op.fn = t->in_trace;
        else
            k--;  // its slot goes to its target's instruction, whose idx still counts it
        off = t->next_off;
    }
    return finish(end_of_block);
}

const Op* Cpu::exit_after(const Op* op)
{
    s.eip = next_eip(op);
    retire_through(op);
    return nullptr;
}

const Op* Cpu::exit_to(const Op* op, uint32_t target)
{
    s.eip = target;
    retire_through(op);
    return nullptr;
}

const Op* Cpu::freeze(const Op* op)
{
    s.eip = eip_of(op);
    retire_before(op);
    halted_ = true;
    return nullptr;
}

const Op* Cpu::stop_unsupported(const Op* op, std::string what)
{
    if (op) {
        s.eip = eip_of(op);
        retire_before(op);
    }
    request_stop(StopKind::Unsupported, 0, what + " (eip " + hex(s.eip) + ")");
    return nullptr;
}

// --- I/O, control registers, privileged control transfers ---------------------------------------

uint32_t Cpu::port_in(uint16_t port, unsigned size, const Op* op)
{
    clock_.set_icount(exact_icount(op));
    io_exit_ = true;
    if (__builtin_expect(s.dr7 & 0xFF, 0))
        check_io_breakpoints(port, size);
    return io_.read(port, size);
}

void Cpu::port_out(uint16_t port, uint32_t value, unsigned size, const Op* op)
{
    clock_.set_icount(exact_icount(op));
    io_exit_ = true;
    if (__builtin_expect(s.dr7 & 0xFF, 0))
        check_io_breakpoints(port, size);
    io_.write(port, value, size);
}

bool Cpu::io_permitted(uint16_t port, unsigned size, const Op* op)
{
    if (!s.vm86() && s.cpl <= iopl())
        return true;
    // The I/O permission bitmap: only a 32-bit TSS has one, at the offset in its word 0x66;
    // every bit of the accessed ports must be clear, and the bytes holding them within TR's
    // limit.
    if ((s.tr.attr & 0x0F) != 0x0B || s.tr.limit < 0x67) {
        fault(op, kExcGP, 0);
        return false;
    }
    uint64_t base, bits;
    if (!read_linear(s.tr.base + 0x66, 2, base, false, op))
        return false;
    uint32_t at = static_cast<uint32_t>(base) + port / 8u;
    uint32_t mask = ((1u << size) - 1) << (port & 7);
    // Both bytes are read (the processor always reads two), so both must lie within the limit.
    if (at + 1 > s.tr.limit) {
        fault(op, kExcGP, 0);
        return false;
    }
    if (!read_linear(s.tr.base + at, 2, bits, false, op))
        return false;
    if (bits & mask) {
        fault(op, kExcGP, 0);
        return false;
    }
    return true;
}

bool Cpu::write_cr(unsigned n, uint32_t value, const Op* op)
{
    switch (n) {
    case 0:
        // PG without PE, and NW without CD, are #GP(0).
        if (((value & kCr0PG) && !(value & kCr0PE)) || ((value & (1u << 29)) && !(value & (1u << 30)))) {
            fault(op, kExcGP, 0);
            return false;
        }
        // Real mode runs at CPL 0; entering protected mode keeps CPL 0 until CS is loaded.
        if (!(value & kCr0PE))
            s.cpl = 0;
        segments_changing();
        s.cr0 = value | kCr0ET;
        flush_tlb();
        return true;
    case 2: s.cr2 = value; return true;
    case 3:
        s.cr3 = value;
        flush_tlb();
        return true;
    case 4:
        // The bits a P6 without PAE, PGE, MCE or VME has: TSD, DE, PSE, PCE, OSFXSR and
        // OSXMMEXCPT (accepted, though there is no SSE to enable).
        if (value & ~(kCr4TSD | kCr4DE | kCr4PSE | (1u << 8) | kCr4OSFXSR | (1u << 10))) {
            fault(op, kExcGP, 0);
            return false;
        }
        s.cr4 = value;
        flush_tlb();
        update_watchpoints();  // CR4.DE decides whether DR7's I/O breakpoints exist
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
