// The i386 CPU: architectural state, instruction-handler services and the engine front end
// (exec/engine.h) that decodes i386 blocks for the shared run loop. Interrupts are taken
// between blocks, and every instruction that can change what is pending or masked (I/O,
// STI/CLI/POPF/IRET, MOV to control registers, HLT) ends its block. A REP string instruction
// retires once per iteration, as in QEMU's icount mode, and is a block of its own.
//
// Blocks are decoded for the code segment's default size (Block::mode: 16- or 32-bit), so the
// same bytes run in real mode and in 32-bit protected mode each get their own block. While
// the guest single-steps (TF), resumes (RF) or arms debug registers, blocks are one
// instruction long and never cached (debug.cpp), so that a #DB lands on its instruction.
//
// The fast path: in 32-bit code with a 4 GiB CS limit a block goes on through JMP, CALL and
// Jcc rel to instructions of its page (traces, trace.h); static exits (JMP, CALL and Jcc rel,
// falling through) link to the block they reach where that is exact (link_allowed()), their
// targets kept as offsets in the block by the decoder (direct_target()); a register CMP or
// TEST, or CMP AL/EAX, imm, and the Jcc after it run as one op (build_block); a REP string
// instruction that starts its block goes
// round in its handler (repeat_block()); the hot loads and stores and bare MOVS/STOS try a
// flat-segment hit alone (read_flat(), write_flat()) before their general variant; the
// status flags stay lazy (flags.h). None of it changes what retires when: budgets, timers and
// interrupts land on the same instruction as block-at-a-time execution.
//
// The implementation is split by concern: cpu.cpp (blocks, reset, snapshots, I/O and control
// registers), exceptions.cpp (faults, interrupts and their delivery, real mode's IVT included),
// segments.cpp (descriptors and segment checks), far_transfers.cpp (far JMP/CALL/RET, IRET,
// call gates), task_switch.cpp (TSSs and task gates), paging.cpp (translation, the TLB,
// linear memory), debug.cpp (DR0-DR7, single step), x87*.cpp (the FPU).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/io_ports.h"
#include "core/state_archive.h"
#include "cpu/x86/flags.h"
#include "cpu/x86/op.h"
#include "cpu/x86/state.h"
#include "exec/engine.h"

namespace emu::x86 {

class Cpu final : public Engine<Cpu, Op, 64> {
public:
    Cpu(Bus& bus, IoPorts& io, VirtualClock& clock);

    // The state a Multiboot loader leaves: 32-bit protected mode with flat 4 GiB code and
    // data segments (selectors 0x08 and 0x10), CPL 0, paging and interrupts off, the FPU
    // as after FNINIT.
    void reset_flat(uint32_t eip);
    // The state after RESET (Intel SDM vol. 3A, table 9-1): real mode at F000:FFF0 with CS's
    // base at 0xFFFF0000, EDX = the CPUID signature, the FPU in its power-on state.
    void reset_power_on();

    // The INTR pin, level-sensitive; `acknowledge` returns the vector (the PIC's INTA cycle).
    void set_intr(bool level) { intr_ = level; }
    std::function<uint8_t()> acknowledge;
    // An NMI (edge): taken before INTR whatever IF says, then held off until the next IRET.
    void raise_nmi() { nmi_pending_ = true; }

    // The x87's FERR# output, for a board that wires it to IRQ 13 (the PC's "MS-DOS
    // compatible" FPU error reporting, used while CR0.NE = 0): raised when a waiting FPU
    // instruction finds an unmasked exception pending, lowered when the status word's ES bit
    // clears. IGNNE# is the chipset's answer to a write to port 0xF0 while FERR# is up: FPU
    // instructions then ignore the pending exception, until FERR# drops.
    std::function<void(bool level)> fpu_error;
    void assert_ignne()
    {
        if (ferr_)
            ignne_ = true;
    }

