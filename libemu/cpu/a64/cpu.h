// The AArch64 CPU: architectural state, instruction-handler services and the engine front end
// (exec/engine.h) that decodes A64 blocks for the shared run loop. Interrupts are taken only
// between blocks; MMIO, interrupt-mask writes, timer writes and ERET end their block.
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
#include "exec/engine.h"

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

class Cpu final : public Engine<Cpu, Op, 128> {
public:
    Cpu(Bus& bus, VirtualClock& clock, Platform& platform);

    // Resets to the state QEMU gives a CPU booted with -kernel: EL1h, all DAIF masked.
    void reset(uint64_t entry_pc);

    // Interrupt inputs, level-sensitive, driven by the interrupt controller.
    void set_irq(bool level) { irq_line_ = level; }
    void set_fiq(bool level) { fiq_line_ = level; }

    // --- services for instruction handlers ---------------------------------------------------

    State s;

    uint64_t pc_of(const Op* op) const { return block_pc_ + 4u * op->idx; }

    // Leaves the block after `op`: the next instruction is the following one.
    const Op* exit_after(const Op* op);
    // Leaves the block after `op`, continuing at `target` (branches): straight into the
    // cached block there when it fits the budget, else back to the run loop.
    const Op* exit_to(const Op* op, uint64_t target)
    {
        s.pc = target;
        retire_through(op);
        return chain();
    }
    // The end of a block that fell through its last instruction.
    const Op* fall_through(const Op* op)
    {
        s.pc = pc_of(op);
        return chain();
    }

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
        uint64_t off = va - ram_.base;
        if (__builtin_expect(off <= ram_.size - sizeof(T), 1)) {
            std::memcpy(&out, ram_.host + off, sizeof(T));
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
        uint64_t off = va - ram_.base;
        if (__builtin_expect(off <= ram_.size - sizeof(T), 1)) {
            uint64_t first = off >> kPageBits, last = (off + sizeof(T) - 1) >> kPageBits;
            if (__builtin_expect((ram_.code_page[first] | ram_.code_page[last]) == 0, 1)) {
                std::memcpy(ram_.host + off, &value, sizeof(T));
                ram_.dirty_page[first] = kPageWritten;
                ram_.dirty_page[last] = kPageWritten;
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
    void serialize(StateArchive& a) override;

    // Stops the run before `op`, which does not retire and changes nothing, with a message
    // naming what the emulator lacks.
    const Op* stop_unsupported(const Op* op, std::string what);

    // --- the engine front end (exec/engine.h) ------------------------------------------------

    uint64_t pc() const override { return s.pc; }
    bool interrupt_asserted() const { return irq_line_ | fiq_line_; }
    void take_interrupt();
    BlockT* find_or_build();
    BlockT* build_partial(BlockT* b, unsigned room) { return build_block(scratch(), b->pc, room); }
    // The MMU is off: the pc is the physical address.
    BlockT* chain_lookup() { return cache_.find_recent(s.pc); }
    void on_new_code_page(PhysAddr) {}

private:
    BlockT* build_block(BlockT* b, uint64_t pc, unsigned max_insns);
    void enter_exception(unsigned vector_offset, uint64_t preferred_return);
    bool read_slow(uint64_t va, unsigned size, uint64_t& value, const Op* op);
    bool write_slow(uint64_t va, unsigned size, uint64_t value, const Op* op);
    const Op* data_abort(const Op* op, uint64_t va, bool is_write, unsigned size, uint32_t fsc);

    Platform& platform_;
    bool irq_line_ = false;
    bool fiq_line_ = false;
};

}  // namespace emu::a64
