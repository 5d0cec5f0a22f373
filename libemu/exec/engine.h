// The execution engine every CPU runs on (ARCHITECTURE.md, "Execution and time"): one run loop,
// one rule for budgets and chaining, one stop vocabulary, breakpoints and the exception-loop
// guard, over the shared block cache. A CPU is a front end that derives from
// Engine<Cpu, Op, MaxBlockInsns> (so that its hooks inline into the loop) and supplies:
//
//   uint64_t pc() const              the guest pc as a debugger sees it (AArch64 PC, i386 EIP)
//   bool interrupt_asserted() const  an interrupt input is up, masked or not
//   void take_interrupt()            takes it if the CPU accepts it now, waking an idle CPU as
//                                    its architecture says
//   BlockT* find_or_build()          the block at pc, cached or built with insert_block(); null
//                                    when the fetch faulted and the fault was delivered
//   BlockT* build_partial(BlockT* b, unsigned room)
//                                    b cut to `room` instructions, built in scratch()
//   BlockT* chain_lookup()           the cached block at pc, when it may be entered straight
//                                    from a branch; null sends control back to the loop
//   bool link_allowed() const        whether the block chain_lookup() just found for a static
//                                    exit of the running block will be the one found there
//                                    every time, until the block cache's generation moves
//   void on_new_code_page(PhysAddr)  stores to that page must now take the slow path
//
// Time: icount counts retired instructions. While a block runs, icount_ already holds the count
// at its end; a handler that looks at time asks exact_icount(op). Interrupts are taken only
// between blocks, and every instruction that can change what is pending or masked ends its
// block, so interrupts land at the same instruction however blocks happen to be cut. Blocks
// chain into each other without the loop only while the next one fits before the budget and
// the next timer deadline (chain_limit_), so budgets land on the exact instruction. A static
// exit (a direct branch, falling through) links to the block it found, and later follows the
// link without a lookup, under the same budget rule (chain_direct()).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/state_archive.h"
#include "core/stop_kind.h"
#include "exec/block_cache.h"

namespace emu {

// How run() returned.
enum class RunEnd {
    Budget,      // ran the instructions asked for
    Idle,        // the CPU waits for an interrupt: the machine decides how time moves on
    Paused,      // request_pause(), honoured at the next boundary after timers and interrupts
    Stopped,     // the run is over; stop() says how
    Breakpoint,  // the next instruction is at a breakpoint
};

// How a run ended, when the guest or the board ended it.
struct RunStop {
    StopKind kind = StopKind::PowerOff;
    int exit_code = 0;
    std::string detail;  // for kinds the guest causes by failing: what happened, and where
};

// What a board drives a CPU by, whatever its architecture: calls per slice, never per
// instruction, so they may be virtual.
class CpuCore {
public:
    virtual RunEnd run(uint64_t max_insns) = 0;
    virtual uint64_t icount() const = 0;
    // The guest pc as a debugger sees it (AArch64 PC, i386 EIP).
    virtual uint64_t pc() const = 0;
    virtual void request_pause() = 0;
    virtual void request_stop(StopKind kind, int exit_code, std::string detail) = 0;
    virtual const std::optional<RunStop>& stop() const = 0;
    virtual void set_breakpoints(std::vector<uint64_t> pcs) = 0;
    // Every piece of architectural state and the instruction count, both ways (snapshots).
    virtual void serialize(StateArchive& a) = 0;

protected:
    ~CpuCore() = default;
};

template <class Front, class Op, unsigned MaxBlockInsns>
class Engine : public CpuCore {
public:
    using BlockT = Block<Op>;
    static constexpr unsigned kMaxBlockInsns = MaxBlockInsns;
    // Exceptions entered one after another at the same icount before the run counts as an
    // exception loop: far more than any nesting a working guest shows (an interrupt, a fault
    // in its handler, a fault delivering that), far fewer than a host would notice.
    static constexpr unsigned kMaxExceptionStreak = 64;

    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Runs at most max_insns instructions; see RunEnd.
    RunEnd run(uint64_t max_insns) override;
    uint64_t icount() const override { return icount_; }
    bool halted() const { return halted_; }

    // Ends the run after the instruction executing now (or before the next one): power off,
    // reset, a guest exit, something unsupported. The first request wins.
    void request_stop(StopKind kind, int exit_code = 0, std::string detail = {}) override
    {
        if (!stop_)
            stop_ = RunStop{kind, exit_code, std::move(detail)};
    }
    const std::optional<RunStop>& stop() const override { return stop_; }
    // Makes run() return Paused at the next instruction boundary, after it has fired the timers
    // and taken the interrupts due there: where a recorder or replayer delivers input, however
    // the run was cut.
    void request_pause() override { pause_requested_ = true; }

