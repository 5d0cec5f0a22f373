// The i386 CPU: architectural state plus a threaded-code engine on the shared block cache.
//
// Time works as for AArch64 (cpu/a64/cpu.h): icount counts retired instructions, exact inside
// blocks; interrupts are taken between blocks, and every instruction that can change what is
// pending or masked (I/O, STI/CLI/POPF/IRET, MOV to control registers, HLT) ends its block.
// A REP string instruction retires once per iteration, as in QEMU's icount mode, and is a
// block of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/io_ports.h"
#include "core/state_archive.h"
#include "cpu/x86/op.h"
#include "cpu/x86/state.h"
#include "exec/block_cache.h"

namespace emu::x86 {

enum class StopReason {
    Budget,       // ran the requested number of instructions
    Idle,         // HLT with interrupts that could wake it: the machine moves time on
    Requested,    // the machine asked to stop or pause
    Unsupported,  // the guest needs something the emulator lacks; see unsupported()
};

class Cpu {
public:
    using BlockT = Block<Op>;
    static constexpr unsigned kMaxBlockInsns = 64;

    Cpu(Bus& bus, IoPorts& io, VirtualClock& clock);
    Cpu(const Cpu&) = delete;
    Cpu& operator=(const Cpu&) = delete;

    // The state a Multiboot loader leaves: 32-bit protected mode with flat 4 GiB code and
    // data segments (selectors 0x08 and 0x10), CPL 0, paging and interrupts off.
    void reset_flat(uint32_t eip);

    StopReason run(uint64_t max_insns);
    uint64_t icount() const { return icount_; }

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

    void request_stop() { stop_requested_ = true; }
    void request_pause() { pause_requested_ = true; }
    const std::string& unsupported() const { return unsupported_; }
    bool halted() const { return halted_; }

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
    void serialize(StateArchive& a);

    State s;

    // --- services for instruction handlers ---------------------------------------------------

    uint32_t eip_of(const Op* op) const { return block_eip_ + op->off; }
    uint32_t next_eip(const Op* op) const { return block_eip_ + op->off + op->len; }
    uint64_t exact_icount(const Op* op) const { return block_start_icount_ + op->idx + 1; }

    const Op* step(const Op* op) { return op[1].fn(*this, op + 1); }
    // After a memory or port access: the next op, or out of the block when the access touched
    // a device or the running block's code.
    const Op* next(const Op* op) { return __builtin_expect(io_exit_, 0) ? exit_after(op) : step(op); }
    // Leaves the block after `op`, continuing with the next instruction.
    const Op* exit_after(const Op* op);
    // Leaves the block after `op`, continuing at `target` (far transfers, IRET, re-executed
    // string iterations): back to the run loop.
    const Op* exit_to(const Op* op, uint32_t target);
    // A near branch to `target`: straight into the cached block there when it fits the budget.
    const Op* branch(const Op* op, uint32_t target)
    {
        s.eip = target;
        icount_ = block_start_icount_ + op->idx + 1;
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
    // STI and MOV SS: no interrupt is taken before the next instruction completes.
    void hold_interrupts_one_instruction() { interrupt_shadow_ = true; }
    // The time-stamp counter at `op`: virtual nanoseconds, so it is deterministic.
    uint64_t timestamp(const Op* op);
    void flush_tlb();
    void invalidate_page(uint32_t lin);

    // Statistics for reports and benchmarks.
    const BlockCache<Op>& cache() const { return cache_; }

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

    // Enters the cached block at CS:EIP without the run loop, when the code page is in the TLB
    // (or paging is off) and the block fits before the budget or the next timer. Everything
    // that can make an interrupt due or change CS, CPL or IF leaves through the run loop.
    const Op* chain()
    {
        uint32_t lin = s.seg[kCs].base + s.eip;
        uint32_t phys = lin;
        if (s.cr0 & kCr0PG) {
            const TlbEntry& e = tlb_[(lin >> kPageBits) % kTlbEntries];
            if (e.page != (lin & ~0xFFFu) || !(e.perm & (s.cpl == 3 ? kTlbReadUser : kTlbRead)))
                return nullptr;
            phys = e.phys | (lin & 0xFFF);
        }
        BlockT* next = cache_.find_recent(phys);
        if (!next || next->n_insns == 0 || next->n_insns > chain_limit_ - icount_ || s.eip > s.seg[kCs].limit)
            return nullptr;
        current_ = next;
        block_eip_ = s.eip;
        block_start_icount_ = icount_;
        icount_ += next->n_insns;
        return next->ops();
    }
    BlockT* find_or_build(uint32_t lin_pc);
    BlockT* build_block(BlockT* b, uint32_t phys_pc, uint32_t eip, unsigned max_insns);
    void execute(BlockT* b);
    void deliver(uint8_t vector, bool has_error, uint32_t error, uint32_t return_eip, bool software);
    bool translate(uint32_t lin, bool is_write, bool user, uint32_t& phys, const Op* op);
    // The same walk with no fault and no accessed/dirty update: may these bytes be fetched?
    bool translate_quiet(uint32_t lin, uint32_t& phys);
    // Reads the descriptor a selector names (setting its accessed bit). Invalid: outside the
    // table; Faulted: reading it raised a page fault, already delivered.
    enum class Fetch { Ok, Invalid, Faulted };
    Fetch fetch_descriptor(uint16_t selector, Segment& out);
    bool segment_check(uint8_t seg, uint32_t offset, unsigned size, bool is_write, const Op* op, uint32_t& lin);
    void on_code_write(PhysAddr page);

    Bus& bus_;
    IoPorts& io_;
    VirtualClock& clock_;
    BlockCache<Op> cache_;
    TlbEntry tlb_[kTlbEntries];
    // The RAM region at physical 0, for the paging-off fast path (empty when RAM starts
    // elsewhere: every access then takes the TLB).
    uint8_t* ram_host_ = nullptr;
    uint64_t ram_size_ = 0;
    uint8_t* code_page_ = nullptr;
    uint8_t* dirty_page_ = nullptr;

    uint64_t icount_ = 0;
    uint64_t block_start_icount_ = 0;
    uint64_t chain_limit_ = 0;  // icount a chained block may not pass: budget or next timer
    uint32_t block_eip_ = 0;
    BlockT* current_ = nullptr;
    bool io_exit_ = false;
    bool intr_ = false;
    bool nmi_pending_ = false;
    bool nmi_blocked_ = false;  // an NMI handler runs until its IRET
    bool halted_ = false;
    bool interrupt_shadow_ = false;  // STI, MOV SS: no interrupt before the next instruction
    bool stop_requested_ = false;
    bool pause_requested_ = false;
    bool stop_on_exception_ = false;
    bool delivering_ = false;  // nested faults become #DF, then a triple fault
    Fault last_fault_;
    std::string unsupported_;

    alignas(64) std::byte scratch_[sizeof(BlockT) + (kMaxBlockInsns + 1) * sizeof(Op)];
};

}  // namespace emu::x86
