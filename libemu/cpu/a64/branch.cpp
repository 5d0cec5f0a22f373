// A64 branches. Every branch ends its block; targets are computed from the instruction's own
// pc at run time, so a block does not depend on the address it was decoded at.
#include "cpu/a64/cpu.h"
#include "cpu/a64/fields.h"

namespace emu::a64 {

namespace {

const Op* B(Cpu& c, const Op* op) { return c.exit_direct(op, c.pc_of(op) + op->imm, true); }

const Op* BL(Cpu& c, const Op* op)
{
    uint64_t pc = c.pc_of(op);
    c.s.r[kLr] = pc + 4;
    return c.exit_direct(op, pc + op->imm, true);
}

const Op* B_cond(Cpu& c, const Op* op)
{
    uint64_t pc = c.pc_of(op);
    bool taken = condition_holds(op->a, c.s.nzcv);
    return c.exit_direct(op, taken ? pc + op->imm : pc + 4, taken);
}

template <bool kNonZero, bool k64>
const Op* CBZ(Cpu& c, const Op* op)
{
    uint64_t v = k64 ? c.s.r[op->rd] : static_cast<uint32_t>(c.s.r[op->rd]);
    uint64_t pc = c.pc_of(op);
    bool taken = (v != 0) == kNonZero;
    return c.exit_direct(op, taken ? pc + op->imm : pc + 4, taken);
}

template <bool kNonZero>
const Op* TBZ(Cpu& c, const Op* op)
{
    bool set = (c.s.r[op->rd] >> op->a) & 1u;
    uint64_t pc = c.pc_of(op);
    bool taken = set == kNonZero;
    return c.exit_direct(op, taken ? pc + op->imm : pc + 4, taken);
}

const Op* BR(Cpu& c, const Op* op) { return c.exit_to(op, c.branch_target(c.s.r[op->rn])); }

const Op* BLR(Cpu& c, const Op* op)
{
    uint64_t target = c.branch_target(c.s.r[op->rn]);  // read before LR is written: BLR X30 is legal
    c.s.r[kLr] = c.pc_of(op) + 4;
    return c.exit_to(op, target);
}

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
    op.fn = B_cond;
    op.a = static_cast<uint8_t>(bits(insn, 3, 0));
    op.imm = static_cast<uint64_t>(sign_extend(bits(insn, 23, 5), 19) * 4);
    return Build::EndBlock;
}

template <bool kNonZero>
static Build build_cb(Op& op, uint32_t insn)
{
    op.fn = bit(insn, 31) ? CBZ<kNonZero, true> : CBZ<kNonZero, false>;
    op.rd = src_zr(bits(insn, 4, 0));
    op.imm = static_cast<uint64_t>(sign_extend(bits(insn, 23, 5), 19) * 4);
    return Build::EndBlock;
}

Build build_CBZ(Op& op, uint32_t insn) { return build_cb<false>(op, insn); }
Build build_CBNZ(Op& op, uint32_t insn) { return build_cb<true>(op, insn); }

template <bool kNonZero>
static Build build_tb(Op& op, uint32_t insn)
{
    op.fn = TBZ<kNonZero>;
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

}  // namespace emu::a64
