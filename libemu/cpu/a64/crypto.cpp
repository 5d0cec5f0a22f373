// The cryptographic extension (AESE/AESD/AESMC/AESIMC, SHA1*, SHA256*, PMULL/PMULL2), as the
// ARM ARM pseudocode defines them (CRC32 is with the integer instructions, in dp_reg.cpp). The AES tables are computed from the
// field arithmetic at compile time rather than written out.
#include <array>

#include "cpu/a64/simd.h"

namespace emu::a64 {

namespace {

using namespace simd;

// --- AES ---------------------------------------------------------------------------------------

constexpr uint8_t gf_mul(uint8_t a, uint8_t b)
{
    uint8_t r = 0;
    while (b) {
        if (b & 1)
            r ^= a;
        a = static_cast<uint8_t>((a << 1) ^ ((a & 0x80) ? 0x1B : 0));  // x^8 = x^4 + x^3 + x + 1
        b >>= 1;
    }
    return r;
}

constexpr uint8_t rotl8(uint8_t x, unsigned n) { return static_cast<uint8_t>((x << n) | (x >> (8 - n))); }

// SubBytes: the multiplicative inverse in GF(2^8), then the affine map with constant 0x63.
constexpr std::array<uint8_t, 256> make_sbox()
{
    std::array<uint8_t, 256> s{};
    for (unsigned x = 0; x < 256; x++) {
        uint8_t inv = 0;
        for (unsigned y = 1; y < 256 && x; y++)
            if (gf_mul(static_cast<uint8_t>(x), static_cast<uint8_t>(y)) == 1)
                inv = static_cast<uint8_t>(y);
        s[x] = static_cast<uint8_t>(inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63);
    }
    return s;
}

constexpr std::array<uint8_t, 256> kSbox = make_sbox();

constexpr std::array<uint8_t, 256> make_inverse_sbox()
{
    std::array<uint8_t, 256> s{};
    for (unsigned x = 0; x < 256; x++)
        s[kSbox[x]] = static_cast<uint8_t>(x);
    return s;
}

constexpr std::array<uint8_t, 256> kInvSbox = make_inverse_sbox();
static_assert(kSbox[0x00] == 0x63 && kSbox[0x53] == 0xED, "FIPS-197 S-box");

// The state is 16 bytes, byte i at row i % 4 and column i / 4.
using Block = std::array<uint8_t, 16>;

Block to_block(const VReg& v)
{
    Block b;
    for (unsigned i = 0; i < 16; i++)
        b[i] = v.get<uint8_t>(i);
    return b;
}

VReg from_block(const Block& b)
{
    VReg v;
    for (unsigned i = 0; i < 16; i++)
        v.set<uint8_t>(i, b[i]);
    return v;
}

Block shift_rows(const Block& s, bool inverse)
{
    Block r;
    for (unsigned row = 0; row < 4; row++)
        for (unsigned col = 0; col < 4; col++) {
            unsigned from = inverse ? (col + 4 - row) % 4 : (col + row) % 4;
            r[row + 4 * col] = s[row + 4 * from];
        }
    return r;
}

Block mix_columns(const Block& s, bool inverse)
{
    // Rows of the circulant matrix: {2, 3, 1, 1}, or {14, 11, 13, 9} for the inverse.
    const uint8_t m[4] = {static_cast<uint8_t>(inverse ? 14 : 2), static_cast<uint8_t>(inverse ? 11 : 3),
                          static_cast<uint8_t>(inverse ? 13 : 1), static_cast<uint8_t>(inverse ? 9 : 1)};
    Block r;
    for (unsigned col = 0; col < 4; col++)
        for (unsigned row = 0; row < 4; row++) {
            uint8_t acc = 0;
            for (unsigned k = 0; k < 4; k++)
                acc ^= gf_mul(m[(k + 4 - row) % 4], s[k + 4 * col]);
            r[row + 4 * col] = acc;
        }
    return r;
}

template <bool kDecrypt>
const Op* AES_round(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    VReg x = c.s.v[op->rd];
    x.d[0] ^= c.s.v[op->rn].d[0];
    x.d[1] ^= c.s.v[op->rn].d[1];
    Block b = shift_rows(to_block(x), kDecrypt);
    for (uint8_t& v : b)
        v = kDecrypt ? kInvSbox[v] : kSbox[v];
    c.s.v[op->rd] = from_block(b);
    return c.step(op);
}

template <bool kInverse>
const Op* AES_mix(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    c.s.v[op->rd] = from_block(mix_columns(to_block(c.s.v[op->rn]), kInverse));
    return c.step(op);
}

// --- SHA ---------------------------------------------------------------------------------------

constexpr uint32_t rol(uint32_t x, unsigned n) { return (x << n) | (x >> ((32 - n) & 31)); }
constexpr uint32_t ror(uint32_t x, unsigned n) { return (x >> n) | (x << ((32 - n) & 31)); }
constexpr uint32_t choose(uint32_t x, uint32_t y, uint32_t z) { return ((y ^ z) & x) ^ z; }
constexpr uint32_t parity(uint32_t x, uint32_t y, uint32_t z) { return x ^ y ^ z; }
constexpr uint32_t majority(uint32_t x, uint32_t y, uint32_t z) { return (x & y) | ((x | y) & z); }

// SHA1C, SHA1P, SHA1M: four rounds on the hash X (Qd) and E (Sn) with schedule words Vm.
template <uint32_t (*F)(uint32_t, uint32_t, uint32_t)>
const Op* SHA1_hash(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    uint32_t x[4], y = c.s.v[op->rn].get<uint32_t>(0);
    const VReg w = c.s.v[op->rm];
    for (unsigned i = 0; i < 4; i++)
        x[i] = c.s.v[op->rd].get<uint32_t>(i);
    for (unsigned e = 0; e < 4; e++) {
        uint32_t t = F(x[1], x[2], x[3]);
        y = y + rol(x[0], 5) + t + w.get<uint32_t>(e);
        x[1] = rol(x[1], 30);
        // Rotate the 160 bits Y:X left by 32: Y becomes X's top word, X moves up a word.
        uint32_t top = x[3];
        x[3] = x[2];
        x[2] = x[1];
        x[1] = x[0];
        x[0] = y;
        y = top;
    }
    VReg r;
    for (unsigned i = 0; i < 4; i++)
        r.set<uint32_t>(i, x[i]);
    c.s.v[op->rd] = r;
    return c.step(op);
}

const Op* SHA1H(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    c.s.v[op->rd] = VReg{{rol(c.s.v[op->rn].get<uint32_t>(0), 30), 0}};
    return c.step(op);
}

const Op* SHA1SU0(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    const VReg d = c.s.v[op->rd], n = c.s.v[op->rn], m = c.s.v[op->rm];
    VReg r{{d.d[1], n.d[0]}};
    r.d[0] ^= d.d[0] ^ m.d[0];
    r.d[1] ^= d.d[1] ^ m.d[1];
    c.s.v[op->rd] = r;
    return c.step(op);
}

const Op* SHA1SU1(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    const VReg d = c.s.v[op->rd], n = c.s.v[op->rn];
    uint32_t t[4];
    for (unsigned i = 0; i < 4; i++)
        t[i] = d.get<uint32_t>(i) ^ (i < 3 ? n.get<uint32_t>(i + 1) : 0);
    VReg r;
    for (unsigned i = 0; i < 3; i++)
        r.set<uint32_t>(i, rol(t[i], 1));
    r.set<uint32_t>(3, rol(t[3], 1) ^ rol(t[0], 2));
    c.s.v[op->rd] = r;
    return c.step(op);
}

// SHA256H (part 1, returns X) and SHA256H2 (returns Y, with X and Y swapped on entry).
template <bool kPart1>
const Op* SHA256_hash(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    const VReg& xs = kPart1 ? c.s.v[op->rd] : c.s.v[op->rn];
    const VReg& ys = kPart1 ? c.s.v[op->rn] : c.s.v[op->rd];
    const VReg w = c.s.v[op->rm];
    uint32_t x[4], y[4];
    for (unsigned i = 0; i < 4; i++) {
        x[i] = xs.get<uint32_t>(i);
        y[i] = ys.get<uint32_t>(i);
    }
    for (unsigned e = 0; e < 4; e++) {
        uint32_t chs = choose(y[0], y[1], y[2]);
        uint32_t maj = majority(x[0], x[1], x[2]);
        uint32_t t = y[3] + (ror(y[0], 6) ^ ror(y[0], 11) ^ ror(y[0], 25)) + chs + w.get<uint32_t>(e);
        x[3] = t + x[3];
        y[3] = t + (ror(x[0], 2) ^ ror(x[0], 13) ^ ror(x[0], 22)) + maj;
        // Rotate Y:X (256 bits, X low) left by 32.
        uint32_t carry = y[3];
        y[3] = y[2];
        y[2] = y[1];
        y[1] = y[0];
        y[0] = x[3];
        x[3] = x[2];
        x[2] = x[1];
        x[1] = x[0];
        x[0] = carry;
    }
    VReg r;
    for (unsigned i = 0; i < 4; i++)
        r.set<uint32_t>(i, kPart1 ? x[i] : y[i]);
    c.s.v[op->rd] = r;
    return c.step(op);
}

const Op* SHA256SU0(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    const VReg d = c.s.v[op->rd], n = c.s.v[op->rn];
    // T = Vn<31:0> : Vd<127:32>
    uint32_t t[4] = {d.get<uint32_t>(1), d.get<uint32_t>(2), d.get<uint32_t>(3), n.get<uint32_t>(0)};
    VReg r;
    for (unsigned e = 0; e < 4; e++)
        r.set<uint32_t>(e, (ror(t[e], 7) ^ ror(t[e], 18) ^ (t[e] >> 3)) + d.get<uint32_t>(e));
    c.s.v[op->rd] = r;
    return c.step(op);
}

const Op* SHA256SU1(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    const VReg d = c.s.v[op->rd], n = c.s.v[op->rn], m = c.s.v[op->rm];
    // T0 = Vm<31:0> : Vn<127:32>; T1 = Vm<127:64>
    uint32_t t0[4] = {n.get<uint32_t>(1), n.get<uint32_t>(2), n.get<uint32_t>(3), m.get<uint32_t>(0)};
    auto sigma1 = [](uint32_t x) { return ror(x, 17) ^ ror(x, 19) ^ (x >> 10); };
    uint32_t r[4];
    for (unsigned e = 0; e < 2; e++)
        r[e] = sigma1(m.get<uint32_t>(2 + e)) + d.get<uint32_t>(e) + t0[e];
    for (unsigned e = 2; e < 4; e++)
        r[e] = sigma1(r[e - 2]) + d.get<uint32_t>(e) + t0[e];
    VReg v;
    for (unsigned e = 0; e < 4; e++)
        v.set<uint32_t>(e, r[e]);
    c.s.v[op->rd] = v;
    return c.step(op);
}

// --- PMULL -------------------------------------------------------------------------------------

u128 clmul64(uint64_t a, uint64_t b)
{
    u128 r = 0;
    for (unsigned i = 0; i < 64; i++)
        if ((b >> i) & 1)
            r ^= u128{a} << i;
    return r;
}

// op->imm: the upper half (PMULL2).
const Op* PMULL_8(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    const VReg n = c.s.v[op->rn], m = c.s.v[op->rm];
    unsigned part = op->imm ? 8 : 0;
    VReg r;
    for (unsigned i = 0; i < 8; i++)
        r.set<uint16_t>(i, static_cast<uint16_t>(clmul64(n.get<uint8_t>(part + i), m.get<uint8_t>(part + i))));
    c.s.v[op->rd] = r;
    return c.step(op);
}

const Op* PMULL_64(Cpu& c, const Op* op)
{
    if (c.fp_trapped())
        return c.fp_access_trap(op);
    unsigned part = op->imm ? 1 : 0;
    u128 p = clmul64(c.s.v[op->rn].d[part], c.s.v[op->rm].d[part]);
    c.s.v[op->rd] = VReg{{static_cast<uint64_t>(p), static_cast<uint64_t>(p >> 64)}};
    return c.step(op);
}

Build build_plain(Op& op, uint32_t insn, Handler h)
{
    set_regs(op, insn);
    op.fn = h;
    return Build::Next;
}

}  // namespace

Build build_AESE(Op& op, uint32_t insn) { return build_plain(op, insn, AES_round<false>); }
Build build_AESD(Op& op, uint32_t insn) { return build_plain(op, insn, AES_round<true>); }
Build build_AESMC(Op& op, uint32_t insn) { return build_plain(op, insn, AES_mix<false>); }
Build build_AESIMC(Op& op, uint32_t insn) { return build_plain(op, insn, AES_mix<true>); }
Build build_SHA1C(Op& op, uint32_t insn) { return build_plain(op, insn, SHA1_hash<choose>); }
Build build_SHA1P(Op& op, uint32_t insn) { return build_plain(op, insn, SHA1_hash<parity>); }
Build build_SHA1M(Op& op, uint32_t insn) { return build_plain(op, insn, SHA1_hash<majority>); }
Build build_SHA1SU0(Op& op, uint32_t insn) { return build_plain(op, insn, SHA1SU0); }
Build build_SHA1H(Op& op, uint32_t insn) { return build_plain(op, insn, SHA1H); }
Build build_SHA1SU1(Op& op, uint32_t insn) { return build_plain(op, insn, SHA1SU1); }
Build build_SHA256H(Op& op, uint32_t insn) { return build_plain(op, insn, SHA256_hash<true>); }
Build build_SHA256H2(Op& op, uint32_t insn) { return build_plain(op, insn, SHA256_hash<false>); }
Build build_SHA256SU0(Op& op, uint32_t insn) { return build_plain(op, insn, SHA256SU0); }
Build build_SHA256SU1(Op& op, uint32_t insn) { return build_plain(op, insn, SHA256SU1); }

Build build_PMULL(Op& op, uint32_t insn)
{
    unsigned size = size_field(insn);
    if (size != 0 && size != 3)
        return Build::Undefined;
    set_regs(op, insn);
    op.fn = size == 0 ? PMULL_8 : PMULL_64;
    op.imm = q_bit(insn);
    return Build::Next;
}

}  // namespace emu::a64
