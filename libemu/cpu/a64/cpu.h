// The AArch64 CPU: architectural state, instruction-handler services and the engine front end
// (exec/engine.h) that decodes A64 blocks for the shared run loop. Interrupts are taken only
// between blocks; MMIO, interrupt-mask writes, timer writes and ERET end their block.
//
// Memory goes through stage 1 translation (mmu.h) when SCTLR_EL1.M is set. Loads and stores
// first try a flat window over the main RAM (only while the MMU is off), then a direct-mapped
// TLB of host pointers per exception level; everything else (a miss, MMIO, a store to a page
// holding code, an access that crosses a page, alignment checking) takes the slow path in
// memory.cpp, which walks the tables and refills the TLB. Blocks stay keyed by physical pc:
// fetches translate in find_or_build() and chain_lookup(). The TLB is a host cache that
// holds no guest state: it is flushed on TLBI, on writes to SCTLR/TCR/TTBRn/MAIR_EL1 and when
// a snapshot is loaded.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/state_archive.h"
#include "cpu/a64/flags.h"
#include "cpu/a64/mmu.h"
#include "cpu/a64/op.h"
#include "cpu/a64/state.h"
#include "cpu/a64/trace.h"
#include "exec/engine.h"

namespace emu::a64 {

// Exception classes (ESR_ELx.EC) the interpreter raises.
enum class ExceptionClass : uint32_t {
    Unknown = 0x00,
    WfxTrap = 0x01,
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

    // Runs as Engine::run does, with NZCV kept in `flags` meanwhile: s.nzcv is current between
    // runs, for boards, debuggers, snapshots and tests.
    RunEnd run(uint64_t max_insns) override
    {
        flags = Flags::unpack(s.nzcv);
        RunEnd end = Engine::run(max_insns);
        s.nzcv = flags.packed();
        return end;
    }

    // --- services for instruction handlers ---------------------------------------------------

    State s;
    // NZCV while run() runs (flags.h): every handler reads and writes the flags here, never
    // s.nzcv.
    LiveFlags flags;

    uint64_t pc_of(const Op* op) const { return block_pc_ + static_cast<uint64_t>(int64_t{op->pos} * 4); }

