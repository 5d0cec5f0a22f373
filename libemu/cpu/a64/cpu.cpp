#include "cpu/a64/cpu.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "core/state_archive.h"
#include "core/format.h"
#include "cpu/a64/decoder.h"
#include "cpu/a64/sp_alignment.h"
#include "cpu/a64/trace.h"

namespace emu::a64 {

namespace {

// Vector table offsets from VBAR_EL1 (ARM ARM D1.10.2).
constexpr unsigned kVecCurrentSp0 = 0x000;
constexpr unsigned kVecCurrentSpx = 0x200;
constexpr unsigned kVecLowerA64 = 0x400;
constexpr unsigned kVecSync = 0x000;
constexpr unsigned kVecIrq = 0x080;
constexpr unsigned kVecFiq = 0x100;

constexpr uint32_t kEsrIl = 1u << 25;  // 32-bit instruction

const Op* end_of_block(Cpu& c, const Op* op) { return c.fall_through(op); }

const Op* undefined_insn(Cpu& c, const Op* op) { return c.undefined(op); }

// The FP/SIMD encoding space: data processing (op0 x111) and loads/stores with V = 1.
bool is_fp_simd(uint32_t insn)
{
    uint32_t op0 = (insn >> 25) & 0xF;
    return (op0 & 0x7) == 0x7 || ((op0 & 0x5) == 0x4 && ((insn >> 26) & 1));
}

// An unallocated FP/SIMD encoding: while CPACR_EL1.FPEN traps the current EL, the access
// trap comes first (as on hardware and QEMU); with access enabled it is undefined.
const Op* fp_simd_insn(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    return c.undefined(op);
}

}  // namespace

Cpu::Cpu(Bus& bus, VirtualClock& clock, Platform& platform) : Engine(bus, clock), platform_(platform)
{
    // The first RAM region is the flat fast path; any other RAM goes through the TLB.
    if (ram_.size < 8)
        throw std::logic_error("an AArch64 CPU needs RAM on its bus");
    translation_changed();
    // Watched pages leave the fast paths (the flat window and the TLB) as soon as they are set.
    bus_.access_watch().set_change_listener([this] { translation_changed(); });
}

void Cpu::reset(uint64_t entry_pc)
{
    s = State{};
    flags = Flags::unpack(s.nzcv);
    s.pc = entry_pc;
    monitor = Monitor{};
    halted_ = false;
    io_exit_ = false;
    translation_changed();
}

void Cpu::take_interrupt()
{
    if (fiq_line_ && !(s.daif & kDaifF))
        enter_exception(kVecFiq, s.pc);
    else if (irq_line_ && !(s.daif & kDaifI))
        enter_exception(kVecIrq, s.pc);
    // WFI wakes on a pending interrupt even when it is masked.
    halted_ = false;
}

Cpu::BlockT* Cpu::find_or_build()
{
    // Fetch faults are taken here, before any block: a PC alignment fault comes before the
    // translation of the fetch.
    if (s.pc & 3) {
        fetch_fault(ExceptionClass::PcAlignment, 0);
        return nullptr;
    }
    PhysAddr pa;
    if (!translate_fetch(pa))
        return nullptr;
    if (BlockT* b = cache_.find(pa))
        return b;
    BlockT* b = build_block(allocate_block(), pa, s.pc, kMaxBlockInsns);
    insert_block(b);
    return b;
}

Cpu::BlockT* Cpu::build_block(BlockT* b, PhysAddr pa, uint64_t pc, unsigned max_insns)
{
    *b = BlockT{};
    b->pc = pa;
    Op* ops = b->ops();
    unsigned n = 0;      // instructions decoded, each counted in icount
    unsigned n_ops = 0;  // ops made of them: a B inside a trace (trace.h) and a no-op have none
    // A block stays within one page, so that invalidation and translation are per page; its
    // first instruction is known to be in RAM (translate_fetch). A trace (trace.h) goes on
    // through direct branches to instructions of that page: `pos` is the word offset of the
    // next instruction from the first, and the page offsets of pc and pa are the same.
    const uint64_t offset_mask = kPageSize - 1;
    const int64_t first_word = static_cast<int64_t>(pa & offset_mask) / 4;
    const int64_t words_in_page = static_cast<int64_t>(kPageSize / 4);
    int64_t pos = 0;
    int64_t end_pos = 0;  // one past the highest pos decoded
    while (n < max_insns) {
        if (first_word + pos >= words_in_page || (n > 0 && block_ends_before(pc + 4 * pos)))
            break;
        PhysAddr ipa = pa + 4 * pos;
        const uint8_t* p = bus_.ram_ptr(ipa, 4);
        if (!p)
            break;
        uint32_t insn;
        std::memcpy(&insn, p, 4);
        Op& op = ops[n_ops];
        op = Op{};
        op.insn = insn;
        op.idx = static_cast<uint16_t>(n);
        op.pos = static_cast<int16_t>(pos);
        end_pos = std::max(end_pos, pos + 1);
        n++;
        n_ops++;
        const InsnDef* def = decode(insn);
        Build result = def ? def->build(op, insn) : Build::Undefined;
        if (result == Build::Undefined) {
            op.fn = !def && is_fp_simd(insn) ? fp_simd_insn : undefined_insn;
            pos++;
            break;
        }
        if (checks_sp_alignment(insn))
            add_sp_alignment_check(op);
        if (result == Build::Next || result == Build::Nothing) {
            if (result == Build::Nothing && chaining())
                n_ops--;  // no op: the next one takes its place, and its idx still counts this
            pos++;
            continue;
        }
        if (!chaining()) {
            pos++;  // where the terminator falls through to, after an instruction that may go on
            break;
        }
        std::optional<TraceStep> t = trace_step(op, skipped_path(pa, first_word + pos, static_cast<int64_t>(op.imm)));
        int64_t next = t ? pos + t->offset / 4 : 0;
        bool go_on = t && n < max_insns && first_word + next >= 0 && first_word + next < words_in_page;
        if (go_on && !t->in_trace) {
            // B: no op; the target's takes its place, and its idx still counts the B.
            n_ops--;
            pos = next;
            continue;
        }
        if (go_on)
            op.fn = t->in_trace;
        if (n_ops >= 2)
            fuse_compare_and_branch(ops[n_ops - 2], op);
        if (!go_on) {
            pos++;
            break;
        }
        pos = next;
    }
    b->n_insns = n;
    // For page registration: every instruction is in the first page, so this covers it.
    b->n_bytes = static_cast<uint32_t>(4 * end_pos);
    Op& term = ops[n_ops];
    term = Op{};
    term.fn = end_of_block;
    term.idx = static_cast<uint16_t>(n);
    term.pos = static_cast<int16_t>(pos);
    set_chain_cost(b, pc);
    return b;
}

SkippedPath Cpu::skipped_path(PhysAddr pa, int64_t word, int64_t offset) const
{
    const int64_t words_in_page = static_cast<int64_t>(kPageSize / 4);
    PhysAddr page = pa & ~(kPageSize - 1);
    for (int64_t k = 1; k < offset / 4 && k <= int64_t{kSkipLookahead} && word + k < words_in_page; k++) {
        const uint8_t* p = bus_.ram_ptr(page + 4 * (word + k), 4);
        if (!p)
            break;
        uint32_t insn;
        std::memcpy(&insn, p, 4);
        if (returns(insn))
            return SkippedPath::Returns;
    }
    return SkippedPath::Ordinary;
}

const Op* Cpu::exit_after(const Op* op)
{
    s.pc = pc_of(op) + 4;
    retire_through(op);
    return nullptr;
}

// --- exceptions -------------------------------------------------------------------------------

uint64_t Cpu::pack_pstate(uint32_t nzcv) const
{
    return nzcv | s.daif | (uint32_t{s.el} << 2) | s.spsel;
}

void Cpu::set_el_and_sp(uint8_t el, uint8_t spsel)
{
    // r[kSp] holds the selected stack pointer; sp_other the other one.
    bool was_el0_sp = (s.el == 0 || s.spsel == 0);
    bool now_el0_sp = (el == 0 || spsel == 0);
    if (was_el0_sp != now_el0_sp)
        std::swap(s.r[kSp], s.sp_other);
    s.el = el;
    s.spsel = spsel;
}

void Cpu::enter_exception(unsigned vector_offset, uint64_t preferred_return)
{
    if (exception_loop()) {
        s.pc = preferred_return;
        request_stop(StopKind::ExceptionLoop, 0,
                     std::to_string(kMaxExceptionStreak) + " exceptions in a row with no instruction retired; the last, "
                     "ESR_EL1 " + hex(s.sys.esr_el1) + ", was taken at pc " + hex(preferred_return) +
                     " to the vector at " + hex((s.sys.vbar_el1 & ~uint64_t{0x7FF}) + vector_offset));
        return;
    }
    unsigned base;
    if (s.el == 0)
        base = kVecLowerA64;
    else
        base = s.spsel ? kVecCurrentSpx : kVecCurrentSp0;
    s.sys.spsr_el1 = pack_pstate(flags.packed());
    s.sys.elr_el1 = preferred_return;
    s.daif = kDaifD | kDaifA | kDaifI | kDaifF;
    set_el_and_sp(1, 1);
    s.pc = (s.sys.vbar_el1 & ~uint64_t{0x7FF}) + base + vector_offset;  // VBAR_EL1[10:0] are RES0
}

const Op* Cpu::raise(const Op* op, ExceptionClass ec, uint32_t iss, uint64_t preferred_return, bool counted,
                     uint64_t far, bool far_valid)
{
    if (counted)
        retire_through(op);
    else
        retire_before(op);
    s.sys.esr_el1 = (static_cast<uint64_t>(ec) << 26) | kEsrIl | (iss & 0x1FFFFFF);
    if (far_valid)
        s.sys.far_el1 = far;
    enter_exception(kVecSync, preferred_return);
    return nullptr;
}

void Cpu::fetch_fault(ExceptionClass ec, uint32_t iss)
{
    s.sys.esr_el1 = (static_cast<uint64_t>(ec) << 26) | kEsrIl | iss;
    s.sys.far_el1 = s.pc;
    enter_exception(kVecSync, s.pc);
}

const Op* Cpu::fp_access_trap(const Op* op)
{
    constexpr uint32_t kIssCondAlways = (1u << 24) | (0xEu << 20);  // CV = 1, COND = AL
    return raise(op, ExceptionClass::FpAccess, kIssCondAlways, pc_of(op), true);
}

const Op* Cpu::undefined(const Op* op)
{
    return raise(op, ExceptionClass::Unknown, 0, pc_of(op), true);
}


const Op* Cpu::exception_return(const Op* op)
{
    if (s.el == 0)
        return undefined(op);
    uint64_t spsr = s.sys.spsr_el1;
    uint64_t target = s.sys.elr_el1;
    retire_through(op);
    unsigned m = spsr & 0x1F;
    bool legal = (m == 0x0 || m == 0x4 || m == 0x5);  // EL0t, EL1t, EL1h
    flags = Flags::unpack(static_cast<uint32_t>(spsr));
    s.daif = spsr & (kDaifD | kDaifA | kDaifI | kDaifF);
    monitor.valid = false;
    if (!legal) {
        // An illegal return stays at EL1 and the next instruction takes the Illegal Execution
        // State exception; no instruction runs in between, so take it here.
        s.pc = target;
        s.sys.esr_el1 = (static_cast<uint64_t>(ExceptionClass::IllegalState) << 26) | kEsrIl;
        enter_exception(kVecSync, target);
        return nullptr;
    }
    set_el_and_sp(static_cast<uint8_t>(m >> 2), static_cast<uint8_t>(m & 1));
    s.pc = branch_target(target);
    return nullptr;
}

const Op* Cpu::wait_for_interrupt(const Op* op)
{
    const Op* r = exit_after(op);
    if (!irq_line_ && !fiq_line_)
        halted_ = true;
    return r;
}

const Op* Cpu::hypervisor_call(const Op* op, bool is_smc, uint16_t imm)
{
    // HVC from EL0 is undefined; so is any call the platform does not implement.
    if (s.el == 0 || !platform_.hypervisor_call(*this, is_smc, imm))
        return undefined(op);
    return exit_after(op);
}

const Op* Cpu::semihosting_call(const Op* op)
{
    clock_.set_icount(exact_icount(op));
    if (s.el == 0 || !platform_.semihosting_call(*this))
        return undefined(op);
    return exit_after(op);
}

const Op* Cpu::stop_unsupported(const Op* op, std::string what)
{
    s.pc = pc_of(op);
    retire_before(op);
    request_stop(StopKind::Unsupported, 0, what + " (pc " + hex(s.pc) + ")");
    return nullptr;
}

void Cpu::serialize(StateArchive& a)
{
    a.section("a64-cpu", 4);
    static const char* const kNames[] = {"x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",
                                         "x9",  "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17",
                                         "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26",
                                         "x27", "x28", "x29", "x30", "zr",  "sink", "sp"};
    for (unsigned i = 0; i < kNumSlots; ++i)
        if (i != kSink)  // the sink holds whatever was last thrown away
            a.field(kNames[i], s.r[i]);
    a.field("pc", s.pc);
    a.field("nzcv", s.nzcv);
    a.field("daif", s.daif);
    a.field("el", s.el);
    a.field("spsel", s.spsel);
    a.field("sp_other", s.sp_other);
    SysRegs& y = s.sys;
    a.field("vbar_el1", y.vbar_el1);
    a.field("elr_el1", y.elr_el1);
    a.field("spsr_el1", y.spsr_el1);
    a.field("esr_el1", y.esr_el1);
    a.field("far_el1", y.far_el1);
    a.field("sctlr_el1", y.sctlr_el1);
    a.field("cpacr_el1", y.cpacr_el1);
    a.field("ttbr0_el1", y.ttbr0_el1);
    a.field("ttbr1_el1", y.ttbr1_el1);
    a.field("tcr_el1", y.tcr_el1);
    a.field("mair_el1", y.mair_el1);
    a.field("amair_el1", y.amair_el1);
    a.field("contextidr_el1", y.contextidr_el1);
    a.field("tpidr_el0", y.tpidr_el0);
    a.field("tpidrro_el0", y.tpidrro_el0);
    a.field("tpidr_el1", y.tpidr_el1);
    a.field("par_el1", y.par_el1);
    a.field("afsr0_el1", y.afsr0_el1);
    a.field("afsr1_el1", y.afsr1_el1);
    a.field("mdscr_el1", y.mdscr_el1);
    a.field("cntkctl_el1", y.cntkctl_el1);
    a.field("csselr_el1", y.csselr_el1);
    a.field("oslsr_el1", y.oslsr_el1);
    a.field("osdlr_el1", y.osdlr_el1);
    static const char* const kDbgNames[4][6] = {
        {"dbgbvr0", "dbgbvr1", "dbgbvr2", "dbgbvr3", "dbgbvr4", "dbgbvr5"},
        {"dbgbcr0", "dbgbcr1", "dbgbcr2", "dbgbcr3", "dbgbcr4", "dbgbcr5"},
        {"dbgwvr0", "dbgwvr1", "dbgwvr2", "dbgwvr3"},
        {"dbgwcr0", "dbgwcr1", "dbgwcr2", "dbgwcr3"}};
    for (unsigned i = 0; i < 6; ++i) {
        a.field(kDbgNames[0][i], y.dbgbvr[i]);
        a.field(kDbgNames[1][i], y.dbgbcr[i]);
    }
    for (unsigned i = 0; i < 4; ++i) {
        a.field(kDbgNames[2][i], y.dbgwvr[i]);
        a.field(kDbgNames[3][i], y.dbgwcr[i]);
    }
    a.field("fpcr", y.fpcr);
    a.field("fpsr", y.fpsr);
    // V0..V31 as two doublewords each: "v0.lo", "v0.hi", ...
    static const std::vector<std::string> kVNames = [] {
        std::vector<std::string> names;
        for (unsigned i = 0; i < 32; ++i)
            for (const char* half : {".lo", ".hi"})
                names.push_back("v" + std::to_string(i) + half);
        return names;
    }();
    for (unsigned i = 0; i < 32; ++i) {
        a.field(kVNames[2 * i], s.v[i].d[0]);
        a.field(kVNames[2 * i + 1], s.v[i].d[1]);
    }
    a.field("monitor_valid", monitor.valid);
    a.field("monitor_addr", monitor.addr);
    a.field("monitor_size", monitor.size);
    a.field("irq_line", irq_line_);
    a.field("fiq_line", fiq_line_);
    serialize_engine(a);
    if (a.loading()) {
        flags = Flags::unpack(s.nzcv);
        translation_changed();
    }
}

}  // namespace emu::a64