    // Model-specific registers beyond the TSC, served by the board (IA32_APIC_BASE): false,
    // or no handler, is #GP(0).
    std::function<bool(uint32_t msr, uint64_t& value)> read_msr;
    std::function<bool(uint32_t msr, uint64_t value)> write_msr;
    // CPUID.1:EDX.APIC: whether the board has a local APIC that is enabled.
    std::function<bool()> has_apic;

    // For lockstep tests: an exception stops run() (as Unicorn does) instead of being
    // delivered through the IDT; last_fault() says which.
    struct Fault {
        int vector = -1;
        uint32_t error_code = 0;
        bool has_error_code = false;
    };
    void set_stop_on_exception(bool on) { stop_on_exception_ = on; }
    const Fault& last_fault() const { return last_fault_; }

    // Every piece of architectural state and the instruction count, both ways (snapshots);
    // loading drops translated code and the TLB.
    void serialize(StateArchive& a) override;

    State s;
    // The status flags of the last ALU operation, kept lazily (flags.h): s.eflags's status
    // bits are current only once flags() has run. run() returns with them current, so that
    // boards, debuggers and tests see the architectural EFLAGS in s.eflags between runs.
    LazyFlags lazy;

    RunEnd run(uint64_t max_insns) override
    {
        // Boards, debuggers and tests may have written s.seg or CR0 since the last run.
        update_flat_segments();
        RunEnd end = Engine::run(max_insns);
        flags();
        return end;
    }

    // --- services for instruction handlers ---------------------------------------------------

    // EFLAGS with the status flags made current: every reader or writer of CF, PF, AF, ZF, SF
    // or OF that does not go through `lazy` uses this rather than s.eflags.
    uint32_t& flags()
    {
        if (lazy.op != LazyOp::None) {
            set_status(s.eflags, lazy.status());
            lazy.op = LazyOp::None;
        }
        return s.eflags;
    }
    // Jcc/SETcc/CMOVcc condition `cc`, without materialising EFLAGS.
    bool condition_holds(unsigned cc) const
    {
        return lazy.op == LazyOp::None ? condition(s.eflags, cc) : lazy.condition(cc);
    }
    uint32_t carry() const { return lazy.op == LazyOp::None ? s.eflags & kCF : lazy.cf; }

    uint32_t eip_of(const Op* op) const { return static_cast<uint32_t>(block_pc_) + op->off; }
    uint32_t next_eip(const Op* op) const { return static_cast<uint32_t>(block_pc_) + op->off + op->len; }
    // The target of a 32-bit Jcc, JMP or CALL rel, whose offset in the block the decoder keeps
    // (handlers::is_direct_branch).
    uint32_t direct_target(const Op* op) const { return static_cast<uint32_t>(block_pc_) + op->imm2; }
    // The size of the instruction pointer: 16 bits in a 16-bit code segment.
    uint32_t ip_mask() const { return s.seg[kCs].big() ? 0xFFFFFFFFu : 0xFFFFu; }