    // Guest pcs (pc()) where run() returns Breakpoint before executing the instruction, except
    // at the pc where the run started (so that a run resumes from a breakpoint). Blocks are
    // cut so that each breakpoint starts one, and such blocks are only entered from the loop:
    // breakpoints cost nothing elsewhere.
    void set_breakpoints(std::vector<uint64_t> pcs) override
    {
        std::sort(pcs.begin(), pcs.end());
        pcs.erase(std::unique(pcs.begin(), pcs.end()), pcs.end());
        breakpoints_ = std::move(pcs);
        flush_translations();
    }
    const std::vector<uint64_t>& breakpoints() const { return breakpoints_; }

    // Statistics for reports and benchmarks.
    const BlockCache<Op>& cache() const { return cache_; }

    // Off: every block is entered from the run loop, looked up afresh; nothing is chained or
    // linked, and front ends build plain blocks (no traces). The reference the fast path is
    // tested against, and a benchmark baseline.
    void set_chaining(bool on)
    {
        if (on != chaining_)
            flush_translations();
        chaining_ = on;
    }
    bool chaining() const { return chaining_; }

    // --- services for instruction handlers ---------------------------------------------------

    // icount as the instruction `op` sees it: every earlier instruction plus itself.
    uint64_t exact_icount(const Op* op) const { return block_start_icount_ + op->idx + 1; }
    // Runs the op after `op` as a tail call instead of returning to the dispatch loop: one
    // indirect jump per op rather than a return, a loop test and a call. The chain of calls
    // never leaves the block (a block exit returns), so without tail calls (-O0, sanitizers)
    // the stack grows by at most one block's ops. The pointer moves before the handler is
    // loaded, and the empty asm keeps GCC from folding the add into the load: a handler then
    // ends in `add; jmp *(reg)` rather than lea, load, move and jump.
    const Op* step(const Op* op)
    {
        ++op;
        asm("" : "+r"(op));
        return op->fn(front(), op);
    }
    // After a memory or port access: the next op, or out of the block when the access touched
    // a device or code of the running block. Only as a handler's return value.
    const Op* next(const Op* op) { return __builtin_expect(io_exit_, 0) ? front().exit_after(op) : step(op); }
    // STI and MOV SS: no interrupt is taken before the next instruction completes.
    void hold_interrupts_one_instruction() { interrupt_shadow_ = true; }

protected:
    Engine(Bus& bus, VirtualClock& clock) : bus_(bus), clock_(clock)
    {
        bus_.set_code_write_listener([this](PhysAddr page) { on_code_write(page); });
        if (!bus_.ram_regions().empty()) {
            RamRegion& r = bus_.ram_regions()[0];
            ram_ = RamWindow{r.host.get(), r.base, r.size, r.code_page.data(), r.dirty_page.data()};
        }
    }

    Front& front() { return static_cast<Front&>(*this); }

    // icount once `op` has retired, or before it when it does not (a fault).
    void retire_through(const Op* op) { icount_ = block_start_icount_ + op->idx + 1; }
    void retire_before(const Op* op) { icount_ = block_start_icount_ + op->idx; }

    // Enters the cached block at pc without going back to the loop, when it fits before
    // chain_limit_; null otherwise.
    const Op* chain()
    {
        BlockT* b = front().chain_lookup();
        if (!b || !fits(b))
            return nullptr;
        enter(b);
        return b->ops();
    }
    // chain() for static exit `k` of the running block (see Block::link): the block this exit
    // reached last time, unless the cache's generation moved since (a block died, a flush, a
    // translation change); else a lookup, which links the exit when the front end allows.
    const Op* chain_direct(unsigned k)
    {
        BlockT* cur = current_;
        BlockT* b = cur->link[k];
        if (__builtin_expect(!b || cur->link_generation != cache_.generation(), 0))
            return chain_and_link(k);
        if (!fits(b))
            return nullptr;
        enter(b);
        return b->ops();
    }

