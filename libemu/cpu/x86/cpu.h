// The i386 CPU: architectural state, instruction-handler services and the engine front end
// (exec/engine.h) that decodes i386 blocks for the shared run loop. Interrupts are taken
// between blocks, and every instruction that can change what is pending or masked (I/O,
// STI/CLI/POPF/IRET, MOV to control registers, HLT) ends its block. A REP string instruction
// retires once per iteration, as in QEMU's icount mode, and is a block of its own.
//
// The implementation is split by concern: cpu.cpp (blocks, reset, snapshots, I/O and control
// registers), exceptions.cpp (faults, interrupts and their delivery), segments.cpp
// (descriptors and segment checks), paging.cpp (translation, the TLB, linear memory).
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
#include "cpu/x86/op.h"
#include "cpu/x86/state.h"
#include "exec/engine.h"

namespace emu::x86 {

class Cpu final : public Engine<Cpu, Op, 64> {
public:
    Cpu(Bus& bus, IoPorts& io, VirtualClock& clock);

    // The state a Multiboot loader leaves: 32-bit protected mode with flat 4 GiB code and
    // data segments (selectors 0x08 and 0x10), CPL 0, paging and interrupts off.
    void reset_flat(uint32_t eip);

    // The INTR pin, level-sensitive; `acknowledge` returns the vector (the PIC's INTA cycle).
    void set_intr(bool level) { intr_ = level; }
    std::function<uint8_t()> acknowledge;
    // An NMI (edge): taken before INTR whatever IF says, then held off until the next IRET.
    void raise_nmi() { nmi_pending_ = true; }

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

    // --- services for instruction handlers ---------------------------------------------------

    uint32_t eip_of(const Op* op) const { return static_cast<uint32_t>(block_pc_) + op->off; }
    uint32_t next_eip(const Op* op) const { return static_cast<uint32_t>(block_pc_) + op->off + op->len; }

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
    // The end of a block that ran off its last instruction.
    const Op* fall_through(const Op* op)
    {
        s.eip = eip_of(op);
        return chain();
    }
    // Raises an exception for `op`, which does not retire. Returns null (leave the block).
    const Op* fault(const Op* op, uint8_t vector);
    const Op* fault(const Op* op, uint8_t vector, uint32_t error_code);
    // INT n, INT3, INTO: a software interrupt after `op`, which retires.
    const Op* software_interrupt(const Op* op, uint8_t vector);
    // Stops the run before `op`, which does not retire, with a message naming what the
    // emulator lacks. (Handlers call it before they change anything.)
    const Op* stop_unsupported(const Op* op, std::string what);

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
    bool read_linear(uint32_t lin, unsigned size, uint64_t& value, bool user, const Op* op);
    bool write_linear(uint32_t lin, unsigned size, uint64_t value, bool user, const Op* op);

    bool push(uint32_t value, unsigned size, const Op* op);
    bool pop(uint32_t& value, unsigned size, const Op* op);

    uint32_t port_in(uint16_t port, unsigned size, const Op* op);
    void port_out(uint16_t port, uint32_t value, unsigned size, const Op* op);
    // IOPL check for IN/OUT/INS/OUTS/CLI/STI at CPL > IOPL.
    bool io_allowed() const { return s.cpl <= ((s.eflags & kIOPL) >> 12); }

    // Loads a segment register from a selector with the protected-mode checks; false when a
    // fault was raised.
    bool load_segment(uint8_t seg, uint16_t selector, const Op* op);
    bool write_cr(unsigned n, uint32_t value, const Op* op);
    // IRET; it also ends the NMI blocking an NMI's delivery started.
    const Op* interrupt_return(const Op* op);
    const Op* far_jump(const Op* op, uint16_t selector, uint32_t offset, bool is_call, unsigned osize);
    const Op* far_return(const Op* op, uint16_t pop_bytes, unsigned osize);
    const Op* halt(const Op* op);
    // The time-stamp counter at `op`: virtual nanoseconds, so it is deterministic.
    uint64_t timestamp(const Op* op);
    void flush_tlb();
    void invalidate_page(uint32_t lin);

    // --- the engine front end (exec/engine.h) ------------------------------------------------

    uint64_t pc() const override { return s.eip; }
    bool interrupt_asserted() const { return intr_ | nmi_pending_; }
    void take_interrupt();
    BlockT* find_or_build();
    BlockT* build_partial(BlockT* b, unsigned room) { return build_block(scratch(), b->pc, s.eip, room); }
    // The cached block at CS:EIP when the code page is in the TLB (or paging is off) and EIP is
    // within CS: far transfers, CS, CPL and IF changes always go through the loop.
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
        return s.eip <= s.seg[kCs].limit ? cache_.find_recent(phys) : nullptr;
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
    };

    BlockT* build_block(BlockT* b, uint32_t phys_pc, uint32_t eip, unsigned max_insns);
    // Delivers `e`, turning a fault during delivery into the fault itself, a double fault or a
    // triple fault (which ends the run) as the architecture's rules say.
    void raise(Event e);
    // One attempt at delivering `e` through a 32-bit interrupt or trap gate. A fault on the
    // way is left in nested_fault_ (and delivery abandoned).
    void deliver(const Event& e);
    bool translate(uint32_t lin, bool is_write, bool user, uint32_t& phys, const Op* op);
    // The same walk with no fault and no accessed/dirty update: may these bytes be fetched?
    bool translate_quiet(uint32_t lin, uint32_t& phys);
    // Reads the descriptor a selector names (setting its accessed bit). Invalid: outside the
    // table; Faulted: reading it raised a page fault, already delivered.
    enum class Fetch { Ok, Invalid, Faulted };
    Fetch fetch_descriptor(uint16_t selector, Segment& out);
    bool segment_check(uint8_t seg, uint32_t offset, unsigned size, bool is_write, const Op* op, uint32_t& lin);

    IoPorts& io_;
    TlbEntry tlb_[kTlbEntries];
    bool intr_ = false;
    bool nmi_pending_ = false;
    bool nmi_blocked_ = false;  // an NMI handler runs until its IRET
    bool stop_on_exception_ = false;
    // While an event is being delivered, a fault is recorded here instead of delivered.
    bool delivering_ = false;
    std::optional<Fault> nested_fault_;
    Fault last_fault_;
};

}  // namespace emu::x86
