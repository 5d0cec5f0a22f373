// Advanced SIMD data movement: DUP, INS, SMOV, UMOV, the scalar DUP; MOVI, MVNI, ORR, BIC and
// FMOV with a modified immediate; UZP, TRN, ZIP, EXT, TBL and TBX. Nothing here touches FPSR.
#include "cpu/a64/simd.h"

namespace emu::a64 {

namespace {

using namespace simd;

// imm5 of the copy group: the element size is its lowest set bit, the index the bits above.
struct ElemField {
    unsigned size;
    unsigned index;
};

bool elem_field(uint32_t insn, ElemField& f)
{
    unsigned imm5 = bits(insn, 20, 16);
    if ((imm5 & 0xF) == 0)
        return false;
    f.size = static_cast<unsigned>(__builtin_ctz(imm5));
    f.index = imm5 >> (f.size + 1);
    return true;
}

uint64_t get_lane(const VReg& v, unsigned size, unsigned i)
{
    switch (size) {
    case 0: return v.get<uint8_t>(i);
    case 1: return v.get<uint16_t>(i);
    case 2: return v.get<uint32_t>(i);
    default: return v.get<uint64_t>(i);
    }
}

void set_lane(VReg& v, unsigned size, unsigned i, uint64_t x)
{
    switch (size) {
    case 0: v.set<uint8_t>(i, static_cast<uint8_t>(x)); break;
    case 1: v.set<uint16_t>(i, static_cast<uint16_t>(x)); break;
    case 2: v.set<uint32_t>(i, static_cast<uint32_t>(x)); break;
    default: v.set<uint64_t>(i, x); break;
    }
}

// op->a the element size (log2 bytes), op->ra the source index, op->b the lanes written.
const Op* DUP_elem(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    uint64_t x = get_lane(c.s.v[op->rn], op->a, op->ra);
    VReg r{};
    for (unsigned i = 0; i < op->b; i++)
        set_lane(r, op->a, i, x);
    c.s.v[op->rd] = r;
    return c.step(op);
}

const Op* DUP_gen(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    uint64_t x = c.s.r[op->rn];
    VReg r{};
    for (unsigned i = 0; i < op->b; i++)
        set_lane(r, op->a, i, x);
    c.s.v[op->rd] = r;
    return c.step(op);
}

// SMOV and UMOV: op->imm the width of the general register (32 or 64).
template <bool kSigned>
const Op* MOV_to_gen(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    uint64_t x = get_lane(c.s.v[op->rn], op->a, op->ra);
    if (kSigned)
        x = static_cast<uint64_t>(sign_extend(x, 8u << op->a));
    c.s.r[op->rd] = op->imm == 32 ? static_cast<uint32_t>(x) : x;
    return c.step(op);
}

// INS (general): element op->ra of Rd from Xn; the other elements stay.
const Op* INS_gen(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    set_lane(c.s.v[op->rd], op->a, op->ra, c.s.r[op->rn]);
    return c.step(op);
}

// INS (element): element op->ra of Rd from element op->b of Rn.
const Op* INS_elem(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    set_lane(c.s.v[op->rd], op->a, op->ra, get_lane(c.s.v[op->rn], op->a, op->b));
    return c.step(op);
}

// --- modified immediate ------------------------------------------------------------------------

enum class ImmOp : uint8_t { Move, MoveNot, Orr, Bic };

// op->imm the 64-bit pattern, op->a the ImmOp, op->b 1 (64 bits) or 2 (128 bits).
const Op* SIMD_imm(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    VReg& d = c.s.v[op->rd];
    VReg r{};
    for (unsigned i = 0; i < op->b; i++) {
        switch (static_cast<ImmOp>(op->a)) {
        case ImmOp::Move: r.d[i] = op->imm; break;
        case ImmOp::MoveNot: r.d[i] = ~op->imm; break;
        case ImmOp::Orr: r.d[i] = d.d[i] | op->imm; break;
        case ImmOp::Bic: r.d[i] = d.d[i] & ~op->imm; break;
        }
    }
    d = r;
    return c.step(op);
}

uint64_t replicate(uint64_t v, unsigned width)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 64; i += width)
        r |= v << i;
    return r;
}