    // Whether a block being built must end before the instruction at `pc` (a breakpoint).
    bool block_ends_before(uint64_t pc) const { return !breakpoints_.empty() && is_breakpoint(pc); }
    // Marks how a freshly built block at guest pc `pc` may be entered: never by chaining when
    // it retires nothing (a fetch fault, which waits for the loop so that a due timer,
    // interrupt or budget acts first) or starts at a breakpoint.
    void set_chain_cost(BlockT* b, uint64_t pc) const
    {
        bool loop_only = b->n_insns == 0 || block_ends_before(pc);
        b->chain_cost = loop_only ? std::numeric_limits<uint32_t>::max() : b->n_insns;
    }
    // Space for a block of kMaxBlockInsns, flushing every translation when the cache is full.
    BlockT* allocate_block()
    {
        BlockT* b = cache_.allocate(kMaxBlockInsns + 1);
        if (!b) {
            flush_translations();
            b = cache_.allocate(kMaxBlockInsns + 1);
        }
        return b;
    }
    // Caches a block just built in allocate_block()'s space, and marks the RAM pages it was
    // decoded from, so that a store there invalidates it.
    void insert_block(BlockT* b)
    {
        cache_.insert(b, b->n_insns + 1);
        RamRegion* r = bus_.ram_at(b->pc);
        if (!r)
            return;
        uint64_t first = (b->pc - r->base) >> kPageBits;
        uint64_t last = (b->last_byte() - r->base) >> kPageBits;
        for (uint64_t p = first; p <= last && p < r->code_page.size(); p++) {
            if (!r->code_page[p]) {
                r->code_page[p] = 1;
                front().on_new_code_page(r->base + (p << kPageBits));
            }
        }
    }
    // Partial blocks (a budget shorter than a cached block) are built here and never cached.
    BlockT* scratch() { return reinterpret_cast<BlockT*>(scratch_); }

    // Drops every translated block (the cache is full, RAM was restored, breakpoints changed).
    void flush_translations()
    {
        cache_.flush();
        bus_.clear_code_pages();
    }

    // Counts an exception or interrupt entered now; true when so many came at this icount
    // that the guest is in a loop no instruction escapes (its handler faults at once, or its
    // vector cannot be fetched), which would otherwise spin for ever without time moving.
    bool exception_loop()
    {
        if (icount_ != exception_icount_) {
            exception_icount_ = icount_;
            exception_streak_ = 0;
        }
        return ++exception_streak_ >= kMaxExceptionStreak;
    }

    // The engine's share of a CPU's snapshot; loading drops the translated code.
    void serialize_engine(StateArchive& a)
    {
        a.field("icount", icount_);
        a.field("halted", halted_);
        a.field("interrupt_shadow", interrupt_shadow_);
        a.field("exception_icount", exception_icount_);
        a.field("exception_streak", exception_streak_);
        bool stopped = stop_.has_value();
        RunStop s = stop_.value_or(RunStop{});
        std::vector<uint8_t> detail(s.detail.begin(), s.detail.end());
        a.field("stopped", stopped);
        a.field("stop_kind", s.kind);
        a.field("stop_exit_code", s.exit_code);
        a.blob("stop_detail", detail);
        if (a.loading()) {
            stop_.reset();
            if (stopped)
                stop_ = RunStop{s.kind, s.exit_code, std::string(detail.begin(), detail.end())};
            flush_translations();
            clock_.set_icount(icount_);
            pause_requested_ = false;
        }
    }

    // The main RAM region, cached for the load/store fast paths.
    struct RamWindow {
        uint8_t* host = nullptr;
        PhysAddr base = 0;
        uint64_t size = 0;
        uint8_t* code_page = nullptr;
        uint8_t* dirty_page = nullptr;
    };

    Bus& bus_;
    VirtualClock& clock_;
    BlockCache<Op> cache_;
    RamWindow ram_;

