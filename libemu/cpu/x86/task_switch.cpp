// Hardware task switches (Intel SDM vol. 3A, 7.3): through a TSS descriptor or task gate by
// JMP, CALL or an interrupt, and back by IRET with NT set. The new TSS is read whole and the
// current task's state saved in its TSS before anything changes; then the busy bits, the back
// link and NT (nesting by CALL and interrupts), TR, CR0.TS and the new task's registers, CR3,
// LDTR and segment selectors. Loading the new task's segment descriptors comes last: a fault
// there belongs to the new task. 32-bit and 16-bit (80286) TSSs both work.
#include "core/format.h"
#include "cpu/x86/memory.h"

namespace emu::x86 {

namespace {

// Where the dynamic fields live in each TSS format.
struct TssLayout {
    uint32_t eip, eflags, regs, seg_at[kNumSegs], ldt;
    unsigned width;  // of the registers, EIP and EFLAGS
};
// Segment slots in ES, CS, SS, DS, FS, GS order; a 16-bit TSS has no FS and GS (~0).
constexpr TssLayout kTss32{0x20, 0x24, 0x28, {0x48, 0x4C, 0x50, 0x54, 0x58, 0x5C}, 0x60, 4};
constexpr TssLayout kTss16{0x0E, 0x10, 0x12, {0x22, 0x24, 0x26, 0x28, ~0u, ~0u}, 0x2A, 2};

constexpr uint32_t kTss32Cr3 = 0x1C;
constexpr uint32_t kTss32Trap = 0x64;

}  // namespace

Cpu::TaskSwitchResult Cpu::switch_task(uint16_t selector, uint64_t desc, TaskSwitch why, uint32_t return_eip,
                                       const Op* op)
{
    segments_changing();
    TaskSwitchResult r;
    Segment next = segment_from_descriptor(desc, selector);
    const bool next32 = next.attr & 0x08;
    const TssLayout& nl = next32 ? kTss32 : kTss16;
    const TssLayout& ol = (s.tr.attr & 0x08) ? kTss32 : kTss16;
    if (next.limit < (next32 ? 0x67u : 0x2Bu)) {
        fault(op, kExcTS, selector & ~3u);
        return r;
    }

    // Everything of the new task, read before anything changes.
    uint64_t v;
    auto rd = [&](uint32_t at, unsigned width, uint32_t& out) {
        if (!read_linear(next.base + at, width, v, false, op))
            return false;
        out = static_cast<uint32_t>(v);
        return true;
    };
    uint32_t new_eip, new_flags, new_regs[8], new_sel[kNumSegs] = {}, new_ldt, new_cr3 = 0, trap = 0;
    bool ok = rd(nl.eip, nl.width, new_eip) && rd(nl.eflags, nl.width, new_flags) && rd(nl.ldt, 2, new_ldt);
    for (unsigned i = 0; ok && i < 8; ++i)
        ok = rd(nl.regs + i * nl.width, nl.width, new_regs[i]);
    for (unsigned i = 0; ok && i < kNumSegs; ++i)
        ok = nl.seg_at[i] == ~0u || rd(nl.seg_at[i], 2, new_sel[i]);
    if (ok && next32)
        ok = rd(kTss32Cr3, 4, new_cr3) && rd(kTss32Trap, 2, trap);
    if (!ok)
        return r;

    // The current task's state, into its TSS. IRET leaves its task with NT clear.
    uint32_t image = flags();
    if (why == TaskSwitch::Iret)
        image &= ~kNT;
    auto wr = [&](uint32_t at, unsigned width, uint32_t value) {
        return write_linear(s.tr.base + at, width, value, false, op);
    };
    ok = wr(ol.eip, ol.width, return_eip) && wr(ol.eflags, ol.width, image);
    for (unsigned i = 0; ok && i < 8; ++i)
        ok = wr(ol.regs + i * ol.width, ol.width, s.r[i]);
    for (unsigned i = 0; ok && i < kNumSegs; ++i)
        ok = ol.seg_at[i] == ~0u || wr(ol.seg_at[i], 2, s.seg[i].selector);
    if (!ok)
        return r;

    // Busy bits: a JMP or IRET leaves the old task; a JMP, CALL or interrupt enters the new one
    // (an IRET returns to a task that is still busy). Nesting records the back link.
    const uint16_t old_tr = s.tr.selector;
    if ((why == TaskSwitch::Jump || why == TaskSwitch::Iret) && !set_descriptor_busy(old_tr, false, op))
        return r;
    if (why != TaskSwitch::Iret && !set_descriptor_busy(selector, true, op))
        return r;
    const bool nesting = why == TaskSwitch::Call || why == TaskSwitch::Interrupt;
    if (nesting && !write_linear(next.base, 2, old_tr, false, op))
        return r;

    // Committed: the instruction has completed, and what follows happens in the new task.
    if (op)
        retire_through(op);
    r.committed = true;
    if (why == TaskSwitch::Iret)
        nmi_blocked_ = false;
    next.attr |= 0x02;
    s.tr = next;
    s.cr0 |= kCr0TS;
    s.eip = new_eip;
    if (next32) {
        flags() = new_flags | kEflagsFixed1;
        for (unsigned i = 0; i < 8; ++i)
            s.r[i] = new_regs[i];
        if (s.cr0 & kCr0PG) {
            s.cr3 = new_cr3;
            flush_tlb();
        }
    } else {
        // From an 80286 TSS the upper halves of the registers read as ones, of EFLAGS as zeros.
        flags() = (new_flags & 0xFFFF) | kEflagsFixed1;
        for (unsigned i = 0; i < 8; ++i)
            s.r[i] = 0xFFFF0000u | (new_regs[i] & 0xFFFF);
    }
    if (nesting)
        s.eflags |= kNT;
    uint16_t sel[kNumSegs];
    for (unsigned i = 0; i < kNumSegs; ++i) {
        sel[i] = static_cast<uint16_t>(new_sel[i]);
        // The selectors are loaded before their descriptors, which are loaded with checks.
        s.seg[i] = Segment{sel[i], 0, 0, 0};
    }
    s.ldtr = Segment{static_cast<uint16_t>(new_ldt), 0, 0, 0};
    if (trap & 1) {
        // The T bit: a debug trap before the new task's first instruction.
        pending_dr6_ |= kDr6BT;
        debug_step_ = true;
        step_traps_ = false;
        step_icount_ = icount_ - 1;
    }
    if (s.eflags & kVM) {
        stop_unsupported(nullptr, "a task switch into virtual-8086 mode");
        return r;
    }
    Fault f;
    if (!load_task_segments(static_cast<uint16_t>(new_ldt), sel, f))
        r.fault_in_new_task = f;
    else if (s.eip > s.seg[kCs].limit)
        r.fault_in_new_task = Fault{kExcGP, 0, true};
    return r;
}

// LDTR, then CS (whose RPL is the new CPL), SS and the data segments of the new task, with the
// task switch's checks: a bad descriptor is #TS, a missing one #NP (#SS for the stack). Faults
// are captured, not delivered: the caller raises them in the new task.
bool Cpu::load_task_segments(uint16_t ldt, const uint16_t (&sel)[kNumSegs], Fault& f)
{
    bool was_delivering = delivering_;
    delivering_ = true;
    nested_fault_.reset();
    bool ok = load_task_segments_checked(ldt, sel);
    delivering_ = was_delivering;
    if (ok)
        return true;
    f = nested_fault_.value_or(Fault{kExcTS, 0, true});
    nested_fault_.reset();
    return false;
}

bool Cpu::load_task_segments_checked(uint16_t ldt, const uint16_t (&sel)[kNumSegs])
{
    if ((ldt & ~3u) != 0) {
        uint64_t d;
        if ((ldt & 4) || (ldt & ~7u) + 7 > s.gdtr.limit)
            return fault(nullptr, kExcTS, ldt & ~3u), false;
        if (!read_linear(s.gdtr.base + (ldt & ~7u), 8, d, false, nullptr))
            return false;
        if (((d >> 40) & 0x1F) != 0x02 || !((d >> 47) & 1))
            return fault(nullptr, kExcTS, ldt & ~3u), false;
        s.ldtr = segment_from_descriptor(d, ldt);
    }
    s.cpl = sel[kCs] & 3;
    Segment cs;
    if (!check_return_code_segment(sel[kCs], kExcTS, cs, nullptr))
        return false;
    s.seg[kCs] = cs;
    Segment ss;
    if (!check_data_segment(kSs, sel[kSs], s.cpl, kExcTS, ss, nullptr))
        return false;
    s.seg[kSs] = ss;
    for (uint8_t r : {kDs, kEs, kFs, kGs}) {
        Segment d;
        if (!check_data_segment(r, sel[r], s.cpl, kExcTS, d, nullptr))
            return false;
        s.seg[r] = d;
    }
    return true;
}

}  // namespace emu::x86