    // Leaves the block after `op`, continuing with the next instruction.
    const Op* exit_after(const Op* op);
    // Leaves the block after `op`, continuing at `target` (far transfers, IRET, re-executed
    // string iterations): back to the run loop.
    const Op* exit_to(const Op* op, uint32_t target);
    // A near branch to `target`: straight into the cached block there when it fits the budget.
    const Op* branch(const Op* op, uint32_t target)
    {
        s.eip = target;
        retire_through(op);
        return chain();
    }
    // The same for a branch whose target the instruction fixes (JMP, CALL, Jcc rel, a REP
    // iteration): `taken` says which of the block's two static exits this is (the other goes on
    // after the branch), and that exit keeps a link to the block it reaches (link_allowed()).
    // Only for a 32-bit operand size: a 16-bit one wraps IP, which depends on the EIP the block
    // runs at. Such a branch is its block's last instruction (the decoder's kEndBlock,
    // kEndIfRep; inside a trace it runs another handler), so icount_, which holds the block's
    // end while it runs, already counts `op`.
    const Op* branch_direct([[maybe_unused]] const Op* op, uint32_t target, bool taken)
    {
        s.eip = target;
        return chain_direct(taken ? 0 : 1);
    }
    // The end of a block that ran off its last instruction.
    const Op* fall_through(const Op* op)
    {
        s.eip = eip_of(op);
        return chain_direct(1);
    }
    // Raises an exception for `op`, which does not retire. Returns null (leave the block).
    const Op* fault(const Op* op, uint8_t vector);
    const Op* fault(const Op* op, uint8_t vector, uint32_t error_code);
    // A fault decided by the instruction's encoding and the mode alone (an encoding the CPU
    // rejects, a CPL or IOPL check, #NM): QEMU raises these from its translation of the
    // instruction and counts the instruction as executed, so `op` retires here, though the
    // exception's frame points at it as any fault's does.
    const Op* fault_counted(const Op* op, uint8_t vector, uint32_t error_code = 0);
    // INT n, INT3, INTO: a software interrupt after `op`, which retires.
    const Op* software_interrupt(const Op* op, uint8_t vector);
    // Stops the run before `op`, which does not retire, with a message naming what the
    // emulator lacks. (Handlers call it before they change anything.)
    const Op* stop_unsupported(const Op* op, std::string what);
    // Leaves `op` waiting, unretired, with the CPU asleep until an interrupt: a waiting FPU
    // instruction that signalled FERR#.
    const Op* freeze(const Op* op);

    // Effective address of the memory operand, before segmentation.
    uint32_t ea(const Op* op) const
    {
        uint32_t a = op->disp;
        if (op->base != kNoReg)
            a += s.r[op->base];
        if (op->index != kNoReg)
            a += s.r[op->index] << op->scale;
        return op->addr16 ? (a & 0xFFFF) : a;
    }

    // Memory through segmentation and paging. False: a fault was raised; return null.
    template <class T>
    bool read(uint8_t seg, uint32_t offset, T& out, const Op* op);
    template <class T>
    bool write(uint8_t seg, uint32_t offset, T value, const Op* op);
    // Only the flat-segment hit of read() or write(): false, with nothing done, otherwise
    // (memory.h).
    template <class T>
    bool read_flat(uint8_t seg, uint32_t offset, T& out) const;
    template <class T>
    bool write_flat(uint8_t seg, uint32_t offset, T value);
    // A TLB hit at linear address `lin` for an access within one page; false, with nothing
    // done, otherwise.
    template <class T>
    bool read_tlb_hit(uint32_t lin, T& out) const;
    template <class T>
    bool write_tlb_hit(uint32_t lin, T value);
    // A store at `addr` in the RAM window from 0 (physical, or a flat segment's offset), unless
    // it touches a page holding code (false, nothing done: the slow path invalidates) or
    // crosses into the next page (false too: the slow path stores it).
    template <class T>
    bool store_to_ram(uint32_t addr, T value);
    // The paths read() and write() take when the segment or the address is not the common
    // case (memory.h).
    template <class T>
    bool read_slow(uint8_t seg, uint32_t offset, T& out, const Op* op);
    template <class T>
    bool write_slow(uint8_t seg, uint32_t offset, T value, const Op* op);
    bool read_linear(uint32_t lin, unsigned size, uint64_t& value, bool user, const Op* op);
    bool write_linear(uint32_t lin, unsigned size, uint64_t value, bool user, const Op* op);

    bool push(uint32_t value, unsigned size, const Op* op);
    bool pop(uint32_t& value, unsigned size, const Op* op);
    // The stack pointer as SS's B bit makes it: ESP, or SP within the unchanged upper half.
    uint32_t stack_offset(uint32_t esp) const { return s.seg[kSs].big() ? esp : esp & 0xFFFF; }
    void set_stack_pointer(uint32_t esp)
    {
        s.r[kEsp] = s.seg[kSs].big() ? esp : (s.r[kEsp] & 0xFFFF0000u) | (esp & 0xFFFF);
    }

