#include "cpu/a64/cpu.h"

#include <stdexcept>

#include "core/state_archive.h"
#include "core/format.h"
#include "cpu/a64/decoder.h"

namespace emu::a64 {

namespace {

// Vector table offsets from VBAR_EL1 (ARM ARM D1.10.2).
constexpr unsigned kVecCurrentSp0 = 0x000;
constexpr unsigned kVecCurrentSpx = 0x200;
constexpr unsigned kVecLowerA64 = 0x400;
constexpr unsigned kVecSync = 0x000;
constexpr unsigned kVecIrq = 0x080;
constexpr unsigned kVecFiq = 0x100;

// Fault status codes (ESR ISS DFSC/IFSC).
constexpr uint32_t kFscSyncExternal = 0x10;
constexpr uint32_t kFscAlignment = 0x21;

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

const Op* insn_abort(Cpu& c, const Op* op)
{
    uint64_t pc = c.pc_of(op);
    auto ec = c.s.el == 0 ? ExceptionClass::InsnAbortLowerEl : ExceptionClass::InsnAbortSameEl;
    return c.raise(op, ec, kFscSyncExternal, pc, false, pc, true);
}

const Op* pc_alignment_fault(Cpu& c, const Op* op)
{
    uint64_t pc = c.pc_of(op);
    return c.raise(op, ExceptionClass::PcAlignment, 0, pc, false, pc, true);
}

}  // namespace

Cpu::Cpu(Bus& bus, VirtualClock& clock, Platform& platform) : Engine(bus, clock), platform_(platform)
{
    // The first RAM region is the load/store fast path; any other RAM goes through the bus.
    if (ram_.size < 8)
        throw std::logic_error("an AArch64 CPU needs RAM on its bus");
}

void Cpu::reset(uint64_t entry_pc)
{
    s = State{};
    s.pc = entry_pc;
    monitor = Monitor{};
    halted_ = false;
    io_exit_ = false;
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
    // The MMU is off: the virtual PC is the physical address.
    if (BlockT* b = cache_.find(s.pc))
        return b;
    BlockT* b = build_block(allocate_block(), s.pc, kMaxBlockInsns);
    insert_block(b);
    return b;
}

Cpu::BlockT* Cpu::build_block(BlockT* b, uint64_t pc, unsigned max_insns)
{
    *b = BlockT{};
    b->pc = pc;
    Op* ops = b->ops();
    unsigned n = 0;
    auto emit_fault = [&](Handler h) {
        Op& op = ops[n];
        op = Op{};
        op.fn = h;
        op.idx = static_cast<uint16_t>(n);
        // The faulting fetch does not retire; the block holds only what came before it.
        b->n_insns = n;
        b->n_bytes = 4 * n;
        set_chain_cost(b, pc);
        return b;
    };
    if (pc & 3)
        return emit_fault(pc_alignment_fault);

    // A block stays within one page so that invalidation and (later) translation are per page.
    uint64_t page_end = (pc | (kPageSize - 1)) + 1;
    while (n < max_insns) {
        uint64_t ipc = pc + 4 * n;
        if (ipc >= page_end || (n > 0 && block_ends_before(ipc)))
            break;
        const uint8_t* p = bus_.ram_ptr(ipc, 4);
        if (!p) {
            if (n == 0)
                return emit_fault(insn_abort);
            break;
        }
        uint32_t insn;
        std::memcpy(&insn, p, 4);
        Op& op = ops[n];
        op = Op{};
        op.insn = insn;
        op.idx = static_cast<uint16_t>(n);
        n++;
        const InsnDef* def = decode(insn);
        Build result = def ? def->build(op, insn) : Build::Undefined;
        if (result == Build::Undefined) {
            op.fn = !def && is_fp_simd(insn) ? fp_simd_insn : undefined_insn;
            break;
        }
        if (result == Build::EndBlock)
            break;
    }
    b->n_insns = n;
    b->n_bytes = 4 * n;
    Op& term = ops[n];
    term = Op{};
    term.fn = end_of_block;
    term.idx = static_cast<uint16_t>(n);
    set_chain_cost(b, pc);
    return b;
}

const Op* Cpu::exit_after(const Op* op)
{
    s.pc = pc_of(op) + 4;
    retire_through(op);
    return nullptr;
}

// --- exceptions -------------------------------------------------------------------------------

uint64_t Cpu::pstate_to_spsr() const
{
    return s.nzcv | s.daif | (uint32_t{s.el} << 2) | s.spsel;
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
    s.sys.spsr_el1 = pstate_to_spsr();
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
    s.nzcv = spsr & 0xF0000000u;
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
    s.pc = target;
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

// --- memory slow paths -------------------------------------------------------------------------

const Op* Cpu::data_abort(const Op* op, uint64_t va, bool is_write, unsigned size, uint32_t fsc)
{
    (void)size;
    auto ec = s.el == 0 ? ExceptionClass::DataAbortLowerEl : ExceptionClass::DataAbortSameEl;
    uint32_t iss = fsc | (is_write ? (1u << 6) : 0u);
    return raise(op, ec, iss, pc_of(op), false, va, true);
}

bool Cpu::read_slow(uint64_t va, unsigned size, uint64_t& value, const Op* op)
{
    clock_.set_icount(exact_icount(op));
    PhysAddr pa = va;
    if (RamRegion* r = bus_.ram_at(pa, size)) {
        value = 0;
        std::memcpy(&value, r->host.get() + (pa - r->base), size);
        return true;
    }
    if (bus_.read(pa, size, value) != Bus::Status::Ok) {
        data_abort(op, va, false, size, kFscSyncExternal);
        return false;
    }
    io_exit_ = true;  // a device was looked at: interrupts may be due after this instruction
    return true;
}

bool Cpu::write_slow(uint64_t va, unsigned size, uint64_t value, const Op* op)
{
    clock_.set_icount(exact_icount(op));
    PhysAddr pa = va;
    bool is_ram = bus_.ram_at(pa, size) != nullptr;
    if (bus_.write(pa, size, value) != Bus::Status::Ok) {
        data_abort(op, va, true, size, kFscSyncExternal);
        return false;
    }
    if (!is_ram)
        io_exit_ = true;
    return true;
}

bool Cpu::check_alignment(uint64_t va, unsigned align, bool is_write, const Op* op)
{
    if ((va & (align - 1)) == 0)
        return true;
    data_abort(op, va, is_write, align, kFscAlignment);
    return false;
}

bool Cpu::zero_block(uint64_t va, const Op* op)
{
    uint64_t base = va & ~uint64_t{63};
    for (unsigned i = 0; i < 64; i += 8)
        if (!write<uint64_t>(base + i, 0, op))
            return false;
    return true;
}

void Cpu::serialize(StateArchive& a)
{
    a.section("a64-cpu", 3);
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
}

}  // namespace emu::a64
