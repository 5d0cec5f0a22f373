// A64 data processing with an immediate: PC-relative addresses, add/subtract, logical
// immediates, wide moves, bitfield moves and EXTR. Builders fold the operand width and the
// flag setting into the choice of handler and precompute immediates and masks, so that
// handlers only compute.
#include "cpu/a64/alu.h"
#include "cpu/a64/cpu.h"
#include "cpu/a64/fields.h"

namespace emu::a64 {

namespace {

__extension__ typedef unsigned __int128 u128;

// --- handlers ----------------------------------------------------------------------------------

const Op* ADR(Cpu& c, const Op* op)
{
    c.s.r[op->rd] = c.pc_of(op) + op->imm;
    return c.step(op);
}

const Op* ADRP(Cpu& c, const Op* op)
{
    c.s.r[op->rd] = (c.pc_of(op) & ~uint64_t{0xFFF}) + op->imm;
    return c.step(op);
}

template <AddSub kOp, bool k64>
const Op* AddSub_imm(Cpu& c, const Op* op)
{
    c.s.r[op->rd] = add_sub<kOp, k64>(c.s.r[op->rn], op->imm, c.flags);
    return c.step(op);
}

// The mask is already cut to the operand width, so AND needs no template for it.
const Op* AND_imm(Cpu& c, const Op* op)
{
    c.s.r[op->rd] = c.s.r[op->rn] & op->imm;
    return c.step(op);
}

template <bool k64>
const Op* ORR_imm(Cpu& c, const Op* op)
{
    c.s.r[op->rd] = to_width<k64>(c.s.r[op->rn] | op->imm);
    return c.step(op);
}

template <bool k64>
const Op* EOR_imm(Cpu& c, const Op* op)
{
    c.s.r[op->rd] = to_width<k64>(c.s.r[op->rn] ^ op->imm);
    return c.step(op);
}

template <bool k64>
const Op* ANDS_imm(Cpu& c, const Op* op)
{
    uint64_t r = c.s.r[op->rn] & op->imm;
    c.s.r[op->rd] = r;
    c.flags = logical_flags<k64>(r);
    return c.step(op);
}

// MOVZ, MOVN and ORR from the zero register all write a constant known at decode time.
const Op* MOV_imm(Cpu& c, const Op* op)
{
    c.s.r[op->rd] = op->imm;
    return c.step(op);
}

template <bool k64>
const Op* MOVK(Cpu& c, const Op* op)
{
    uint64_t keep = c.s.r[op->rd] & ~(uint64_t{0xFFFF} << op->a);
    c.s.r[op->rd] = to_width<k64>(keep | op->imm);
    return c.step(op);
}

// SBFM and UBFM as two shifts: the left shift by a = width-1-S drops the bits above the field's
// top bit S; the right shift by (a + R) mod width moves bit R to bit 0 when S >= R (xBFX), or
// the field's bit 0 up to bit width-R when S < R (xBFIZ, LSL). The arithmetic right shift
// replicates bit S, which is what SBFM puts above the field.
template <bool k64>
const Op* SBFM(Cpu& c, const Op* op)
{
    if constexpr (k64)
        c.s.r[op->rd] = static_cast<uint64_t>(static_cast<int64_t>(c.s.r[op->rn] << op->a) >> op->b);
    else
        c.s.r[op->rd] = static_cast<uint32_t>(static_cast<int32_t>(static_cast<uint32_t>(c.s.r[op->rn]) << op->a) >> op->b);
    return c.step(op);
}

template <bool k64>
const Op* UBFM(Cpu& c, const Op* op)
{
    if constexpr (k64)
        c.s.r[op->rd] = (c.s.r[op->rn] << op->a) >> op->b;
    else
        c.s.r[op->rd] = static_cast<uint32_t>(static_cast<uint32_t>(c.s.r[op->rn]) << op->a) >> op->b;
    return c.step(op);
}

// BFM: the rotated source replaces the destination where both DecodeBitMasks masks are set.
template <bool k64>
const Op* BFM(Cpu& c, const Op* op)
{
    uint64_t src;
    if constexpr (k64)
        src = std::rotr(c.s.r[op->rn], op->a);
    else
        src = std::rotr(static_cast<uint32_t>(c.s.r[op->rn]), op->a);
    c.s.r[op->rd] = to_width<k64>((c.s.r[op->rd] & ~op->imm) | (src & op->imm));
    return c.step(op);
}

// EXTR: the register pair Rn:Rm shifted right by lsb, without a branch for lsb == 0.
template <bool k64>
const Op* EXTR(Cpu& c, const Op* op)
{
    uint64_t n = c.s.r[op->rn];
    uint64_t m = c.s.r[op->rm];
    if constexpr (k64)
        c.s.r[op->rd] = static_cast<uint64_t>(((u128{n} << 64) | m) >> op->a);
    else
        c.s.r[op->rd] = static_cast<uint32_t>(((n << 32) | static_cast<uint32_t>(m)) >> op->a);
    return c.step(op);
}

// --- builders ----------------------------------------------------------------------------------

unsigned rd_field(uint32_t insn) { return bits(insn, 4, 0); }
unsigned rn_field(uint32_t insn) { return bits(insn, 9, 5); }
bool is_64bit(uint32_t insn) { return bit(insn, 31); }

// ADR and ADRP: immhi:immlo, a signed 21-bit value.
int64_t pc_rel_imm(uint32_t insn) { return sign_extend((bits(insn, 23, 5) << 2) | bits(insn, 30, 29), 21); }

// ADD/SUB (immediate): Rn may be the stack pointer, and so may Rd unless flags are set.
template <AddSub kOp>
Build build_add_sub_imm(Op& op, uint32_t insn)
{
    constexpr bool kSetsFlags = kOp == AddSub::ADDS || kOp == AddSub::SUBS;
    op.fn = is_64bit(insn) ? AddSub_imm<kOp, true> : AddSub_imm<kOp, false>;
    op.rd = kSetsFlags ? dst_zr(rd_field(insn)) : reg_sp(rd_field(insn));
    op.rn = reg_sp(rn_field(insn));
    op.imm = uint64_t{bits(insn, 21, 10)} << (bit(insn, 22) ? 12 : 0);
    return Build::Next;
}

// Logical (immediate). DecodeBitMasks rejects the reserved encodings: an element of all ones
// and N = 1 in a 32-bit operation.
std::optional<uint64_t> logical_imm(uint32_t insn)
{
    auto masks = decode_bit_masks(bit(insn, 22), bits(insn, 15, 10), bits(insn, 21, 16), true, is_64bit(insn) ? 64 : 32);
    if (!masks)
        return std::nullopt;
    return masks->wmask;
}

Build build_logical_imm(Op& op, uint32_t insn, Handler handler, uint8_t rd)
{
    std::optional<uint64_t> imm = logical_imm(insn);
    if (!imm)
        return Build::Undefined;
    op.fn = handler;
    op.rd = rd;
    op.rn = src_zr(rn_field(insn));
    op.imm = *imm;
    return Build::Next;
}

// Wide moves: the halfword position; 32-bit moves have only the low two.
std::optional<unsigned> move_wide_pos(uint32_t insn)
{
    unsigned hw = bits(insn, 22, 21);
    if (!is_64bit(insn) && hw >= 2)
        return std::nullopt;
    return 16 * hw;
}

// Bitfield moves: immr and imms, or nothing for the reserved encodings (N differing from sf,
// or a 32-bit operation with either field above 31).
struct BitfieldFields {
    unsigned r, s, width;
};

std::optional<BitfieldFields> bitfield_fields(uint32_t insn)
{
    unsigned sf = bit(insn, 31);
    unsigned r = bits(insn, 21, 16);
    unsigned s = bits(insn, 15, 10);
    if (bit(insn, 22) != sf || (!sf && (r >= 32 || s >= 32)))
        return std::nullopt;
    return BitfieldFields{r, s, sf ? 64u : 32u};
}

// SBFM and UBFM share the shift amounts explained above the handlers.
Build build_bitfield_shifts(Op& op, uint32_t insn, Handler h32, Handler h64)
{
    std::optional<BitfieldFields> f = bitfield_fields(insn);
    if (!f)
        return Build::Undefined;
    unsigned left = f->width - 1 - f->s;
    op.fn = f->width == 64 ? h64 : h32;
    op.rd = dst_zr(rd_field(insn));
    op.rn = src_zr(rn_field(insn));
    op.a = static_cast<uint8_t>(left);
    op.b = static_cast<uint8_t>((left + f->r) & (f->width - 1));
    return Build::Next;
}

}  // namespace

Build build_ADR(Op& op, uint32_t insn)
{
    op.fn = ADR;
    op.rd = dst_zr(rd_field(insn));
    op.imm = static_cast<uint64_t>(pc_rel_imm(insn));
    return Build::Next;
}

Build build_ADRP(Op& op, uint32_t insn)
{
    op.fn = ADRP;
    op.rd = dst_zr(rd_field(insn));
    op.imm = static_cast<uint64_t>(pc_rel_imm(insn)) << 12;
    return Build::Next;
}

Build build_ADD_imm(Op& op, uint32_t insn) { return build_add_sub_imm<AddSub::ADD>(op, insn); }
Build build_ADDS_imm(Op& op, uint32_t insn) { return build_add_sub_imm<AddSub::ADDS>(op, insn); }
Build build_SUB_imm(Op& op, uint32_t insn) { return build_add_sub_imm<AddSub::SUB>(op, insn); }
Build build_SUBS_imm(Op& op, uint32_t insn) { return build_add_sub_imm<AddSub::SUBS>(op, insn); }

Build build_AND_imm(Op& op, uint32_t insn)
{
    return build_logical_imm(op, insn, AND_imm, reg_sp(rd_field(insn)));
}

Build build_ORR_imm(Op& op, uint32_t insn)
{
    Build b = build_logical_imm(op, insn, is_64bit(insn) ? ORR_imm<true> : ORR_imm<false>, reg_sp(rd_field(insn)));
    // MOV (bitmask immediate) is ORR from the zero register: a constant.
    if (b == Build::Next && op.rn == kZr)
        op.fn = MOV_imm;
    return b;
}

Build build_EOR_imm(Op& op, uint32_t insn)
{
    return build_logical_imm(op, insn, is_64bit(insn) ? EOR_imm<true> : EOR_imm<false>, reg_sp(rd_field(insn)));
}

Build build_ANDS_imm(Op& op, uint32_t insn)
{
    return build_logical_imm(op, insn, is_64bit(insn) ? ANDS_imm<true> : ANDS_imm<false>, dst_zr(rd_field(insn)));
}

Build build_MOVZ(Op& op, uint32_t insn)
{
    std::optional<unsigned> pos = move_wide_pos(insn);
    if (!pos)
        return Build::Undefined;
    op.fn = MOV_imm;
    op.rd = dst_zr(rd_field(insn));
    op.imm = uint64_t{bits(insn, 20, 5)} << *pos;
    return Build::Next;
}

// MOVN is MOVZ of the inverted constant.
Build build_MOVN(Op& op, uint32_t insn)
{
    Build b = build_MOVZ(op, insn);
    if (b == Build::Next)
        op.imm = is_64bit(insn) ? ~op.imm : static_cast<uint32_t>(~op.imm);
    return b;
}

Build build_MOVK(Op& op, uint32_t insn)
{
    std::optional<unsigned> pos = move_wide_pos(insn);
    if (!pos)
        return Build::Undefined;
    op.fn = is_64bit(insn) ? MOVK<true> : MOVK<false>;
    op.rd = dst_zr(rd_field(insn));
    op.a = static_cast<uint8_t>(*pos);
    op.imm = uint64_t{bits(insn, 20, 5)} << *pos;
    return Build::Next;
}

Build build_SBFM(Op& op, uint32_t insn) { return build_bitfield_shifts(op, insn, SBFM<false>, SBFM<true>); }
Build build_UBFM(Op& op, uint32_t insn) { return build_bitfield_shifts(op, insn, UBFM<false>, UBFM<true>); }

Build build_BFM(Op& op, uint32_t insn)
{
    std::optional<BitfieldFields> f = bitfield_fields(insn);
    if (!f)
        return Build::Undefined;
    // Valid bitfield fields always give masks: the element is the whole register.
    BitMasks m = *decode_bit_masks(bit(insn, 22), f->s, f->r, false, f->width);
    op.fn = f->width == 64 ? BFM<true> : BFM<false>;
    op.rd = dst_zr(rd_field(insn));
    op.rn = src_zr(rn_field(insn));
    op.a = static_cast<uint8_t>(f->r);
    op.imm = m.wmask & m.tmask;
    return Build::Next;
}

Build build_EXTR(Op& op, uint32_t insn)
{
    unsigned lsb = bits(insn, 15, 10);
    if (bit(insn, 22) != bit(insn, 31) || (!is_64bit(insn) && lsb >= 32))
        return Build::Undefined;
    op.fn = is_64bit(insn) ? EXTR<true> : EXTR<false>;
    op.rd = dst_zr(rd_field(insn));
    op.rn = src_zr(rn_field(insn));
    op.rm = src_zr(bits(insn, 20, 16));
    op.a = static_cast<uint8_t>(lsb);
    return Build::Next;
}

}  // namespace emu::a64