    uint32_t port_in(uint16_t port, unsigned size, const Op* op);
    void port_out(uint16_t port, uint32_t value, unsigned size, const Op* op);
    uint32_t iopl() const { return (s.eflags & kIOPL) >> 12; }
    // CLI and STI (and, in virtual-8086 mode, the other IOPL-sensitive instructions): CPL <= IOPL.
    bool io_allowed() const { return s.cpl <= iopl(); }
    // IN, OUT, INS, OUTS: CPL <= IOPL outside virtual-8086 mode, else the TSS's I/O permission
    // bitmap must clear every bit of the accessed ports; #GP(0) and false otherwise.
    bool io_permitted(uint16_t port, unsigned size, const Op* op);

    // Loads a segment register from a selector: in real and virtual-8086 mode the selector
    // is the base's paragraph, in protected mode it goes through the descriptor checks; false
    // when a fault was raised.
    bool load_segment(uint8_t seg, uint16_t selector, const Op* op);
    bool write_cr(unsigned n, uint32_t value, const Op* op);
    // MOV to and from DR0-DR7 (debug.cpp); false when a fault was raised.
    bool read_dr(unsigned n, uint32_t& value, const Op* op);
    bool write_dr(unsigned n, uint32_t value, const Op* op);
    // IRET: real mode, virtual-8086 mode, protected mode and task return (NT); it also ends
    // the NMI blocking an NMI's delivery started.
    const Op* interrupt_return(const Op* op, unsigned osize);
    const Op* far_jump(const Op* op, uint16_t selector, uint32_t offset, bool is_call, unsigned osize);
    const Op* far_return(const Op* op, uint16_t pop_bytes, unsigned osize);
    const Op* halt(const Op* op);
    // A REP string instruction going round again: an event taken before the next iteration
    // pushes RF set, so that an instruction breakpoint on it does not fire again.
    void rep_iteration_done(const Op* op) { rep_icount_ = exact_icount(op); }
    // Enters the running block again from its end, as chain_direct() to its own start would,
    // when it fits before chain_limit_ and nothing it did (a device access, a store into its
    // own code) asks to leave it: a REP string instruction that starts its block goes round
    // without leaving its handler. False: take the exit.
    bool repeat_block()
    {
        if (io_exit_ || icount_ + current_->chain_cost > chain_limit_)
            return false;
        block_start_icount_ = icount_;
        icount_ += current_->n_insns;
        return true;
    }
    // The x87 checks before an FPU instruction (insns_x87.cpp): #NM when CR0.EM or CR0.TS
    // says so (WAIT: only TS with MP), then, for a waiting instruction, an unmasked exception
    // left pending: #MF when CR0.NE = 1, else FERR# (and a freeze) unless IGNNE# is up.
    // False: the instruction does not run.
    enum class FpuWait { No, Yes };
    bool fpu_ready(const Op* op, FpuWait wait, bool is_wait_insn = false);
    // After an instruction may have cleared the status word's ES: FERR# follows it.
    void fpu_error_update();
    // The time-stamp counter at `op`: virtual nanoseconds, so it is deterministic.
    uint64_t timestamp(const Op* op);
    void flush_tlb();
    void invalidate_page(uint32_t lin);

    // --- the engine front end (exec/engine.h) ------------------------------------------------

