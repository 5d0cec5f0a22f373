// A64 integer loads and stores: single registers (immediate, register and literal offsets,
// pre/post-index, unscaled and unprivileged forms), pairs and prefetches.
//
// Builders pick a handler specialised on addressing mode, access size and extension, so a
// handler computes one address, makes its accesses and writes registers, with no decode-time
// choices left. Every access happens before any register is written, so a data abort leaves
// the registers (base included) as they were.
#include <bit>

#include "cpu/a64/addressing.h"
#include "cpu/a64/cpu.h"
#include "cpu/a64/fields.h"
#include "cpu/a64/sp_alignment.h"

namespace emu::a64 {

namespace {

// M is the memory type (signed for the sign-extending loads); R the register type it widens
// to: uint32_t for a W destination, so the upper half of the X register reads as zero.
// kUnprivileged: LDTR/STTR, which check EL0's permissions even at EL1.
//
// Each handler is a hit path (RAM through the flat window or the TLB: nothing there can end
// the block, so it steps straight to the next op) and, out of line, the whole access again
// through read() or write(), which may fault, touch a device or rewrite code. Repeating an
// access the hit path made (the first half of a pair) reads or writes the same RAM again.
//
// kSpBase: the base register is SP, so the handler checks SP alignment first (sp_alignment.h)
// rather than running behind the generic wrapper: a test of the base it reads anyway.
// kScaled: a register offset shifted by log2 of the access size (else not shifted), a constant
// in the handler.
template <Mode A, class M, class R, bool kUnprivileged>
[[gnu::noinline, gnu::cold]] const Op* LDR_slow(Cpu& c, const Op* op, uint64_t addr)
{
    M v;
    if (!c.read<M, kUnprivileged>(addr, v, op))
        return nullptr;
    c.s.r[op->rd] = static_cast<uint64_t>(static_cast<R>(v));
    write_back<A>(c, op, addr);
    return c.next(op);
}

template <class M, bool kScaled>
constexpr int kRegShift = kScaled ? std::countr_zero(sizeof(M)) : 0;

template <Mode A, class M, class R, bool kUnprivileged = false, bool kSpBase = false, bool kScaled = false>
const Op* LDR(Cpu& c, const Op* op)
{
    if (kSpBase && __builtin_expect(c.s.r[kSp] & 15, 0))
        return sp_misaligned(c, op, LDR<A, M, R, kUnprivileged, false, kScaled>);
    uint64_t addr = address<A, kRegShift<M, kScaled>>(c, op);
    M v;
    if (__builtin_expect(!c.read_fast<M, kUnprivileged>(addr, v), 0))
        return LDR_slow<A, M, R, kUnprivileged>(c, op, addr);
    c.s.r[op->rd] = static_cast<uint64_t>(static_cast<R>(v));
    write_back<A>(c, op, addr);
    return c.step(op);
}

template <Mode A, class M, bool kUnprivileged>
[[gnu::noinline, gnu::cold]] const Op* STR_slow(Cpu& c, const Op* op, uint64_t addr)
{
    if (!c.write<M, kUnprivileged>(addr, static_cast<M>(c.s.r[op->rd]), op))
        return nullptr;
    write_back<A>(c, op, addr);
    return c.next(op);
}

template <Mode A, class M, bool kUnprivileged = false, bool kSpBase = false, bool kScaled = false>
const Op* STR(Cpu& c, const Op* op)
{
    if (kSpBase && __builtin_expect(c.s.r[kSp] & 15, 0))
        return sp_misaligned(c, op, STR<A, M, kUnprivileged, false, kScaled>);
    uint64_t addr = address<A, kRegShift<M, kScaled>>(c, op);
    if (__builtin_expect(!c.write_fast<M, kUnprivileged>(addr, static_cast<M>(c.s.r[op->rd])), 0))
        return STR_slow<A, M, kUnprivileged>(c, op, addr);
    write_back<A>(c, op, addr);
    return c.step(op);
}

template <Mode A, class M, class R>
[[gnu::noinline, gnu::cold]] const Op* LDP_slow(Cpu& c, const Op* op, uint64_t addr)
{
    M v1, v2;
    if (!c.read<M>(addr, v1, op) || !c.read<M>(addr + sizeof(M), v2, op))
        return nullptr;
    c.s.r[op->rd] = static_cast<uint64_t>(static_cast<R>(v1));
    c.s.r[op->ra] = static_cast<uint64_t>(static_cast<R>(v2));
    write_back<A>(c, op, addr);
    return c.next(op);
}

template <Mode A, class M, class R, bool kSpBase>
const Op* LDP(Cpu& c, const Op* op)
{
    if (kSpBase && __builtin_expect(c.s.r[kSp] & 15, 0))
        return sp_misaligned(c, op, LDP<A, M, R, false>);
    uint64_t addr = address<A>(c, op);
    M v1, v2;
    if (__builtin_expect(!c.read_fast<M>(addr, v1) || !c.read_fast<M>(addr + sizeof(M), v2), 0))
        return LDP_slow<A, M, R>(c, op, addr);
    c.s.r[op->rd] = static_cast<uint64_t>(static_cast<R>(v1));
    c.s.r[op->ra] = static_cast<uint64_t>(static_cast<R>(v2));
    write_back<A>(c, op, addr);
    return c.step(op);
}

template <Mode A, class M>
[[gnu::noinline, gnu::cold]] const Op* STP_slow(Cpu& c, const Op* op, uint64_t addr)
{
    if (!c.write<M>(addr, static_cast<M>(c.s.r[op->rd]), op) ||
        !c.write<M>(addr + sizeof(M), static_cast<M>(c.s.r[op->ra]), op))
        return nullptr;
    write_back<A>(c, op, addr);
    return c.next(op);
}

template <Mode A, class M, bool kSpBase>
const Op* STP(Cpu& c, const Op* op)
{
    if (kSpBase && __builtin_expect(c.s.r[kSp] & 15, 0))
        return sp_misaligned(c, op, STP<A, M, false>);
    uint64_t addr = address<A>(c, op);
    if (__builtin_expect(!c.write_fast<M>(addr, static_cast<M>(c.s.r[op->rd])) ||
                             !c.write_fast<M>(addr + sizeof(M), static_cast<M>(c.s.r[op->ra])),
                         0))
        return STP_slow<A, M>(c, op, addr);
    write_back<A>(c, op, addr);
    return c.step(op);
}

// Prefetches are hints with no architectural effect; they never fault.
const Op* PRFM(Cpu& c, const Op* op) { return c.step(op); }

// Single-register handlers by [size][opc]: opc 00 stores, 01 loads zero-extended, 10 loads
// sign-extended to 64 bits, 11 to 32 bits. The empty slots are PRFM or unallocated and the
// table lines never reach them.
// S: based on SP; K: a scaled register offset.
template <Mode A, bool U, bool S, bool K = false>
constexpr Handler kSingle[4][4] = {
    {STR<A, uint8_t, U, S, K>, LDR<A, uint8_t, uint64_t, U, S, K>, LDR<A, int8_t, int64_t, U, S, K>,
     LDR<A, int8_t, uint32_t, U, S, K>},
    {STR<A, uint16_t, U, S, K>, LDR<A, uint16_t, uint64_t, U, S, K>, LDR<A, int16_t, int64_t, U, S, K>,
     LDR<A, int16_t, uint32_t, U, S, K>},
    {STR<A, uint32_t, U, S, K>, LDR<A, uint32_t, uint64_t, U, S, K>, LDR<A, int32_t, int64_t, U, S, K>, nullptr},
    {STR<A, uint64_t, U, S, K>, LDR<A, uint64_t, uint64_t, U, S, K>, nullptr, nullptr},
};

// Pair handlers by [opc][L]: opc 00 W, 01 LDPSW (no store), 10 X.
template <Mode A, bool S>
constexpr Handler kPair[3][2] = {
    {STP<A, uint32_t, S>, LDP<A, uint32_t, uint64_t, S>},
    {nullptr, LDP<A, int32_t, int64_t, S>},
    {STP<A, uint64_t, S>, LDP<A, uint64_t, uint64_t, S>},
};

// An SP-based access checks alignment in its own handler; the block builder leaves it alone.
void based_on_sp(Op& op) { op.inner = kChecksSpItself; }

template <Mode A, bool kUnprivileged = false, bool kScaled = false>
Build build_single(Op& op, uint32_t insn, uint64_t offset)
{
    uint32_t size = bits(insn, 31, 30);
    uint32_t opc = bits(insn, 23, 22);
    uint32_t n = bits(insn, 9, 5);
    uint32_t t = bits(insn, 4, 0);
    // Writeback to the transfer register is CONSTRAINED UNPREDICTABLE.
    if ((A == Mode::Pre || A == Mode::Post) && t == n && n != 31)
        return Build::Undefined;
    op.fn = n == 31 ? kSingle<A, kUnprivileged, true, kScaled>[size][opc]
                    : kSingle<A, kUnprivileged, false, kScaled>[size][opc];
    if (n == 31)
        based_on_sp(op);
    op.rd = opc == 0 ? src_zr(t) : dst_zr(t);
    op.rn = reg_sp(n);
    op.imm = offset;
    return Build::Next;
}

// imm12, scaled by the access size.
Build build_unsigned_offset(Op& op, uint32_t insn)
{
    return build_single<Mode::Offset>(op, insn, uint64_t{bits(insn, 21, 10)} << bits(insn, 31, 30));
}

// imm9, unscaled.
uint64_t simm9(uint32_t insn) { return static_cast<uint64_t>(sign_extend(bits(insn, 20, 12), 9)); }

// S (bit 12) shifts the offset by log2 of the access size; the handler knows which.
template <Mode A>
Build build_register_mode(Op& op, uint32_t insn)
{
    return bit(insn, 12) ? build_single<A, false, true>(op, insn, 0) : build_single<A, false, false>(op, insn, 0);
}

Build build_register_offset(Op& op, uint32_t insn)
{
    // option<1> = 1 is fixed by the table: 010 UXTW, 011 LSL, 110 SXTW, 111 SXTX.
    uint32_t option = bits(insn, 15, 13);
    Build r = (option & 1)   ? build_register_mode<Mode::RegX>(op, insn)
              : (option & 4) ? build_register_mode<Mode::RegSxtw>(op, insn)
                             : build_register_mode<Mode::RegUxtw>(op, insn);
    op.rm = src_zr(bits(insn, 20, 16));
    return r;
}

template <Mode A>
Build build_pair(Op& op, uint32_t insn)
{
    uint32_t opc = bits(insn, 31, 30);
    bool load = bit(insn, 22);
    uint32_t t2 = bits(insn, 14, 10);
    uint32_t n = bits(insn, 9, 5);
    uint32_t t = bits(insn, 4, 0);
    // Loading both halves into one register, or writeback to a transfer register, is
    // CONSTRAINED UNPREDICTABLE.
    if (load && t == t2)
        return Build::Undefined;
    if ((A == Mode::Pre || A == Mode::Post) && (t == n || t2 == n) && n != 31)
        return Build::Undefined;
    op.fn = n == 31 ? kPair<A, true>[opc][load] : kPair<A, false>[opc][load];
    if (n == 31)
        based_on_sp(op);
    op.rd = load ? dst_zr(t) : src_zr(t);
    op.ra = load ? dst_zr(t2) : src_zr(t2);
    op.rn = reg_sp(n);
    // imm7 is scaled by the element size: 4 bytes for W and LDPSW, 8 for X.
    op.imm = static_cast<uint64_t>(sign_extend(bits(insn, 21, 15), 7) * (opc == 2 ? 8 : 4));
    return Build::Next;
}

Build build_prefetch(Op& op)
{
    op.fn = PRFM;
    return Build::Next;
}

}  // namespace

Build build_STR_imm(Op& op, uint32_t insn) { return build_unsigned_offset(op, insn); }
Build build_LDR_imm(Op& op, uint32_t insn) { return build_unsigned_offset(op, insn); }
Build build_LDRS_imm(Op& op, uint32_t insn) { return build_unsigned_offset(op, insn); }
Build build_LDRSW_imm(Op& op, uint32_t insn) { return build_unsigned_offset(op, insn); }

Build build_STUR(Op& op, uint32_t insn) { return build_single<Mode::Offset>(op, insn, simm9(insn)); }
Build build_LDUR(Op& op, uint32_t insn) { return build_single<Mode::Offset>(op, insn, simm9(insn)); }
Build build_LDURS(Op& op, uint32_t insn) { return build_single<Mode::Offset>(op, insn, simm9(insn)); }
Build build_LDURSW(Op& op, uint32_t insn) { return build_single<Mode::Offset>(op, insn, simm9(insn)); }
// The unprivileged forms: at EL0 the same accesses; at EL1, with EL0's permissions.
Build build_STTR(Op& op, uint32_t insn) { return build_single<Mode::Offset, true>(op, insn, simm9(insn)); }
Build build_LDTR(Op& op, uint32_t insn) { return build_single<Mode::Offset, true>(op, insn, simm9(insn)); }
Build build_LDTRS(Op& op, uint32_t insn) { return build_single<Mode::Offset, true>(op, insn, simm9(insn)); }
Build build_LDTRSW(Op& op, uint32_t insn) { return build_single<Mode::Offset, true>(op, insn, simm9(insn)); }

Build build_STR_post(Op& op, uint32_t insn) { return build_single<Mode::Post>(op, insn, simm9(insn)); }
Build build_LDR_post(Op& op, uint32_t insn) { return build_single<Mode::Post>(op, insn, simm9(insn)); }
Build build_LDRS_post(Op& op, uint32_t insn) { return build_single<Mode::Post>(op, insn, simm9(insn)); }
Build build_LDRSW_post(Op& op, uint32_t insn) { return build_single<Mode::Post>(op, insn, simm9(insn)); }

Build build_STR_pre(Op& op, uint32_t insn) { return build_single<Mode::Pre>(op, insn, simm9(insn)); }
Build build_LDR_pre(Op& op, uint32_t insn) { return build_single<Mode::Pre>(op, insn, simm9(insn)); }
Build build_LDRS_pre(Op& op, uint32_t insn) { return build_single<Mode::Pre>(op, insn, simm9(insn)); }
Build build_LDRSW_pre(Op& op, uint32_t insn) { return build_single<Mode::Pre>(op, insn, simm9(insn)); }

Build build_STR_reg(Op& op, uint32_t insn) { return build_register_offset(op, insn); }
Build build_LDR_reg(Op& op, uint32_t insn) { return build_register_offset(op, insn); }
Build build_LDRS_reg(Op& op, uint32_t insn) { return build_register_offset(op, insn); }
Build build_LDRSW_reg(Op& op, uint32_t insn) { return build_register_offset(op, insn); }

Build build_LDR_lit(Op& op, uint32_t insn)
{
    op.fn = bit(insn, 30) ? LDR<Mode::Literal, uint64_t, uint64_t> : LDR<Mode::Literal, uint32_t, uint64_t>;
    op.rd = dst_zr(bits(insn, 4, 0));
    op.imm = static_cast<uint64_t>(sign_extend(bits(insn, 23, 5), 19) * 4);
    return Build::Next;
}

Build build_LDRSW_lit(Op& op, uint32_t insn)
{
    build_LDR_lit(op, insn);
    op.fn = LDR<Mode::Literal, int32_t, int64_t>;
    return Build::Next;
}

Build build_PRFM_imm(Op& op, uint32_t) { return build_prefetch(op); }
Build build_PRFUM(Op& op, uint32_t) { return build_prefetch(op); }
Build build_PRFM_reg(Op& op, uint32_t) { return build_prefetch(op); }
Build build_PRFM_lit(Op& op, uint32_t) { return build_prefetch(op); }

// The non-temporal hint of LDNP/STNP changes nothing for an interpreter.
Build build_STNP(Op& op, uint32_t insn) { return build_pair<Mode::Offset>(op, insn); }
Build build_LDNP(Op& op, uint32_t insn) { return build_pair<Mode::Offset>(op, insn); }
Build build_STP_off(Op& op, uint32_t insn) { return build_pair<Mode::Offset>(op, insn); }
Build build_LDP_off(Op& op, uint32_t insn) { return build_pair<Mode::Offset>(op, insn); }
Build build_LDPSW_off(Op& op, uint32_t insn) { return build_pair<Mode::Offset>(op, insn); }
Build build_STP_pre(Op& op, uint32_t insn) { return build_pair<Mode::Pre>(op, insn); }
Build build_LDP_pre(Op& op, uint32_t insn) { return build_pair<Mode::Pre>(op, insn); }
Build build_LDPSW_pre(Op& op, uint32_t insn) { return build_pair<Mode::Pre>(op, insn); }
Build build_STP_post(Op& op, uint32_t insn) { return build_pair<Mode::Post>(op, insn); }
Build build_LDP_post(Op& op, uint32_t insn) { return build_pair<Mode::Post>(op, insn); }
Build build_LDPSW_post(Op& op, uint32_t insn) { return build_pair<Mode::Post>(op, insn); }

}  // namespace emu::a64
