// Unicorn as the reference i386 CPU: an RAII wrapper over an x86 engine (UC_MODE_32, or
// UC_MODE_16, which starts in real mode) that maps host memory the test owns, reads and writes
// the general registers, EIP, EFLAGS and the x87 registers, and steps exact instruction counts
// while recording every data access it makes.
//
// UC_MODE_16: uc_emu_start takes a linear address and sets EIP to it minus CS * 16 (whatever
// the mode), so step() passes EIP + CS * 16. And when Unicorn stops after `count` instructions,
// EIP is not the offset in CS: Unicorn 2.0.1's "sync PC in advance" (target/i386/translate.c)
// stores the next instruction's pc_start, which includes CS's base, and after a far transfer
// not even that. Stopping at an `until` address instead takes the HLT-like path, which leaves
// EIP right. So step() takes the linear address where the instruction should end (the other
// engine's result) and stops there; without one (the same instruction again: a REP iteration)
// it subtracts CS's base from the count path's EIP, which code_base_of gives for a selector
// (Unicorn cannot tell a protected-mode segment's base). In UC_MODE_16 a UC_HOOK_MEM_READ hook
// makes far transfers in real mode end at wrong addresses (found with RETF: EIP comes out as
// the old linear address plus the new CS base), so none is installed there and accesses()
// stays empty. Writing CS through uc_reg_write loads it as real
// mode does (base = selector * 16); the other segment registers likewise, even in protected
// mode, so protected-mode segments are set up by running code (see X86LockstepRig).
//
// The state Unicorn 2.0.1 starts a UC_MODE_32 engine in (x86_reg_reset in its
// qemu/target/i386/unicorn.c, and checked by reading the registers back):
//  - CR0 = PE | ET (0x11): protected mode, paging off; CR4 = 0.
//  - Every segment register has selector 0 and a zeroed descriptor cache (base 0, limit 0,
//    no attributes). QEMU's TCG applies segment bases but never checks limits or types, so in
//    effect every segment is flat: base 0 over the whole 4 GiB.
//  - hflags carry CS32 and SS32: CS.D = 1 and SS.B = 1 (32-bit code and stack) without any
//    descriptor saying so. CPL = 0 (hflags' CPL bits are clear). GDTR, IDTR, LDTR, TR are 0.
//  - EFLAGS = 0x2 (only the reserved bit 1).
// So our Cpu::reset_flat() (flat 4 GiB segments, 32-bit code and stack, CPL 0, paging off)
// matches it in everything an instruction can observe except the selector values (ours 0x08
// and 0x10, Unicorn's 0): the lockstep tests never read or push segment registers. Writing a
// segment register through uc_reg_write would make QEMU load a descriptor from the (absent)
// GDT, so this wrapper offers no way to.
//
// Exceptions: with a UC_HOOK_INTR hook Unicorn does not deliver an exception through the IDT;
// it calls the hook with the vector and we stop the run. #UD is different: QEMU's invalid
// opcode path makes uc_emu_start return UC_ERR_INSN_INVALID without calling the hook; step()
// reports that as vector 6.
//
// A UC_HOOK_MEM_WRITE hook changes what Unicorn 2.0.1 computes (found by running every
// random case on a hooked and an unhooked engine side by side): with it, shifts by CL with a
// memory destination (SHL/SHR/SAR r/m, CL), SHLD/SHRD with a memory destination (CL or imm8)
// and ENTER with a nesting level of 2 or more come out wrong (for SAR byte [mem], CL the flags
// come out as SHL's, and only at some code addresses: the instrumentation around the store
// clobbers a TCG temporary the flag computation still needs). A read hook changes nothing.
// So stores are recorded only on request (WriteHook::On), and the lockstep tests find stores
// by comparing memory instead.
//
// Stopping in the interrupt hook leaves QEMU half-way through delivering the exception (its
// old_exception stays set), so the next exception would become a #DF and the one after that a
// triple fault. step() therefore puts the engine back into its freshly opened context after
// every exception, keeping the general registers, EIP and EFLAGS.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <unicorn/unicorn.h>