    uint64_t pc() const override { return s.eip; }
    bool interrupt_asserted() const { return intr_ | nmi_pending_ | debug_step_; }
    void take_interrupt();
    BlockT* find_or_build();
    BlockT* build_partial(BlockT* b, unsigned room) { return build_block(scratch(), b->pc, s.eip, room); }
    // What blocks are decoded and linked under (Block::mode): kMode16 for a 16-bit code
    // segment, kModeLimited for a CS limit below 4 GiB, kModePaging with paging on. A block is
    // entered only in the mode it was built in, and links only join blocks of one mode, so a
    // link made under one mode is followed only under it.
    static constexpr uint32_t kMode16 = 1, kModeLimited = 2, kModePaging = 4;
    uint32_t code_mode() const
    {
        return (s.seg[kCs].big() ? 0 : kMode16) | (s.seg[kCs].limit != 0xFFFFFFFFu ? kModeLimited : 0) |
               (s.cr0 & kCr0PG ? kModePaging : 0);
    }
    // The cached block at CS:EIP when the code page is in the TLB (or paging is off) and EIP is
    // within CS: far transfers, CS, CPL and IF changes always go through the loop. So do CR0
    // writes: the running block's mode is still code_mode().
    BlockT* chain_lookup()
    {
        uint32_t lin = s.seg[kCs].base + s.eip;
        uint32_t phys = lin;
        if (s.cr0 & kCr0PG) {
            const TlbEntry& e = tlb_[(lin >> kPageBits) % kTlbEntries];
            if (e.page != (lin & ~0xFFFu) || !(e.perm & (s.cpl == 3 ? kTlbReadUser : kTlbRead)))
                return nullptr;
            phys = e.phys | (lin & 0xFFF);
        }
        if (s.eip > s.seg[kCs].limit)
            return nullptr;
        BlockT* b = cache_.find_recent(phys);
        return b && b->mode == current_->mode ? b : nullptr;
    }
    // A static exit (branch_direct(), fall_through()) reaches the same block every time from
    // a block of 32-bit code with a 4 GiB CS limit (no IP wrap, no limit check) when paging is
    // off (EIP moves by a constant from the block's own EIP, so the linear and physical
    // addresses move by it from the block's physical address, whatever CS's base) or when the
    // exit stays in the linear page the block started in (the same physical page, whatever its
    // linear address, and fetchable at any CPL the block itself runs at).
    bool link_allowed() const
    {
        if (current_->mode & (kMode16 | kModeLimited))
            return false;
        if (!(current_->mode & kModePaging))
            return true;
        uint32_t base = s.seg[kCs].base;
        return ((base + s.eip) ^ (base + static_cast<uint32_t>(block_pc_))) < kPageSize;
    }
    void on_new_code_page(PhysAddr page);

private:
    // A translated linear page of RAM: which accesses may use `host` directly.
    struct TlbEntry {
        uint32_t page = ~0u;  // linear page address; ~0 when empty
        uint32_t perm = 0;    // kTlb* bits
        uint8_t* host = nullptr;
        uint8_t* dirty = nullptr;  // the page's byte in the RAM region's dirty map
        uint32_t phys = ~0u;
    };
    static constexpr unsigned kTlbEntries = 256;
    static constexpr uint32_t kTlbRead = 1, kTlbReadUser = 2, kTlbWrite = 4, kTlbWriteUser = 8;

    // An event to deliver through the IDT: an exception, an external interrupt or INT n.
    enum class EventKind { Exception, External, Software };
    struct Event {
        EventKind kind;
        uint8_t vector;
        bool has_error;
        uint32_t error;
        uint32_t return_eip;  // pushed for the handler
        uint32_t fault_eip;   // where a fault while delivering it points (INT n: the instruction)
        bool push_rf = false; // the EFLAGS image pushed has RF set (faults; see deliver)
    };

