// A64 exclusives (LDXR/STXR and pairs), load-acquire/store-release and the ARMv8.1 LSE
// atomics (CAS, CASP, LD<op>, SWP).
//
// One CPU runs at a time and an interpreter performs accesses in program order, so acquire and
// release semantics need nothing, and a read followed by a write is atomic. What remains
// architectural: every one of these accesses must be naturally aligned (a pair: aligned to its
// whole size), and the local exclusive monitor decides whether a store-exclusive happens.
#include <type_traits>

#include "cpu/a64/cpu.h"
#include "cpu/a64/fields.h"

namespace emu::a64 {

namespace {

// A W pair is one 64-bit access, single-copy atomic as the architecture has it; an X pair is
// two accesses. The first register holds the lower address.
// kForUpdate: the read of CASP, which needs write permission too.
template <class M, bool kForUpdate = false>
bool read_pair(Cpu& c, uint64_t addr, M& v1, M& v2, const Op* op)
{
    auto read = [&](uint64_t a, auto& v) {
        if constexpr (kForUpdate)
            return c.read_for_update(a, v, op);
        else
            return c.read(a, v, op);
    };
    if constexpr (sizeof(M) == 4) {
        uint64_t v;
        if (!read(addr, v))
            return false;
        v1 = static_cast<uint32_t>(v);
        v2 = static_cast<uint32_t>(v >> 32);
        return true;
    } else {
        return read(addr, v1) && read(addr + 8, v2);
    }
}

template <class M>
bool write_pair(Cpu& c, uint64_t addr, uint64_t v1, uint64_t v2, const Op* op)
{
    if constexpr (sizeof(M) == 4)
        return c.write<uint64_t>(addr, (v2 << 32) | static_cast<uint32_t>(v1), op);
    else
        return c.write<M>(addr, v1, op) && c.write<M>(addr + 8, v2, op);
}

// --- exclusives ------------------------------------------------------------------------------

template <class M>
const Op* LDXR(Cpu& c, const Op* op)
{
    uint64_t addr = c.s.r[op->rn];
    M v;
    if (!c.check_alignment(addr, sizeof(M), false, op) || !c.read<M>(addr, v, op))
        return nullptr;
    c.monitor = {true, addr, sizeof(M)};
    c.s.r[op->rd] = v;
    return c.next(op);
}

// The store happens, and Ws reads 0, only if the monitor holds exactly this address and size.
// Pass or fail, the monitor is open afterwards.
template <class M>
const Op* STXR(Cpu& c, const Op* op)
{
    uint64_t addr = c.s.r[op->rn];
    if (!c.check_alignment(addr, sizeof(M), true, op))
        return nullptr;
    bool pass = c.monitor.valid && c.monitor.addr == addr && c.monitor.size == sizeof(M);
    if (pass && !c.write<M>(addr, static_cast<M>(c.s.r[op->rd]), op))
        return nullptr;
    c.monitor.valid = false;
    c.s.r[op->rm] = pass ? 0 : 1;
    return c.next(op);
}

template <class M>
const Op* LDXP(Cpu& c, const Op* op)
{
    uint64_t addr = c.s.r[op->rn];
    M v1, v2;
    if (!c.check_alignment(addr, 2 * sizeof(M), false, op) || !read_pair<M>(c, addr, v1, v2, op))
        return nullptr;
    c.monitor = {true, addr, 2 * sizeof(M)};
    c.s.r[op->rd] = v1;
    c.s.r[op->ra] = v2;
    return c.next(op);
}

template <class M>
const Op* STXP(Cpu& c, const Op* op)
{
    uint64_t addr = c.s.r[op->rn];
    if (!c.check_alignment(addr, 2 * sizeof(M), true, op))
        return nullptr;
    bool pass = c.monitor.valid && c.monitor.addr == addr && c.monitor.size == 2 * sizeof(M);
    if (pass && !write_pair<M>(c, addr, c.s.r[op->rd], c.s.r[op->ra], op))
        return nullptr;
    c.monitor.valid = false;
    c.s.r[op->rm] = pass ? 0 : 1;
    return c.next(op);
}

// --- ordered accesses ------------------------------------------------------------------------

template <class M>
const Op* LDAR(Cpu& c, const Op* op)
{
    uint64_t addr = c.s.r[op->rn];
    M v;
    if (!c.check_alignment(addr, sizeof(M), false, op) || !c.read<M>(addr, v, op))
        return nullptr;
    c.s.r[op->rd] = v;
    return c.next(op);
}

template <class M>
const Op* STLR(Cpu& c, const Op* op)
{
    uint64_t addr = c.s.r[op->rn];
    if (!c.check_alignment(addr, sizeof(M), true, op) || !c.write<M>(addr, static_cast<M>(c.s.r[op->rd]), op))
        return nullptr;
    return c.next(op);
}

// --- compare and swap ------------------------------------------------------------------------

// Alignment faults of these read-modify-write accesses report a read (WnR = 0): the read
// would fault first. The read needs write permission as well, whether or not the swap
// happens.
template <class M>
const Op* CAS(Cpu& c, const Op* op)
{
    uint64_t addr = c.s.r[op->rn];
    M old;
    if (!c.check_alignment(addr, sizeof(M), false, op) || !c.read_for_update<M>(addr, old, op))
        return nullptr;
    if (old == static_cast<M>(c.s.r[op->rm]) && !c.write<M>(addr, static_cast<M>(c.s.r[op->rd]), op))
        return nullptr;
    c.s.r[op->ra] = old;
    return c.next(op);
}

// Slots: rm = Rs (even, so never 31), ra = Rs+1 as a source, b = Rs+1 as a destination,
// rd = Rt (even), a = Rt+1 as a source.
template <class M>
const Op* CASP(Cpu& c, const Op* op)
{
    uint64_t addr = c.s.r[op->rn];
    M v1, v2;
    if (!c.check_alignment(addr, 2 * sizeof(M), false, op) || !read_pair<M, true>(c, addr, v1, v2, op))
        return nullptr;
    if (v1 == static_cast<M>(c.s.r[op->rm]) && v2 == static_cast<M>(c.s.r[op->ra]) &&
        !write_pair<M>(c, addr, c.s.r[op->rd], c.s.r[op->a], op))
        return nullptr;
    c.s.r[op->rm] = v1;
    c.s.r[op->b] = v2;
    return c.next(op);
}

// --- atomic memory operations ----------------------------------------------------------------

enum class AtomicOp { LDADD, LDCLR, LDEOR, LDSET, LDSMAX, LDSMIN, LDUMAX, LDUMIN, SWP };

// The value the operation stores, from the old memory value and Rs.
template <AtomicOp O, class M>
inline M combine(M old, M s)
{
    using S = std::make_signed_t<M>;
    if constexpr (O == AtomicOp::LDADD)
        return static_cast<M>(old + s);
    else if constexpr (O == AtomicOp::LDCLR)
        return static_cast<M>(old & ~s);
    else if constexpr (O == AtomicOp::LDEOR)
        return static_cast<M>(old ^ s);
    else if constexpr (O == AtomicOp::LDSET)
        return static_cast<M>(old | s);
    else if constexpr (O == AtomicOp::LDSMAX)
        return static_cast<S>(old) > static_cast<S>(s) ? old : s;
    else if constexpr (O == AtomicOp::LDSMIN)
        return static_cast<S>(old) < static_cast<S>(s) ? old : s;
    else if constexpr (O == AtomicOp::LDUMAX)
        return old > s ? old : s;
    else if constexpr (O == AtomicOp::LDUMIN)
        return old < s ? old : s;
    else
        return s;
}

// Rt receives the old value, zero-extended; the ST<op> aliases discard it into the sink.
template <AtomicOp O, class M>
const Op* atomic_op(Cpu& c, const Op* op)
{
    uint64_t addr = c.s.r[op->rn];
    M old;
    if (!c.check_alignment(addr, sizeof(M), false, op) || !c.read_for_update<M>(addr, old, op))
        return nullptr;
    if (!c.write<M>(addr, combine<O, M>(old, static_cast<M>(c.s.r[op->rm])), op))
        return nullptr;
    c.s.r[op->rd] = old;
    return c.next(op);
}

// --- builders --------------------------------------------------------------------------------

// Handlers by the size field: B, H, W, X.
constexpr Handler kLDXR[4] = {LDXR<uint8_t>, LDXR<uint16_t>, LDXR<uint32_t>, LDXR<uint64_t>};
constexpr Handler kSTXR[4] = {STXR<uint8_t>, STXR<uint16_t>, STXR<uint32_t>, STXR<uint64_t>};
constexpr Handler kLDAR[4] = {LDAR<uint8_t>, LDAR<uint16_t>, LDAR<uint32_t>, LDAR<uint64_t>};
constexpr Handler kSTLR[4] = {STLR<uint8_t>, STLR<uint16_t>, STLR<uint32_t>, STLR<uint64_t>};
constexpr Handler kCAS[4] = {CAS<uint8_t>, CAS<uint16_t>, CAS<uint32_t>, CAS<uint64_t>};

template <AtomicOp O>
constexpr Handler kAtomicOp[4] = {atomic_op<O, uint8_t>, atomic_op<O, uint16_t>, atomic_op<O, uint32_t>,
                                  atomic_op<O, uint64_t>};

// Whether Rt is a source (XZR reads zero) or a destination (XZR discards).
enum class Rt { Read, Written };

// The forms with one transfer register and a base.
Build build_rt_rn(Op& op, uint32_t insn, const Handler (&by_size)[4], Rt rt)
{
    uint32_t t = bits(insn, 4, 0);
    op.fn = by_size[bits(insn, 31, 30)];
    op.rd = rt == Rt::Written ? dst_zr(t) : src_zr(t);
    op.rn = reg_sp(bits(insn, 9, 5));
    return Build::Next;
}

template <AtomicOp O>
Build build_atomic_op(Op& op, uint32_t insn)
{
    build_rt_rn(op, insn, kAtomicOp<O>, Rt::Written);
    op.rm = src_zr(bits(insn, 20, 16));
    return Build::Next;
}

}  // namespace

Build build_LDXR(Op& op, uint32_t insn) { return build_rt_rn(op, insn, kLDXR, Rt::Written); }
Build build_LDAXR(Op& op, uint32_t insn) { return build_rt_rn(op, insn, kLDXR, Rt::Written); }

Build build_STXR(Op& op, uint32_t insn)
{
    uint32_t s = bits(insn, 20, 16);
    uint32_t n = bits(insn, 9, 5);
    uint32_t t = bits(insn, 4, 0);
    // A status register that overlaps the data or the base is CONSTRAINED UNPREDICTABLE.
    if (s == t || (s == n && n != 31))
        return Build::Undefined;
    build_rt_rn(op, insn, kSTXR, Rt::Read);
    op.rm = dst_zr(s);
    return Build::Next;
}

Build build_STLXR(Op& op, uint32_t insn) { return build_STXR(op, insn); }

Build build_LDXP(Op& op, uint32_t insn)
{
    uint32_t t2 = bits(insn, 14, 10);
    uint32_t t = bits(insn, 4, 0);
    // Loading both halves into one register is CONSTRAINED UNPREDICTABLE.
    if (t == t2)
        return Build::Undefined;
    op.fn = bit(insn, 30) ? LDXP<uint64_t> : LDXP<uint32_t>;
    op.rd = dst_zr(t);
    op.ra = dst_zr(t2);
    op.rn = reg_sp(bits(insn, 9, 5));
    return Build::Next;
}

Build build_LDAXP(Op& op, uint32_t insn) { return build_LDXP(op, insn); }

Build build_STXP(Op& op, uint32_t insn)
{
    uint32_t s = bits(insn, 20, 16);
    uint32_t t2 = bits(insn, 14, 10);
    uint32_t n = bits(insn, 9, 5);
    uint32_t t = bits(insn, 4, 0);
    // A status register that overlaps the data or the base is CONSTRAINED UNPREDICTABLE.
    if (s == t || s == t2 || (s == n && n != 31))
        return Build::Undefined;
    op.fn = bit(insn, 30) ? STXP<uint64_t> : STXP<uint32_t>;
    op.rd = src_zr(t);
    op.ra = src_zr(t2);
    op.rn = reg_sp(n);
    op.rm = dst_zr(s);
    return Build::Next;
}

Build build_STLXP(Op& op, uint32_t insn) { return build_STXP(op, insn); }

Build build_LDAR(Op& op, uint32_t insn) { return build_rt_rn(op, insn, kLDAR, Rt::Written); }
Build build_LDLAR(Op& op, uint32_t insn) { return build_rt_rn(op, insn, kLDAR, Rt::Written); }
Build build_STLR(Op& op, uint32_t insn) { return build_rt_rn(op, insn, kSTLR, Rt::Read); }
Build build_STLLR(Op& op, uint32_t insn) { return build_rt_rn(op, insn, kSTLR, Rt::Read); }

Build build_CAS(Op& op, uint32_t insn)
{
    uint32_t s = bits(insn, 20, 16);
    build_rt_rn(op, insn, kCAS, Rt::Read);
    op.rm = src_zr(s);
    op.ra = dst_zr(s);
    return Build::Next;
}

Build build_CASP(Op& op, uint32_t insn)
{
    uint32_t s = bits(insn, 20, 16);
    uint32_t t = bits(insn, 4, 0);
    // Register pairs start at an even register; an odd one is UNDEFINED.
    if ((s & 1) || (t & 1))
        return Build::Undefined;
    op.fn = bit(insn, 30) ? CASP<uint64_t> : CASP<uint32_t>;
    op.rn = reg_sp(bits(insn, 9, 5));
    op.rm = static_cast<uint8_t>(s);
    op.ra = src_zr(s + 1);
    op.b = dst_zr(s + 1);
    op.rd = static_cast<uint8_t>(t);
    op.a = src_zr(t + 1);
    return Build::Next;
}

Build build_LDADD(Op& op, uint32_t insn) { return build_atomic_op<AtomicOp::LDADD>(op, insn); }
Build build_LDCLR(Op& op, uint32_t insn) { return build_atomic_op<AtomicOp::LDCLR>(op, insn); }
Build build_LDEOR(Op& op, uint32_t insn) { return build_atomic_op<AtomicOp::LDEOR>(op, insn); }
Build build_LDSET(Op& op, uint32_t insn) { return build_atomic_op<AtomicOp::LDSET>(op, insn); }
Build build_LDSMAX(Op& op, uint32_t insn) { return build_atomic_op<AtomicOp::LDSMAX>(op, insn); }
Build build_LDSMIN(Op& op, uint32_t insn) { return build_atomic_op<AtomicOp::LDSMIN>(op, insn); }
Build build_LDUMAX(Op& op, uint32_t insn) { return build_atomic_op<AtomicOp::LDUMAX>(op, insn); }
Build build_LDUMIN(Op& op, uint32_t insn) { return build_atomic_op<AtomicOp::LDUMIN>(op, insn); }
Build build_SWP(Op& op, uint32_t insn) { return build_atomic_op<AtomicOp::SWP>(op, insn); }

}  // namespace emu::a64
