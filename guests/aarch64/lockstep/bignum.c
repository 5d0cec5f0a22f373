// Arithmetic: 256-bit modular arithmetic modulo 2^255 - 19 (carries, 64x64->128 multiplies),
// CRC-32 three ways (bitwise, table, the CRC32 instructions), bit twiddling, divisions at
// their edges, multiply-high, bitfields and atomics with and without LSE.
#include "lockstep.h"

typedef unsigned __int128 u128;
typedef __int128 i128;

// --- field arithmetic mod p = 2^255 - 19, four 64-bit limbs, little-endian -----------------

typedef struct {
    u64 v[4];
} fe;

// Folds a 512-bit product back below 2^256 using 2^256 = 38 (mod p), then reduces fully.
static void fe_reduce_wide(fe* r, const u64 w[8])
{
    u128 acc = 0;
    u64 t[4];
    for (int i = 0; i < 4; i++) {
        acc += (u128)w[i] + (u128)w[i + 4] * 38;
        t[i] = (u64)acc;
        acc >>= 64;
    }
    // What overflowed 2^256 is worth 38 each.
    u64 top = (u64)acc;
    acc = (u128)t[0] + (u128)top * 38;
    t[0] = (u64)acc;
    acc >>= 64;
    for (int i = 1; i < 4; i++) {
        acc += t[i];
        t[i] = (u64)acc;
        acc >>= 64;
    }
    t[0] += (u64)acc * 38;  // at most once more, cannot carry again
    // Now t < 2^256: subtract p while t >= p (at most twice).
    for (int k = 0; k < 2; k++) {
        u64 s[4];
        u64 borrow = 0;
        static const u64 p[4] = {0xFFFFFFFFFFFFFFEDUL, 0xFFFFFFFFFFFFFFFFUL, 0xFFFFFFFFFFFFFFFFUL,
                                 0x7FFFFFFFFFFFFFFFUL};
        for (int i = 0; i < 4; i++) {
            u64 d = t[i] - p[i];
            u64 b1 = t[i] < p[i];
            u64 d2 = d - borrow;
            u64 b2 = d < borrow;
            s[i] = d2;
            borrow = b1 | b2;
        }
        if (!borrow)
            for (int i = 0; i < 4; i++)
                t[i] = s[i];
    }
    for (int i = 0; i < 4; i++)
        r->v[i] = t[i];
}

static void fe_mul(fe* r, const fe* a, const fe* b)
{
    u64 w[8] = {0};
    for (int i = 0; i < 4; i++) {
        u64 carry = 0;
        for (int j = 0; j < 4; j++) {
            u128 p = (u128)a->v[i] * b->v[j] + w[i + j] + carry;
            w[i + j] = (u64)p;
            carry = (u64)(p >> 64);
        }
        w[i + 4] = carry;
    }
    fe_reduce_wide(r, w);
}

static void fe_add(fe* r, const fe* a, const fe* b)
{
    u64 w[8] = {0};
    u64 c = 0;
    for (int i = 0; i < 4; i++) {
        u64 s;
        u64 c1 = __builtin_add_overflow(a->v[i], b->v[i], &s);
        u64 c2 = __builtin_add_overflow(s, c, &s);
        w[i] = s;
        c = c1 + c2;
    }
    w[4] = c;
    fe_reduce_wide(r, w);
}

// a^e mod p by square-and-multiply over the bits of e.
static void fe_pow(fe* r, const fe* a, const fe* e)
{
    fe acc = {{1, 0, 0, 0}};
    for (int i = 255; i >= 0; i--) {
        fe_mul(&acc, &acc, &acc);
        if ((e->v[i / 64] >> (i % 64)) & 1)
            fe_mul(&acc, &acc, a);
    }
    *r = acc;
}

// --- CRC-32 -------------------------------------------------------------------------------

static u32 crc_table[256];

static u32 crc32_bitwise(const u8* p, usize n)
{
    u32 c = 0xFFFFFFFF;
    for (usize i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320 & -(c & 1));
    }
    return ~c;
}

static u32 crc32_table(const u8* p, usize n)
{
    u32 c = 0xFFFFFFFF;
    for (usize i = 0; i < n; i++)
        c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return ~c;
}

__attribute__((noinline, target("+crc"))) static u32 crc32_insn(const u8* p, usize n)
{
    u32 c = 0xFFFFFFFF;
    usize i = 0;
    for (; i + 8 <= n; i += 8) {
        u64 v;
        memcpy(&v, p + i, 8);
        c = __builtin_aarch64_crc32x(c, v);
    }
    if (i + 4 <= n) {
        u32 v;
        memcpy(&v, p + i, 4);
        c = __builtin_aarch64_crc32w(c, v);
        i += 4;
    }
    if (i + 2 <= n) {
        u16 v;
        memcpy(&v, p + i, 2);
        c = __builtin_aarch64_crc32h(c, v);
        i += 2;
    }
    if (i < n)
        c = __builtin_aarch64_crc32b(c, p[i]);
    return ~c;
}