    BlockT* build_block(BlockT* b, uint32_t phys_pc, uint32_t eip, unsigned max_insns);
    // What reset leaves beside the architectural state: nothing pending, no debug step.
    void reset_internal_state();
    // Delivers `e`, turning a fault during delivery into the fault itself, a double fault or a
    // triple fault (which ends the run) as the architecture's rules say.
    void raise(Event e);
    const Op* raise_fault(const Op* op, uint8_t vector, uint32_t error_code, bool counted);
    // One attempt at delivering `e`: through the IVT in real mode, else through an interrupt,
    // trap or task gate of the IDT. A fault on the way is left in nested_fault_ (and delivery
    // abandoned).
    void deliver(const Event& e);
    void deliver_real_mode(const Event& e);
    // The stack for privilege level `dpl` from the current TSS (its SS:ESP or SS:SP pair),
    // checked as a stack for that level; false when a fault was raised (#TS, #SS).
    bool inner_stack(unsigned dpl, uint32_t error_ext, Segment& ss, uint32_t& esp, const Op* op);
    // Far CALL and JMP through a call gate (far_transfers.cpp).
    const Op* through_call_gate(const Op* op, uint16_t gate_selector, uint64_t gate, bool is_call);
    // A real- or virtual-8086-mode segment register load: only the selector and base change
    // in real mode (the limit and size stay, "big real mode"); virtual-8086 mode sets them.
    void load_real_segment(uint8_t seg, uint16_t selector);
    // flat_read_end_ and flat_write_end_ from s.seg, CR0 and ram_.size; and their conservative
    // reset (none flat) before code that changes segments or CR0 and returns to the run loop.
    void update_flat_segments();
    void segments_changing()
    {
        for (uint8_t r = 0; r < kNumSegs; r++) {
            flat_read_end_[r] = flat_write_end_[r] = 0;
            flat_paged_[r] = 0;
        }
        flat_stale_ = true;
    }

    // Task switches (task_switch.cpp): to the TSS that `selector` names (`desc` its
    // descriptor), for a JMP, CALL, interrupt or IRET. Faults before the switch is committed
    // are raised at `op`; faults loading the new task's segments happen in the new task and
    // are returned for the caller to raise there.
    enum class TaskSwitch { Jump, Call, Interrupt, Iret };
    struct TaskSwitchResult {
        bool committed = false;
        std::optional<Fault> fault_in_new_task;
    };
    TaskSwitchResult switch_task(uint16_t selector, uint64_t desc, TaskSwitch why, uint32_t return_eip, const Op* op);
    const Op* task_switch_from_instruction(const Op* op, uint16_t selector, uint64_t desc, TaskSwitch why);
    bool load_task_segments(uint16_t ldt, const uint16_t (&sel)[kNumSegs], Fault& f);
    bool load_task_segments_checked(uint16_t ldt, const uint16_t (&sel)[kNumSegs]);

    // Debug registers (debug.cpp).
    // Whether blocks must be single instructions: TF, RF or armed breakpoints.
    bool debugging() const { return (s.eflags & (kTF | kRF)) || (s.dr7 & 0xFF); }
    // At the start of a single-instruction block: the instruction-breakpoint check (a #DB
    // fault, true), then RF is cleared and the single-step trap armed.
    bool debug_before_instruction();
    void debug_after_instruction();
    // Recomputes what the memory fast paths must leave to the slow path, after DR7 or DR0-DR3
    // change: pages holding data breakpoints.
    void update_watchpoints();
    bool watched_page(uint32_t lin_page) const;
    void check_data_breakpoints(uint32_t lin, unsigned size, bool is_write);
    // Tells the bus's access watch (core/access_watch.h) of a data access made by `op`.
    void note_watched(uint32_t lin, unsigned size, bool is_write, const Op* op);
    void check_io_breakpoints(uint16_t port, unsigned size);
    // A #DB with these DR6 bits, at s.eip (DR7.GD is cleared for the handler).
    void raise_debug_exception(uint32_t dr6_bits, bool push_rf);
    bool translate(uint32_t lin, bool is_write, bool user, uint32_t& phys, const Op* op);
    // The same walk with no fault and no accessed/dirty update: may these bytes be fetched?
    bool translate_quiet(uint32_t lin, uint32_t& phys);
    // Reads the descriptor a selector names (setting its accessed bit). Invalid: outside the
    // table; Faulted: reading it raised a page fault, already delivered.
    enum class Fetch { Ok, Invalid, Faulted };
    Fetch fetch_descriptor(uint16_t selector, Segment& out);
    // The same without setting the accessed bit, as raw bits (gates and TSS descriptors).
    Fetch read_descriptor(uint16_t selector, uint64_t& raw, const Op* op = nullptr);
    bool set_descriptor_busy(uint16_t selector, bool busy, const Op* op);
    bool segment_check(uint8_t seg, uint32_t offset, unsigned size, bool is_write, const Op* op, uint32_t& lin);
    // The checks loading DS, ES, FS, GS or SS (`seg`) with `selector` at privilege level `cpl`
    // makes: the descriptor, or false with the fault raised; `bad` is the vector for a wrong
    // descriptor (#GP, or #TS in a task switch).
    bool check_data_segment(uint8_t seg, uint16_t selector, unsigned cpl, uint8_t bad, Segment& out, const Op* op);
    // The checks a far transfer makes of a code segment it returns to at privilege `rpl`
    // (RET, IRET, task switches): code, DPL, present.
    bool check_return_code_segment(uint16_t selector, uint8_t bad, Segment& out, const Op* op);
    // Runs `body` (false on a fault) with faults held back; on a fault `undo` restores what
    // `body` changed and the fault is raised at `op`: multi-step transfers that change
    // registers before their last check.
    bool all_or_nothing(const Op* op, const std::function<bool()>& body, const std::function<void()>& undo);