    uint64_t icount_ = 0;
    uint64_t chain_limit_ = 0;  // icount a chained block may not pass: budget or next timer
    uint64_t block_start_icount_ = 0;
    uint64_t block_pc_ = 0;  // pc() where the running block started
    BlockT* current_ = nullptr;
    bool io_exit_ = false;
    bool halted_ = false;

private:
    // Whether b may be entered without the loop: it ends by chain_limit_ (0 with chaining
    // off, so never).
    bool fits(const BlockT* b) const { return icount_ + b->chain_cost <= chain_limit_; }
    [[gnu::noinline]] const Op* chain_and_link(unsigned k)
    {
        BlockT* b = front().chain_lookup();
        if (!b)
            return nullptr;
        if (front().link_allowed()) {
            BlockT* cur = current_;
            if (cur->link_generation != cache_.generation()) {
                cur->link[0] = cur->link[1] = nullptr;
                cur->link_generation = cache_.generation();
            }
            cur->link[k] = b;
        }
        if (!fits(b))
            return nullptr;
        enter(b);
        return b->ops();
    }
    void enter(BlockT* b)
    {
        current_ = b;
        block_pc_ = front().pc();
        block_start_icount_ = icount_;
        icount_ += b->n_insns;
    }
    void execute(BlockT* b)
    {
        enter(b);
        io_exit_ = false;
        const Op* op = b->ops();
        do {
            op = op->fn(front(), op);
        } while (op);
        current_ = nullptr;
    }
    void on_code_write(PhysAddr page)
    {
        if (RamRegion* r = bus_.ram_at(page))
            r->code_page[(page - r->base) >> kPageBits] = 0;
        // A partial block (scratch(), never cached) is rewritten too when its page is.
        bool running = cache_.invalidate_page(page, current_) || (current_ == scratch() && decoded_from(current_, page));
        if (running)
            io_exit_ = true;  // the running block was rewritten: leave it after this store
    }
    static bool decoded_from(const BlockT* b, PhysAddr page)
    {
        PhysAddr p = page >> kPageBits;
        return p >= b->pc >> kPageBits && p <= b->last_byte() >> kPageBits;
    }
    bool is_breakpoint(uint64_t pc) const { return std::binary_search(breakpoints_.begin(), breakpoints_.end(), pc); }

    std::optional<RunStop> stop_;
    bool chaining_ = true;
    bool pause_requested_ = false;
    bool interrupt_shadow_ = false;
    uint64_t exception_icount_ = std::numeric_limits<uint64_t>::max();
    uint32_t exception_streak_ = 0;
    std::vector<uint64_t> breakpoints_;
    alignas(64) std::byte scratch_[sizeof(BlockT) + (kMaxBlockInsns + 1) * sizeof(Op)];
};

template <class Front, class Op, unsigned MaxBlockInsns>
RunEnd Engine<Front, Op, MaxBlockInsns>::run(uint64_t max_insns)
{
    const uint64_t target = max_insns > VirtualClock::kNever - icount_ ? VirtualClock::kNever : icount_ + max_insns;
    const uint64_t start_icount = icount_;
    const uint64_t start_pc = front().pc();
    for (;;) {
        if (__builtin_expect(stop_.has_value(), 0))
            return RunEnd::Stopped;

        uint64_t deadline = clock_.next_deadline_icount();
        if (__builtin_expect(icount_ >= deadline, 0)) {
            clock_.set_icount(icount_);
            clock_.fire_due();
            deadline = clock_.next_deadline_icount();
        }
        if (__builtin_expect(front().interrupt_asserted() && !interrupt_shadow_, 0)) {
            clock_.set_icount(icount_);
            front().take_interrupt();
            if (stop_)
                return RunEnd::Stopped;
        }
        if (__builtin_expect(pause_requested_, 0)) {
            pause_requested_ = false;
            clock_.set_icount(icount_);
            return RunEnd::Paused;
        }
        if (__builtin_expect(halted_, 0)) {
            clock_.set_icount(icount_);
            return RunEnd::Idle;
        }
        if (icount_ >= target) {
            clock_.set_icount(icount_);
            return RunEnd::Budget;
        }
        if (__builtin_expect(!breakpoints_.empty(), 0)) {
            uint64_t pc = front().pc();
            if (is_breakpoint(pc) && !(icount_ == start_icount && pc == start_pc)) {
                clock_.set_icount(icount_);
                return RunEnd::Breakpoint;
            }
        }

        // A timer re-armed for now still lets one instruction run, so the loop always moves.
        uint64_t limit = std::min(target, std::max(deadline, icount_ + 1));
        if (interrupt_shadow_) {
            // One instruction, then the interrupt check.
            interrupt_shadow_ = false;
            limit = icount_ + 1;
        }
        // Chained blocks end by `limit`, and a block only the loop may enter (chain_cost
        // UINT32_MAX) must not fit however far away that is; with chaining off nothing fits.
        constexpr uint64_t kFarthest = std::numeric_limits<uint32_t>::max() - 1;
        chain_limit_ = chaining_ ? std::min(limit, icount_ + kFarthest) : 0;
        BlockT* b = front().find_or_build();
        if (!b)
            continue;
        if (b->n_insns > limit - icount_)
            b = front().build_partial(b, static_cast<unsigned>(limit - icount_));
        execute(b);
    }
}

}  // namespace emu
