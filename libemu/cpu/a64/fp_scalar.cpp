// Scalar floating point: arithmetic, fused multiply-add, compares, selects, moves, rounding to
// integral, conversions between precisions and to and from integers and fixed point. The
// arithmetic itself is fp.cpp's; handlers fetch operands, call it, and merge its flags into
// FPSR. A scalar result clears the rest of its 128-bit register.
#include "cpu/a64/cpu.h"
#include "cpu/a64/fields.h"
#include "cpu/a64/fp.h"

namespace emu::a64 {

namespace {

using fp::Rounding;

// op->a holds a Rounding, or this: the mode FPCR selects.
constexpr uint8_t kFpcrRounding = 0xFF;

template <unsigned N>
constexpr uint64_t kMask = N == 64 ? ~uint64_t{0} : (uint64_t{1} << N) - 1;

template <unsigned N>
uint64_t scalar(const Cpu& c, unsigned r)
{
    return c.s.v[r].d[0] & kMask<N>;
}

void set_scalar(Cpu& c, unsigned r, uint64_t v) { c.s.v[r] = VReg{{v, 0}}; }

Rounding rounding_of(const Op* op, const fp::Env& env)
{
    return op->a == kFpcrRounding ? env.rounding() : static_cast<Rounding>(op->a);
}

const Op* finish(Cpu& c, const Op* op, const fp::Env& env)
{
    c.s.sys.fpsr |= env.flags;
    return c.step(op);
}

using Fn2 = uint64_t (*)(uint64_t, uint64_t, fp::Env&);
using Fn1 = uint64_t (*)(uint64_t, fp::Env&);

template <unsigned N, Fn2 F, bool kNegate = false>
const Op* FP2(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    fp::Env env(c.s.sys.fpcr);
    uint64_t r = F(scalar<N>(c, op->rn), scalar<N>(c, op->rm), env);
    set_scalar(c, op->rd, kNegate ? fp::neg<N>(r) : r);
    return finish(c, op, env);
}

template <unsigned N, Fn1 F>
const Op* FP1(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    fp::Env env(c.s.sys.fpcr);
    set_scalar(c, op->rd, F(scalar<N>(c, op->rn), env));
    return finish(c, op, env);
}

// FMADD, FMSUB, FNMADD, FNMSUB: Ra + Rn * Rm with Ra and/or Rn negated first, so that a NaN
// operand comes out with its sign flipped as the architecture says.
template <unsigned N, bool kNegA, bool kNegN>
const Op* FP3(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    fp::Env env(c.s.sys.fpcr);
    uint64_t a = scalar<N>(c, op->ra), n = scalar<N>(c, op->rn);
    if (kNegA)
        a = fp::neg<N>(a);
    if (kNegN)
        n = fp::neg<N>(n);
    set_scalar(c, op->rd, fp::muladd<N>(a, n, scalar<N>(c, op->rm), env));
    return finish(c, op, env);
}

template <unsigned N>
const Op* FMOV_reg(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    set_scalar(c, op->rd, scalar<N>(c, op->rn));
    return c.step(op);
}

template <unsigned N>
const Op* FABS(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    set_scalar(c, op->rd, fp::abs<N>(scalar<N>(c, op->rn)));
    return c.step(op);
}

template <unsigned N>
const Op* FNEG(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    set_scalar(c, op->rd, fp::neg<N>(scalar<N>(c, op->rn)));
    return c.step(op);
}

template <unsigned N, bool kExact>
const Op* FRINT(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    fp::Env env(c.s.sys.fpcr);
    set_scalar(c, op->rd, fp::round_int<N>(scalar<N>(c, op->rn), rounding_of(op, env), kExact, env));
    return finish(c, op, env);
}

template <unsigned From, unsigned To>
const Op* FCVT(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    fp::Env env(c.s.sys.fpcr);
    set_scalar(c, op->rd, fp::convert<From, To>(scalar<From>(c, op->rn), env, env.rounding()));
    return finish(c, op, env);
}

// FCMP and FCMPE; op->b: compare with +0.0 instead of Rm.
template <unsigned N, bool kSignalNans>
const Op* FCMP(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    fp::Env env(c.s.sys.fpcr);
    uint64_t m = op->b ? 0 : scalar<N>(c, op->rm);
    c.flags = Flags::unpack(fp::compare<N>(scalar<N>(c, op->rn), m, kSignalNans, env));
    return finish(c, op, env);
}

// FCCMP and FCCMPE: op->a the condition, op->b the NZCV to set when it fails.
template <unsigned N, bool kSignalNans>
const Op* FCCMP(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    if (!c.flags.holds(op->a)) {
        c.flags = Flags::unpack(uint32_t{op->b} << 28);
        return c.step(op);
    }
    fp::Env env(c.s.sys.fpcr);
    c.flags = Flags::unpack(fp::compare<N>(scalar<N>(c, op->rn), scalar<N>(c, op->rm), kSignalNans, env));
    return finish(c, op, env);
}

template <unsigned N>
const Op* FCSEL(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    set_scalar(c, op->rd, scalar<N>(c, c.flags.holds(op->a) ? op->rn : op->rm));
    return c.step(op);
}

const Op* FMOV_imm(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    set_scalar(c, op->rd, op->imm);
    return c.step(op);
}

// FP to integer (FCVT*, FCVTZ* fixed): op->b the integer width, op->imm fbits.
template <unsigned N, bool kUnsigned>
const Op* FCVT_to_int(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    fp::Env env(c.s.sys.fpcr);
    c.s.r[op->rd] = fp::to_fixed<N>(scalar<N>(c, op->rn), static_cast<unsigned>(op->imm), kUnsigned, op->b,
                                    rounding_of(op, env), env);
    return finish(c, op, env);
}

// SCVTF and UCVTF, plain and fixed point: the FPCR rounding mode.
template <unsigned N, bool kUnsigned>
const Op* CVTF_from_int(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    fp::Env env(c.s.sys.fpcr);
    set_scalar(c, op->rd, fp::from_fixed<N>(c.s.r[op->rn], static_cast<unsigned>(op->imm), kUnsigned, op->b,
                                            env.rounding(), env));
    return finish(c, op, env);
}

// FMOV between general and FP registers: W <-> S, X <-> D, X <-> V.D[1].
template <unsigned N>
const Op* FMOV_to_gen(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    c.s.r[op->rd] = scalar<N>(c, op->rn);
    return c.step(op);
}

const Op* FMOV_to_gen_top(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    c.s.r[op->rd] = c.s.v[op->rn].d[1];
    return c.step(op);
}

template <unsigned N>
const Op* FMOV_from_gen(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    set_scalar(c, op->rd, c.s.r[op->rn] & kMask<N>);
    return c.step(op);
}

const Op* FMOV_from_gen_top(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    c.s.v[op->rd].d[1] = c.s.r[op->rn];
    return c.step(op);
}

// --- builders ----------------------------------------------------------------------------------

// ftype 00 single, 01 double; 10 and 11 (half, ARMv8.2) are undefined here.
bool is_double(uint32_t insn) { return bit(insn, 22); }
bool valid_type(uint32_t insn) { return bit(insn, 23) == 0; }

void set_fields(Op& op, uint32_t insn)
{
    op.rd = static_cast<uint8_t>(bits(insn, 4, 0));
    op.rn = static_cast<uint8_t>(bits(insn, 9, 5));
    op.rm = static_cast<uint8_t>(bits(insn, 20, 16));
    op.ra = static_cast<uint8_t>(bits(insn, 14, 10));
}

Build build_typed(Op& op, uint32_t insn, Handler single, Handler dbl)
{
    if (!valid_type(insn))
        return Build::Undefined;
    set_fields(op, insn);
    op.fn = is_double(insn) ? dbl : single;
    return Build::Next;
}

Build build_rint(Op& op, uint32_t insn, Rounding mode, bool exact)
{
    Build b = build_typed(op, insn, exact ? FRINT<32, true> : FRINT<32, false>, exact ? FRINT<64, true> : FRINT<64, false>);
    op.a = static_cast<uint8_t>(mode);
    return b;
}

template <bool kUnsigned>
Build build_to_int(Op& op, uint32_t insn, uint8_t mode, unsigned fbits)
{
    if (!valid_type(insn))
        return Build::Undefined;
    op.fn = is_double(insn) ? FCVT_to_int<64, kUnsigned> : FCVT_to_int<32, kUnsigned>;
    op.rd = dst_zr(bits(insn, 4, 0));
    op.rn = static_cast<uint8_t>(bits(insn, 9, 5));
    op.a = mode;
    op.b = bit(insn, 31) ? 64 : 32;
    op.imm = fbits;
    return Build::Next;
}

template <bool kUnsigned>
Build build_from_int(Op& op, uint32_t insn, unsigned fbits)
{
    if (!valid_type(insn))
        return Build::Undefined;
    op.fn = is_double(insn) ? CVTF_from_int<64, kUnsigned> : CVTF_from_int<32, kUnsigned>;
    op.rd = static_cast<uint8_t>(bits(insn, 4, 0));
    op.rn = src_zr(bits(insn, 9, 5));
    op.b = bit(insn, 31) ? 64 : 32;
    op.imm = fbits;
    return Build::Next;
}

// fbits of the fixed-point forms; 0 for a reserved scale (a W register with scale < 32).
unsigned fixed_fbits(uint32_t insn)
{
    unsigned scale = bits(insn, 15, 10);
    if (!bit(insn, 31) && scale < 32)
        return 0;
    return 64 - scale;
}

constexpr uint8_t mode(Rounding r) { return static_cast<uint8_t>(r); }

}  // namespace

Build build_FMUL_s(Op& op, uint32_t insn) { return build_typed(op, insn, FP2<32, fp::mul<32>>, FP2<64, fp::mul<64>>); }
Build build_FDIV_s(Op& op, uint32_t insn) { return build_typed(op, insn, FP2<32, fp::div<32>>, FP2<64, fp::div<64>>); }
Build build_FADD_s(Op& op, uint32_t insn) { return build_typed(op, insn, FP2<32, fp::add<32>>, FP2<64, fp::add<64>>); }
Build build_FSUB_s(Op& op, uint32_t insn) { return build_typed(op, insn, FP2<32, fp::sub<32>>, FP2<64, fp::sub<64>>); }
Build build_FMAX_s(Op& op, uint32_t insn) { return build_typed(op, insn, FP2<32, fp::max<32>>, FP2<64, fp::max<64>>); }
Build build_FMIN_s(Op& op, uint32_t insn) { return build_typed(op, insn, FP2<32, fp::min<32>>, FP2<64, fp::min<64>>); }
Build build_FMAXNM_s(Op& op, uint32_t insn) { return build_typed(op, insn, FP2<32, fp::maxnum<32>>, FP2<64, fp::maxnum<64>>); }
Build build_FMINNM_s(Op& op, uint32_t insn) { return build_typed(op, insn, FP2<32, fp::minnum<32>>, FP2<64, fp::minnum<64>>); }
Build build_FNMUL_s(Op& op, uint32_t insn)
{
    return build_typed(op, insn, FP2<32, fp::mul<32>, true>, FP2<64, fp::mul<64>, true>);
}

Build build_FMADD(Op& op, uint32_t insn) { return build_typed(op, insn, FP3<32, false, false>, FP3<64, false, false>); }
Build build_FMSUB(Op& op, uint32_t insn) { return build_typed(op, insn, FP3<32, false, true>, FP3<64, false, true>); }
Build build_FNMADD(Op& op, uint32_t insn) { return build_typed(op, insn, FP3<32, true, true>, FP3<64, true, true>); }
Build build_FNMSUB(Op& op, uint32_t insn) { return build_typed(op, insn, FP3<32, true, false>, FP3<64, true, false>); }

Build build_FMOV_reg(Op& op, uint32_t insn) { return build_typed(op, insn, FMOV_reg<32>, FMOV_reg<64>); }
Build build_FABS_s(Op& op, uint32_t insn) { return build_typed(op, insn, FABS<32>, FABS<64>); }
Build build_FNEG_s(Op& op, uint32_t insn) { return build_typed(op, insn, FNEG<32>, FNEG<64>); }
Build build_FSQRT_s(Op& op, uint32_t insn) { return build_typed(op, insn, FP1<32, fp::sqrt<32>>, FP1<64, fp::sqrt<64>>); }

Build build_FCVT(Op& op, uint32_t insn)
{
    // ftype (source) and opc (destination): 00 single, 01 double, 11 half.
    static constexpr Handler kConvert[4][4] = {
        {nullptr, FCVT<32, 64>, nullptr, FCVT<32, 16>},
        {FCVT<64, 32>, nullptr, nullptr, FCVT<64, 16>},
        {nullptr, nullptr, nullptr, nullptr},
        {FCVT<16, 32>, FCVT<16, 64>, nullptr, nullptr},
    };
    Handler h = kConvert[bits(insn, 23, 22)][bits(insn, 16, 15)];
    if (!h)
        return Build::Undefined;
    set_fields(op, insn);
    op.fn = h;
    return Build::Next;
}

Build build_FRINTN_s(Op& op, uint32_t insn) { return build_rint(op, insn, Rounding::TieEven, false); }
Build build_FRINTP_s(Op& op, uint32_t insn) { return build_rint(op, insn, Rounding::PosInf, false); }
Build build_FRINTM_s(Op& op, uint32_t insn) { return build_rint(op, insn, Rounding::NegInf, false); }
Build build_FRINTZ_s(Op& op, uint32_t insn) { return build_rint(op, insn, Rounding::Zero, false); }
Build build_FRINTA_s(Op& op, uint32_t insn) { return build_rint(op, insn, Rounding::TieAway, false); }
Build build_FRINTX_s(Op& op, uint32_t insn)
{
    Build b = build_rint(op, insn, Rounding::TieEven, true);
    op.a = kFpcrRounding;
    return b;
}
Build build_FRINTI_s(Op& op, uint32_t insn)
{
    Build b = build_rint(op, insn, Rounding::TieEven, false);
    op.a = kFpcrRounding;
    return b;
}

Build build_FCMP(Op& op, uint32_t insn) { return build_typed(op, insn, FCMP<32, false>, FCMP<64, false>); }
Build build_FCMPE(Op& op, uint32_t insn) { return build_typed(op, insn, FCMP<32, true>, FCMP<64, true>); }
Build build_FCMP_zero(Op& op, uint32_t insn)
{
    Build b = build_FCMP(op, insn);
    op.b = 1;
    return b;
}
Build build_FCMPE_zero(Op& op, uint32_t insn)
{
    Build b = build_FCMPE(op, insn);
    op.b = 1;
    return b;
}

Build build_FCCMP(Op& op, uint32_t insn)
{
    Build b = build_typed(op, insn, FCCMP<32, false>, FCCMP<64, false>);
    op.a = static_cast<uint8_t>(bits(insn, 15, 12));
    op.b = static_cast<uint8_t>(bits(insn, 3, 0));
    return b;
}
Build build_FCCMPE(Op& op, uint32_t insn)
{
    Build b = build_typed(op, insn, FCCMP<32, true>, FCCMP<64, true>);
    op.a = static_cast<uint8_t>(bits(insn, 15, 12));
    op.b = static_cast<uint8_t>(bits(insn, 3, 0));
    return b;
}
Build build_FCSEL(Op& op, uint32_t insn)
{
    Build b = build_typed(op, insn, FCSEL<32>, FCSEL<64>);
    op.a = static_cast<uint8_t>(bits(insn, 15, 12));
    return b;
}

Build build_FMOV_imm(Op& op, uint32_t insn)
{
    if (!valid_type(insn))
        return Build::Undefined;
    op.fn = FMOV_imm;
    op.rd = static_cast<uint8_t>(bits(insn, 4, 0));
    uint32_t imm8 = bits(insn, 20, 13);
    op.imm = is_double(insn) ? fp::expand_imm8<64>(imm8) : fp::expand_imm8<32>(imm8);
    return Build::Next;
}

Build build_FCVTNS_g(Op& op, uint32_t insn) { return build_to_int<false>(op, insn, mode(Rounding::TieEven), 0); }
Build build_FCVTNU_g(Op& op, uint32_t insn) { return build_to_int<true>(op, insn, mode(Rounding::TieEven), 0); }
Build build_FCVTAS_g(Op& op, uint32_t insn) { return build_to_int<false>(op, insn, mode(Rounding::TieAway), 0); }
Build build_FCVTAU_g(Op& op, uint32_t insn) { return build_to_int<true>(op, insn, mode(Rounding::TieAway), 0); }
Build build_FCVTPS_g(Op& op, uint32_t insn) { return build_to_int<false>(op, insn, mode(Rounding::PosInf), 0); }
Build build_FCVTPU_g(Op& op, uint32_t insn) { return build_to_int<true>(op, insn, mode(Rounding::PosInf), 0); }
Build build_FCVTMS_g(Op& op, uint32_t insn) { return build_to_int<false>(op, insn, mode(Rounding::NegInf), 0); }
Build build_FCVTMU_g(Op& op, uint32_t insn) { return build_to_int<true>(op, insn, mode(Rounding::NegInf), 0); }
Build build_FCVTZS_g(Op& op, uint32_t insn) { return build_to_int<false>(op, insn, mode(Rounding::Zero), 0); }
Build build_FCVTZU_g(Op& op, uint32_t insn) { return build_to_int<true>(op, insn, mode(Rounding::Zero), 0); }
Build build_SCVTF_g(Op& op, uint32_t insn) { return build_from_int<false>(op, insn, 0); }
Build build_UCVTF_g(Op& op, uint32_t insn) { return build_from_int<true>(op, insn, 0); }

Build build_FCVTZS_fix(Op& op, uint32_t insn)
{
    unsigned fbits = fixed_fbits(insn);
    return fbits ? build_to_int<false>(op, insn, mode(Rounding::Zero), fbits) : Build::Undefined;
}
Build build_FCVTZU_fix(Op& op, uint32_t insn)
{
    unsigned fbits = fixed_fbits(insn);
    return fbits ? build_to_int<true>(op, insn, mode(Rounding::Zero), fbits) : Build::Undefined;
}
Build build_SCVTF_fix(Op& op, uint32_t insn)
{
    unsigned fbits = fixed_fbits(insn);
    return fbits ? build_from_int<false>(op, insn, fbits) : Build::Undefined;
}
Build build_UCVTF_fix(Op& op, uint32_t insn)
{
    unsigned fbits = fixed_fbits(insn);
    return fbits ? build_from_int<true>(op, insn, fbits) : Build::Undefined;
}

// sf, ftype and rmode together pick the register pair; everything else is unallocated.
Build build_FMOV_to_gen(Op& op, uint32_t insn)
{
    uint32_t key = (bit(insn, 31) << 4) | (bits(insn, 23, 22) << 2) | bits(insn, 20, 19);
    op.rd = dst_zr(bits(insn, 4, 0));
    op.rn = static_cast<uint8_t>(bits(insn, 9, 5));
    switch (key) {
    case 0b00000: op.fn = FMOV_to_gen<32>; return Build::Next;      // W <- S
    case 0b10100: op.fn = FMOV_to_gen<64>; return Build::Next;      // X <- D
    case 0b11001: op.fn = FMOV_to_gen_top; return Build::Next;      // X <- V.D[1]
    default: return Build::Undefined;
    }
}

Build build_FMOV_from_gen(Op& op, uint32_t insn)
{
    uint32_t key = (bit(insn, 31) << 4) | (bits(insn, 23, 22) << 2) | bits(insn, 20, 19);
    op.rd = static_cast<uint8_t>(bits(insn, 4, 0));
    op.rn = src_zr(bits(insn, 9, 5));
    switch (key) {
    case 0b00000: op.fn = FMOV_from_gen<32>; return Build::Next;
    case 0b10100: op.fn = FMOV_from_gen<64>; return Build::Next;
    case 0b11001: op.fn = FMOV_from_gen_top; return Build::Next;
    default: return Build::Undefined;
    }
}

}  // namespace emu::a64
