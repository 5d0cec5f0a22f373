// Far control transfers (Intel SDM vol. 2, the JMP, CALL, RET and IRET pseudocode; vol. 3A,
// 5.8): far JMP and CALL to a code segment, through a call gate (with the stack switch and
// parameter copy of a call to more privilege) or to a task (a TSS or task gate); far RET and
// IRET, to the same or an outer privilege level or, with NT, back to the previous task. Real
// mode (and virtual-8086 mode, where IOPL allows) load CS as a paragraph.
//
// Returns read everything they pop and check every descriptor before they change a register,
// so that a fault leaves the state as the instruction found it.
#include "core/format.h"
#include "cpu/x86/memory.h"

namespace emu::x86 {

namespace {

bool null_selector(uint16_t sel) { return (sel & ~3u) == 0; }
unsigned dpl_of(uint16_t attr) { return (attr >> 5) & 3; }
bool is_code(uint16_t attr) { return (attr & 0x18) == 0x18; }
bool is_conforming(uint16_t attr) { return attr & 0x04; }
bool is_present(uint16_t attr) { return attr & 0x80; }

constexpr uint32_t kVIF = 1u << 19, kVIP = 1u << 20;

// Segment registers the new (outer) privilege level may not use are nulled on a return.
void null_inaccessible_segments(State& s)
{
    for (uint8_t r : {kEs, kDs, kFs, kGs}) {
        Segment& g = s.seg[r];
        bool data_or_nonconforming = !(g.attr & 0x08) || !(g.attr & 0x04);
        if (is_present(g.attr) && data_or_nonconforming && dpl_of(g.attr) < s.cpl)
            g = Segment{0, 0, 0, 0};
    }
}

}  // namespace

bool Cpu::all_or_nothing(const Op* op, const std::function<bool()>& body, const std::function<void()>& undo)
{
    bool was_delivering = delivering_;
    delivering_ = true;  // faults are recorded in nested_fault_, not delivered
    nested_fault_.reset();
    bool ok = body();
    delivering_ = was_delivering;
    if (ok)
        return true;
    undo();
    if (nested_fault_) {
        Fault f = *nested_fault_;
        nested_fault_.reset();
        fault(op, static_cast<uint8_t>(f.vector), f.error_code);
    }
    return false;
}

bool Cpu::check_return_code_segment(uint16_t selector, uint8_t bad, Segment& out, const Op* op)
{
    unsigned rpl = selector & 3;
    if (null_selector(selector)) {
        fault(op, bad, 0);
        return false;
    }
    if (Fetch f = fetch_descriptor(selector, out); f != Fetch::Ok) {
        if (f == Fetch::Invalid)
            fault(op, bad, selector & ~3u);
        return false;
    }
    unsigned dpl = dpl_of(out.attr);
    if (!is_code(out.attr) || (is_conforming(out.attr) ? dpl > rpl : dpl != rpl)) {
        fault(op, bad, selector & ~3u);
        return false;
    }
    if (!is_present(out.attr)) {
        fault(op, kExcNP, selector & ~3u);
        return false;
    }
    return true;
}

// --- far JMP and CALL ------------------------------------------------------------------------

const Op* Cpu::far_jump(const Op* op, uint16_t selector, uint32_t offset, bool is_call, unsigned osize)
{
    segments_changing();
    if (osize == 2)
        offset &= 0xFFFF;
    const uint16_t old_cs = s.seg[kCs].selector;
    const uint32_t ret = next_eip(op);
    auto push_return = [&] {
        uint32_t esp = s.r[kEsp];
        if (push(old_cs, osize, op) && push(ret, osize, op))
            return true;
        s.r[kEsp] = esp;
        return false;
    };
    if (s.real_segments()) {
        // The offset is checked against CS's limit, which a real-mode load keeps.
        if (offset > (s.vm86() ? 0xFFFFu : s.seg[kCs].limit))
            return fault(op, kExcGP, 0);
        if (is_call && !push_return())
            return nullptr;
        load_real_segment(kCs, selector);
        return exit_to(op, offset);
    }

    if (null_selector(selector))
        return fault(op, kExcGP, 0);
    uint64_t raw;
    if (Fetch f = read_descriptor(selector, raw, op); f != Fetch::Ok)
        return f == Fetch::Invalid ? fault(op, kExcGP, selector & ~3u) : nullptr;
    Segment d = segment_from_descriptor(raw, selector);
    if (!(d.attr & 0x10)) {
        unsigned dpl = dpl_of(d.attr), rpl = selector & 3;
        switch (d.attr & 0x0F) {
        case 0x04:  // 16-bit call gate
        case 0x0C:  // 32-bit call gate
            return through_call_gate(op, selector, raw, is_call);
        case 0x05: {  // task gate: the TSS it names must be an available one in the GDT
            if (dpl < s.cpl || dpl < rpl)
                return fault(op, kExcGP, selector & ~3u);
            if (!is_present(d.attr))
                return fault(op, kExcNP, selector & ~3u);
            uint16_t tss_sel = static_cast<uint16_t>(raw >> 16);
            uint64_t tss;
            if ((tss_sel & 4) || read_descriptor(tss_sel, tss, op) != Fetch::Ok)
                return fault(op, kExcGP, tss_sel & ~3u);
            unsigned type = (tss >> 40) & 0x1F;
            if (type != 0x01 && type != 0x09)
                return fault(op, kExcGP, tss_sel & ~3u);
            if (!((tss >> 47) & 1))
                return fault(op, kExcNP, tss_sel & ~3u);
            return task_switch_from_instruction(op, tss_sel, tss, is_call ? TaskSwitch::Call : TaskSwitch::Jump);
        }
        case 0x01:  // available 16-bit TSS
        case 0x09:  // available 32-bit TSS
            if (dpl < s.cpl || dpl < rpl || (selector & 4))
                return fault(op, kExcGP, selector & ~3u);
            if (!is_present(d.attr))
                return fault(op, kExcNP, selector & ~3u);
            return task_switch_from_instruction(op, selector, raw, is_call ? TaskSwitch::Call : TaskSwitch::Jump);
        default: return fault(op, kExcGP, selector & ~3u);
        }
    }
    if (Fetch f = fetch_descriptor(selector, d); f != Fetch::Ok)  // sets the accessed bit
        return nullptr;
    unsigned dpl = dpl_of(d.attr);
    if (!is_code(d.attr) || (is_conforming(d.attr) ? dpl > s.cpl : ((selector & 3) > s.cpl || dpl != s.cpl)))
        return fault(op, kExcGP, selector & ~3u);
    if (!is_present(d.attr))
        return fault(op, kExcNP, selector & ~3u);
    if (offset > d.limit)
        return fault(op, kExcGP, 0);
    if (is_call && !push_return())
        return nullptr;
    d.selector = static_cast<uint16_t>((selector & ~3u) | s.cpl);
    s.seg[kCs] = d;
    return exit_to(op, offset);
}

const Op* Cpu::through_call_gate(const Op* op, uint16_t gate_sel, uint64_t gate, bool is_call)
{
    unsigned gate_dpl = (gate >> 45) & 3;
    if (gate_dpl < s.cpl || gate_dpl < (gate_sel & 3u))
        return fault(op, kExcGP, gate_sel & ~3u);
    if (!((gate >> 47) & 1))
        return fault(op, kExcNP, gate_sel & ~3u);
    const bool gate32 = (gate >> 43) & 1;
    const unsigned size = gate32 ? 4 : 2;
    const uint16_t cs_sel = static_cast<uint16_t>(gate >> 16);
    uint32_t offset = static_cast<uint32_t>(gate & 0xFFFF);
    if (gate32)
        offset |= static_cast<uint32_t>((gate >> 32) & 0xFFFF0000);
    const unsigned params = (gate >> 32) & 0x1F;

    if (null_selector(cs_sel))
        return fault(op, kExcGP, 0);
    Segment cs;
    if (Fetch f = fetch_descriptor(cs_sel, cs); f != Fetch::Ok)
        return f == Fetch::Invalid ? fault(op, kExcGP, cs_sel & ~3u) : nullptr;
    unsigned dpl = dpl_of(cs.attr);
    if (!is_code(cs.attr) || dpl > s.cpl)
        return fault(op, kExcGP, cs_sel & ~3u);
    // A JMP never changes privilege: a nonconforming target must be at CPL.
    if (!is_call && !is_conforming(cs.attr) && dpl != s.cpl)
        return fault(op, kExcGP, cs_sel & ~3u);
    if (!is_present(cs.attr))
        return fault(op, kExcNP, cs_sel & ~3u);

    const uint16_t old_cs = s.seg[kCs].selector;
    const uint32_t ret = next_eip(op);
    if (!is_call || is_conforming(cs.attr) || dpl == s.cpl) {
        if (offset > cs.limit)
            return fault(op, kExcGP, 0);
        if (is_call) {
            uint32_t esp = s.r[kEsp];
            if (!push(old_cs, size, op) || !push(ret, size, op)) {
                s.r[kEsp] = esp;
                return nullptr;
            }
        }
        cs.selector = static_cast<uint16_t>((cs_sel & ~3u) | s.cpl);
        s.seg[kCs] = cs;
        return exit_to(op, offset);
    }

    // A call to more privilege: the stack for the target's DPL from the TSS receives the
    // caller's SS:ESP, `params` items copied from the caller's stack (in their order there),
    // and the return address.
    uint32_t copied[31];
    const uint32_t old_esp = s.r[kEsp];
    for (unsigned i = 0; i < params; ++i) {
        uint32_t at = stack_offset(old_esp + i * size);
        if (size == 4) {
            if (!read<uint32_t>(kSs, at, copied[i], op))
                return nullptr;
        } else {
            uint16_t v;
            if (!read<uint16_t>(kSs, at, v, op))
                return nullptr;
            copied[i] = v;
        }
    }
    Segment ss;
    uint32_t esp;
    if (!inner_stack(dpl, 0, ss, esp, op))
        return nullptr;
    if (offset > cs.limit)
        return fault(op, kExcGP, 0);
    const Segment old_ss = s.seg[kSs];
    const uint8_t old_cpl = s.cpl;
    bool ok = all_or_nothing(
        op,
        [&] {
            s.seg[kSs] = ss;
            s.r[kEsp] = esp;
            s.cpl = static_cast<uint8_t>(dpl);
            if (!push(old_ss.selector, size, nullptr) || !push(old_esp, size, nullptr))
                return false;
            for (unsigned i = params; i-- > 0;)
                if (!push(copied[i], size, nullptr))
                    return false;
            return push(old_cs, size, nullptr) && push(ret, size, nullptr);
        },
        [&] {
            s.seg[kSs] = old_ss;
            s.r[kEsp] = old_esp;
            s.cpl = old_cpl;
        });
    if (!ok)
        return nullptr;
    cs.selector = static_cast<uint16_t>((cs_sel & ~3u) | dpl);
    s.seg[kCs] = cs;
    return exit_to(op, offset);
}

const Op* Cpu::task_switch_from_instruction(const Op* op, uint16_t selector, uint64_t desc, TaskSwitch why)
{
    TaskSwitchResult r = switch_task(selector, desc, why, next_eip(op), op);
    if (r.committed && r.fault_in_new_task)
        fault(nullptr, static_cast<uint8_t>(r.fault_in_new_task->vector), r.fault_in_new_task->error_code);
    return nullptr;
}

// --- far RET -----------------------------------------------------------------------------------

const Op* Cpu::far_return(const Op* op, uint16_t pop_bytes, unsigned osize)
{
    segments_changing();
    const uint32_t sp = s.r[kEsp];
    uint32_t eip, cs;
    auto pop_at = [&](uint32_t at, uint32_t& v) {
        if (osize == 4)
            return read<uint32_t>(kSs, stack_offset(at), v, op);
        uint16_t w;
        if (!read<uint16_t>(kSs, stack_offset(at), w, op))
            return false;
        v = w;
        return true;
    };
    if (!pop_at(sp, eip) || !pop_at(sp + osize, cs))
        return nullptr;
    if (osize == 2)
        eip &= 0xFFFF;
    uint16_t selector = static_cast<uint16_t>(cs);

    if (s.real_segments()) {
        if (eip > (s.vm86() ? 0xFFFFu : s.seg[kCs].limit))
            return fault(op, kExcGP, 0);
        load_real_segment(kCs, selector);
        set_stack_pointer(sp + 2 * osize + pop_bytes);
        return exit_to(op, eip);
    }

    unsigned rpl = selector & 3;
    if (!null_selector(selector) && rpl < s.cpl)
        return fault(op, kExcGP, selector & ~3u);
    Segment d;
    if (!check_return_code_segment(selector, kExcGP, d, op))
        return nullptr;
    if (rpl == s.cpl) {
        if (eip > d.limit)
            return fault(op, kExcGP, 0);
        s.seg[kCs] = d;
        set_stack_pointer(sp + 2 * osize + pop_bytes);
        return exit_to(op, eip);
    }
    // To an outer privilege level: the caller's SS:ESP follows the parameters.
    uint32_t esp, ss_sel;
    if (!pop_at(sp + 2 * osize + pop_bytes, esp) || !pop_at(sp + 3 * osize + pop_bytes, ss_sel))
        return nullptr;
    Segment ss;
    if (!check_data_segment(kSs, static_cast<uint16_t>(ss_sel), rpl, kExcGP, ss, op))
        return nullptr;
    if (eip > d.limit)
        return fault(op, kExcGP, 0);
    s.cpl = static_cast<uint8_t>(rpl);
    s.seg[kCs] = d;
    s.seg[kSs] = ss;
    set_stack_pointer(esp + pop_bytes);
    null_inaccessible_segments(s);
    return exit_to(op, eip);
}

// --- IRET --------------------------------------------------------------------------------------

const Op* Cpu::interrupt_return(const Op* op, unsigned osize)
{
    segments_changing();
    const uint32_t sp = s.r[kEsp];
    auto pop_at = [&](uint32_t at, uint32_t& v) {
        if (osize == 4)
            return read<uint32_t>(kSs, stack_offset(at), v, op);
        uint16_t w;
        if (!read<uint16_t>(kSs, stack_offset(at), w, op))
            return false;
        v = w;
        return true;
    };

    if (s.protected_mode() && !s.vm86() && (s.eflags & kNT)) {
        // A return to the task whose TSS selector is this task's back link.
        uint64_t link;
        if (!read_linear(s.tr.base, 2, link, false, op))
            return nullptr;
        uint16_t sel = static_cast<uint16_t>(link);
        uint64_t tss;
        if ((sel & 4) || read_descriptor(sel, tss, op) != Fetch::Ok)
            return fault(op, kExcTS, sel & ~3u);
        unsigned type = (tss >> 40) & 0x1F;
        if (type != 0x03 && type != 0x0B)
            return fault(op, kExcTS, sel & ~3u);
        if (!((tss >> 47) & 1))
            return fault(op, kExcNP, sel & ~3u);
        return task_switch_from_instruction(op, sel, tss, TaskSwitch::Iret);
    }

    uint32_t eip, cs, popped;
    if (!pop_at(sp, eip) || !pop_at(sp + osize, cs) || !pop_at(sp + 2 * osize, popped))
        return nullptr;
    uint16_t selector = static_cast<uint16_t>(cs);
    const uint32_t size_mask = osize == 4 ? 0xFFFFFFFFu : 0xFFFFu;

    if (s.real_segments()) {
        // Real mode; virtual-8086 mode only with IOPL 3, and IOPL then stays.
        if (s.vm86() && iopl() < 3)
            return fault_counted(op, kExcGP);
        if (eip > (s.vm86() ? 0xFFFFu : s.seg[kCs].limit))
            return fault(op, kExcGP, 0);
        uint32_t changeable = (kStatusFlags | kTF | kIF | kDF | kIOPL | kNT | kRF | kAC | kID) & size_mask;
        if (s.vm86())
            changeable &= ~kIOPL;
        load_real_segment(kCs, selector);
        set_stack_pointer(sp + 3 * osize);
        uint32_t& f = flags();
        f = (f & ~changeable) | (popped & changeable) | kEflagsFixed1;
        nmi_blocked_ = false;
        return exit_to(op, eip);
    }

    if (osize == 4 && (popped & kVM) && s.cpl == 0)
        return stop_unsupported(op, "IRET to virtual-8086 mode");
    if (osize == 2)
        eip &= 0xFFFF;
    unsigned rpl = selector & 3;
    if (!null_selector(selector) && rpl < s.cpl)
        return fault(op, kExcGP, selector & ~3u);
    Segment d;
    if (!check_return_code_segment(selector, kExcGP, d, op))
        return nullptr;
    uint32_t changeable = kStatusFlags | kTF | kDF | kNT | kRF | kAC | kID;
    if (s.cpl == 0)
        changeable |= kIOPL | kVIF | kVIP;
    if (s.cpl <= iopl())
        changeable |= kIF;
    changeable &= size_mask;

    Segment ss;
    uint32_t esp = 0;
    if (rpl > s.cpl) {
        uint32_t ss_sel;
        if (!pop_at(sp + 3 * osize, esp) || !pop_at(sp + 4 * osize, ss_sel))
            return nullptr;
        if (!check_data_segment(kSs, static_cast<uint16_t>(ss_sel), rpl, kExcGP, ss, op))
            return nullptr;
    }
    if (eip > d.limit)
        return fault(op, kExcGP, 0);
    uint32_t& f = flags();
    f = (f & ~changeable) | (popped & changeable) | kEflagsFixed1;
    s.seg[kCs] = d;
    if (rpl > s.cpl) {
        s.cpl = static_cast<uint8_t>(rpl);
        s.seg[kSs] = ss;
        set_stack_pointer(esp);
        null_inaccessible_segments(s);
    } else {
        set_stack_pointer(sp + 3 * osize);
    }
    nmi_blocked_ = false;
    return exit_to(op, eip);
}

}  // namespace emu::x86
