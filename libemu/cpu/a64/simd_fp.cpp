// Advanced SIMD floating point: lane-wise arithmetic, fused multiply-add, compares, pairwise
// and across-lanes reductions, by-element forms, rounding, estimates and conversions (to and
// from integers and fixed point, between precisions), vector and scalar. The arithmetic is
// fp.cpp's; FPSR collects the flags of every lane.
#include "cpu/a64/fp.h"
#include "cpu/a64/simd.h"

namespace emu::a64 {

namespace {

using namespace simd;
using fp::Rounding;

constexpr uint8_t kFpcrRounding = 0xFF;

template <unsigned N>
using Elem = UInt<N / 8>;

using Fn2 = uint64_t (*)(uint64_t, uint64_t, fp::Env&);
using Fn1 = uint64_t (*)(uint64_t, fp::Env&);

// Wrappers that give every lane operation the same shape: (n, m, d) -> result.
template <unsigned N>
struct Ops {
    static uint64_t fmla(uint64_t n, uint64_t m, uint64_t d, fp::Env& e) { return fp::muladd<N>(d, n, m, e); }
    static uint64_t fmls(uint64_t n, uint64_t m, uint64_t d, fp::Env& e)
    {
        return fp::muladd<N>(d, fp::neg<N>(n), m, e);
    }
    static uint64_t mask(bool b) { return b ? ~uint64_t{0} : 0; }
    static uint64_t cmeq(uint64_t n, uint64_t m, uint64_t, fp::Env& e) { return mask(fp::compare_eq<N>(n, m, e)); }
    static uint64_t cmge(uint64_t n, uint64_t m, uint64_t, fp::Env& e) { return mask(fp::compare_ge<N>(n, m, e)); }
    static uint64_t cmgt(uint64_t n, uint64_t m, uint64_t, fp::Env& e) { return mask(fp::compare_gt<N>(n, m, e)); }
    static uint64_t acge(uint64_t n, uint64_t m, uint64_t, fp::Env& e)
    {
        return mask(fp::compare_ge<N>(fp::abs<N>(n), fp::abs<N>(m), e));
    }
    static uint64_t acgt(uint64_t n, uint64_t m, uint64_t, fp::Env& e)
    {
        return mask(fp::compare_gt<N>(fp::abs<N>(n), fp::abs<N>(m), e));
    }
    // Compares with zero: n against +0.0, or +0.0 against n for LE and LT.
    static uint64_t cmeq0(uint64_t n, uint64_t, uint64_t, fp::Env& e) { return mask(fp::compare_eq<N>(n, 0, e)); }
    static uint64_t cmge0(uint64_t n, uint64_t, uint64_t, fp::Env& e) { return mask(fp::compare_ge<N>(n, 0, e)); }
    static uint64_t cmgt0(uint64_t n, uint64_t, uint64_t, fp::Env& e) { return mask(fp::compare_gt<N>(n, 0, e)); }
    static uint64_t cmle0(uint64_t n, uint64_t, uint64_t, fp::Env& e) { return mask(fp::compare_ge<N>(0, n, e)); }
    static uint64_t cmlt0(uint64_t n, uint64_t, uint64_t, fp::Env& e) { return mask(fp::compare_gt<N>(0, n, e)); }
    static uint64_t fabs(uint64_t n, uint64_t, uint64_t, fp::Env&) { return fp::abs<N>(n); }
    static uint64_t fneg(uint64_t n, uint64_t, uint64_t, fp::Env&) { return fp::neg<N>(n); }
    static uint64_t urecpe(uint64_t n, uint64_t, uint64_t, fp::Env&)
    {
        return fp::unsigned_recip_estimate(static_cast<uint32_t>(n));
    }
    static uint64_t ursqrte(uint64_t n, uint64_t, uint64_t, fp::Env&)
    {
        return fp::unsigned_rsqrt_estimate(static_cast<uint32_t>(n));
    }
};

template <Fn2 F>
uint64_t as3(uint64_t n, uint64_t m, uint64_t, fp::Env& e)
{
    return F(n, m, e);
}

template <Fn1 F>
uint64_t as1(uint64_t n, uint64_t, uint64_t, fp::Env& e)
{
    return F(n, e);
}

using Fn3 = uint64_t (*)(uint64_t, uint64_t, uint64_t, fp::Env&);

// Lane-wise: op->b lanes; with op->a set, Rm's element op->ra in every lane (by element).
template <unsigned N, Fn3 F>
const Op* Lanes(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    using T = Elem<N>;
    fp::Env env(c.s.sys.fpcr);
    const VReg n = c.s.v[op->rn], m = c.s.v[op->rm], d = c.s.v[op->rd];
    T scalar_m = m.get<T>(op->ra);
    VReg r{};
    for (unsigned i = 0; i < op->b; i++)
        r.set<T>(i, static_cast<T>(F(n.get<T>(i), op->a ? scalar_m : m.get<T>(i), d.get<T>(i), env)));
    c.s.v[op->rd] = r;
    c.s.sys.fpsr |= env.flags;
    return c.step(op);
}

// Pairwise over Rm:Rn, as the integer ADDP.
template <unsigned N, Fn2 F>
const Op* PairLanes(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    using T = Elem<N>;
    fp::Env env(c.s.sys.fpcr);
    const VReg n = c.s.v[op->rn], m = c.s.v[op->rm];
    VReg r{};
    unsigned half = op->b / 2;
    for (unsigned i = 0; i < op->b; i++) {
        const VReg& src = i < half ? n : m;
        unsigned j = 2 * (i % half);
        r.set<T>(i, static_cast<T>(F(src.get<T>(j), src.get<T>(j + 1), env)));
    }
    c.s.v[op->rd] = r;
    c.s.sys.fpsr |= env.flags;
    return c.step(op);
}

// Reduce: the operation over the halves of the lanes, recursively (across lanes, op->b lanes;
// scalar pairwise is the case of two).
template <unsigned N, Fn2 F>
uint64_t reduce(const VReg& v, unsigned first, unsigned count, fp::Env& env)
{
    if (count == 1)
        return v.get<Elem<N>>(first);
    unsigned half = count / 2;
    uint64_t lo = reduce<N, F>(v, first, half, env);
    uint64_t hi = reduce<N, F>(v, first + half, half, env);
    return F(lo, hi, env);
}

template <unsigned N, Fn2 F>
const Op* Reduce(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    fp::Env env(c.s.sys.fpcr);
    VReg r{};
    r.set<Elem<N>>(0, static_cast<Elem<N>>(reduce<N, F>(c.s.v[op->rn], 0, op->b, env)));
    c.s.v[op->rd] = r;
    c.s.sys.fpsr |= env.flags;
    return c.step(op);
}

// Rounding to integral: op->a the Rounding (or FPCR's); op->ra: FRINTX (exact).
template <unsigned N>
const Op* RoundInt(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    using T = Elem<N>;
    fp::Env env(c.s.sys.fpcr);
    Rounding mode = op->a == kFpcrRounding ? env.rounding() : static_cast<Rounding>(op->a);
    const VReg n = c.s.v[op->rn];
    VReg r{};
    for (unsigned i = 0; i < op->b; i++)
        r.set<T>(i, static_cast<T>(fp::round_int<N>(n.get<T>(i), mode, op->ra, env)));
    c.s.v[op->rd] = r;
    c.s.sys.fpsr |= env.flags;
    return c.step(op);
}

// FCVT*S, FCVT*U and the fixed-point FCVTZS/FCVTZU: op->a the Rounding, op->imm fbits.
template <unsigned N, bool kUnsigned>
const Op* ToInt(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    using T = Elem<N>;
    fp::Env env(c.s.sys.fpcr);
    const VReg n = c.s.v[op->rn];
    VReg r{};
    for (unsigned i = 0; i < op->b; i++)
        r.set<T>(i, static_cast<T>(fp::to_fixed<N>(n.get<T>(i), static_cast<unsigned>(op->imm), kUnsigned, N,
                                                     static_cast<Rounding>(op->a), env)));
    c.s.v[op->rd] = r;
    c.s.sys.fpsr |= env.flags;
    return c.step(op);
}

// SCVTF, UCVTF, plain and fixed point: op->imm fbits; the FPCR rounding mode.
template <unsigned N, bool kUnsigned>
const Op* FromInt(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    using T = Elem<N>;
    fp::Env env(c.s.sys.fpcr);
    const VReg n = c.s.v[op->rn];
    VReg r{};
    for (unsigned i = 0; i < op->b; i++)
        r.set<T>(i, static_cast<T>(fp::from_fixed<N>(n.get<T>(i), static_cast<unsigned>(op->imm), kUnsigned, N,
                                                       env.rounding(), env)));
    c.s.v[op->rd] = r;
    c.s.sys.fpsr |= env.flags;
    return c.step(op);
}

// FCVTN, FCVTXN (narrow, into the lower half or, with op->ra, the upper half) and FCVTL
// (widen, from the lower half or the upper one).
template <unsigned From, unsigned To, bool kOdd>
const Op* Narrow(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    fp::Env env(c.s.sys.fpcr);
    const VReg n = c.s.v[op->rn];
    VReg r{};
    bool upper = op->ra;
    if (upper)
        r.d[0] = c.s.v[op->rd].d[0];
    Rounding mode = kOdd ? Rounding::Odd : env.rounding();
    for (unsigned i = 0; i < op->b; i++)
        r.set<Elem<To>>(i + (upper ? op->b : 0),
                        static_cast<Elem<To>>(fp::convert<From, To>(n.get<Elem<From>>(i), env, mode)));
    c.s.v[op->rd] = r;
    c.s.sys.fpsr |= env.flags;
    return c.step(op);
}

template <unsigned From, unsigned To>
const Op* Widen(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    fp::Env env(c.s.sys.fpcr);
    const VReg n = c.s.v[op->rn];
    unsigned part = op->ra ? op->b : 0;
    VReg r{};
    for (unsigned i = 0; i < op->b; i++)
        r.set<Elem<To>>(i, static_cast<Elem<To>>(fp::convert<From, To>(n.get<Elem<From>>(part + i), env, env.rounding())));
    c.s.v[op->rd] = r;
    c.s.sys.fpsr |= env.flags;
    return c.step(op);
}

// --- builders ----------------------------------------------------------------------------------

bool sz_bit(uint32_t insn) { return bit(insn, 22); }

// Vector: single precision in 2 or 4 lanes, double in 2 (Q = 1 only).
bool vector_shape(Op& op, uint32_t insn)
{
    if (sz_bit(insn) && !q_bit(insn))
        return false;
    set_regs(op, insn);
    op.b = static_cast<uint8_t>((q_bit(insn) ? 4 : 2) >> sz_bit(insn));
    return true;
}

Build build_v(Op& op, uint32_t insn, Handler s, Handler d)
{
    if (!vector_shape(op, insn))
        return Build::Undefined;
    op.fn = sz_bit(insn) ? d : s;
    return Build::Next;
}

Build build_ss(Op& op, uint32_t insn, Handler s, Handler d)
{
    set_regs(op, insn);
    op.b = 1;
    op.fn = sz_bit(insn) ? d : s;
    return Build::Next;
}

template <Fn3 FS, Fn3 FD>
Build lanes_v(Op& op, uint32_t insn)
{
    return build_v(op, insn, Lanes<32, FS>, Lanes<64, FD>);
}

template <Fn3 FS, Fn3 FD>
Build lanes_ss(Op& op, uint32_t insn)
{
    return build_ss(op, insn, Lanes<32, FS>, Lanes<64, FD>);
}

#define F2(name) as3<fp::name<32>>, as3<fp::name<64>>
#define F1(name) as1<fp::name<32>>, as1<fp::name<64>>
#define OPS(name) Ops<32>::name, Ops<64>::name

Build rint_v(Op& op, uint32_t insn, uint8_t mode, bool exact)
{
    Build b = build_v(op, insn, RoundInt<32>, RoundInt<64>);
    op.a = mode;
    op.ra = exact;
    return b;
}

template <bool kUnsigned>
Build to_int(Op& op, uint32_t insn, Rounding mode, bool scalar, unsigned fbits = 0)
{
    Build b = scalar ? build_ss(op, insn, ToInt<32, kUnsigned>, ToInt<64, kUnsigned>)
                     : build_v(op, insn, ToInt<32, kUnsigned>, ToInt<64, kUnsigned>);
    op.a = static_cast<uint8_t>(mode);
    op.imm = fbits;
    return b;
}

template <bool kUnsigned>
Build from_int(Op& op, uint32_t insn, bool scalar, unsigned fbits = 0)
{
    Build b = scalar ? build_ss(op, insn, FromInt<32, kUnsigned>, FromInt<64, kUnsigned>)
                     : build_v(op, insn, FromInt<32, kUnsigned>, FromInt<64, kUnsigned>);
    op.imm = fbits;
    return b;
}

// The fixed-point forms: immh 01xx single, 1xxx double; fbits = 2 * esize - immh:immb.
template <bool kToInt, bool kUnsigned>
Build fixed(Op& op, uint32_t insn, bool scalar)
{
    unsigned immh = bits(insn, 22, 19);
    if (immh < 4)
        return Build::Undefined;
    bool dbl = immh >= 8;
    if (!scalar && dbl && !q_bit(insn))
        return Build::Undefined;
    unsigned esize = dbl ? 64 : 32;
    unsigned fbits = 2 * esize - bits(insn, 22, 16);
    set_regs(op, insn);
    op.b = scalar ? 1 : static_cast<uint8_t>((q_bit(insn) ? 4 : 2) >> dbl);
    if constexpr (kToInt) {
        op.fn = dbl ? ToInt<64, kUnsigned> : ToInt<32, kUnsigned>;
        op.a = static_cast<uint8_t>(Rounding::Zero);
    } else {
        op.fn = dbl ? FromInt<64, kUnsigned> : FromInt<32, kUnsigned>;
    }
    op.imm = fbits;
    return Build::Next;
}

// By element: index H:L for singles, H for doubles (L must be 0); Rm is M:Rm<3:0>.
template <Fn3 FS, Fn3 FD>
Build elem(Op& op, uint32_t insn, bool scalar)
{
    bool dbl = sz_bit(insn);
    unsigned h = bit(insn, 11), l = bit(insn, 21);
    if (dbl && l)
        return Build::Undefined;
    Build b = scalar ? build_ss(op, insn, Lanes<32, FS>, Lanes<64, FD>) : build_v(op, insn, Lanes<32, FS>, Lanes<64, FD>);
    op.ra = static_cast<uint8_t>(dbl ? h : (h << 1) | l);
    op.a = 1;
    return b;
}

Build across(Op& op, uint32_t insn, Handler h)
{
    // Only four singles: Q = 1, sz = 0.
    if (!q_bit(insn) || sz_bit(insn))
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = h;
    op.b = 4;
    return Build::Next;
}

template <Fn2 FS, Fn2 FD>
Build pair_ss(Op& op, uint32_t insn)
{
    set_regs(op, insn);
    op.fn = sz_bit(insn) ? Reduce<64, FD> : Reduce<32, FS>;
    op.b = 2;
    return Build::Next;
}

constexpr uint8_t mode(Rounding r) { return static_cast<uint8_t>(r); }

}  // namespace

// clang-format off
Build build_FMAXNM_v(Op& op, uint32_t insn) { return lanes_v<F2(maxnum)>(op, insn); }
Build build_FMLA_v(Op& op, uint32_t insn) { return lanes_v<OPS(fmla)>(op, insn); }
Build build_FADD_v(Op& op, uint32_t insn) { return lanes_v<F2(add)>(op, insn); }
Build build_FMULX_v(Op& op, uint32_t insn) { return lanes_v<F2(mulx)>(op, insn); }
Build build_FCMEQ_v(Op& op, uint32_t insn) { return lanes_v<OPS(cmeq)>(op, insn); }
Build build_FMAX_v(Op& op, uint32_t insn) { return lanes_v<F2(max)>(op, insn); }
Build build_FRECPS_v(Op& op, uint32_t insn) { return lanes_v<F2(recip_step)>(op, insn); }
Build build_FMINNM_v(Op& op, uint32_t insn) { return lanes_v<F2(minnum)>(op, insn); }
Build build_FMLS_v(Op& op, uint32_t insn) { return lanes_v<OPS(fmls)>(op, insn); }
Build build_FSUB_v(Op& op, uint32_t insn) { return lanes_v<F2(sub)>(op, insn); }
Build build_FMIN_v(Op& op, uint32_t insn) { return lanes_v<F2(min)>(op, insn); }
Build build_FRSQRTS_v(Op& op, uint32_t insn) { return lanes_v<F2(rsqrt_step)>(op, insn); }
Build build_FMUL_v(Op& op, uint32_t insn) { return lanes_v<F2(mul)>(op, insn); }
Build build_FCMGE_v(Op& op, uint32_t insn) { return lanes_v<OPS(cmge)>(op, insn); }
Build build_FACGE_v(Op& op, uint32_t insn) { return lanes_v<OPS(acge)>(op, insn); }
Build build_FDIV_v(Op& op, uint32_t insn) { return lanes_v<F2(div)>(op, insn); }
Build build_FABD_v(Op& op, uint32_t insn) { return lanes_v<F2(abd)>(op, insn); }
Build build_FCMGT_v(Op& op, uint32_t insn) { return lanes_v<OPS(cmgt)>(op, insn); }
Build build_FACGT_v(Op& op, uint32_t insn) { return lanes_v<OPS(acgt)>(op, insn); }
Build build_FADDP_v(Op& op, uint32_t insn) { return build_v(op, insn, PairLanes<32, fp::add<32>>, PairLanes<64, fp::add<64>>); }
Build build_FMAXP_v(Op& op, uint32_t insn) { return build_v(op, insn, PairLanes<32, fp::max<32>>, PairLanes<64, fp::max<64>>); }
Build build_FMINP_v(Op& op, uint32_t insn) { return build_v(op, insn, PairLanes<32, fp::min<32>>, PairLanes<64, fp::min<64>>); }
Build build_FMAXNMP_v(Op& op, uint32_t insn) { return build_v(op, insn, PairLanes<32, fp::maxnum<32>>, PairLanes<64, fp::maxnum<64>>); }
Build build_FMINNMP_v(Op& op, uint32_t insn) { return build_v(op, insn, PairLanes<32, fp::minnum<32>>, PairLanes<64, fp::minnum<64>>); }

Build build_FMULX_ss(Op& op, uint32_t insn) { return lanes_ss<F2(mulx)>(op, insn); }
Build build_FCMEQ_ss(Op& op, uint32_t insn) { return lanes_ss<OPS(cmeq)>(op, insn); }
Build build_FRECPS_ss(Op& op, uint32_t insn) { return lanes_ss<F2(recip_step)>(op, insn); }
Build build_FRSQRTS_ss(Op& op, uint32_t insn) { return lanes_ss<F2(rsqrt_step)>(op, insn); }
Build build_FCMGE_ss(Op& op, uint32_t insn) { return lanes_ss<OPS(cmge)>(op, insn); }
Build build_FACGE_ss(Op& op, uint32_t insn) { return lanes_ss<OPS(acge)>(op, insn); }
Build build_FABD_ss(Op& op, uint32_t insn) { return lanes_ss<F2(abd)>(op, insn); }
Build build_FCMGT_ss(Op& op, uint32_t insn) { return lanes_ss<OPS(cmgt)>(op, insn); }
Build build_FACGT_ss(Op& op, uint32_t insn) { return lanes_ss<OPS(acgt)>(op, insn); }

Build build_FCMGT_zero_v(Op& op, uint32_t insn) { return lanes_v<OPS(cmgt0)>(op, insn); }
Build build_FCMGE_zero_v(Op& op, uint32_t insn) { return lanes_v<OPS(cmge0)>(op, insn); }
Build build_FCMEQ_zero_v(Op& op, uint32_t insn) { return lanes_v<OPS(cmeq0)>(op, insn); }
Build build_FCMLE_zero_v(Op& op, uint32_t insn) { return lanes_v<OPS(cmle0)>(op, insn); }
Build build_FCMLT_zero_v(Op& op, uint32_t insn) { return lanes_v<OPS(cmlt0)>(op, insn); }
Build build_FCMGT_zero_ss(Op& op, uint32_t insn) { return lanes_ss<OPS(cmgt0)>(op, insn); }
Build build_FCMGE_zero_ss(Op& op, uint32_t insn) { return lanes_ss<OPS(cmge0)>(op, insn); }
Build build_FCMEQ_zero_ss(Op& op, uint32_t insn) { return lanes_ss<OPS(cmeq0)>(op, insn); }
Build build_FCMLE_zero_ss(Op& op, uint32_t insn) { return lanes_ss<OPS(cmle0)>(op, insn); }
Build build_FCMLT_zero_ss(Op& op, uint32_t insn) { return lanes_ss<OPS(cmlt0)>(op, insn); }
Build build_FABS_v(Op& op, uint32_t insn) { return lanes_v<OPS(fabs)>(op, insn); }
Build build_FNEG_v(Op& op, uint32_t insn) { return lanes_v<OPS(fneg)>(op, insn); }
Build build_FSQRT_v(Op& op, uint32_t insn) { return lanes_v<F1(sqrt)>(op, insn); }
Build build_FRECPE_v(Op& op, uint32_t insn) { return lanes_v<F1(recip_estimate)>(op, insn); }
Build build_FRSQRTE_v(Op& op, uint32_t insn) { return lanes_v<F1(rsqrt_estimate)>(op, insn); }
Build build_FRECPE_ss(Op& op, uint32_t insn) { return lanes_ss<F1(recip_estimate)>(op, insn); }
Build build_FRSQRTE_ss(Op& op, uint32_t insn) { return lanes_ss<F1(rsqrt_estimate)>(op, insn); }
Build build_FRECPX(Op& op, uint32_t insn) { return lanes_ss<F1(recip_exponent)>(op, insn); }
Build build_URECPE_v(Op& op, uint32_t insn) { return sz_bit(insn) ? Build::Undefined : lanes_v<OPS(urecpe)>(op, insn); }
Build build_URSQRTE_v(Op& op, uint32_t insn) { return sz_bit(insn) ? Build::Undefined : lanes_v<OPS(ursqrte)>(op, insn); }

Build build_FRINTN_v(Op& op, uint32_t insn) { return rint_v(op, insn, mode(Rounding::TieEven), false); }
Build build_FRINTP_v(Op& op, uint32_t insn) { return rint_v(op, insn, mode(Rounding::PosInf), false); }
Build build_FRINTM_v(Op& op, uint32_t insn) { return rint_v(op, insn, mode(Rounding::NegInf), false); }
Build build_FRINTZ_v(Op& op, uint32_t insn) { return rint_v(op, insn, mode(Rounding::Zero), false); }
Build build_FRINTA_v(Op& op, uint32_t insn) { return rint_v(op, insn, mode(Rounding::TieAway), false); }
Build build_FRINTX_v(Op& op, uint32_t insn) { return rint_v(op, insn, kFpcrRounding, true); }
Build build_FRINTI_v(Op& op, uint32_t insn) { return rint_v(op, insn, kFpcrRounding, false); }

Build build_FCVTNS_v(Op& op, uint32_t insn) { return to_int<false>(op, insn, Rounding::TieEven, false); }
Build build_FCVTNU_v(Op& op, uint32_t insn) { return to_int<true>(op, insn, Rounding::TieEven, false); }
Build build_FCVTMS_v(Op& op, uint32_t insn) { return to_int<false>(op, insn, Rounding::NegInf, false); }
Build build_FCVTMU_v(Op& op, uint32_t insn) { return to_int<true>(op, insn, Rounding::NegInf, false); }
Build build_FCVTAS_v(Op& op, uint32_t insn) { return to_int<false>(op, insn, Rounding::TieAway, false); }
Build build_FCVTAU_v(Op& op, uint32_t insn) { return to_int<true>(op, insn, Rounding::TieAway, false); }
Build build_FCVTPS_v(Op& op, uint32_t insn) { return to_int<false>(op, insn, Rounding::PosInf, false); }
Build build_FCVTPU_v(Op& op, uint32_t insn) { return to_int<true>(op, insn, Rounding::PosInf, false); }
Build build_FCVTZS_v(Op& op, uint32_t insn) { return to_int<false>(op, insn, Rounding::Zero, false); }
Build build_FCVTZU_v(Op& op, uint32_t insn) { return to_int<true>(op, insn, Rounding::Zero, false); }
Build build_FCVTNS_ss(Op& op, uint32_t insn) { return to_int<false>(op, insn, Rounding::TieEven, true); }
Build build_FCVTNU_ss(Op& op, uint32_t insn) { return to_int<true>(op, insn, Rounding::TieEven, true); }
Build build_FCVTMS_ss(Op& op, uint32_t insn) { return to_int<false>(op, insn, Rounding::NegInf, true); }
Build build_FCVTMU_ss(Op& op, uint32_t insn) { return to_int<true>(op, insn, Rounding::NegInf, true); }
Build build_FCVTAS_ss(Op& op, uint32_t insn) { return to_int<false>(op, insn, Rounding::TieAway, true); }
Build build_FCVTAU_ss(Op& op, uint32_t insn) { return to_int<true>(op, insn, Rounding::TieAway, true); }
Build build_FCVTPS_ss(Op& op, uint32_t insn) { return to_int<false>(op, insn, Rounding::PosInf, true); }
Build build_FCVTPU_ss(Op& op, uint32_t insn) { return to_int<true>(op, insn, Rounding::PosInf, true); }
Build build_FCVTZS_ss(Op& op, uint32_t insn) { return to_int<false>(op, insn, Rounding::Zero, true); }
Build build_FCVTZU_ss(Op& op, uint32_t insn) { return to_int<true>(op, insn, Rounding::Zero, true); }
Build build_SCVTF_v(Op& op, uint32_t insn) { return from_int<false>(op, insn, false); }
Build build_UCVTF_v(Op& op, uint32_t insn) { return from_int<true>(op, insn, false); }
Build build_SCVTF_ss(Op& op, uint32_t insn) { return from_int<false>(op, insn, true); }
Build build_UCVTF_ss(Op& op, uint32_t insn) { return from_int<true>(op, insn, true); }

Build build_SCVTF_fixv(Op& op, uint32_t insn) { return fixed<false, false>(op, insn, false); }
Build build_UCVTF_fixv(Op& op, uint32_t insn) { return fixed<false, true>(op, insn, false); }
Build build_FCVTZS_fixv(Op& op, uint32_t insn) { return fixed<true, false>(op, insn, false); }
Build build_FCVTZU_fixv(Op& op, uint32_t insn) { return fixed<true, true>(op, insn, false); }
Build build_SCVTF_fixv_s(Op& op, uint32_t insn) { return fixed<false, false>(op, insn, true); }
Build build_UCVTF_fixv_s(Op& op, uint32_t insn) { return fixed<false, true>(op, insn, true); }
Build build_FCVTZS_fixv_s(Op& op, uint32_t insn) { return fixed<true, false>(op, insn, true); }
Build build_FCVTZU_fixv_s(Op& op, uint32_t insn) { return fixed<true, true>(op, insn, true); }

// FCVTN/FCVTL: sz 0 is half <-> single, sz 1 single <-> double. FCVTXN: double to single only.
Build build_FCVTN_v(Op& op, uint32_t insn)
{
    set_regs(op, insn);
    op.fn = sz_bit(insn) ? Narrow<64, 32, false> : Narrow<32, 16, false>;
    op.b = sz_bit(insn) ? 2 : 4;
    op.ra = q_bit(insn);
    return Build::Next;
}
Build build_FCVTXN_v(Op& op, uint32_t insn)
{
    if (!sz_bit(insn))
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = Narrow<64, 32, true>;
    op.b = 2;
    op.ra = q_bit(insn);
    return Build::Next;
}
Build build_FCVTXN_ss(Op& op, uint32_t insn)
{
    if (!sz_bit(insn))
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = Narrow<64, 32, true>;
    op.b = 1;
    return Build::Next;
}
Build build_FCVTL_v(Op& op, uint32_t insn)
{
    set_regs(op, insn);
    op.fn = sz_bit(insn) ? Widen<32, 64> : Widen<16, 32>;
    op.b = sz_bit(insn) ? 2 : 4;
    op.ra = q_bit(insn);
    return Build::Next;
}

Build build_FMAXNMV(Op& op, uint32_t insn) { return across(op, insn, Reduce<32, fp::maxnum<32>>); }
Build build_FMINNMV(Op& op, uint32_t insn) { return across(op, insn, Reduce<32, fp::minnum<32>>); }
Build build_FMAXV(Op& op, uint32_t insn) { return across(op, insn, Reduce<32, fp::max<32>>); }
Build build_FMINV(Op& op, uint32_t insn) { return across(op, insn, Reduce<32, fp::min<32>>); }
Build build_FADDP_ss(Op& op, uint32_t insn) { return pair_ss<fp::add<32>, fp::add<64>>(op, insn); }
Build build_FMAXP_ss(Op& op, uint32_t insn) { return pair_ss<fp::max<32>, fp::max<64>>(op, insn); }
Build build_FMINP_ss(Op& op, uint32_t insn) { return pair_ss<fp::min<32>, fp::min<64>>(op, insn); }
Build build_FMAXNMP_ss(Op& op, uint32_t insn) { return pair_ss<fp::maxnum<32>, fp::maxnum<64>>(op, insn); }
Build build_FMINNMP_ss(Op& op, uint32_t insn) { return pair_ss<fp::minnum<32>, fp::minnum<64>>(op, insn); }

Build build_FMLA_elem(Op& op, uint32_t insn) { return elem<OPS(fmla)>(op, insn, false); }
Build build_FMLS_elem(Op& op, uint32_t insn) { return elem<OPS(fmls)>(op, insn, false); }
Build build_FMUL_elem(Op& op, uint32_t insn) { return elem<F2(mul)>(op, insn, false); }
Build build_FMULX_elem(Op& op, uint32_t insn) { return elem<F2(mulx)>(op, insn, false); }
Build build_FMLA_elem_s(Op& op, uint32_t insn) { return elem<OPS(fmla)>(op, insn, true); }
Build build_FMLS_elem_s(Op& op, uint32_t insn) { return elem<OPS(fmls)>(op, insn, true); }
Build build_FMUL_elem_s(Op& op, uint32_t insn) { return elem<F2(mul)>(op, insn, true); }
Build build_FMULX_elem_s(Op& op, uint32_t insn) { return elem<F2(mulx)>(op, insn, true); }
// clang-format on
#undef F2
#undef F1
#undef OPS

}  // namespace emu::a64
