// The AArch64 CPU: architectural state plus the threaded-code engine that runs it.
//
// Time: icount counts retired instructions. While a block runs, icount already holds the
// count at the end of the block; anything that looks at time inside a block (a timer register,
// an MMIO access, an exception) asks exact_icount(op) or rewinds it. Interrupts are taken only
// between blocks, and every instruction that can change what is pending or masked (MMIO,
// interrupt-mask writes, timer writes, ERET) ends its block, so interrupts land at the same
// instruction however the blocks happen to be cut.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/state_archive.h"
#include "cpu/a64/op.h"
#include "cpu/a64/state.h"
#include "exec/block_cache.h"

namespace emu::a64 {

// Exception classes (ESR_ELx.EC) the interpreter raises.
enum class ExceptionClass : uint32_t {
    Unknown = 0x00,
    FpAccess = 0x07,
    IllegalState = 0x0E,
    Svc = 0x15,
    Hvc = 0x16,
    Smc = 0x17,
    SysRegTrap = 0x18,
    InsnAbortLowerEl = 0x20,
    InsnAbortSameEl = 0x21,
    PcAlignment = 0x22,
    DataAbortLowerEl = 0x24,
    DataAbortSameEl = 0x25,
    SpAlignment = 0x26,
    Brk = 0x3C,
};

enum class StopReason {
    Budget,       // ran the requested number of instructions
    Idle,         // WFI with nothing pending: the machine decides how time moves on
    Requested,    // the platform asked to stop (power off, reset, semihosting exit) or to pause
    Unsupported,  // the guest needs something the emulator lacks; see unsupported()
};

// What the CPU needs from the board it sits on.
class Platform {
public:
    virtual ~Platform() = default;
    // HVC or SMC (PSCI and friends). True if handled: execution continues after the call.
    // False: the instruction is undefined, as on a CPU without EL2/EL3.
    virtual bool hypervisor_call(Cpu& cpu, bool is_smc, uint16_t imm) = 0;
    // Semihosting trap (HLT #0xF000). True if handled.
    virtual bool semihosting_call(Cpu& cpu) = 0;
    // The ARM generic timer's registers live at the CPU but belong to the board's timer.
    virtual bool timer_read(Cpu& cpu, uint32_t sysreg, uint64_t& value) = 0;
    virtual bool timer_write(Cpu& cpu, uint32_t sysreg, uint64_t value) = 0;
};

class Cpu {
public:
    using BlockT = Block<Op>;
    static constexpr unsigned kMaxBlockInsns = 128;

    Cpu(Bus& bus, VirtualClock& clock, Platform& platform);
    Cpu(const Cpu&) = delete;
    Cpu& operator=(const Cpu&) = delete;

    // Resets to the state QEMU gives a CPU booted with -kernel: EL1h, all DAIF masked.
    void reset(uint64_t entry_pc);

    // Runs at most `max_insns` instructions. Returns early when the CPU idles, when the
    // platform requests a stop, or when the guest needs something unsupported.
    StopReason run(uint64_t max_insns);

    uint64_t icount() const { return icount_; }

    // Interrupt inputs, level-sensitive, driven by the interrupt controller.
    void set_irq(bool level) { irq_line_ = level; }
    void set_fiq(bool level) { fiq_line_ = level; }

    // Called by the platform from a handler to stop the run loop after this instruction.
    void request_stop() { stop_requested_ = true; }
    // Asks run() to return at the next instruction boundary, after it has fired the timers
    // and taken the interrupts due there: the point where a recorder or replayer delivers
    // input, whichever way the run was cut.
    void request_pause() { pause_requested_ = true; }
    const std::string& unsupported() const { return unsupported_; }

    // --- services for instruction handlers ---------------------------------------------------

    State s;

    uint64_t pc_of(const Op* op) const { return block_vpc_ + 4u * op->idx; }
    // icount as the instruction `op` sees it: every earlier instruction plus itself.
    uint64_t exact_icount(const Op* op) const { return block_start_icount_ + op->idx + 1; }