namespace emu::test {

class UnicornX86 {
public:
    // One data access as Unicorn's memory hooks saw it before it happened (see UnicornA64).
    struct Access {
        uint32_t addr;
        unsigned size;
        bool is_write;
        uint64_t value;  // the value stored (writes only)
        uint8_t before[16];
        unsigned before_len;
    };

    // How a step ended. Completed: the instructions retired. Otherwise `vector` is the
    // exception raised (from the interrupt hook, or 6 for UC_ERR_INSN_INVALID), or -1 when
    // Unicorn stopped for another reason (`error`: unmapped memory and the like).
    struct StepResult {
        bool completed;
        uc_err error;
        int vector;

        std::string text() const;
    };

    enum class WriteHook { Off, On };
    explicit UnicornX86(WriteHook write_hook = WriteHook::Off, uc_mode mode = UC_MODE_32);
    ~UnicornX86();
    UnicornX86(const UnicornX86&) = delete;
    UnicornX86& operator=(const UnicornX86&) = delete;

    // Maps `size` bytes of host memory at `addr`; the memory stays the caller's, who must call
    // invalidate_code() after rewriting code behind Unicorn's back.
    void map(uint32_t addr, uint8_t* host, uint32_t size, uint32_t perms = UC_PROT_ALL);
    void invalidate_code(uint32_t addr, uint32_t len);

    // General registers in encoding order (EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI).
    uint32_t r(unsigned n) const;
    void set_r(unsigned n, uint32_t v);
    uint32_t eip() const { return reg(UC_X86_REG_EIP); }
    void set_eip(uint32_t v) { set_reg(UC_X86_REG_EIP, v); }
    uint32_t eflags() const { return reg(UC_X86_REG_EFLAGS); }
    void set_eflags(uint32_t v) { set_reg(UC_X86_REG_EFLAGS, v); }
    uint32_t reg(uc_x86_reg r) const;
    void set_reg(uc_x86_reg r, uint32_t v);
    // ES, CS, SS, DS, FS, GS by number.
    uint16_t selector(unsigned seg) const;
    // An x87 data register R0-R7 (physical), as 64-bit significand and sign/exponent.
    void fp_register(unsigned phys, uint64_t& mant, uint16_t& se) const;
    void set_fp_register(unsigned phys, uint64_t mant, uint16_t se);
    uint16_t reg16(uc_x86_reg r) const;
    void set_reg16(uc_x86_reg r, uint16_t v);
    // FIP and FDP are read and written as 64-bit values.
    uint64_t reg64(uc_x86_reg r) const;
    void set_reg64(uc_x86_reg r, uint64_t v);

    // 16-bit mode: the base of the code segment a CS selector names (see above).
    std::function<uint32_t(uint16_t)> code_base_of;

    // The context from now on restored after an exception (and by restore_setup): the state a
    // test set up (mode, segments), to which each case returns.
    void save_setup();
    void restore_setup();

    // Runs exactly `count` instructions from EIP. A REP string instruction counts once per
    // iteration (QEMU translates each iteration as a jump back to the instruction), plus one
    // final pass that finds ECX zero and leaves.
    // In UC_MODE_16, `until` (a linear address, 0 for none) is where the step should end.
    StepResult step(uint64_t count = 1, uint64_t until = 0);
    // The data accesses of the last step, in order: loads always, stores with WriteHook::On.
    const std::vector<Access>& accesses() const { return accesses_; }

    static std::string error_text(uc_err e);

private:
    static void on_interrupt(uc_engine* uc, uint32_t intno, void* self);
    static void on_access(uc_engine* uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void* self);
    void check(uc_err e, const char* what) const;

    struct Region {
        uint32_t addr;
        uint8_t* host;
        uint32_t size;
    };

    uc_engine* uc_ = nullptr;
    uc_mode mode_;
    uc_context* pristine_ = nullptr;
    uc_hook access_hook_ = 0;
    uc_hook interrupt_hook_ = 0;
    int vector_ = -1;
    std::vector<Region> regions_;
    std::vector<Access> accesses_;
};

}  // namespace emu::test
