// A64 branches. A branch ends its block unless a trace goes on through it (trace.h); targets
// are computed from the instruction's own pc at run time, so a block does not depend on the
// address it was decoded at.
#include <array>
#include <utility>

#include "cpu/a64/cpu.h"
#include "cpu/a64/fields.h"
#include "cpu/a64/trace.h"

namespace emu::a64 {

namespace {

const Op* B(Cpu& c, const Op* op) { return c.exit_direct(op, c.pc_of(op) + op->imm, true); }

const Op* BL(Cpu& c, const Op* op)
{
    uint64_t pc = c.pc_of(op);
    c.s.r[kLr] = pc + 4;
    return c.exit_direct(op, pc + op->imm, true);
}

const Op* BL_in_trace(Cpu& c, const Op* op)
{
    c.s.r[kLr] = c.pc_of(op) + 4;
    return c.step(op);
}

// The conditions of the conditional branches: whether the branch is taken. B.cond has one
// per condition, so that the test is a few host instructions on the flags.
template <unsigned kCond>
bool cond_taken(const Cpu& c, const Op*)
{
    return c.flags.holds<kCond>();
}

template <bool kNonZero, bool k64>
bool cb_taken(const Cpu& c, const Op* op)
{
    uint64_t v = k64 ? c.s.r[op->rd] : static_cast<uint32_t>(c.s.r[op->rd]);
    return (v != 0) == kNonZero;
}

template <bool kNonZero>
bool tb_taken(const Cpu& c, const Op* op)
{
    bool set = (c.s.r[op->rd] >> op->a) & 1u;
    return set == kNonZero;
}

using Condition = bool (*)(const Cpu&, const Op*);

// A conditional branch ending its block: both ways are static exits, each with its link.
template <Condition kTaken>
const Op* conditional(Cpu& c, const Op* op)
{
    uint64_t pc = c.pc_of(op);
    bool taken = kTaken(c, op);
    return c.exit_direct(op, taken ? pc + op->imm : pc + 4, taken);
}

// A conditional branch inside a trace that goes on the way kFollowTaken says; the other way
// leaves the block.
template <Condition kTaken, bool kFollowTaken>
const Op* conditional_in_trace(Cpu& c, const Op* op)
{
    bool taken = kTaken(c, op);
    if (__builtin_expect(taken == kFollowTaken, 1))
        return c.step(op);
    uint64_t pc = c.pc_of(op);
    return c.exit_to(op, taken ? pc + op->imm : pc + 4);
}

const Op* BR(Cpu& c, const Op* op) { return c.exit_indirect(op, c.s.r[op->rn]); }

const Op* BLR(Cpu& c, const Op* op)
{
    uint64_t target = c.s.r[op->rn];  // read before LR is written: BLR X30 is legal
    c.s.r[kLr] = c.pc_of(op) + 4;
    return c.exit_indirect(op, target);
}

// Each direct branch's block-ending handler beside its forms inside a trace: following the
// target, and (conditional branches) following the next instruction.
struct TraceForms {
    Handler ends_block;
    Handler follow_taken;
    Handler follow_next;
};

template <Condition kTaken>
constexpr TraceForms conditional_forms()
{
    return {conditional<kTaken>, conditional_in_trace<kTaken, true>, conditional_in_trace<kTaken, false>};
}

template <unsigned... kConds>
constexpr std::array<TraceForms, sizeof...(kConds)> b_cond_forms(std::integer_sequence<unsigned, kConds...>)
{
    return {conditional_forms<cond_taken<kConds>>()...};
}
// Indexed by the condition field.
constexpr auto kBCondForms = b_cond_forms(std::make_integer_sequence<unsigned, 16>());

// --- compare and branch --------------------------------------------------------------------------

// How a B.cond right after its compare runs: ending the block, or inside a trace going on to
// the target or to the next instruction.
enum class Way { EndsBlock, FollowTaken, FollowNext };

// CMP (immediate, or register unshifted) and the B.cond after it as one op: the compare's
// flags (its operands, flags.h), then the branch, with the condition decided from the operands
// in hand. The branch's op stays in the block (op + 1) for its pc, its icount and its offset.
template <bool k64, bool kImm, unsigned kCond, Way kWay>
const Op* compare_branch(Cpu& c, const Op* op)
{
    uint64_t x = c.s.r[op->rn];
    uint64_t y = kImm ? op->imm : c.s.r[op->rm];
    c.flags.set_compare<k64>(x, y);
    bool taken = sub_flags<k64>(x, y).template holds<kCond>();
    const Op* br = op + 1;
    if constexpr (kWay == Way::EndsBlock) {
        uint64_t pc = c.pc_of(br);
        return c.exit_direct(br, taken ? pc + br->imm : pc + 4, taken);
    } else {
        if (__builtin_expect(taken == (kWay == Way::FollowTaken), 1))
            return c.step(br);
        uint64_t pc = c.pc_of(br);
        return c.exit_to(br, taken ? pc + br->imm : pc + 4);
    }
}

// Indexed [width][immediate][condition][way]; AL and NV are not fused (nothing to gain).
using WayHandlers = std::array<Handler, 3>;
template <bool k64, bool kImm, unsigned kCond>
constexpr WayHandlers way_handlers()
{
    return {compare_branch<k64, kImm, kCond, Way::EndsBlock>, compare_branch<k64, kImm, kCond, Way::FollowTaken>,
            compare_branch<k64, kImm, kCond, Way::FollowNext>};
}
template <bool k64, bool kImm, unsigned... kConds>
constexpr std::array<WayHandlers, sizeof...(kConds)> cond_handlers(std::integer_sequence<unsigned, kConds...>)
{
    return {way_handlers<k64, kImm, kConds>()...};
}
template <bool k64, bool kImm>
constexpr auto kCompareBranch = cond_handlers<k64, kImm>(std::make_integer_sequence<unsigned, 14>());

constexpr TraceForms kTraceForms[] = {
    {B, nullptr, nullptr},  // inside a trace, B has no op (trace.h)
    {BL, BL_in_trace, nullptr},
    conditional_forms<cb_taken<false, false>>(),
    conditional_forms<cb_taken<false, true>>(),
    conditional_forms<cb_taken<true, false>>(),
    conditional_forms<cb_taken<true, true>>(),
    conditional_forms<tb_taken<false>>(),
    conditional_forms<tb_taken<true>>(),
};

}  // namespace

Build build_B(Op& op, uint32_t insn)
{
    op.fn = B;
    op.imm = static_cast<uint64_t>(sign_extend(bits(insn, 25, 0), 26) * 4);
    return Build::EndBlock;
}

Build build_BL(Op& op, uint32_t insn)
{
    build_B(op, insn);
    op.fn = BL;
    return Build::EndBlock;
}

Build build_B_cond(Op& op, uint32_t insn)
{
    op.fn = kBCondForms[bits(insn, 3, 0)].ends_block;
    op.imm = static_cast<uint64_t>(sign_extend(bits(insn, 23, 5), 19) * 4);
    return Build::EndBlock;
}

template <bool kNonZero>
static Build build_cb(Op& op, uint32_t insn)
{
    op.fn = bit(insn, 31) ? conditional<cb_taken<kNonZero, true>> : conditional<cb_taken<kNonZero, false>>;
    op.rd = src_zr(bits(insn, 4, 0));
    op.imm = static_cast<uint64_t>(sign_extend(bits(insn, 23, 5), 19) * 4);
    return Build::EndBlock;
}

Build build_CBZ(Op& op, uint32_t insn) { return build_cb<false>(op, insn); }
Build build_CBNZ(Op& op, uint32_t insn) { return build_cb<true>(op, insn); }

template <bool kNonZero>
static Build build_tb(Op& op, uint32_t insn)
{
    op.fn = conditional<tb_taken<kNonZero>>;
    op.rd = src_zr(bits(insn, 4, 0));
    op.a = static_cast<uint8_t>((bit(insn, 31) << 5) | bits(insn, 23, 19));
    op.imm = static_cast<uint64_t>(sign_extend(bits(insn, 18, 5), 14) * 4);
    return Build::EndBlock;
}

Build build_TBZ(Op& op, uint32_t insn) { return build_tb<false>(op, insn); }
Build build_TBNZ(Op& op, uint32_t insn) { return build_tb<true>(op, insn); }

Build build_BR(Op& op, uint32_t insn)
{
    op.fn = BR;
    op.rn = src_zr(bits(insn, 9, 5));
    return Build::EndBlock;
}

Build build_BLR(Op& op, uint32_t insn)
{
    build_BR(op, insn);
    op.fn = BLR;
    return Build::EndBlock;
}

Build build_RET(Op& op, uint32_t insn) { return build_BR(op, insn); }

bool returns(uint32_t insn)
{
    constexpr uint32_t kRetMask = 0xFFFFFC1F, kRet = 0xD65F0000, kEret = 0xD69F03E0;
    return (insn & kRetMask) == kRet || insn == kEret;
}

std::optional<TraceStep> trace_step(const Op& op, SkippedPath skipped)
{
    auto step = [&op, skipped](const TraceForms& f) {
        int64_t target = static_cast<int64_t>(op.imm);
        // A conditional branch backwards most likely closes a loop; forwards, it most likely
        // skips something rarely done, unless what it skips returns.
        if (!f.follow_next || target <= 0 || skipped == SkippedPath::Returns)
            return TraceStep{target, f.follow_taken};
        return TraceStep{4, f.follow_next};
    };
    for (const TraceForms& f : kTraceForms)
        if (op.fn == f.ends_block)
            return step(f);
    for (const TraceForms& f : kBCondForms)
        if (op.fn == f.ends_block)
            return step(f);
    return std::nullopt;
}

void fuse_compare_and_branch(Op& compare, const Op& branch)
{
    // CMP is SUBS to the zero register: (immediate) sf 1 1 100010 sh, (shifted register)
    // sf 1 1 01011 00 0 with LSL #0. Other SUBS forms stay two ops.
    bool imm = (compare.insn & 0x7F800000) == 0x71000000;
    bool reg = (compare.insn & 0x7FE00000) == 0x6B000000 && compare.a == 0;
    if ((!imm && !reg) || compare.rd != kSink)
        return;
    bool wide = compare.insn >> 31;
    for (unsigned cond = 0; cond < 14; cond++) {
        const TraceForms& f = kBCondForms[cond];
        int way = branch.fn == f.ends_block ? 0 : branch.fn == f.follow_taken ? 1 : branch.fn == f.follow_next ? 2 : -1;
        if (way < 0)
            continue;
        const auto& table = wide ? (imm ? kCompareBranch<true, true> : kCompareBranch<true, false>)
                                 : (imm ? kCompareBranch<false, true> : kCompareBranch<false, false>);
        compare.fn = table[cond][static_cast<unsigned>(way)];
        return;
    }
}

}  // namespace emu::a64