    // Leaves the block after `op`: the next instruction is the following one.
    const Op* exit_after(const Op* op);
    // Leaves the block after `op`, continuing at `target` (branches): straight into the
    // cached block there when it fits the budget, else back to the run loop.
    const Op* exit_to(const Op* op, uint64_t target)
    {
        s.pc = target;
        icount_ = block_start_icount_ + op->idx + 1;
        return chain();
    }
    // The end of a block that fell through its last instruction.
    const Op* fall_through(const Op* op)
    {
        s.pc = pc_of(op);
        return chain();
    }
    // After a memory access: runs the next op, or exits the block when the access touched a
    // device or code of the running block. Only as a handler's return value: by the time it
    // returns, the ops after this one have run.
    const Op* next(const Op* op) { return __builtin_expect(io_exit_, 0) ? exit_after(op) : step(op); }
    // Runs the op after `op` as a tail call instead of returning to the dispatch loop: one
    // indirect jump per op rather than a return, a loop test and a call. The chain of calls
    // never leaves the block (a block exit returns), so without tail calls (-O0, sanitizers)
    // the stack grows by at most one block's ops.
    const Op* step(const Op* op) { return op[1].fn(*this, op + 1); }

    // Synchronous exceptions taken to EL1. `counted`: whether the faulting instruction retires
    // (exception-generating instructions do; faulting memory accesses do not, as in QEMU).
    const Op* raise(const Op* op, ExceptionClass ec, uint32_t iss, uint64_t preferred_return, bool counted,
                    uint64_t far = 0, bool far_valid = false);
    const Op* undefined(const Op* op);
    // CPACR_EL1.FPEN denies FP/SIMD (and FPCR/FPSR) at the current EL. Every FP/SIMD handler
    // checks this first, since a cached block outlives changes of CPACR_EL1 and the EL.
    bool fp_trapped() const
    {
        unsigned fpen = (s.sys.cpacr_el1 >> 20) & 3;
        return fpen != 3 && (fpen != 1 || s.el == 0);
    }
    const Op* fp_access_trap(const Op* op);

    // Memory access at a virtual address. False: a data abort has been raised and the handler
    // must return null.
    template <class T>
    bool read(uint64_t va, T& out, const Op* op)
    {
        uint64_t off = va - ram_base_;
        if (__builtin_expect(off <= ram_size_ - sizeof(T), 1)) {
            std::memcpy(&out, ram_host_ + off, sizeof(T));
            return true;
        }
        uint64_t v;
        if (!read_slow(va, sizeof(T), v, op))
            return false;
        out = static_cast<T>(v);
        return true;
    }

    template <class T>
    bool write(uint64_t va, T value, const Op* op)
    {
        uint64_t off = va - ram_base_;
        if (__builtin_expect(off <= ram_size_ - sizeof(T), 1)) {
            uint64_t first = off >> kPageBits, last = (off + sizeof(T) - 1) >> kPageBits;
            if (__builtin_expect((code_page_[first] | code_page_[last]) == 0, 1)) {
                std::memcpy(ram_host_ + off, &value, sizeof(T));
                dirty_page_[first] = kPageWritten;
                dirty_page_[last] = kPageWritten;
                return true;
            }
        }
        return write_slow(va, sizeof(T), value, op);
    }

    // Raises an alignment fault unless va is a multiple of `align` (exclusives, atomics).
    bool check_alignment(uint64_t va, unsigned align, bool is_write, const Op* op);

    // The exclusive monitor (LDXR/STXR): one address range, cleared by CLREX and ERET.
    struct Monitor {
        bool valid = false;
        uint64_t addr = 0;
        unsigned size = 0;
    } monitor;

    // System registers (MRS/MSR) by their 16-bit op0:op1:CRn:CRm:op2 key. False: undefined.
    bool sysreg_read(uint32_t key, uint64_t& value, const Op* op);
    bool sysreg_write(uint32_t key, uint64_t value, const Op* op);

