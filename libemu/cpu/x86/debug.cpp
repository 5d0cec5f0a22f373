// The debug registers and the debug exception (Intel SDM vol. 3B, 17.2-17.3): DR0-DR3 hold
// breakpoint linear addresses (or ports), DR7 enables them with a kind (execute, write, I/O
// with CR4.DE, read/write) and a length, DR6 reports what hit; DR4 and DR5 are DR6 and DR7
// unless CR4.DE makes them #UD; DR7.GD turns MOV DRn into a #DB fault. Single-step (TF), the
// TSS's T bit and RF behave as the SDM says.
//
// How the interpreter finds the hits: while TF or RF is set or DR7 enables any breakpoint,
// every block is one instruction, built uncached (Cpu::find_or_build), so the instruction
// breakpoint check runs before each instruction and the trap check after it, at the next
// boundary (take_interrupt). Data breakpoints keep the memory fast paths off the pages they
// watch (no TLB entries there, no direct RAM window), so every access to those pages reaches
// read_linear or write_linear, which compare it with DR0-DR3. None of this costs anything while
// the guest debugs nothing.
#include "core/format.h"
#include "cpu/x86/cpu.h"

namespace emu::x86 {

namespace {

enum BreakKind : unsigned { kExecute = 0, kWrite = 1, kIo = 2, kReadWrite = 3 };

bool enabled(uint32_t dr7, unsigned i) { return (dr7 >> (2 * i)) & 3; }
unsigned kind(uint32_t dr7, unsigned i) { return (dr7 >> (16 + 4 * i)) & 3; }
// LEN: 1, 2 or 4 bytes; the encoding P6 leaves undefined (10b) is taken as 8, as later
// processors define it.
unsigned length(uint32_t dr7, unsigned i)
{
    static constexpr unsigned kBytes[4] = {1, 2, 8, 4};
    return kBytes[(dr7 >> (18 + 4 * i)) & 3];
}

// The breakpoints of `kinds` whose range (the address aligned down to the length) meets
// [addr, addr + size).
uint32_t hits(const State& s, uint32_t addr, unsigned size, unsigned kinds_mask)
{
    uint32_t b = 0;
    for (unsigned i = 0; i < 4; ++i) {
        if (!enabled(s.dr7, i) || !((kinds_mask >> kind(s.dr7, i)) & 1))
            continue;
        unsigned len = length(s.dr7, i);
        uint64_t first = s.dr[i] & ~(len - 1);
        if (first < uint64_t{addr} + size && addr < first + len)
            b |= 1u << i;
    }
    return b;
}

}  // namespace

bool Cpu::read_dr(unsigned n, uint32_t& value, const Op* op)
{
    if (s.cpl != 0 || s.vm86())
        return fault_counted(op, kExcGP), false;
    if ((n == 4 || n == 5) && (s.cr4 & kCr4DE))
        return fault(op, kExcUD), false;
    if (s.dr7 & kDr7GD) {
        s.dr6 |= kDr6BD;
        s.dr7 &= ~kDr7GD;
        return fault(op, kExcDB), false;
    }
    switch (n) {
    case 0:
    case 1:
    case 2:
    case 3: value = s.dr[n]; break;
    case 4:
    case 6: value = s.dr6; break;
    default: value = s.dr7; break;
    }
    return true;
}

bool Cpu::write_dr(unsigned n, uint32_t value, const Op* op)
{
    if (s.cpl != 0 || s.vm86())
        return fault_counted(op, kExcGP), false;
    if ((n == 4 || n == 5) && (s.cr4 & kCr4DE))
        return fault(op, kExcUD), false;
    if (s.dr7 & kDr7GD) {
        s.dr6 |= kDr6BD;
        s.dr7 &= ~kDr7GD;
        return fault(op, kExcDB), false;
    }
    switch (n) {
    case 0:
    case 1:
    case 2:
    case 3: s.dr[n] = value; break;
    case 4:
    case 6: s.dr6 = (value & 0xE00F) | kDr6Fixed1; break;  // B0-B3, BD, BS, BT are writable
    default: s.dr7 = (value & 0xFFFF23FF) | kDr7Fixed1; break;
    }
    update_watchpoints();
    return true;
}

void Cpu::raise_debug_exception(uint32_t dr6_bits, bool push_rf)
{
    s.dr6 |= dr6_bits;
    s.dr7 &= ~kDr7GD;  // so that the handler may use the debug registers
    clock_.set_icount(icount_);
    last_fault_ = Fault{kExcDB, 0, false};
    if (stop_on_exception_) {
        request_pause();
        return;
    }
    raise(Event{EventKind::Exception, kExcDB, false, 0, s.eip, s.eip, push_rf});
}

bool Cpu::debug_before_instruction()
{
    if (!(s.eflags & kRF)) {
        uint32_t b = hits(s, s.seg[kCs].base + s.eip, 1, 1u << kExecute);
        if (b) {
            // A fault before the instruction; RF is pushed as it is, so that the handler
            // decides whether the instruction runs past its breakpoint.
            raise_debug_exception(b, false);
            return false;
        }
    }
    // RF is cleared at the start of every instruction (an IRET may load it again).
    s.eflags &= ~kRF;
    debug_step_ = true;
    step_traps_ = s.eflags & kTF;
    step_icount_ = icount_;
    return true;
}

void Cpu::debug_after_instruction()
{
    debug_step_ = false;
    uint32_t bits = pending_dr6_;
    pending_dr6_ = 0;
    if (icount_ == step_icount_)
        return;  // it faulted: its breakpoint hits and its step do not count
    if (step_traps_)
        bits |= kDr6BS;
    step_traps_ = false;
    if (bits)
        raise_debug_exception(bits, icount_ == rep_icount_);
}

void Cpu::update_watchpoints()
{
    // A debugger's access watch (core/access_watch.h) narrows the fast paths the same way.
    watching_ = bus_.access_watch().active();
    for (unsigned i = 0; i < 4; ++i)
        watching_ |= enabled(s.dr7, i) && (kind(s.dr7, i) == kWrite || kind(s.dr7, i) == kReadWrite);
    ram_.size = watching_ ? 0 : ram_window_size_;
    segments_changing();  // the flat ends follow ram_.size
    flush_tlb();
}

bool Cpu::watched_page(uint32_t lin_page) const
{
    return hits(s, lin_page, kPageSize, (1u << kWrite) | (1u << kReadWrite)) != 0 ||
           bus_.access_watch().watches_page(lin_page, kPageSize);
}

void Cpu::note_watched(uint32_t lin, unsigned size, bool is_write, const Op* op)
{
    // An access outside an instruction (an interrupt's stack frame) counts for the next one.
    if (bus_.access_watch().active())
        bus_.access_watch().note(lin, size, is_write, op ? exact_icount(op) - 1 : icount_);
}

void Cpu::check_data_breakpoints(uint32_t lin, unsigned size, bool is_write)
{
    unsigned kinds = is_write ? (1u << kWrite) | (1u << kReadWrite) : (1u << kReadWrite);
    pending_dr6_ |= hits(s, lin, size, kinds);
}

void Cpu::check_io_breakpoints(uint16_t port, unsigned size)
{
    if (s.cr4 & kCr4DE)
        pending_dr6_ |= hits(s, port, size, 1u << kIo);
}

}  // namespace emu::x86