// AdvSIMDExpandImm and the choice of operation by op and cmode.
Build build_imm(Op& op, uint32_t insn, bool op1)
{
    unsigned cmode = bits(insn, 15, 12);
    uint64_t imm8 = (bits(insn, 18, 16) << 5) | bits(insn, 9, 5);
    bool q = q_bit(insn);
    uint64_t imm;
    ImmOp kind;
    switch (cmode >> 1) {
    case 0: case 1: case 2: case 3:  // 32-bit elements, shifted by 0, 8, 16, 24
        imm = replicate(imm8 << (8 * (cmode >> 1)), 32);
        kind = (cmode & 1) ? (op1 ? ImmOp::Bic : ImmOp::Orr) : (op1 ? ImmOp::MoveNot : ImmOp::Move);
        break;
    case 4: case 5:  // 16-bit elements, shifted by 0 or 8
        imm = replicate(imm8 << (8 * ((cmode >> 1) & 1)), 16);
        kind = (cmode & 1) ? (op1 ? ImmOp::Bic : ImmOp::Orr) : (op1 ? ImmOp::MoveNot : ImmOp::Move);
        break;
    case 6:  // 32-bit elements shifted by 8 or 16 with ones shifted in (MSL)
        imm = replicate((cmode & 1) ? (imm8 << 16) | 0xFFFF : (imm8 << 8) | 0xFF, 32);
        kind = op1 ? ImmOp::MoveNot : ImmOp::Move;
        break;
    default:
        kind = ImmOp::Move;
        if (!(cmode & 1) && !op1) {
            imm = replicate(imm8, 8);
        } else if (!(cmode & 1)) {
            imm = 0;  // each bit of imm8 becomes a byte
            for (unsigned i = 0; i < 8; i++)
                if ((imm8 >> i) & 1)
                    imm |= uint64_t{0xFF} << (8 * i);
        } else if (!op1) {
            // FMOV (vector, single): imm8<7>:NOT(imm8<6>):Replicate(imm8<6>,5):imm8<5:0>:Zeros(19)
            uint64_t b6 = (imm8 >> 6) & 1;
            uint64_t s = ((imm8 >> 7) << 31) | ((b6 ^ 1) << 30) | ((b6 ? 0x1Fu : 0u) << 25) | ((imm8 & 0x3F) << 19);
            imm = replicate(s, 32);
        } else {
            if (!q)
                return Build::Undefined;
            uint64_t b6 = (imm8 >> 6) & 1;
            imm = ((imm8 >> 7) << 63) | ((b6 ^ 1) << 62) | ((b6 ? uint64_t{0xFF} : 0) << 54) | ((imm8 & 0x3F) << 48);
        }
        break;
    }
    op.fn = SIMD_imm;
    op.rd = static_cast<uint8_t>(bits(insn, 4, 0));
    op.imm = imm;
    op.a = static_cast<uint8_t>(kind);
    op.b = q ? 2 : 1;
    return Build::Next;
}

// --- permutes ----------------------------------------------------------------------------------

enum class Perm : uint8_t { Uzp1, Uzp2, Trn1, Trn2, Zip1, Zip2 };

// op->a the element size, op->b the lanes, op->ra the Perm.
const Op* Permute(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    const VReg n = c.s.v[op->rn], m = c.s.v[op->rm];
    unsigned size = op->a, lanes = op->b, half = lanes / 2;
    auto concat = [&](unsigned i) { return i < lanes ? get_lane(n, size, i) : get_lane(m, size, i - lanes); };
    VReg r{};
    for (unsigned i = 0; i < lanes; i++) {
        uint64_t x = 0;
        switch (static_cast<Perm>(op->ra)) {
        case Perm::Uzp1: x = concat(2 * i); break;
        case Perm::Uzp2: x = concat(2 * i + 1); break;
        case Perm::Trn1: x = get_lane(i & 1 ? m : n, size, i & ~1u); break;
        case Perm::Trn2: x = get_lane(i & 1 ? m : n, size, i | 1u); break;
        case Perm::Zip1: x = get_lane(i & 1 ? m : n, size, i / 2); break;
        case Perm::Zip2: x = get_lane(i & 1 ? m : n, size, half + i / 2); break;
        }
        set_lane(r, size, i, x);
    }
    c.s.v[op->rd] = r;
    return c.step(op);
}

Build build_perm(Op& op, uint32_t insn, Perm p)
{
    unsigned size = size_field(insn);
    if (size == 3 && !q_bit(insn))
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = Permute;
    op.a = static_cast<uint8_t>(size);
    op.b = lanes(insn, size);
    op.ra = static_cast<uint8_t>(p);
    return Build::Next;
}

// EXT: bytes op->a onwards of Rm:Rn; op->b the bytes (8 or 16).
const Op* EXT(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    const VReg n = c.s.v[op->rn], m = c.s.v[op->rm];
    VReg r{};
    for (unsigned i = 0; i < op->b; i++) {
        unsigned j = op->a + i;
        r.set<uint8_t>(i, j < op->b ? n.get<uint8_t>(j) : m.get<uint8_t>(j - op->b));
    }
    c.s.v[op->rd] = r;
    return c.step(op);
}

// TBL and TBX: op->a the table registers, op->b the bytes, op->ra 1 for TBX (out-of-range
// indices keep Rd's byte instead of giving zero).
const Op* TBL(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    const VReg m = c.s.v[op->rm], d = c.s.v[op->rd];
    VReg r{};
    for (unsigned i = 0; i < op->b; i++) {
        unsigned idx = m.get<uint8_t>(i);
        uint8_t x = op->ra ? d.get<uint8_t>(i) : 0;
        if (idx < 16u * op->a)
            x = c.s.v[(op->rn + idx / 16) % 32].get<uint8_t>(idx % 16);
        r.set<uint8_t>(i, x);
    }
    c.s.v[op->rd] = r;
    return c.step(op);
}

