// SIMD&FP loads and stores: single B/H/S/D/Q registers in every addressing form, pairs of
// S/D/Q registers, and the structure loads and stores LD1-LD4/ST1-ST4 (multiple structures
// and single lanes) and LD1R-LD4R.
//
// As for the integer forms, every access is made before any register is written, so a data
// abort leaves the registers as they were. Q registers move as two 8-byte accesses, lanes of
// structures one access per element, as the architecture orders them.
#include "cpu/a64/addressing.h"
#include "cpu/a64/cpu.h"
#include "cpu/a64/fields.h"

namespace emu::a64 {

namespace {

// N bytes (1, 2, 4, 8 or 16) at addr into the low bytes of r, which the caller zeroed.
template <unsigned N>
bool load(Cpu& c, uint64_t addr, VReg& r, const Op* op)
{
    if constexpr (N == 16)
        return c.read<uint64_t>(addr, r.d[0], op) && c.read<uint64_t>(addr + 8, r.d[1], op);
    else {
        using T = std::conditional_t<N == 1, uint8_t, std::conditional_t<N == 2, uint16_t,
                  std::conditional_t<N == 4, uint32_t, uint64_t>>>;
        T v;
        if (!c.read<T>(addr, v, op))
            return false;
        r.d[0] = v;
        return true;
    }
}

template <unsigned N>
bool store(Cpu& c, uint64_t addr, const VReg& r, const Op* op)
{
    if constexpr (N == 16)
        return c.write<uint64_t>(addr, r.d[0], op) && c.write<uint64_t>(addr + 8, r.d[1], op);
    else {
        using T = std::conditional_t<N == 1, uint8_t, std::conditional_t<N == 2, uint16_t,
                  std::conditional_t<N == 4, uint32_t, uint64_t>>>;
        return c.write<T>(addr, static_cast<T>(r.d[0]), op);
    }
}

// One element of `bytes` bytes, zero-extended.
bool load_elem(Cpu& c, uint64_t addr, unsigned bytes, uint64_t& v, const Op* op)
{
    switch (bytes) {
    case 1: { uint8_t t; if (!c.read<uint8_t>(addr, t, op)) return false; v = t; return true; }
    case 2: { uint16_t t; if (!c.read<uint16_t>(addr, t, op)) return false; v = t; return true; }
    case 4: { uint32_t t; if (!c.read<uint32_t>(addr, t, op)) return false; v = t; return true; }
    default: return c.read<uint64_t>(addr, v, op);
    }
}

bool store_elem(Cpu& c, uint64_t addr, unsigned bytes, uint64_t v, const Op* op)
{
    switch (bytes) {
    case 1: return c.write<uint8_t>(addr, static_cast<uint8_t>(v), op);
    case 2: return c.write<uint16_t>(addr, static_cast<uint16_t>(v), op);
    case 4: return c.write<uint32_t>(addr, static_cast<uint32_t>(v), op);
    default: return c.write<uint64_t>(addr, v, op);
    }
}

uint64_t get_elem(const VReg& r, unsigned i, unsigned bytes)
{
    switch (bytes) {
    case 1: return r.get<uint8_t>(i);
    case 2: return r.get<uint16_t>(i);
    case 4: return r.get<uint32_t>(i);
    default: return r.get<uint64_t>(i);
    }
}

void set_elem(VReg& r, unsigned i, unsigned bytes, uint64_t v)
{
    switch (bytes) {
    case 1: r.set<uint8_t>(i, static_cast<uint8_t>(v)); break;
    case 2: r.set<uint16_t>(i, static_cast<uint16_t>(v)); break;
    case 4: r.set<uint32_t>(i, static_cast<uint32_t>(v)); break;
    default: r.set<uint64_t>(i, v); break;
    }
}

// --- single registers and pairs ----------------------------------------------------------------

template <Mode A, unsigned N>
const Op* LDR_v(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    uint64_t addr = address<A>(c, op);
    VReg r;
    if (!load<N>(c, addr, r, op))
        return nullptr;
    c.s.v[op->rd] = r;
    write_back<A>(c, op, addr);
    return c.next(op);
}

template <Mode A, unsigned N>
const Op* STR_v(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    uint64_t addr = address<A>(c, op);
    if (!store<N>(c, addr, c.s.v[op->rd], op))
        return nullptr;
    write_back<A>(c, op, addr);
    return c.next(op);
}

template <Mode A, unsigned N>
const Op* LDP_v(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    uint64_t addr = address<A>(c, op);
    VReg r1, r2;
    if (!load<N>(c, addr, r1, op) || !load<N>(c, addr + N, r2, op))
        return nullptr;
    c.s.v[op->rd] = r1;
    c.s.v[op->ra] = r2;
    write_back<A>(c, op, addr);
    return c.next(op);
}

template <Mode A, unsigned N>
const Op* STP_v(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    uint64_t addr = address<A>(c, op);
    if (!store<N>(c, addr, c.s.v[op->rd], op) || !store<N>(c, addr + N, c.s.v[op->ra], op))
        return nullptr;
    write_back<A>(c, op, addr);
    return c.next(op);
}

// By log2 of the access size (B, H, S, D, Q).
template <Mode A>
constexpr Handler kLoad[5] = {LDR_v<A, 1>, LDR_v<A, 2>, LDR_v<A, 4>, LDR_v<A, 8>, LDR_v<A, 16>};
template <Mode A>
constexpr Handler kStore[5] = {STR_v<A, 1>, STR_v<A, 2>, STR_v<A, 4>, STR_v<A, 8>, STR_v<A, 16>};
// By opc (S, D, Q).
template <Mode A>
constexpr Handler kLoadPair[3] = {LDP_v<A, 4>, LDP_v<A, 8>, LDP_v<A, 16>};
template <Mode A>
constexpr Handler kStorePair[3] = {STP_v<A, 4>, STP_v<A, 8>, STP_v<A, 16>};

// log2 of the access size of a single-register form: size, or 4 for the Q form
// (opc<1> = 1, size = 00); nothing for the unallocated combinations.
int access_log2(uint32_t insn)
{
    uint32_t size = bits(insn, 31, 30);
    if (!bit(insn, 23))
        return static_cast<int>(size);
    return size == 0 ? 4 : -1;
}

template <Mode A>
Build build_single(Op& op, uint32_t insn, uint64_t offset)
{
    int lg = access_log2(insn);
    if (lg < 0)
        return Build::Undefined;
    op.fn = bit(insn, 22) ? kLoad<A>[lg] : kStore<A>[lg];
    op.rd = static_cast<uint8_t>(bits(insn, 4, 0));
    op.rn = reg_sp(bits(insn, 9, 5));
    op.imm = offset;
    return Build::Next;
}

uint64_t simm9(uint32_t insn) { return static_cast<uint64_t>(sign_extend(bits(insn, 20, 12), 9)); }

Build build_unsigned_offset(Op& op, uint32_t insn)
{
    int lg = access_log2(insn);
    if (lg < 0)
        return Build::Undefined;
    return build_single<Mode::Offset>(op, insn, uint64_t{bits(insn, 21, 10)} << lg);
}

Build build_register_offset(Op& op, uint32_t insn)
{
    // option<1> = 1 is fixed by the table: 010 UXTW, 011 LSL, 110 SXTW, 111 SXTX.
    uint32_t option = bits(insn, 15, 13);
    Build r = (option & 1) ? build_single<Mode::RegX>(op, insn, 0)
              : (option & 4) ? build_single<Mode::RegSxtw>(op, insn, 0)
                             : build_single<Mode::RegUxtw>(op, insn, 0);
    op.rm = src_zr(bits(insn, 20, 16));
    op.a = static_cast<uint8_t>(bit(insn, 12) ? access_log2(insn) : 0);
    return r;
}

template <Mode A>
Build build_pair(Op& op, uint32_t insn)
{
    uint32_t opc = bits(insn, 31, 30);
    bool load = bit(insn, 22);
    uint32_t t2 = bits(insn, 14, 10);
    uint32_t t = bits(insn, 4, 0);
    // opc 11 is unallocated; loading both halves into one register is CONSTRAINED
    // UNPREDICTABLE, and we make it undefined as for the integer pairs.
    if (opc == 3 || (load && t == t2))
        return Build::Undefined;
    op.fn = load ? kLoadPair<A>[opc] : kStorePair<A>[opc];
    op.rd = static_cast<uint8_t>(t);
    op.ra = static_cast<uint8_t>(t2);
    op.rn = reg_sp(bits(insn, 9, 5));
    op.imm = static_cast<uint64_t>(sign_extend(bits(insn, 21, 15), 7) * (4 << opc));
    return Build::Next;
}

// --- structures --------------------------------------------------------------------------------

// How a structure access moves its base: not at all, by the transfer size, or by Xm.
enum class Post { None, Imm, Reg };

template <Post P>
void post_index(Cpu& c, const Op* op, uint64_t base)
{
    if constexpr (P == Post::Imm)
        c.s.r[op->rn] = base + op->imm;
    else if constexpr (P == Post::Reg)
        c.s.r[op->rn] = base + c.s.r[op->rm];
}

// Multiple structures: op->a = selem | rpt << 4, op->b = log2(esize bytes) | Q << 2. Either
// selem or rpt is 1, so register t + k holds structure member k or repetition k.
template <bool kLoad, Post P>
const Op* Multi(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    unsigned selem = op->a & 0xF, rpt = op->a >> 4;
    unsigned ebytes = 1u << (op->b & 3);
    bool q = op->b >> 2;
    unsigned elements = (q ? 16 : 8) / ebytes;
    uint64_t base = c.s.r[op->rn], addr = base;
    unsigned nregs = selem * rpt;
    if (kLoad) {
        VReg tmp[4] = {};
        if (selem == 1) {
            // LD1: each register is a run of consecutive bytes.
            for (unsigned k = 0; k < nregs; k++, addr += q ? 16 : 8)
                if (!(q ? load<16>(c, addr, tmp[k], op) : load<8>(c, addr, tmp[k], op)))
                    return nullptr;
        } else {
            for (unsigned e = 0; e < elements; e++)
                for (unsigned s = 0; s < selem; s++, addr += ebytes) {
                    uint64_t v;
                    if (!load_elem(c, addr, ebytes, v, op))
                        return nullptr;
                    set_elem(tmp[s], e, ebytes, v);
                }
        }
        for (unsigned k = 0; k < nregs; k++)
            c.s.v[(op->rd + k) % 32] = tmp[k];
    } else {
        if (selem == 1) {
            for (unsigned k = 0; k < nregs; k++, addr += q ? 16 : 8) {
                const VReg& r = c.s.v[(op->rd + k) % 32];
                if (!(q ? store<16>(c, addr, r, op) : store<8>(c, addr, r, op)))
                    return nullptr;
            }
        } else {
            for (unsigned e = 0; e < elements; e++)
                for (unsigned s = 0; s < selem; s++, addr += ebytes)
                    if (!store_elem(c, addr, ebytes, get_elem(c.s.v[(op->rd + s) % 32], e, ebytes), op))
                        return nullptr;
        }
    }
    post_index<P>(c, op, base);
    return c.next(op);
}

// Single structures: op->a = selem, op->b = log2(esize bytes) | Q << 2, op->ra = the lane.
// A lane load keeps the other lanes of all 128 bits.
template <bool kLoad, Post P>
const Op* Single(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    unsigned selem = op->a;
    unsigned ebytes = 1u << (op->b & 3);
    unsigned lane = op->ra;
    uint64_t base = c.s.r[op->rn], addr = base;
    if (kLoad) {
        uint64_t v[4];
        for (unsigned s = 0; s < selem; s++, addr += ebytes)
            if (!load_elem(c, addr, ebytes, v[s], op))
                return nullptr;
        for (unsigned s = 0; s < selem; s++)
            set_elem(c.s.v[(op->rd + s) % 32], lane, ebytes, v[s]);
    } else {
        for (unsigned s = 0; s < selem; s++, addr += ebytes)
            if (!store_elem(c, addr, ebytes, get_elem(c.s.v[(op->rd + s) % 32], lane, ebytes), op))
                return nullptr;
    }
    post_index<P>(c, op, base);
    return c.next(op);
}

// LD1R-LD4R: each element loaded is replicated across its register (64 or 128 bits).
template <Post P>
const Op* Replicate(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    unsigned selem = op->a;
    unsigned ebytes = 1u << (op->b & 3);
    unsigned lanes = ((op->b >> 2) ? 16 : 8) / ebytes;
    uint64_t base = c.s.r[op->rn], addr = base;
    uint64_t v[4];
    for (unsigned s = 0; s < selem; s++, addr += ebytes)
        if (!load_elem(c, addr, ebytes, v[s], op))
            return nullptr;
    for (unsigned s = 0; s < selem; s++) {
        VReg r{};
        for (unsigned i = 0; i < lanes; i++)
            set_elem(r, i, ebytes, v[s]);
        c.s.v[(op->rd + s) % 32] = r;
    }
    post_index<P>(c, op, base);
    return c.next(op);
}

template <bool kLoad>
Build build_multi(Op& op, uint32_t insn, bool post)
{
    unsigned rpt, selem;
    switch (bits(insn, 15, 12)) {
    case 0b0000: rpt = 1, selem = 4; break;
    case 0b0010: rpt = 4, selem = 1; break;
    case 0b0100: rpt = 1, selem = 3; break;
    case 0b0110: rpt = 3, selem = 1; break;
    case 0b0111: rpt = 1, selem = 1; break;
    case 0b1000: rpt = 1, selem = 2; break;
    case 0b1010: rpt = 2, selem = 1; break;
    default: return Build::Undefined;
    }
    uint32_t size = bits(insn, 11, 10);
    bool q = bit(insn, 30);
    if (size == 3 && !q && selem != 1)
        return Build::Undefined;
    uint32_t m = bits(insn, 20, 16);
    Post p = !post ? Post::None : m == 31 ? Post::Imm : Post::Reg;
    op.fn = p == Post::None ? Multi<kLoad, Post::None> : p == Post::Imm ? Multi<kLoad, Post::Imm> : Multi<kLoad, Post::Reg>;
    op.rd = static_cast<uint8_t>(bits(insn, 4, 0));
    op.rn = reg_sp(bits(insn, 9, 5));
    op.rm = static_cast<uint8_t>(m);
    op.a = static_cast<uint8_t>(selem | rpt << 4);
    op.b = static_cast<uint8_t>(size | (q ? 4 : 0));
    op.imm = (q ? 16 : 8) * rpt * selem;
    return Build::Next;
}

template <bool kLoad>
Build build_single_struct(Op& op, uint32_t insn, bool post)
{
    uint32_t opcode = bits(insn, 15, 13), s = bit(insn, 12), size = bits(insn, 11, 10);
    bool q = bit(insn, 30);
    unsigned scale = opcode >> 1;
    unsigned selem = ((opcode & 1) << 1 | bit(insn, 21)) + 1;
    bool replicate = false;
    unsigned index = 0;
    switch (scale) {
    case 3:
        if (!kLoad || s)
            return Build::Undefined;
        scale = size;
        replicate = true;
        break;
    case 0: index = (q << 3) | (s << 2) | size; break;
    case 1:
        if (size & 1)
            return Build::Undefined;
        index = (q << 2) | (s << 1) | (size >> 1);
        break;
    case 2:
        if (size & 2)
            return Build::Undefined;
        if (size == 0)
            index = (q << 1) | s;
        else {
            if (s)
                return Build::Undefined;
            index = q;
            scale = 3;
        }
        break;
    }
    uint32_t m = bits(insn, 20, 16);
    Post p = !post ? Post::None : m == 31 ? Post::Imm : Post::Reg;
    if (replicate)
        op.fn = p == Post::None ? Replicate<Post::None> : p == Post::Imm ? Replicate<Post::Imm> : Replicate<Post::Reg>;
    else
        op.fn = p == Post::None ? Single<kLoad, Post::None> : p == Post::Imm ? Single<kLoad, Post::Imm> : Single<kLoad, Post::Reg>;
    op.rd = static_cast<uint8_t>(bits(insn, 4, 0));
    op.rn = reg_sp(bits(insn, 9, 5));
    op.rm = static_cast<uint8_t>(m);
    op.ra = static_cast<uint8_t>(index);
    op.a = static_cast<uint8_t>(selem);
    op.b = static_cast<uint8_t>(scale | (q ? 4 : 0));
    op.imm = selem << scale;
    return Build::Next;
}

}  // namespace

Build build_STR_v_imm(Op& op, uint32_t insn) { return build_unsigned_offset(op, insn); }
Build build_LDR_v_imm(Op& op, uint32_t insn) { return build_unsigned_offset(op, insn); }
Build build_STUR_v(Op& op, uint32_t insn) { return build_single<Mode::Offset>(op, insn, simm9(insn)); }
Build build_LDUR_v(Op& op, uint32_t insn) { return build_single<Mode::Offset>(op, insn, simm9(insn)); }
Build build_STR_v_post(Op& op, uint32_t insn) { return build_single<Mode::Post>(op, insn, simm9(insn)); }
Build build_LDR_v_post(Op& op, uint32_t insn) { return build_single<Mode::Post>(op, insn, simm9(insn)); }
Build build_STR_v_pre(Op& op, uint32_t insn) { return build_single<Mode::Pre>(op, insn, simm9(insn)); }
Build build_LDR_v_pre(Op& op, uint32_t insn) { return build_single<Mode::Pre>(op, insn, simm9(insn)); }
Build build_STR_v_reg(Op& op, uint32_t insn) { return build_register_offset(op, insn); }
Build build_LDR_v_reg(Op& op, uint32_t insn) { return build_register_offset(op, insn); }

Build build_LDR_v_lit(Op& op, uint32_t insn)
{
    static constexpr Handler kLit[3] = {LDR_v<Mode::Literal, 4>, LDR_v<Mode::Literal, 8>, LDR_v<Mode::Literal, 16>};
    uint32_t opc = bits(insn, 31, 30);
    if (opc == 3)
        return Build::Undefined;
    op.fn = kLit[opc];
    op.rd = static_cast<uint8_t>(bits(insn, 4, 0));
    op.imm = static_cast<uint64_t>(sign_extend(bits(insn, 23, 5), 19) * 4);
    return Build::Next;
}

Build build_STNP_v(Op& op, uint32_t insn) { return build_pair<Mode::Offset>(op, insn); }
Build build_LDNP_v(Op& op, uint32_t insn) { return build_pair<Mode::Offset>(op, insn); }
Build build_STP_v_off(Op& op, uint32_t insn) { return build_pair<Mode::Offset>(op, insn); }
Build build_LDP_v_off(Op& op, uint32_t insn) { return build_pair<Mode::Offset>(op, insn); }
Build build_STP_v_pre(Op& op, uint32_t insn) { return build_pair<Mode::Pre>(op, insn); }
Build build_LDP_v_pre(Op& op, uint32_t insn) { return build_pair<Mode::Pre>(op, insn); }
Build build_STP_v_post(Op& op, uint32_t insn) { return build_pair<Mode::Post>(op, insn); }
Build build_LDP_v_post(Op& op, uint32_t insn) { return build_pair<Mode::Post>(op, insn); }

Build build_ST_multi(Op& op, uint32_t insn) { return build_multi<false>(op, insn, false); }
Build build_LD_multi(Op& op, uint32_t insn) { return build_multi<true>(op, insn, false); }
Build build_ST_multi_post(Op& op, uint32_t insn) { return build_multi<false>(op, insn, true); }
Build build_LD_multi_post(Op& op, uint32_t insn) { return build_multi<true>(op, insn, true); }
Build build_ST_single(Op& op, uint32_t insn) { return build_single_struct<false>(op, insn, false); }
Build build_LD_single(Op& op, uint32_t insn) { return build_single_struct<true>(op, insn, false); }
Build build_ST_single_post(Op& op, uint32_t insn) { return build_single_struct<false>(op, insn, true); }
Build build_LD_single_post(Op& op, uint32_t insn) { return build_single_struct<true>(op, insn, true); }

}  // namespace emu::a64