    IoPorts& io_;
    TlbEntry tlb_[kTlbEntries];
    bool intr_ = false;
    bool nmi_pending_ = false;
    bool nmi_blocked_ = false;  // an NMI handler runs until its IRET
    bool stop_on_exception_ = false;
    // While an event is being delivered, a fault is recorded here instead of delivered.
    bool delivering_ = false;
    std::optional<Fault> nested_fault_;
    // Delivery went through a task gate and the switch was committed: a fault after it is the
    // new task's, at its own EIP.
    bool delivered_into_new_task_ = false;
    Fault last_fault_;

    // The debug state between a single-instruction block and the check after it.
    bool debug_step_ = false;        // a single-instruction block ran; check it at the loop
    bool step_traps_ = false;        // TF was set when the instruction started
    uint64_t step_icount_ = 0;       // icount before it
    uint32_t pending_dr6_ = 0;       // breakpoint hits of the instruction (B0-B3, BT)
    uint64_t rep_icount_ = ~uint64_t{0};  // icount after a REP iteration that goes round again
    bool watching_ = false;          // data breakpoints armed: the fast paths are narrowed
    // Per segment register, the end of the offsets through which a read, or a write, needs no
    // segment check: ram_.size for a segment with base 0, a 4 GiB limit, present, expand-up,
    // readable (writable data for a write) while paging is off, else 0. memory.h then goes
    // from the offset straight to the RAM window after one compare. Derived from s.seg, CR0
    // and ram_.size: every change of the first two inside a run happens in a far transfer, an
    // event's delivery, a task switch, a CR0 write or a reset, which zero both (the full
    // checks are always exact) and mark them stale until the run loop's next find_or_build();
    // load_segment(), which a block runs on from, recomputes them, and so does arming a
    // watchpoint, which changes ram_.size.
    uint64_t flat_read_end_[kNumSegs] = {}, flat_write_end_[kNumSegs] = {};
    // The same segments while paging is on (kFlatPagedRead, kFlatPagedWrite): the offset is
    // the linear address, and a TLB hit is the whole access (a protected-mode kernel's flat
    // data and stack segments).
    static constexpr uint8_t kFlatPagedRead = 1, kFlatPagedWrite = 2;
    uint8_t flat_paged_[kNumSegs] = {};
    bool flat_stale_ = true;
    uint64_t ram_window_size_ = 0;   // ram_.size while no data breakpoint is armed

    // x87 error signalling.
    bool ferr_ = false;
    bool ignne_ = false;
};

}  // namespace emu::x86