Build build_tbl(Op& op, uint32_t insn, bool tbx)
{
    set_regs(op, insn);
    op.fn = TBL;
    op.a = static_cast<uint8_t>(bits(insn, 14, 13) + 1);
    op.b = q_bit(insn) ? 16 : 8;
    op.ra = tbx;
    return Build::Next;
}

}  // namespace

Build build_DUP_elem(Op& op, uint32_t insn)
{
    ElemField f;
    if (!elem_field(insn, f) || (f.size == 3 && !q_bit(insn)))
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = DUP_elem;
    op.a = static_cast<uint8_t>(f.size);
    op.ra = static_cast<uint8_t>(f.index);
    op.b = lanes(insn, f.size);
    return Build::Next;
}

Build build_DUP_scalar(Op& op, uint32_t insn)
{
    ElemField f;
    if (!elem_field(insn, f))
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = DUP_elem;
    op.a = static_cast<uint8_t>(f.size);
    op.ra = static_cast<uint8_t>(f.index);
    op.b = 1;
    return Build::Next;
}

Build build_DUP_gen(Op& op, uint32_t insn)
{
    ElemField f;
    if (!elem_field(insn, f) || (f.size == 3 && !q_bit(insn)))
        return Build::Undefined;
    set_regs(op, insn);
    op.rn = src_zr(bits(insn, 9, 5));
    op.fn = DUP_gen;
    op.a = static_cast<uint8_t>(f.size);
    op.b = lanes(insn, f.size);
    return Build::Next;
}

// SMOV: bytes and halfwords to W (Q = 0) or X (Q = 1), words to X only.
Build build_SMOV(Op& op, uint32_t insn)
{
    ElemField f;
    if (!elem_field(insn, f) || f.size == 3 || (f.size == 2 && !q_bit(insn)))
        return Build::Undefined;
    set_regs(op, insn);
    op.rd = dst_zr(bits(insn, 4, 0));
    op.fn = MOV_to_gen<true>;
    op.a = static_cast<uint8_t>(f.size);
    op.ra = static_cast<uint8_t>(f.index);
    op.imm = q_bit(insn) ? 64 : 32;
    return Build::Next;
}

// UMOV: bytes, halfwords and words to W (Q = 0), doublewords to X (Q = 1).
Build build_UMOV(Op& op, uint32_t insn)
{
    ElemField f;
    if (!elem_field(insn, f) || (q_bit(insn) != (f.size == 3)))
        return Build::Undefined;
    set_regs(op, insn);
    op.rd = dst_zr(bits(insn, 4, 0));
    op.fn = MOV_to_gen<false>;
    op.a = static_cast<uint8_t>(f.size);
    op.ra = static_cast<uint8_t>(f.index);
    op.imm = q_bit(insn) ? 64 : 32;
    return Build::Next;
}

Build build_INS_gen(Op& op, uint32_t insn)
{
    ElemField f;
    if (!elem_field(insn, f))
        return Build::Undefined;
    set_regs(op, insn);
    op.rn = src_zr(bits(insn, 9, 5));
    op.fn = INS_gen;
    op.a = static_cast<uint8_t>(f.size);
    op.ra = static_cast<uint8_t>(f.index);
    return Build::Next;
}

Build build_INS_elem(Op& op, uint32_t insn)
{
    ElemField f;
    if (!elem_field(insn, f))
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = INS_elem;
    op.a = static_cast<uint8_t>(f.size);
    op.ra = static_cast<uint8_t>(f.index);
    op.b = static_cast<uint8_t>(bits(insn, 14, 11) >> f.size);
    return Build::Next;
}

Build build_IMM_op0_lo(Op& op, uint32_t insn) { return build_imm(op, insn, false); }
Build build_IMM_op0_hi(Op& op, uint32_t insn) { return build_imm(op, insn, false); }
Build build_IMM_op1_lo(Op& op, uint32_t insn) { return build_imm(op, insn, true); }
Build build_IMM_op1_hi(Op& op, uint32_t insn) { return build_imm(op, insn, true); }

Build build_UZP1(Op& op, uint32_t insn) { return build_perm(op, insn, Perm::Uzp1); }
Build build_UZP2(Op& op, uint32_t insn) { return build_perm(op, insn, Perm::Uzp2); }
Build build_TRN1(Op& op, uint32_t insn) { return build_perm(op, insn, Perm::Trn1); }
Build build_TRN2(Op& op, uint32_t insn) { return build_perm(op, insn, Perm::Trn2); }
Build build_ZIP1(Op& op, uint32_t insn) { return build_perm(op, insn, Perm::Zip1); }
Build build_ZIP2(Op& op, uint32_t insn) { return build_perm(op, insn, Perm::Zip2); }

Build build_EXT(Op& op, uint32_t insn)
{
    unsigned imm4 = bits(insn, 14, 11);
    if (!q_bit(insn) && (imm4 & 8))
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = EXT;
    op.a = static_cast<uint8_t>(imm4);
    op.b = q_bit(insn) ? 16 : 8;
    return Build::Next;
}

Build build_TBL(Op& op, uint32_t insn) { return build_tbl(op, insn, false); }
Build build_TBX(Op& op, uint32_t insn) { return build_tbl(op, insn, true); }

}  // namespace emu::a64
