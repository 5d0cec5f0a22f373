// Exceptions, interrupts and their delivery: through the IVT in real mode (FLAGS, CS and IP
// pushed, no error codes), through 16- and 32-bit interrupt and trap gates and task gates of
// the IDT in protected mode, with the architecture's rules for a fault that happens while an
// event is being delivered (Intel SDM vol. 3A, 6.15): it becomes the event delivered instead,
// or a double fault, and a fault while delivering a double fault is a triple fault, which
// ends the run (as QEMU's -no-reboot does).
#include "cpu/x86/cpu.h"

#include "core/format.h"
#include "cpu/x86/memory.h"

namespace emu::x86 {

namespace {

// The "contributory" exceptions of the double-fault rules; #PF is a class of its own and every
// other vector is benign.
bool contributory(uint8_t v) { return v == kExcDE || (v >= kExcTS && v <= kExcGP); }

bool has_error_code(uint8_t v) { return v == kExcDF || (v >= kExcTS && v <= kExcPF) || v == kExcAC; }

}  // namespace

const Op* Cpu::fault(const Op* op, uint8_t vector) { return fault(op, vector, 0); }

const Op* Cpu::fault(const Op* op, uint8_t vector, uint32_t error_code)
{
    return raise_fault(op, vector, error_code, false);
}

const Op* Cpu::fault_counted(const Op* op, uint8_t vector, uint32_t error_code)
{
    return raise_fault(op, vector, error_code, true);
}

const Op* Cpu::raise_fault(const Op* op, uint8_t vector, uint32_t error_code, bool counted)
{
    bool has_error = has_error_code(vector);
    if (delivering_) {
        // While an event is being delivered: raise() decides what this fault becomes.
        if (!nested_fault_)
            nested_fault_ = Fault{vector, error_code, has_error};
        return nullptr;
    }
    if (op) {
        s.eip = eip_of(op);
        if (counted)
            retire_through(op);
        else
            retire_before(op);  // the faulting instruction does not retire
    }
    clock_.set_icount(icount_);
    last_fault_ = Fault{vector, error_code, has_error};
    if (stop_on_exception_) {
        request_pause();
        return nullptr;
    }
    // A fault pushes RF set, so that the instruction it returns to does not hit its own
    // instruction breakpoint again (SDM vol. 3B, 17.3.1.1).
    raise(Event{EventKind::Exception, vector, has_error, error_code, s.eip, s.eip, true});
    return nullptr;
}

const Op* Cpu::software_interrupt(const Op* op, uint8_t vector)
{
    uint32_t at = eip_of(op);
    s.eip = next_eip(op);
    retire_through(op);
    clock_.set_icount(icount_);
    last_fault_ = Fault{vector, 0, false};
    if (stop_on_exception_) {
        request_pause();
        return nullptr;
    }
    raise(Event{EventKind::Software, vector, false, 0, s.eip, at});
    return nullptr;
}

void Cpu::raise(Event e)
{
    for (;;) {
        if (exception_loop()) {
            request_stop(StopKind::ExceptionLoop, 0,
                         std::to_string(kMaxExceptionStreak) +
                             " exceptions and interrupts in a row with no instruction retired; the last was vector " +
                             std::to_string(e.vector) + " at eip " + hex(e.return_eip));
            return;
        }
        delivering_ = true;
        delivered_into_new_task_ = false;
        nested_fault_.reset();
        deliver(e);
        delivering_ = false;
        if (!nested_fault_ || stop())
            return;
        Fault n = *nested_fault_;
        if (delivered_into_new_task_) {
            // A task gate's switch completed and loading the new task faulted: the fault is
            // the new task's, at its own EIP.
            last_fault_ = n;
            clock_.set_icount(icount_);
            e = Event{EventKind::Exception, static_cast<uint8_t>(n.vector), n.has_error_code, n.error_code, s.eip,
                      s.eip, true};
            continue;
        }
        if (e.kind == EventKind::Exception && e.vector == kExcDF) {
            request_stop(StopKind::TripleFault, 0,
                         "exception " + std::to_string(n.vector) + " while delivering a double fault (eip " +
                             hex(e.return_eip) + ")");
            return;
        }
        // A fault delivering INT n is the instruction's own: it does not retire.
        if (e.kind == EventKind::Software)
            --icount_;
        uint32_t at = s.eip = e.fault_eip;
        bool double_fault = e.kind == EventKind::Exception &&
                            ((contributory(e.vector) && contributory(n.vector)) ||
                             (e.vector == kExcPF && (contributory(n.vector) || n.vector == kExcPF)));
        last_fault_ = double_fault ? Fault{kExcDF, 0, true} : n;
        clock_.set_icount(icount_);
        e = double_fault ? Event{EventKind::Exception, kExcDF, true, 0, at, at}
                         : Event{EventKind::Exception, static_cast<uint8_t>(n.vector), n.has_error_code, n.error_code, at, at, true};
    }
}

void Cpu::deliver_real_mode(const Event& e)
{
    // The IVT: four bytes per vector (offset, then segment) at IDTR's base, within its limit.
    uint64_t entry;
    if (e.vector * 4u + 3u > s.idtr.limit)
        return (void)fault(nullptr, kExcGP, 0);
    if (!read_linear(s.idtr.base + e.vector * 4u, 4, entry, false, nullptr))
        return;
    uint32_t old_esp = s.r[kEsp];
    uint32_t image = flags() | (e.push_rf ? kRF : 0);
    if (!push(image, 2, nullptr) || !push(s.seg[kCs].selector, 2, nullptr) || !push(e.return_eip, 2, nullptr)) {
        s.r[kEsp] = old_esp;
        return;
    }
    load_real_segment(kCs, static_cast<uint16_t>(entry >> 16));
    s.eip = static_cast<uint32_t>(entry & 0xFFFF);
    s.eflags &= ~(kIF | kTF | kAC | kRF);
    halted_ = false;
}

void Cpu::deliver(const Event& e)
{
    segments_changing();
    const uint8_t vector = e.vector;
    if (!s.protected_mode())
        return deliver_real_mode(e);
    if (s.vm86()) {
        stop_unsupported(nullptr, "interrupt " + std::to_string(vector) + " in virtual-8086 mode");
        return;
    }
    const bool software = e.kind == EventKind::Software;
    uint32_t ext = software ? 0 : 1;
    uint32_t idt_error = vector * 8u + 2u + ext;
    if (vector * 8u + 7u > s.idtr.limit)
        return (void)fault(nullptr, kExcGP, idt_error);
    uint64_t gate;
    if (!read_linear(s.idtr.base + vector * 8u, 8, gate, false, nullptr))
        return;
    unsigned type = (gate >> 40) & 0x1F;
    unsigned dpl = (gate >> 45) & 3;
    bool present = (gate >> 47) & 1;
    bool interrupt_gate = type == 0x06 || type == 0x0E;
    bool trap_gate = type == 0x07 || type == 0x0F;
    if (type != 0x05 && !interrupt_gate && !trap_gate)
        return (void)fault(nullptr, kExcGP, idt_error);
    if (software && s.cpl > dpl)
        return (void)fault(nullptr, kExcGP, idt_error);
    if (!present)
        return (void)fault(nullptr, kExcNP, idt_error);
    uint16_t selector = static_cast<uint16_t>(gate >> 16);

    if (type == 0x05) {
        // A task gate: switch to the task its TSS selector names; an error code goes on the
        // new task's stack.
        uint64_t tss;
        if ((selector & 4) || read_descriptor(selector, tss) != Fetch::Ok)
            return (void)fault(nullptr, kExcGP, (selector & ~3u) + ext);
        unsigned tss_type = (tss >> 40) & 0x1F;
        if (tss_type != 0x01 && tss_type != 0x09)
            return (void)fault(nullptr, kExcGP, (selector & ~3u) + ext);
        if (!((tss >> 47) & 1))
            return (void)fault(nullptr, kExcNP, (selector & ~3u) + ext);
        TaskSwitchResult r = switch_task(selector, tss, TaskSwitch::Interrupt, e.return_eip, nullptr);
        if (!r.committed)
            return;
        delivered_into_new_task_ = true;
        if (r.fault_in_new_task)
            return (void)fault(nullptr, static_cast<uint8_t>(r.fault_in_new_task->vector), r.fault_in_new_task->error_code);
        if (e.has_error && !push(e.error, tss_type == 0x09 ? 4 : 2, nullptr))
            return;
        halted_ = false;
        return;
    }

    const unsigned size = (type & 0x08) ? 4 : 2;
    uint32_t offset = static_cast<uint32_t>(gate & 0xFFFF);
    if (size == 4)
        offset |= static_cast<uint32_t>((gate >> 32) & 0xFFFF0000);
    Segment cs;
    if ((selector & ~3u) == 0)
        return (void)fault(nullptr, kExcGP, ext);
    if (Fetch f = fetch_descriptor(selector, cs); f != Fetch::Ok) {
        if (f == Fetch::Invalid)
            fault(nullptr, kExcGP, (selector & ~3u) + ext);
        return;
    }
    unsigned cs_dpl = (cs.attr >> 5) & 3;
    bool is_code = (cs.attr & 0x18) == 0x18;
    if (!is_code || cs_dpl > s.cpl)
        return (void)fault(nullptr, kExcGP, (selector & ~3u) + ext);
    if (!(cs.attr & 0x80))
        return (void)fault(nullptr, kExcNP, (selector & ~3u) + ext);
    bool conforming = cs.attr & 0x04;
    uint8_t new_cpl = conforming ? s.cpl : static_cast<uint8_t>(cs_dpl);
    if (offset > cs.limit)
        return (void)fault(nullptr, kExcGP, ext);

    uint32_t old_eflags = flags() | (e.push_rf ? kRF : 0);
    uint16_t old_cs = s.seg[kCs].selector;
    uint32_t old_esp = s.r[kEsp];
    uint16_t old_ss = s.seg[kSs].selector;
    Segment old_ss_seg = s.seg[kSs];
    uint8_t old_cpl = s.cpl;
    auto undo = [&] {
        // The fault is delivered from the state before this event.
        s.seg[kSs] = old_ss_seg;
        s.r[kEsp] = old_esp;
        s.cpl = old_cpl;
    };
    if (new_cpl < s.cpl) {
        // Inner privilege: the stack comes from the TSS.
        Segment ss;
        uint32_t esp;
        if (!inner_stack(new_cpl, ext, ss, esp, nullptr))
            return;
        s.seg[kSs] = ss;
        s.r[kEsp] = esp;
        s.cpl = new_cpl;
        if (!push(old_ss, size, nullptr) || !push(old_esp, size, nullptr))
            return undo();
    }
    s.cpl = new_cpl;
    if (!push(old_eflags, size, nullptr) || !push(old_cs, size, nullptr) || !push(e.return_eip, size, nullptr) ||
        (e.has_error && !push(e.error, size, nullptr)))
        return undo();
    cs.selector = static_cast<uint16_t>((selector & ~3u) | new_cpl);
    s.seg[kCs] = cs;
    s.eip = offset;
    s.eflags &= ~(kTF | kNT | kRF);
    if (interrupt_gate)
        s.eflags &= ~kIF;
    halted_ = false;
}

bool Cpu::inner_stack(unsigned dpl, uint32_t ext, Segment& ss, uint32_t& esp, const Op* op)
{
    // A 32-bit TSS holds ESPn at 4 + 8n and SSn at 8 + 8n; a 16-bit one SPn at 2 + 4n and SSn
    // at 4 + 4n.
    bool tss32 = s.tr.attr & 0x08;
    uint32_t at = tss32 ? 4 + 8 * dpl : 2 + 4 * dpl;
    unsigned width = tss32 ? 4 : 2;
    uint64_t sp, sel;
    if (at + width + 1 > s.tr.limit)
        return fault(op, kExcTS, (s.tr.selector & ~3u) + ext), false;
    if (!read_linear(s.tr.base + at, width, sp, false, op) ||
        !read_linear(s.tr.base + at + width, 2, sel, false, op))
        return false;
    uint16_t ss_sel = static_cast<uint16_t>(sel);
    uint32_t error = (ss_sel & ~3u) + ext;
    if ((ss_sel & ~3u) == 0)
        return fault(op, kExcTS, ext), false;
    if (Fetch f = fetch_descriptor(ss_sel, ss); f != Fetch::Ok)
        return f == Fetch::Invalid ? (fault(op, kExcTS, error), false) : false;
    if ((ss_sel & 3) != dpl || ((ss.attr >> 5) & 3) != dpl || (ss.attr & 0x1A) != 0x12)
        return fault(op, kExcTS, error), false;
    if (!(ss.attr & 0x80))
        return fault(op, kExcSS, error), false;
    ss.selector = ss_sel;
    esp = static_cast<uint32_t>(sp);
    return true;
}

}  // namespace emu::x86