    // Leaves the block after `op`: the next instruction is the following one.
    const Op* exit_after(const Op* op);
    // Leaves the block after `op`, continuing at `target` (indirect branches): straight into
    // the cached block there when it fits the budget, else back to the run loop.
    const Op* exit_to(const Op* op, uint64_t target)
    {
        s.pc = target;
        retire_through(op);
        return chain();
    }
    // exit_to() for a branch to a register (BR, BLR, RET): with TBI, the tag byte is not part
    // of the pc. Stripping it is a call out of line, so that the usual way needs no stack frame.
    const Op* exit_indirect(const Op* op, uint64_t target)
    {
        if (__builtin_expect(tbi_, 0))
            return exit_tagged(op, target);
        return exit_to(op, target);
    }
    // The same for a direct branch: `taken` says which of the block's two static exits this
    // is (the other one goes on after the branch), and that exit keeps a link to its block.
    const Op* exit_direct(const Op* op, uint64_t target, bool taken)
    {
        s.pc = target;
        retire_through(op);
        return chain_direct(taken ? 0 : 1);
    }
    // The end of a block that fell through its last instruction.
    const Op* fall_through(const Op* op)
    {
        s.pc = pc_of(op);
        return chain_direct(1);
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
    // must return null. kUnprivileged: LDTR/STTR, which EL1 makes with EL0's permissions.
    template <class T, bool kUnprivileged = false>
    bool read(uint64_t va, T& out, const Op* op)
    {
        if (__builtin_expect(read_fast<T, kUnprivileged>(va, out), 1))
            return true;
        uint64_t v;
        if (!read_slow(va, sizeof(T), v, op, kUnprivileged ? 0 : s.el, DataAccess::Read))
            return false;
        out = static_cast<T>(v);
        return true;
    }

    template <class T, bool kUnprivileged = false>
    bool write(uint64_t va, T value, const Op* op)
    {
        if (__builtin_expect(write_fast<T, kUnprivileged>(va, value), 1))
            return true;
        return write_slow(va, sizeof(T), value, op, kUnprivileged ? 0 : s.el);
    }

    // The hit paths of read() and write(): RAM through the flat window or the TLB, never a
    // device or a page holding code, so nothing that ends a block. False: nothing was
    // accessed, and read() or write() must do it. Always inline: they are most of every
    // load and store handler, and the compiler's budget gives out with the many handlers.
    template <class T, bool kUnprivileged = false>
    [[gnu::always_inline]] bool read_fast(uint64_t va, T& out) const
    {
        uint64_t off = va - ram_.base;
        if (__builtin_expect(off < flat_limit_, 1)) {
            std::memcpy(&out, ram_.host + off, sizeof(T));
            return true;
        }
        const DataTlbEntry& e = data_tlb_entry(kUnprivileged ? 0 : s.el, va);
        if (__builtin_expect(e.read == last_page<T>(va), 1)) {
            std::memcpy(&out, reinterpret_cast<const uint8_t*>(e.addend + va), sizeof(T));
            return true;
        }
        return false;
    }
    template <class T, bool kUnprivileged = false>
    [[gnu::always_inline]] bool write_fast(uint64_t va, T value)
    {
        uint64_t off = va - ram_.base;
        // Within one page (every aligned store, nearly every other): one code-page test and
        // one dirty mark. A store across two pages takes the slow path.
        bool in_page = off % sizeof(T) == 0 || (off & (kPageSize - 1)) <= kPageSize - sizeof(T);
        if (__builtin_expect(off < flat_limit_ && in_page, 1)) {
            uint8_t* host = ram_.host;
            uint8_t* dirty = ram_.dirty_page;
            uint64_t page = off >> kPageBits;
            if (__builtin_expect(ram_.code_page[page] == 0, 1)) {
                std::memcpy(host + off, &value, sizeof(T));
                dirty[page] = kPageWritten;
                return true;
            }
        }
        const DataTlbEntry& e = data_tlb_entry(kUnprivileged ? 0 : s.el, va);
        if (__builtin_expect(e.write == last_page<T>(va), 1)) {
            std::memcpy(reinterpret_cast<uint8_t*>(e.addend + va), &value, sizeof(T));
            *e.dirty = kPageWritten;
            return true;
        }
        return false;
    }

    // The read of an atomic read-modify-write (CAS, LD<op>, SWP): it needs write permission
    // too, even when nothing ends up written (AccType_ATOMICRW).
    template <class T>
    bool read_for_update(uint64_t va, T& out, const Op* op)
    {
        uint64_t off = va - ram_.base;
        if (__builtin_expect(off < flat_limit_, 1)) {
            std::memcpy(&out, ram_.host + off, sizeof(T));
            return true;
        }
        const DataTlbEntry& e = data_tlb_entry(s.el, va);
        if (__builtin_expect(e.write == last_page<T>(va), 1)) {
            std::memcpy(&out, reinterpret_cast<const uint8_t*>(e.addend + va), sizeof(T));
            return true;
        }
        uint64_t v;
        if (!read_slow(va, sizeof(T), v, op, s.el, DataAccess::Atomic))
            return false;
        out = static_cast<T>(v);
        return true;
    }

    // SCTLR_EL1.SA (at EL1) or SA0 (at EL0): loads and stores based on SP check its alignment.
    bool sp_alignment_checked() const { return (s.sys.sctlr_el1 >> (s.el ? 3 : 4)) & 1; }

    // Guest memory at virtual addresses as semihosting (or a debugger) sees it: through the
    // current translation, without permission checks, faults or TLB fills. False when some
    // byte is not mapped to RAM.
    bool read_virtual(uint64_t va, void* out, uint64_t len);
    bool write_virtual(uint64_t va, const void* in, uint64_t len);

    // Raises an alignment fault unless va is a multiple of `align` (exclusives, atomics).
    bool check_alignment(uint64_t va, unsigned align, bool is_write, const Op* op);

    // The exclusive monitor (LDXR/STXR): one address range, cleared by CLREX and ERET.
    struct Monitor {
        bool valid = false;
        uint64_t addr = 0;
        unsigned size = 0;
    } monitor;

    // System registers (MRS/MSR) by their 16-bit op0:op1:CRn:CRm:op2 key. Undefined: no such
    // register here; Trapped: EL0 may not use it now (see sysreg_trap()).
    enum class SysregAccess { Done, Undefined, Trapped };
    SysregAccess sysreg_read(uint32_t key, uint64_t& value, const Op* op);
    SysregAccess sysreg_write(uint32_t key, uint64_t value, const Op* op);

    // MRS/MSR at EL0 of a register whose EL0 access a control bit denies (SCTLR_EL1.UCT and
    // UMA, CNTKCTL_EL1): the trap to EL1 with EC 0x18 and the instruction's encoding.
    const Op* sysreg_trap(const Op* op);
    // Called after a write to SCTLR, TCR, TTBR0/1 or MAIR_EL1: translations may have changed.
    void translation_changed();

    // Where an indirect branch to `target` goes: with TBI, the tag byte is not part of the PC.
    uint64_t branch_target(uint64_t target) const
    {
        return __builtin_expect(tbi_, 0) ? strip_tag(s.sys, target) : target;
    }

    // Exception return: restores PSTATE from SPSR_EL1 and jumps to ELR_EL1.
    const Op* exception_return(const Op* op);
    // WFI: idles unless an interrupt is already pending.
    const Op* wait_for_interrupt(const Op* op);
    const Op* hypervisor_call(const Op* op, bool is_smc, uint16_t imm);
    const Op* semihosting_call(const Op* op);
    // WFI and WFE at EL0 while SCTLR_EL1.nTWI/nTWE trap them: EC 0x01 to EL1.
    const Op* wfx_trap(const Op* op, bool is_wfe);
    // DC ZVA: zeroes the naturally aligned block of 64 bytes holding va.
    const Op* zero_block(const Op* op, uint64_t va);
    // DC CVAC, CVAU, CIVAC, IVAC and IC IVAU: translate va (caches are not modelled), and
    // take the Data Abort the architecture asks for (CM set).
    const Op* cache_maintenance(const Op* op, uint64_t va, bool invalidate);
    // AT S1E0R, S1E0W, S1E1R, S1E1W: PAR_EL1 from a stage 1 walk with EL `el`'s permissions.
    void address_translate(uint64_t va, unsigned el, bool is_write);
    // TLBI VMALLE1(IS), VAE1(IS), ASIDE1(IS), VAAE1(IS), VALE1(IS), VAALE1(IS) (op2 of the
    // encoding), with Xt.
    void tlb_invalidate(unsigned op2, uint64_t xt);

    // PSTATE packed as SPSR_ELx holds it, between runs.
    uint64_t pstate_to_spsr() const { return pack_pstate(s.nzcv); }
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
    BlockT* build_partial(BlockT* b, unsigned room) { return build_block(scratch(), b->pc, s.pc, room); }
    // With the MMU on, the pc's page must be in the TLB as executable at the current EL, unless
    // it is the page of the block that branches (the EL cannot have changed within a block).
    BlockT* chain_lookup()
    {
        if (__builtin_expect(!mmu_on_, 1))
            return cache_.find_recent(s.pc);
        if (((s.pc ^ block_pc_) & ~(kPageSize - 1)) == 0)
            return cache_.find_recent((current_->pc & ~(kPageSize - 1)) | (s.pc & (kPageSize - 1)));
        const FetchTlbEntry& e = fetch_tlb_entry(s.el, s.pc);
        if (e.exec != (s.pc & ~(kPageSize - 1)))
            return nullptr;
        return cache_.find_recent(e.pa_page | (s.pc & (kPageSize - 1)));
    }
    // A static exit may keep the block it found when the MMU is off (the physical pc is the
    // pc; turning the MMU on is a translation change, which drops links) or when the exit stays
    // in the page of the running block (chain_lookup() then takes the physical page from the
    // block itself, whatever the translation, the EL or the virtual address it runs at).
    bool link_allowed() const
    {
        return !mmu_on_ || ((s.pc ^ block_pc_) & ~(kPageSize - 1)) == 0;
    }
    // Stores to the page must now take the slow path, which invalidates its blocks.
    void on_new_code_page(PhysAddr page);

private:
    // The TLB: for each EL, translated 4 KiB pages of RAM. A data entry says which accesses
    // may use the host pointer, a fetch entry where executable code is. Tags are the page
    // address of the virtual address as the instruction gave it (tag byte included), so a
    // hit needs no TBI handling; kTlbEmpty never matches. Sizes are powers of two, so that
    // finding an entry is shifts and adds.
    struct DataTlbEntry {
        uint64_t read;
        uint64_t write;
        uintptr_t addend;  // host address minus virtual address
        uint8_t* dirty;    // the page's byte in its RAM region's dirty map: names the page
    };
    struct FetchTlbEntry {
        uint64_t exec;
        PhysAddr pa_page;
    };
    static_assert(sizeof(DataTlbEntry) == 32 && sizeof(FetchTlbEntry) == 16);
    static constexpr uint64_t kTlbEmpty = ~uint64_t{0};
    static constexpr unsigned kTlbBits = 8;
    static constexpr DataTlbEntry kEmptyDataEntry{kTlbEmpty, kTlbEmpty, 0, nullptr};
    static constexpr FetchTlbEntry kEmptyFetchEntry{kTlbEmpty, 0};

    // What a data access is for, as the permission checks and the syndrome see it.
    enum class DataAccess : uint8_t {
        Read,
        Write,
        Atomic,           // read and write permission; a Permission fault for reading reports a read
        ZeroBlock,        // DC ZVA: a write; Device memory is an Alignment fault
        CacheClean,       // DC CVAC/CVAU/CIVAC, IC IVAU: EL0 needs read permission, EL1 nothing
        CacheInvalidate,  // DC IVAC: write permission
    };

    static unsigned tlb_index(uint64_t va) { return (va >> kPageBits) & ((1u << kTlbBits) - 1); }
    const DataTlbEntry& data_tlb_entry(unsigned el, uint64_t va) const { return data_tlb_[el][tlb_index(va)]; }
    const FetchTlbEntry& fetch_tlb_entry(unsigned el, uint64_t va) const { return fetch_tlb_[el][tlb_index(va)]; }
    // The page of an access's last byte: equal to its TLB entry's tag only if the whole access
    // lies in that page.
    template <class T>
    static uint64_t last_page(uint64_t va)
    {
        return (va + sizeof(T) - 1) & ~(kPageSize - 1);
    }

    [[gnu::noinline]] const Op* exit_tagged(const Op* op, uint64_t target)
    {
        return exit_to(op, strip_tag(s.sys, target));
    }
    BlockT* build_block(BlockT* b, PhysAddr pa, uint64_t pc, unsigned max_insns);
    // What a branch at word `word` of pa's page skips when it jumps `offset` bytes (trace.h).
    SkippedPath skipped_path(PhysAddr pa, int64_t word, int64_t offset) const;
    uint64_t pack_pstate(uint32_t nzcv) const;
    void enter_exception(unsigned vector_offset, uint64_t preferred_return);
    // An instruction abort (or PC alignment fault) for the fetch at s.pc: nothing retires.
    void fetch_fault(ExceptionClass ec, uint32_t iss);
    // The physical address of the instruction at s.pc, or false once the fault is taken.
    bool translate_fetch(PhysAddr& pa);
    // Translates a data access for EL `el`, checks its permissions and memory type, and
    // raises the Data Abort when it fails.
    bool translate_data(uint64_t va, unsigned size, DataAccess kind, unsigned el, const Op* op, Translation& t);
    bool read_slow(uint64_t va, unsigned size, uint64_t& value, const Op* op, unsigned el, DataAccess kind);
    bool write_slow(uint64_t va, unsigned size, uint64_t value, const Op* op, unsigned el);
    // Tells the bus's access watch (core/access_watch.h) of a data access made by `op`.
    void note_watched(uint64_t va, unsigned size, bool is_write, const Op* op);
    // One part of an access within one page, once translated.
    bool read_physical(PhysAddr pa, unsigned size, uint64_t& value, uint64_t va, const Op* op);
    bool write_physical(PhysAddr pa, unsigned size, uint64_t value, uint64_t va, const Op* op);
    const Op* data_abort(const Op* op, uint64_t far, uint32_t fsc, bool wnr, bool cache_maintenance = false);
    // Whether SCTLR_EL1.A asks every data access to be aligned.
    bool alignment_checked() const { return (s.sys.sctlr_el1 >> 1) & 1; }
    void fill_data_tlb(unsigned el, uint64_t va, const Translation& t);
    void fill_fetch_tlb(unsigned el, uint64_t va, const Translation& t);
    void flush_tlb();

    Platform& platform_;
    bool irq_line_ = false;
    bool fiq_line_ = false;

    // Derived from the system registers by translation_changed(); host state, not saved.
    bool mmu_on_ = false;
    bool tbi_ = false;
    // Accesses at offsets below this from ram_.base use the flat window: the RAM size less 7
    // (any access up to 8 bytes fits), or 0 while the MMU or alignment checking is on.
    uint64_t flat_limit_ = 0;
    DataTlbEntry data_tlb_[2][1u << kTlbBits];
    FetchTlbEntry fetch_tlb_[2][1u << kTlbBits];
    // What each entry was filled from: its page and log2 of the page or block that mapped it.
    // A TLBI by address reads them to find the entries of large blocks holding the address.
    // A flush leaves them: a stale one names an empty entry, and clearing that changes nothing.
    struct TlbSource {
        uint64_t page = 0;
        unsigned block_bits = 0;
    };
    TlbSource data_tlb_source_[2][1u << kTlbBits] = {};
    TlbSource fetch_tlb_source_[2][1u << kTlbBits] = {};
    // Since the last flush: log2 of the largest page or small block (up to kMaxSweepBits)
    // behind an entry, how far a TLBI by address sweeps; and the span of VA[55:0] the larger
    // blocks behind entries cover (empty: first > last), where a TLBI by address looks their
    // entries up by their sources. Linux's kernel blocks and its user pages lie far apart.
    static constexpr unsigned kMaxSweepBits = kPageBits + 4;
    unsigned tlb_max_block_bits_ = kPageBits;
    uint64_t tlb_large_first_ = ~uint64_t{0};
    uint64_t tlb_large_last_ = 0;
    void note_tlb_source(TlbSource& source, uint64_t va, unsigned block_bits);
};

}  // namespace emu::a64
