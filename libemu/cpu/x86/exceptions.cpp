// Exceptions, interrupts and their delivery through the IDT, with the architecture's rules for
// a fault that happens while an event is being delivered (Intel SDM vol. 3A, 6.15): it becomes
// the event delivered instead, or a double fault, and a fault while delivering a double fault
// is a triple fault, which ends the run (as QEMU's -no-reboot does).
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
    bool has_error = has_error_code(vector);
    if (delivering_) {
        // While an event is being delivered: raise() decides what this fault becomes.
        if (!nested_fault_)
            nested_fault_ = Fault{vector, error_code, has_error};
        return nullptr;
    }
    if (op) {
        s.eip = eip_of(op);
        retire_before(op);  // the faulting instruction does not retire
    }
    clock_.set_icount(icount_);
    last_fault_ = Fault{vector, error_code, has_error};
    if (stop_on_exception_) {
        request_pause();
        return nullptr;
    }
    raise(Event{EventKind::Exception, vector, has_error, error_code, s.eip, s.eip});
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
        nested_fault_.reset();
        deliver(e);
        delivering_ = false;
        if (!nested_fault_ || stop())
            return;
        Fault n = *nested_fault_;
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
                         : Event{EventKind::Exception, static_cast<uint8_t>(n.vector), n.has_error_code, n.error_code, at, at};
    }
}

void Cpu::deliver(const Event& e)
{
    const uint8_t vector = e.vector;
    if (!(s.cr0 & kCr0PE)) {
        stop_unsupported(nullptr, "interrupt " + std::to_string(vector) + " in real mode");
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
    if (type == 0x05) {
        stop_unsupported(nullptr, "task gate in the IDT (vector " + std::to_string(vector) + ")");
        return;
    }
    if (type == 0x06 || type == 0x07) {
        stop_unsupported(nullptr, "16-bit interrupt or trap gate in the IDT (vector " + std::to_string(vector) + ")");
        return;
    }
    if (type != 0x0E && type != 0x0F)
        return (void)fault(nullptr, kExcGP, idt_error);
    if (software && s.cpl > dpl)
        return (void)fault(nullptr, kExcGP, idt_error);
    if (!present)
        return (void)fault(nullptr, kExcNP, idt_error);
    uint16_t selector = static_cast<uint16_t>(gate >> 16);
    uint32_t offset = static_cast<uint32_t>((gate & 0xFFFF) | ((gate >> 32) & 0xFFFF0000));
    Segment cs;
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
    if (!(cs.attr & 0x400)) {
        stop_unsupported(nullptr, "a 16-bit code segment (selector " + hex(selector) + ")");
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
        if (at + 5 > s.tr.limit)
            return (void)fault(nullptr, kExcTS, (s.tr.selector & ~3u) + ext);
        if (!read_linear(s.tr.base + at, 4, esp0, false, nullptr) ||
            !read_linear(s.tr.base + at + 4, 2, ss0, false, nullptr))
            return;
        Segment ss;
        uint16_t ss_sel = static_cast<uint16_t>(ss0);
        if ((ss_sel & ~3u) == 0 || fetch_descriptor(ss_sel, ss) != Fetch::Ok || (ss_sel & 3) != new_cpl ||
            ((ss.attr >> 5) & 3) != new_cpl || (ss.attr & 0x1A) != 0x12)
            return (void)fault(nullptr, kExcTS, (ss_sel & ~3u) + ext);
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
    s.cpl = new_cpl;
    if (!push(old_eflags, 4, nullptr) || !push(old_cs, 4, nullptr) || !push(e.return_eip, 4, nullptr) ||
        (e.has_error && !push(e.error, 4, nullptr))) {
        // The fault is delivered from the state before this event.
        s.seg[kSs] = old_ss_seg;
        s.r[kEsp] = old_esp;
        s.cpl = old_cpl;
        return;
    }
    cs.selector = static_cast<uint16_t>((selector & ~3u) | new_cpl);
    s.seg[kCs] = cs;
    s.eip = offset;
    s.eflags &= ~(kTF | kNT | kRF);
    if (type == 0x0E)
        s.eflags &= ~kIF;
    halted_ = false;
}

}  // namespace emu::x86
