#include "support/fake_debug_target.h"

#include <algorithm>
#include <cstring>

#include "debug/target_description.h"

namespace emu::test {

using debug::A64Reg;
using debug::Arch;
using debug::I386Reg;
using debug::StopEvent;
using debug::StopKind;
using debug::WatchSide;

namespace {

constexpr uint64_t kA64Code = 0x40080000;
constexpr uint64_t kA64Data = 0x40090000;
constexpr uint64_t kA64StackTop = 0x400a0000;
constexpr uint64_t kI386Code = 0x00100000;
constexpr uint64_t kI386Data = 0x00200000;
constexpr uint64_t kI386StackTop = 0x00300000;

// The loop's encodings (checked against binutils) and each instruction's offset.
constexpr uint32_t kA64Insns[FakeDebugTarget::kLoopLength] = {0x91000400, 0xb9000020, 0xb9400422, 0x8b020063,
                                                              0x17fffffc};
constexpr uint8_t kI386Insns[] = {0x40, 0x89, 0x03, 0x8b, 0x53, 0x04, 0x01, 0xd1, 0xeb, 0xf6};
constexpr unsigned kI386Offsets[FakeDebugTarget::kLoopLength] = {0, 1, 3, 6, 8};

// The rest of the register file, constant in this machine.
constexpr uint64_t kA64Pstate = 0x3c5;  // EL1h, DAIF masked
constexpr uint64_t kA64Sctlr = 0x00c50838;
constexpr uint64_t kI386Eflags = 0x46;  // ZF PF and the fixed bit 1
constexpr uint64_t kI386Cr0 = 0x11;     // PE ET
constexpr uint64_t kCodeSegment = 0x08;
constexpr uint64_t kDataSegment = 0x10;

// The polls of the interrupt check, every so many instructions as the interface asks.
constexpr uint64_t kPollEvery = 64;

// Watchpoint hits rank before breakpoints, breakpoints before icount breakpoints.
int rank(StopKind kind)
{
    switch (kind) {
    case StopKind::Watchpoint: return 0;
    case StopKind::Breakpoint: return 1;
    case StopKind::IcountBreakpoint: return 2;
    case StopKind::Stepped:
    case StopKind::Interrupted:
    case StopKind::RecordingBegin:
    case StopKind::RecordingEnd:
        return 3;
    }
    return 3;
}

void put_le(std::span<uint8_t> out, uint64_t v)
{
    std::fill(out.begin(), out.end(), 0);
    for (size_t i = 0; i < out.size() && i < 8; ++i)
        out[i] = static_cast<uint8_t>(v >> (8 * i));
}

bool contains(const std::vector<uint64_t>& sorted, uint64_t v)
{
    return std::binary_search(sorted.begin(), sorted.end(), v);
}

}  // namespace

FakeDebugTarget::FakeDebugTarget(Arch arch, uint64_t length, uint64_t checkpoint_every)
    : arch_(arch), length_(length), checkpoint_every_(std::max<uint64_t>(checkpoint_every, 1))
{
    State s = initial_state();
    for (uint64_t k = 0; k <= length_; ++k) {
        if (k % checkpoint_every_ == 0)
            checkpoints_.push_back(s);
        if (k < length_)
            execute(s);
    }
    state_ = initial_state();
}

uint64_t FakeDebugTarget::code_base() const
{
    return arch_ == Arch::AArch64 ? kA64Code : kI386Code;
}

uint64_t FakeDebugTarget::data_base() const
{
    return arch_ == Arch::AArch64 ? kA64Data : kI386Data;
}

uint64_t FakeDebugTarget::stack_top() const
{
    return arch_ == Arch::AArch64 ? kA64StackTop : kI386StackTop;
}

uint64_t FakeDebugTarget::pc_of_instruction(unsigned index) const
{
    return code_base() + (arch_ == Arch::AArch64 ? 4 * index : kI386Offsets[index]);
}

FakeDebugTarget::State FakeDebugTarget::initial_state() const
{
    State s;
    uint32_t input = kInputValue;
    std::memcpy(s.data.data() + 4, &input, 4);
    return s;
}

std::optional<FakeDebugTarget::Access> FakeDebugTarget::access_of(const State& s, uint64_t data_base)
{
    switch (s.next) {
    case 1: return Access{data_base, 4, true};
    case 2: return Access{data_base + 4, 4, false};
    default: return std::nullopt;
    }
}

void FakeDebugTarget::execute(State& s) const
{
    switch (s.next) {
    case 0: s.counter = arch_ == Arch::AArch64 ? s.counter + 1 : static_cast<uint32_t>(s.counter + 1); break;
    case 1: {
        uint32_t v = static_cast<uint32_t>(s.counter);
        std::memcpy(s.data.data(), &v, 4);
        break;
    }
    case 2: {
        uint32_t v;
        std::memcpy(&v, s.data.data() + 4, 4);
        s.input = v;
        break;
    }
    case 3: s.sum = arch_ == Arch::AArch64 ? s.sum + s.input : static_cast<uint32_t>(s.sum + s.input); break;
    default: break;
    }
    s.next = (s.next + 1) % kLoopLength;
}

uint64_t FakeDebugTarget::pc_of(const State& s) const
{
    return pc_of_instruction(s.next);
}

FakeDebugTarget::State FakeDebugTarget::state_at(uint64_t icount) const
{
    uint64_t k = icount / checkpoint_every_;
    State s = checkpoints_[k];
    for (uint64_t i = k * checkpoint_every_; i < icount; ++i)
        execute(s);
    return s;
}

uint64_t FakeDebugTarget::pc_at(uint64_t icount) const
{
    return pc_of(state_at(icount));
}

uint32_t FakeDebugTarget::counter_at(uint64_t icount) const
{
    uint32_t v;
    std::memcpy(&v, state_at(icount).data.data(), 4);
    return v;
}

void FakeDebugTarget::move_to(uint64_t icount, const State& s)
{
    icount_ = icount;
    state_ = s;
}

std::vector<uint64_t> FakeDebugTarget::checkpoints() const
{
    std::vector<uint64_t> out;
    for (size_t k = 0; k < checkpoints_.size(); ++k)
        out.push_back(k * checkpoint_every_);
    return out;
}

Result<Done> FakeDebugTarget::seek(uint64_t icount)
{
    if (icount > length_)
        return Error{ExitStatus::Usage, "icount " + std::to_string(icount) + " is past the end of the recording (" +
                                            std::to_string(length_) + ")"};
    move_to(icount, state_at(icount));
    return Done{};
}

bool FakeDebugTarget::read_register(unsigned regnum, std::span<uint8_t> out)
{
    const State& s = state_;
    if (arch_ == Arch::AArch64) {
        if (regnum >= static_cast<unsigned>(A64Reg::v0) && regnum <= static_cast<unsigned>(A64Reg::v31)) {
            // v0 holds 00 11 22 .. ff so that tests see a full 128-bit value; the rest are zero.
            for (size_t i = 0; i < out.size(); ++i)
                out[i] = regnum == static_cast<unsigned>(A64Reg::v0) ? static_cast<uint8_t>(0x11 * i) : 0;
            return true;
        }
        uint64_t v = 0;
        switch (static_cast<A64Reg>(regnum)) {
        case A64Reg::x0: v = s.counter; break;
        case A64Reg::x1: v = kA64Data; break;
        case A64Reg::x2: v = s.input; break;
        case A64Reg::x3: v = s.sum; break;
        case A64Reg::sp:
        case A64Reg::sp_el1: v = kA64StackTop; break;
        case A64Reg::pc: v = pc_of(s); break;
        case A64Reg::cpsr: v = kA64Pstate; break;
        case A64Reg::sctlr_el1: v = kA64Sctlr; break;
        default: v = 0; break;  // every other register of the machine is zero
        }
        put_le(out, v);
        return true;
    }
    uint64_t v = 0;
    switch (static_cast<I386Reg>(regnum)) {
    case I386Reg::eax: v = s.counter; break;
    case I386Reg::ebx: v = kI386Data; break;
    case I386Reg::edx: v = s.input; break;
    case I386Reg::ecx: v = s.sum; break;
    case I386Reg::esp: v = kI386StackTop; break;
    case I386Reg::eip: v = pc_of(s); break;
    case I386Reg::eflags: v = kI386Eflags; break;
    case I386Reg::cs: v = kCodeSegment; break;
    case I386Reg::ss:
    case I386Reg::ds:
    case I386Reg::es:
    case I386Reg::fs:
    case I386Reg::gs: v = kDataSegment; break;
    case I386Reg::cr0: v = kI386Cr0; break;
    case I386Reg::st0:
    case I386Reg::st1:
    case I386Reg::st2:
    case I386Reg::st3:
    case I386Reg::st4:
    case I386Reg::st5:
    case I386Reg::st6:
    case I386Reg::st7:
    case I386Reg::fctrl:
    case I386Reg::fstat:
    case I386Reg::ftag:
    case I386Reg::fiseg:
    case I386Reg::fioff:
    case I386Reg::foseg:
    case I386Reg::fooff:
    case I386Reg::fop: return false;  // no FPU, as the rr-emu CPU
    default: v = 0; break;
    }
    put_le(out, v);
    return true;
}

size_t FakeDebugTarget::read_memory(uint64_t addr, std::span<uint8_t> out)
{
    uint8_t code[kCodeSize] = {};
    if (arch_ == Arch::AArch64)
        std::memcpy(code, kA64Insns, sizeof kA64Insns);
    else
        std::memcpy(code, kI386Insns, sizeof kI386Insns);
    uint8_t stack[kStackSize] = {};
    struct Region {
        uint64_t base;
        const uint8_t* bytes;
        size_t size;
    };
    const Region regions[] = {
        {code_base(), code, kCodeSize},
        {data_base(), state_.data.data(), kDataSize},
        {stack_top() - kStackSize, stack, kStackSize},
    };
    for (const Region& r : regions) {
        if (addr >= r.base && addr - r.base < r.size) {
            size_t n = std::min<uint64_t>(out.size(), r.size - (addr - r.base));
            std::memcpy(out.data(), r.bytes + (addr - r.base), n);
            return n;
        }
    }
    return 0;
}

std::vector<uint8_t> FakeDebugTarget::range_bytes(const State& s, const debug::Watchpoint& w) const
{
    // Only ranges inside the data memory have contents the instructions change.
    uint64_t base = data_base();
    if (w.addr < base || w.addr - base > kDataSize || w.length > kDataSize - (w.addr - base))
        return {};
    return std::vector<uint8_t>(s.data.begin() + static_cast<ptrdiff_t>(w.addr - base),
                                s.data.begin() + static_cast<ptrdiff_t>(w.addr - base + w.length));
}

std::optional<debug::WatchHit> FakeDebugTarget::watch_hit(const State& before, uint64_t icount,
                                                          const debug::StopConditions& c) const
{
    std::optional<Access> a = access_of(before, data_base());
    if (!a)
        return std::nullopt;
    for (const debug::Watchpoint& w : c.watchpoints) {
        bool kind_matches = w.kind == debug::WatchKind::Access || (w.kind == debug::WatchKind::Write) == a->write;
        bool overlaps = a->addr < w.addr + w.length && w.addr < a->addr + a->size;
        if (!kind_matches || !overlaps)
            continue;
        State after = before;
        execute(after);
        return debug::WatchHit{w, a->addr, a->write, icount, range_bytes(before, w), range_bytes(after, w)};
    }
    return std::nullopt;
}

StopEvent FakeDebugTarget::resume(debug::Direction direction, debug::Motion motion,
                                  const debug::StopConditions& conditions, const debug::InterruptCheck& interrupted)
{
    if (direction == debug::Direction::Forward)
        return forward(motion, conditions, interrupted);
    if (motion == debug::Motion::Step)
        return backward_step(conditions);
    return backward_continue(conditions, interrupted);
}

StopEvent FakeDebugTarget::forward(debug::Motion motion, const debug::StopConditions& c,
                                   const debug::InterruptCheck& interrupted)
{
    if (icount_ == length_)
        return {StopKind::RecordingEnd, {}};
    State s = state_;
    for (uint64_t k = icount_;;) {
        std::optional<debug::WatchHit> hit = watch_hit(s, k, c);
        if (hit && c.watch_side == WatchSide::BeforeAccess) {
            move_to(k, s);
            return {StopKind::Watchpoint, hit};
        }
        execute(s);
        ++k;
        if (hit) {
            move_to(k, s);
            return {StopKind::Watchpoint, hit};
        }
        StopKind kind = StopKind::Stepped;
        if (motion == debug::Motion::Step)
            kind = StopKind::Stepped;
        else if (contains(c.breakpoints, pc_of(s)))
            kind = StopKind::Breakpoint;
        else if (contains(c.icount_breakpoints, k))
            kind = StopKind::IcountBreakpoint;
        else if (k == length_)
            kind = StopKind::RecordingEnd;
        else if (k % kPollEvery == 0 && (++interrupt_polls_, interrupted()))
            kind = StopKind::Interrupted;
        else
            continue;
        move_to(k, s);
        return {kind, {}};
    }
}

StopEvent FakeDebugTarget::backward_step(const debug::StopConditions& c)
{
    if (icount_ == 0)
        return {StopKind::RecordingBegin, {}};
    State previous = state_at(icount_ - 1);
    std::optional<debug::WatchHit> hit = watch_hit(previous, icount_ - 1, c);
    if (hit && c.watch_side == WatchSide::AfterAccess)
        return {StopKind::Watchpoint, hit};  // the access is right behind us: no move
    move_to(icount_ - 1, previous);
    if (hit)
        return {StopKind::Watchpoint, hit};
    return {StopKind::Stepped, {}};
}

StopEvent FakeDebugTarget::backward_continue(const debug::StopConditions& c, const debug::InterruptCheck& interrupted)
{
    uint64_t here = icount_;
    if (here == 0)
        return {StopKind::RecordingBegin, {}};
    // Windows of positions [lo, hi), latest first, each replayed forward from its checkpoint (and
    // one instruction before it, whose access may place a stop at lo). In a window the latest
    // candidate wins, the better kind at equal icounts. Only a watchpoint hit placed after its
    // access may be at `here` itself.
    uint64_t hi = here + 1;
    for (;;) {
        uint64_t lo = (hi - 1) / checkpoint_every_ * checkpoint_every_;
        std::optional<Candidate> best;
        auto consider = [&](uint64_t icount, StopKind kind, std::optional<debug::WatchHit> hit) {
            if (!best || icount > best->icount || (icount == best->icount && rank(kind) < rank(best->kind)))
                best = Candidate{icount, kind, std::move(hit)};
        };
        uint64_t k = lo > 0 ? lo - 1 : lo;
        State s = state_at(k);
        for (; k < hi; ++k) {
            std::optional<debug::WatchHit> hit = k < here ? watch_hit(s, k, c) : std::nullopt;
            if (k >= lo && k < here) {
                if (hit && c.watch_side == WatchSide::BeforeAccess)
                    consider(k, StopKind::Watchpoint, hit);
                if (contains(c.breakpoints, pc_of(s)))
                    consider(k, StopKind::Breakpoint, std::nullopt);
                if (contains(c.icount_breakpoints, k))
                    consider(k, StopKind::IcountBreakpoint, std::nullopt);
            }
            if (hit && c.watch_side == WatchSide::AfterAccess && k + 1 >= lo && k + 1 < hi)
                consider(k + 1, StopKind::Watchpoint, hit);
            if (k + 1 < hi)
                execute(s);
        }
        if (best) {
            move_to(best->icount, state_at(best->icount));
            return {best->kind, best->watch};
        }
        if (lo == 0) {
            move_to(0, state_at(0));
            return {StopKind::RecordingBegin, {}};
        }
        ++interrupt_polls_;
        if (interrupted()) {
            move_to(lo, state_at(lo));
            return {StopKind::Interrupted, {}};
        }
        hi = lo;
    }
}

}  // namespace emu::test