__attribute__((noinline, target("+crc"))) static u32 crc32c_insn(const u8* p, usize n)
{
    u32 c = 0xFFFFFFFF;
    for (usize i = 0; i < n; i++)
        c = __builtin_aarch64_crc32cb(c, p[i]);
    return ~c;
}

// --- bits ---------------------------------------------------------------------------------

static u64 popcount_sw(u64 x)
{
    x = x - ((x >> 1) & 0x5555555555555555UL);
    x = (x & 0x3333333333333333UL) + ((x >> 2) & 0x3333333333333333UL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FUL;
    return (x * 0x0101010101010101UL) >> 56;
}

struct packed_bits {
    u64 a : 7;
    i64 b : 13;
    u64 c : 21;
    i64 d : 23;
};

static u64 bit_mix(u64 x, u64 y)
{
    u64 r = 0;
    r += (u64)__builtin_clzl(x | 1);
    r += (u64)__builtin_ctzl(y | (1UL << 63));
    r += (u64)__builtin_clrsbl((i64)x);
    r ^= __builtin_bswap64(x) + __builtin_bswap32((u32)y) + __builtin_bswap16((u16)x);
    r += (x << (y & 63)) | (x >> (-y & 63));  // rotate
    r += popcount_sw(x ^ y) + (popcount_sw(x) & 1);
    u32 w = (u32)x;
    r ^= (u64)((w >> 13) | (w << 19));
    struct packed_bits pb;
    pb.a = x;
    pb.b = (i64)y;
    pb.c = x >> 7;
    pb.d = (i64)(y >> 3);
    r += pb.a + (u64)pb.b + pb.c + (u64)pb.d;
    r += (u64)((i64)(x << 20) >> 45);  // sbfx
    r += (x >> 17) & 0x7FF;              // ubfx
    r ^= (x & ~0xFF000UL) | ((y & 0xFF) << 12);  // bfi
    u64 rev = 0;
    for (int i = 0; i < 64; i++)
        rev |= ((x >> i) & 1) << (63 - i);
    r += rev;
    return r;
}

// --- division and multiplication at the edges ----------------------------------------------

// The architecture defines what C leaves undefined (division by zero gives 0, INT_MIN / -1
// gives INT_MIN), so those cases go through the instructions directly.
static i64 sdiv64(i64 a, i64 b)
{
    i64 r;
    __asm__("sdiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

static u64 udiv64(u64 a, u64 b)
{
    u64 r;
    __asm__("udiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

static i32 sdiv32(i32 a, i32 b)
{
    i32 r;
    __asm__("sdiv %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

static u32 udiv32(u32 a, u32 b)
{
    u32 r;
    __asm__("udiv %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

static const u64 kEdges[] = {
    0, 1, 2, 3, 7, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
    0x100000000UL, 0x7FFFFFFFFFFFFFFFUL, 0x8000000000000000UL, 0xFFFFFFFFFFFFFFFFUL, 0xFFFFFFFFFFFFFFFEUL,
    0x123456789ABCDEF0UL,
};

static u64 division_and_products(u64* seed)
{
    u64 h = 0;
    const usize n = sizeof kEdges / sizeof kEdges[0];
    for (usize i = 0; i < n; i++) {
        for (usize j = 0; j < n; j++) {
            u64 a = kEdges[i], b = kEdges[j];
            h = h * 131 + (u64)sdiv64((i64)a, (i64)b);
            h = h * 131 + udiv64(a, b);
            h = h * 131 + (u64)(u32)sdiv32((i32)a, (i32)b);
            h = h * 131 + udiv32((u32)a, (u32)b);
            h = h * 131 + (u64)(((u128)a * b) >> 64);
            h = h * 131 + (u64)(((i128)(i64)a * (i64)b) >> 64);
            h = h * 131 + (u64)((i64)(i32)a * (i64)(i32)b);  // smull
            h = h * 131 + (u64)(u32)a * (u32)b;              // umull
        }
    }
    for (int k = 0; k < 300; k++) {
        u64 a = rng_next(seed), b = rng_next(seed) >> (a & 63);
        if (b == 0)
            b = 1;
        h ^= a / b + a % b;
        h ^= (u64)((i64)a / (i64)(b | 1)) + (u64)((i64)a % (i64)(b | 1));
        h = h * 33 + (u64)(((u128)a * b) >> 64) - (u64)(((i128)(i64)a * (i64)b) >> 64);
        h += a * b - (a - b) * (a + b);  // madd, msub
    }
    return h;
}

// --- selects --------------------------------------------------------------------------------

static u64 selects(u64* seed)
{
    u64 h = 0;
    for (int k = 0; k < 400; k++) {
        i64 a = (i64)rng_next(seed), b = (i64)rng_next(seed) >> (k & 31);
        i64 mn = a < b ? a : b;
        i64 mx = a > b ? a : b;
        i64 ab = a < 0 ? -a : a;
        u64 ua = (u64)a, ub = (u64)b;
        u64 umx = ua > ub ? ua : ub;
        i64 clamp = a < -1000 ? -1000 : a > 1000 ? 1000 : a;
        i32 wa = (i32)a, wb = (i32)b;
        i32 wsel = wa >= wb ? wa - wb : wb + 1;
        h = h * 7 + (u64)mn + (u64)mx + (u64)ab + umx + (u64)clamp + (u64)wsel;
        h += (a == b) + (ua <= ub) + ((a & 1) ? 5 : ~(u64)k);
    }
    return h;
}

// --- atomics --------------------------------------------------------------------------------

static u64 counter64;
static u32 counter32;
static u16 counter16;
static u8 counter8;

// Kept out of line: inlined into main they would lose their target options.
__attribute__((noinline, target("+lse"))) static u64 atomics_lse(u64 v)
{
    u64 h = __atomic_fetch_add(&counter64, v, __ATOMIC_SEQ_CST);
    h += __atomic_fetch_or(&counter32, (u32)v, __ATOMIC_ACQUIRE);
    h += __atomic_fetch_and(&counter16, (u16)~v, __ATOMIC_RELEASE);
    h += __atomic_fetch_xor(&counter8, (u8)v, __ATOMIC_RELAXED);
    h += __atomic_exchange_n(&counter32, (u32)(v >> 3), __ATOMIC_SEQ_CST);
    u64 expected = counter64;
    h += __atomic_compare_exchange_n(&counter64, &expected, expected + 3, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    u32 wrong = counter32 + 1;
    h += __atomic_compare_exchange_n(&counter32, &wrong, 9, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) + wrong;
    h += __atomic_load_n(&counter16, __ATOMIC_ACQUIRE);
    __atomic_store_n(&counter8, (u8)(h >> 5), __ATOMIC_RELEASE);
    return h;
}

__attribute__((noinline, target("no-outline-atomics"))) static u64 atomics_exclusive(u64 v)
{
    u64 h = __atomic_add_fetch(&counter64, v, __ATOMIC_SEQ_CST);
    h += __atomic_sub_fetch(&counter32, (u32)v, __ATOMIC_ACQ_REL);
    h += __atomic_fetch_nand(&counter16, (u16)v, __ATOMIC_SEQ_CST);
    h += __atomic_exchange_n(&counter8, (u8)(v >> 9), __ATOMIC_SEQ_CST);
    u64 expected = counter64;
    h += __atomic_compare_exchange_n(&counter64, &expected, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return h;
}

int main(void)
{
    u64 seed = 0xD1B54A32D192ED03UL;

    fe base = {{rng_next(&seed), rng_next(&seed), rng_next(&seed), rng_next(&seed) >> 2}};
    fe exp = {{rng_next(&seed), rng_next(&seed), rng_next(&seed), rng_next(&seed) >> 1}};
    fe pw, sum;
    fe_pow(&pw, &base, &exp);
    fe_add(&sum, &pw, &base);
    // Fermat: a^(p-1) = 1 for a != 0.
    fe pm1 = {{0xFFFFFFFFFFFFFFECUL, 0xFFFFFFFFFFFFFFFFUL, 0xFFFFFFFFFFFFFFFFUL, 0x7FFFFFFFFFFFFFFFUL}};
    fe one;
    fe_pow(&one, &base, &pm1);

    static u8 buf[777];
    for (usize i = 0; i < sizeof buf; i++)
        buf[i] = (u8)rng_next(&seed);
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320 & -(c & 1));
        crc_table[i] = c;
    }
    u32 c1 = crc32_bitwise(buf, sizeof buf);
    u32 c2 = crc32_table(buf, sizeof buf);
    u32 c3 = crc32_insn(buf + 1, sizeof buf - 1);
    u32 c4 = crc32_table(buf + 1, sizeof buf - 1);

    u64 bits = 0;
    for (int k = 0; k < 300; k++)
        bits = bits * 3 + bit_mix(rng_next(&seed), rng_next(&seed) >> (k & 63));

    u64 atom = 0;
    for (int k = 0; k < 50; k++)
        atom += atomics_lse(rng_next(&seed)) + atomics_exclusive(rng_next(&seed));

    lockstep_results[0] = pw.v[0] ^ pw.v[1] ^ pw.v[2] ^ pw.v[3];
    lockstep_results[1] = sum.v[0] + sum.v[3];
    lockstep_results[2] = one.v[0] | one.v[1] | one.v[2] | one.v[3];  // 1 when right
    lockstep_results[3] = ((u64)c1 << 32) | c2;
    lockstep_results[4] = ((u64)c3 << 32) | c4;
    lockstep_results[5] = crc32c_insn(buf, sizeof buf);
    lockstep_results[6] = bits;
    lockstep_results[7] = division_and_products(&seed);
    lockstep_results[8] = selects(&seed);
    lockstep_results[9] = atom + counter64 + counter32 + counter16 + counter8;
    u64 h = 0;
    for (int i = 0; i < 10; i++)
        h = h * 31 + lockstep_results[i];
    return (int)(h ^ (h >> 32));
}