    // Exception return: restores PSTATE from SPSR_EL1 and jumps to ELR_EL1.
    const Op* exception_return(const Op* op);
    // WFI: idles unless an interrupt is already pending.
    const Op* wait_for_interrupt(const Op* op);
    const Op* hypervisor_call(const Op* op, bool is_smc, uint16_t imm);
    const Op* semihosting_call(const Op* op);
    // DC ZVA: zeroes the naturally aligned block of 64 bytes holding va.
    bool zero_block(uint64_t va, const Op* op);

    // Packs and unpacks PSTATE as SPSR_ELx holds it.
    uint64_t pstate_to_spsr() const;
    void set_el_and_sp(uint8_t el, uint8_t spsel);

    // Every piece of architectural state and the instruction count, both ways (snapshots);
    // loading drops the translated code.
    void serialize(StateArchive& a);
    bool halted() const { return halted_; }

    // Statistics for reports and benchmarks.
    const BlockCache<Op>& cache() const { return cache_; }

    // Stops the CPU with a message naming what the emulator lacks.
    const Op* stop_unsupported(const Op* op, std::string what);

private:
    // Enters the cached block at s.pc without going back to the run loop. Only branches and
    // fall-through chain: everything that can make an interrupt due or stop the CPU (I/O,
    // MSR, ERET, exceptions, WFI, HVC) returns to the loop, which checks those between blocks.
    // A block of no instructions is a fetch fault: it waits for the run loop, so that a due
    // timer, a pending interrupt or the budget acts before the fault does, as without chaining.
    const Op* chain()
    {
        BlockT* next = cache_.find_recent(s.pc);
        if (!next || next->n_insns == 0 || next->n_insns > chain_limit_ - icount_)
            return nullptr;
        enter(next);
        return next->ops();
    }
    void enter(BlockT* b)
    {
        current_ = b;
        block_vpc_ = s.pc;
        block_start_icount_ = icount_;
        icount_ += b->n_insns;
    }
    BlockT* find_or_build(uint64_t pc);
    BlockT* build_block(BlockT* b, uint64_t pc, unsigned max_insns);
    void execute(BlockT* b);
    void take_interrupt(unsigned vector_offset);
    void enter_exception(unsigned vector_offset, uint64_t preferred_return);
    void on_code_write(PhysAddr page);
    bool read_slow(uint64_t va, unsigned size, uint64_t& value, const Op* op);
    bool write_slow(uint64_t va, unsigned size, uint64_t value, const Op* op);
    const Op* data_abort(const Op* op, uint64_t va, bool is_write, unsigned size, uint32_t fsc);
    void refresh_ram_window();

    Bus& bus_;
    VirtualClock& clock_;
    Platform& platform_;
    BlockCache<Op> cache_;

    // The main RAM region, cached for the load/store fast path.
    uint8_t* ram_host_ = nullptr;
    uint64_t ram_base_ = 0;
    uint64_t ram_size_ = 0;
    uint8_t* code_page_ = nullptr;
    uint8_t* dirty_page_ = nullptr;

    uint64_t icount_ = 0;
    uint64_t chain_limit_ = 0;  // icount a chained block may not pass: budget or next timer
    uint64_t block_start_icount_ = 0;
    uint64_t block_vpc_ = 0;
    BlockT* current_ = nullptr;
    bool io_exit_ = false;
    // Consecutive blocks that retired nothing (fetch faults); more than a few is a fault loop.
    static constexpr unsigned kMaxFetchFaultStreak = 4;
    unsigned fetch_fault_streak_ = 0;
    bool irq_line_ = false;
    bool fiq_line_ = false;
    bool halted_ = false;
    bool stop_requested_ = false;
    bool pause_requested_ = false;
    std::string unsupported_;

    // Partial blocks (budget shorter than a cached block) are built here and never cached.
    alignas(64) std::byte scratch_[sizeof(BlockT) + (kMaxBlockInsns + 1) * sizeof(Op)];
};

}  // namespace emu::a64
