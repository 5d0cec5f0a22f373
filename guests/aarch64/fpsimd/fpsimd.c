/* Floating point, Advanced SIMD, CRC32 and the crypto extension, for comparison with QEMU's
 * cortex-a57: scalar arithmetic in every FPCR rounding mode with flush-to-zero and default-NaN
 * on and off, C float/double code, NEON intrinsics (saturation, permutes, structure loads,
 * estimates, conversions), CRC32/CRC32C, an AES-128 block both ways, SHA1/SHA256 rounds and
 * PMULL. Results are printed as bit patterns (or as FNV-1a hashes of many of them) together
 * with FPSR, by a formatter that uses no floating point. */
#include <arm_acle.h>
#include <arm_neon.h>

#include "rt.h"

/* ---- output --------------------------------------------------------------------------- */

static void put_hex(uint64_t v, unsigned digits)
{
    char buf[17];
    for (unsigned i = 0; i < digits; i++) {
        unsigned d = (unsigned)(v >> (4 * (digits - 1 - i))) & 15;
        buf[i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    }
    buf[digits] = 0;
    rt_puts(buf);
}

static void put_line(const char *label, uint64_t v, unsigned digits)
{
    rt_puts(label);
    rt_puts(" ");
    put_hex(v, digits);
    rt_puts("\n");
}

static uint64_t hash_bytes(uint64_t h, const void *p, unsigned n)
{
    const uint8_t *b = p;
    for (unsigned i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t hash64(uint64_t h, uint64_t v) { return hash_bytes(h, &v, 8); }

#define HASH_INIT 0xcbf29ce484222325ull

/* ---- FPCR and FPSR -------------------------------------------------------------------- */

static uint64_t get_fpsr(void) { uint64_t v; __asm__ volatile("mrs %0, fpsr" : "=r"(v)); return v; }
static void set_fpsr(uint64_t v) { __asm__ volatile("msr fpsr, %0" : : "r"(v)); }
static uint64_t get_fpcr(void) { uint64_t v; __asm__ volatile("mrs %0, fpcr" : "=r"(v)); return v; }
static void set_fpcr(uint64_t v) { __asm__ volatile("msr fpcr, %0" : : "r"(v)); }

#define FPCR_AHP (1u << 26)
#define FPCR_DN (1u << 25)
#define FPCR_FZ (1u << 24)

/* ---- scalar operations through inline assembly, on bit patterns ---------------------- */

#define OP2S(name, insn)                                                                 \
    static uint32_t name(uint32_t a, uint32_t b)                                         \
    {                                                                                    \
        float x, y, r;                                                                   \
        __builtin_memcpy(&x, &a, 4);                                                     \
        __builtin_memcpy(&y, &b, 4);                                                     \
        __asm__ volatile(insn " %s0, %s1, %s2" : "=w"(r) : "w"(x), "w"(y));              \
        uint32_t u;                                                                      \
        __builtin_memcpy(&u, &r, 4);                                                     \
        return u;                                                                        \
    }
#define OP2D(name, insn)                                                                 \
    static uint64_t name(uint64_t a, uint64_t b)                                         \
    {                                                                                    \
        double x, y, r;                                                                  \
        __builtin_memcpy(&x, &a, 8);                                                     \
        __builtin_memcpy(&y, &b, 8);                                                     \
        __asm__ volatile(insn " %d0, %d1, %d2" : "=w"(r) : "w"(x), "w"(y));              \
        uint64_t u;                                                                      \
        __builtin_memcpy(&u, &r, 8);                                                     \
        return u;                                                                        \
    }

OP2S(fadd_s, "fadd") OP2S(fsub_s, "fsub") OP2S(fmul_s, "fmul") OP2S(fdiv_s, "fdiv")
OP2S(fmax_s, "fmax") OP2S(fmin_s, "fmin") OP2S(fmaxnm_s, "fmaxnm") OP2S(fminnm_s, "fminnm")
OP2S(fnmul_s, "fnmul") OP2S(frecps_s, "frecps") OP2S(frsqrts_s, "frsqrts") OP2S(fmulx_s, "fmulx")
OP2D(fadd_d, "fadd") OP2D(fmul_d, "fmul") OP2D(fdiv_d, "fdiv") OP2D(fmaxnm_d, "fmaxnm")

static uint32_t fmadd_s(uint32_t a, uint32_t b, uint32_t c)
{
    float x, y, z, r;
    __builtin_memcpy(&x, &a, 4);
    __builtin_memcpy(&y, &b, 4);
    __builtin_memcpy(&z, &c, 4);
    __asm__ volatile("fmadd %s0, %s1, %s2, %s3" : "=w"(r) : "w"(x), "w"(y), "w"(z));
    uint32_t u;
    __builtin_memcpy(&u, &r, 4);
    return u;
}

#define OP1S(name, insn)                                                                 \
    static uint32_t name(uint32_t a, uint32_t b)                                         \
    {                                                                                    \
        (void)b;                                                                         \
        float x, r;                                                                      \
        __builtin_memcpy(&x, &a, 4);                                                     \
        __asm__ volatile(insn " %s0, %s1" : "=w"(r) : "w"(x));                           \
        uint32_t u;                                                                      \
        __builtin_memcpy(&u, &r, 4);                                                     \
        return u;                                                                        \
    }
OP1S(fsqrt_s, "fsqrt") OP1S(frintx_s, "frintx") OP1S(frinta_s, "frinta") OP1S(frecpe_s, "frecpe")
OP1S(frsqrte_s, "frsqrte") OP1S(frecpx_s, "frecpx")

static uint32_t fcvtzs_s(uint32_t a, uint32_t b)
{
    (void)b;
    float x;
    int32_t r;
    __builtin_memcpy(&x, &a, 4);
    __asm__ volatile("fcvtzs %w0, %s1" : "=r"(r) : "w"(x));
    return (uint32_t)r;
}

static uint32_t fcvtns_u(uint32_t a, uint32_t b)
{
    (void)b;
    float x;
    uint32_t r;
    __builtin_memcpy(&x, &a, 4);
    __asm__ volatile("fcvtnu %w0, %s1" : "=r"(r) : "w"(x));
    return r;
}

/* Half precision through FCVT, which AHP affects. */
static uint32_t fcvt_to_half(uint32_t a, uint32_t b)
{
    (void)b;
    float x;
    uint32_t r;
    __builtin_memcpy(&x, &a, 4);
    __asm__ volatile("fcvt h0, %s1\n\tumov %w0, v0.h[0]" : "=r"(r) : "w"(x) : "v0");
    return r;
}

static uint32_t fcvt_from_half(uint32_t a, uint32_t b)
{
    (void)b;
    uint32_t r;
    __asm__ volatile("dup v0.8h, %w1\n\tfcvt s0, h0\n\tfmov %w0, s0" : "=r"(r) : "r"(a) : "v0");
    return r;
}

static const uint32_t kFloats[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0x40490fdb, 0x7f7fffff, 0x00800000,
    0x00000001, 0x807fffff, 0x7f800000, 0xff800000, 0x7fc00001, 0x7f800005, 0x3f800001, 0x33800000,
    0x4f000000, 0xcf000001, 0x40200000, 0xc0600000, 0x477ff000, 0x38800000, 0x3f7fffff, 0x2f7e1234,
};
#define N_FLOATS (sizeof kFloats / sizeof kFloats[0])

typedef uint32_t (*op2_fn)(uint32_t, uint32_t);

static const struct {
    const char *name;
    op2_fn fn;
} kOps[] = {
    {"fadd", fadd_s}, {"fsub", fsub_s}, {"fmul", fmul_s}, {"fdiv", fdiv_s}, {"fmax", fmax_s},
    {"fmin", fmin_s}, {"fmaxnm", fmaxnm_s}, {"fminnm", fminnm_s}, {"fnmul", fnmul_s},
    {"frecps", frecps_s}, {"frsqrts", frsqrts_s}, {"fmulx", fmulx_s}, {"fsqrt", fsqrt_s},
    {"frintx", frintx_s}, {"frinta", frinta_s}, {"frecpe", frecpe_s}, {"frsqrte", frsqrte_s},
    {"frecpx", frecpx_s}, {"fcvtzs", fcvtzs_s}, {"fcvtnu", fcvtns_u}, {"fcvt>h", fcvt_to_half},
    {"fcvt<h", fcvt_from_half},
};

/* Every operation on every pair of operands, under eight FPCR settings: one hash of results and
 * FPSR per operation and setting. */
static void scalar_ops(void)
{
    static const uint32_t kModes[] = {0, 1u << 22, 2u << 22, 3u << 22, FPCR_FZ, FPCR_DN,
                                      FPCR_FZ | FPCR_DN | (1u << 22), FPCR_AHP};
    for (unsigned o = 0; o < sizeof kOps / sizeof kOps[0]; o++) {
        rt_puts(kOps[o].name);
        for (unsigned m = 0; m < sizeof kModes / sizeof kModes[0]; m++) {
            set_fpcr(kModes[m]);
            uint64_t h = HASH_INIT;
            for (unsigned i = 0; i < N_FLOATS; i++)
                for (unsigned j = 0; j < N_FLOATS; j++) {
                    set_fpsr(0);
                    uint32_t r = kOps[o].fn(kFloats[i], kFloats[j]);
                    h = hash64(h, r | (get_fpsr() << 32));
                }
            rt_puts(" ");
            put_hex(h, 8);
        }
        rt_puts("\n");
    }
    set_fpcr(0);
    uint64_t h = HASH_INIT;
    for (unsigned i = 0; i < N_FLOATS; i++)
        for (unsigned j = 0; j < N_FLOATS; j += 3) {
            set_fpsr(0);
            h = hash64(h, fmadd_s(kFloats[i], kFloats[j], kFloats[(i + j) % N_FLOATS]) | (get_fpsr() << 32));
        }
    put_line("fmadd", h, 16);
    /* A few results in full. */
    set_fpsr(0);
    put_line("1+2^-24 rn", fadd_s(0x3f800000, 0x33800000), 8);
    set_fpcr(1u << 22);
    put_line("1+2^-24 rp", fadd_s(0x3f800000, 0x33800000), 8);
    set_fpcr(0);
    put_line("tiny*min", fmul_s(0x3f7fffff, 0x00800000), 8);
    put_line("fpsr", get_fpsr(), 8);
    put_line("d 1/3", fdiv_d(0x3ff0000000000000ull, 0x4008000000000000ull), 16);
    put_line("d max*2", fmul_d(0x7fefffffffffffffull, 0x4000000000000000ull), 16);
    put_line("d nm", fmaxnm_d(0x7ff8000000000000ull, 0xc000000000000000ull), 16);
    put_line("d add", fadd_d(0x0000000000000001ull, 0x8010000000000000ull), 16);
}

/* ---- plain C floating point ------------------------------------------------------------ */

static volatile double g_seed = 0.1;
static volatile float g_fseed = 1.7f;

static uint64_t bits_d(double d)
{
    uint64_t u;
    __builtin_memcpy(&u, &d, 8);
    return u;
}

static uint32_t bits_f(float f)
{
    uint32_t u;
    __builtin_memcpy(&u, &f, 4);
    return u;
}

static void c_float(void)
{
    double x = g_seed, sum = 0, prod = 1;
    for (int i = 1; i <= 200; i++) {
        sum += x / i;
        prod *= 1.0 + x / (i * i);
        x = x * 1.37 - (double)(int)(x * 1.37);
    }
    put_line("series", bits_d(sum), 16);
    put_line("product", bits_d(prod), 16);
    /* Newton's square root against the instruction. */
    double s = 2.0, r = 1.0;
    for (int i = 0; i < 8; i++)
        r = 0.5 * (r + s / r);
    put_line("newton", bits_d(r), 16);
    put_line("sqrt", bits_d(__builtin_sqrt(s * g_seed)), 16);
    put_line("fma", bits_d(__builtin_fma(g_seed, 3.0, -0.3)), 16);
    float f = g_fseed, acc = 0;
    for (int i = 0; i < 50; i++) {
        acc += f * f - (float)i;
        f = f * 0.93f + 0.11f;
    }
    put_line("float acc", bits_f(acc), 8);
    int64_t conv = 0;
    for (int i = -20; i < 20; i++)
        conv = conv * 31 + (int64_t)(i * 2.75) + (int64_t)(unsigned)(i * i * 0.5f) + (int64_t)__builtin_lround(i * 0.5);
    put_line("conversions", (uint64_t)conv, 16);
    put_line("floor/ceil", (uint64_t)(int64_t)__builtin_floor(-g_seed * 25) << 32 | (uint32_t)(int)__builtin_ceil(g_seed * 25), 16);
    put_line("to float", bits_f((float)(g_seed * 1e30)), 8);
    __fp16 h = (__fp16)(g_fseed * 1000.0f);
    uint16_t hb;
    __builtin_memcpy(&hb, &h, 2);
    put_line("half", hb, 4);
    put_line("from half", bits_f((float)h * 0.5f), 8);
}

/* ---- NEON ----------------------------------------------------------------------------- */

static uint64_t hash_q(uint64_t h, uint8x16_t v)
{
    uint8_t b[16] __attribute__((aligned(16)));
    vst1q_u8(b, v);
    return hash_bytes(h, b, 16);
}

/* Every buffer is 16-byte aligned: with the MMU off, data memory is Device memory, where an
 * access that is not naturally aligned faults. */
static uint8_t g_bytes[64] __attribute__((aligned(16)));

static void neon(void)
{
    for (unsigned i = 0; i < sizeof g_bytes; i++)
        g_bytes[i] = (uint8_t)(i * 37 + 11);
    uint8x16_t a = vld1q_u8(g_bytes), b = vld1q_u8(g_bytes + 16);
    int8x16_t sa = vreinterpretq_s8_u8(a), sb = vreinterpretq_s8_u8(b);

    set_fpsr(0);
    int8x16_t sat = vqaddq_s8(sa, sb);
    put_line("sqadd qc", get_fpsr(), 8);
    uint64_t h = hash_q(HASH_INIT, vreinterpretq_u8_s8(sat));
    h = hash_q(h, vreinterpretq_u8_u16(vmull_u8(vget_low_u8(a), vget_high_u8(b))));
    uint8x16x2_t z = vzipq_u8(a, b);
    h = hash_q(hash_q(h, z.val[0]), z.val[1]);
    uint8x16x2_t u = vuzpq_u8(a, b);
    h = hash_q(hash_q(h, u.val[0]), u.val[1]);
    uint16x8x2_t t = vtrnq_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b));
    h = hash_q(hash_q(h, vreinterpretq_u8_u16(t.val[0])), vreinterpretq_u8_u16(t.val[1]));
    uint8x16x2_t tab = {{a, b}};
    h = hash_q(h, vqtbl2q_u8(tab, vandq_u8(b, vdupq_n_u8(0x3f))));
    h = hash_q(h, vrev64q_u8(a));
    h = hash_q(h, vcntq_u8(a));
    h = hash_q(h, vreinterpretq_u8_u16(vpaddlq_u8(a)));
    h = hash_q(h, vextq_u8(a, b, 5));
    h = hash_q(h, vbslq_u8(vcgtq_u8(a, b), a, b));
    h = hash_q(h, vreinterpretq_u8_s16(vqrdmulhq_s16(vreinterpretq_s16_u8(a), vreinterpretq_s16_u8(b))));
    h = hash_q(h, vcombine_u8(vshrn_n_u16(vreinterpretq_u16_u8(a), 3), vqrshrn_n_u16(vreinterpretq_u16_u8(b), 5)));
    h = hash_q(h, vsliq_n_u8(a, b, 3));
    h = hash_q(h, vsriq_n_u8(a, b, 2));
    h = hash_q(h, vreinterpretq_u8_s32(vqdmull_s16(vget_low_s16(vreinterpretq_s16_u8(a)), vget_low_s16(vreinterpretq_s16_u8(b)))));
    put_line("integer", h, 16);
    put_line("maxv", vmaxvq_u8(a) | (uint64_t)vminvq_u8(b) << 8 | (uint64_t)vaddlvq_u8(a) << 16, 16);
    put_line("qc after", get_fpsr(), 8);

    /* Structure loads and stores. */
    uint8x16x4_t four = vld4q_u8(g_bytes);
    uint8_t out[64] __attribute__((aligned(16)));
    vst2q_u8(out, (uint8x16x2_t){{four.val[3], four.val[1]}});
    vst1q_u8(out + 32, vld1q_dup_u8(g_bytes + 7));
    uint16x8x3_t three = vld3q_u16((const uint16_t *)g_bytes);
    vst1q_u16((uint16_t *)(out + 48), three.val[2]);
    put_line("structures", hash_bytes(HASH_INIT, out, 64), 16);
    uint32x4_t lane = vld1q_lane_u32((const uint32_t *)(g_bytes + 20), vreinterpretq_u32_u8(a), 2);
    put_line("lane", vgetq_lane_u64(vreinterpretq_u64_u32(lane), 1), 16);

    /* Floating point vectors. */
    set_fpsr(0);
    float32x4_t fa = vcvtq_f32_s32(vreinterpretq_s32_u8(a));
    float32x4_t fb = vcvtq_n_f32_u32(vreinterpretq_u32_u8(b), 12);
    float32x4_t fc = vfmaq_laneq_f32(fa, fb, fa, 3);
    h = HASH_INIT;
    h = hash_q(h, vreinterpretq_u8_f32(fc));
    h = hash_q(h, vreinterpretq_u8_f32(vrecpeq_f32(fb)));
    h = hash_q(h, vreinterpretq_u8_f32(vrsqrteq_f32(fb)));
    h = hash_q(h, vreinterpretq_u8_f32(vrecpsq_f32(fa, fb)));
    h = hash_q(h, vreinterpretq_u8_f32(vdivq_f32(fa, fb)));
    h = hash_q(h, vreinterpretq_u8_f32(vpaddq_f32(fa, fb)));
    h = hash_q(h, vreinterpretq_u8_s32(vcvtnq_s32_f32(vmulq_n_f32(fb, 1e6f))));
    h = hash_q(h, vreinterpretq_u8_u32(vcvtq_n_u32_f32(fb, 3)));
    h = hash_q(h, vreinterpretq_u8_u32(vcgeq_f32(fa, fb)));
    float64x2_t da = vcvt_f64_f32(vget_low_f32(fb));
    h = hash_q(h, vreinterpretq_u8_f64(vsqrtq_f64(vabsq_f64(da))));
    h = hash_q(h, vreinterpretq_u8_f32(vcvt_high_f32_f64(vget_low_f32(fa), da)));
    h = hash_q(h, vreinterpretq_u8_f32(vrndaq_f32(vmulq_n_f32(fb, 0.37f))));
    put_line("float vectors", h, 16);
    put_line("fmaxv", bits_f(vmaxvq_f32(fb)) | (uint64_t)bits_f(vminnmvq_f32(fa)) << 32, 16);
    put_line("fp fpsr", get_fpsr(), 8);
}

/* ---- CRC32, AES, SHA, PMULL ------------------------------------------------------------- */

static void crc(void)
{
    uint32_t c = 0xffffffff, cc = 0xffffffff;
    for (unsigned i = 0; i < 9; i++)
        c = __crc32b(c, (uint8_t)("123456789"[i]));
    put_line("crc32(123456789)", ~c, 8);
    for (unsigned i = 0; i < 9; i++)
        cc = __crc32cb(cc, (uint8_t)("123456789"[i]));
    put_line("crc32c(123456789)", ~cc, 8);
    uint32_t w = 0;
    for (unsigned i = 0; i < sizeof g_bytes; i += 8)
        w = __crc32d(__crc32cw(__crc32h(w, (uint16_t)i), (uint32_t)i * 77), *(const uint64_t *)(g_bytes + i));
    put_line("crc mix", w, 8);
}

static uint32_t sub_word(uint32_t w)
{
    /* AESE with a zero key on four equal columns: ShiftRows moves nothing, SubBytes remains. */
    uint8x16_t s = vaeseq_u8(vreinterpretq_u8_u32(vdupq_n_u32(w)), vdupq_n_u8(0));
    return vgetq_lane_u32(vreinterpretq_u32_u8(s), 0);
}

static void aes(void)
{
    static const uint8_t key[16] __attribute__((aligned(16))) = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    static const uint8_t plain[16] __attribute__((aligned(16))) = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                      0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    uint32_t w[44] __attribute__((aligned(16)));
    __builtin_memcpy(w, key, 16);
    uint32_t rcon = 1;
    for (unsigned i = 4; i < 44; i++) {
        uint32_t t = w[i - 1];
        if (i % 4 == 0) {
            t = sub_word((t >> 8) | (t << 24)) ^ rcon;
            rcon = (rcon << 1) ^ ((rcon & 0x80) ? 0x11b : 0);
        }
        w[i] = w[i - 4] ^ t;
    }
    uint8x16_t rk[11];
    for (unsigned r = 0; r < 11; r++)
        rk[r] = vld1q_u8((const uint8_t *)&w[4 * r]);
    uint8x16_t s = vld1q_u8(plain);
    for (unsigned r = 0; r < 9; r++)
        s = vaesmcq_u8(vaeseq_u8(s, rk[r]));
    s = veorq_u8(vaeseq_u8(s, rk[9]), rk[10]);
    uint8_t out[16] __attribute__((aligned(16)));
    vst1q_u8(out, s);
    rt_puts("aes-128 ");
    for (unsigned i = 0; i < 16; i++)
        put_hex(out[i], 2);
    rt_puts("\n");
    /* The equivalent inverse cipher: round keys 1..9 through InvMixColumns. */
    for (unsigned r = 9; r >= 1; r--)
        s = vaesimcq_u8(vaesdq_u8(s, r == 9 ? rk[10] : vaesimcq_u8(rk[r + 1])));
    s = veorq_u8(vaesdq_u8(s, vaesimcq_u8(rk[1])), rk[0]);
    vst1q_u8(out, s);
    rt_puts("aes-128 back ");
    for (unsigned i = 0; i < 16; i++)
        put_hex(out[i], 2);
    rt_puts("\n");
}

static void sha_pmull(void)
{
    uint32x4_t abcd = vreinterpretq_u32_u8(vld1q_u8(g_bytes));
    uint32x4_t wk = vreinterpretq_u32_u8(vld1q_u8(g_bytes + 16));
    uint32x4_t w2 = vreinterpretq_u32_u8(vld1q_u8(g_bytes + 32));
    uint32x4_t w3 = vreinterpretq_u32_u8(vld1q_u8(g_bytes + 48));
    uint64_t h = HASH_INIT;
    h = hash_q(h, vreinterpretq_u8_u32(vsha1cq_u32(abcd, 0x12345678, wk)));
    h = hash_q(h, vreinterpretq_u8_u32(vsha1pq_u32(abcd, 0x9abcdef0, wk)));
    h = hash_q(h, vreinterpretq_u8_u32(vsha1mq_u32(abcd, 0x0f1e2d3c, wk)));
    h = hash64(h, vsha1h_u32(0x87654321));
    h = hash_q(h, vreinterpretq_u8_u32(vsha1su0q_u32(abcd, wk, w2)));
    h = hash_q(h, vreinterpretq_u8_u32(vsha1su1q_u32(abcd, w3)));
    h = hash_q(h, vreinterpretq_u8_u32(vsha256hq_u32(abcd, wk, w2)));
    h = hash_q(h, vreinterpretq_u8_u32(vsha256h2q_u32(abcd, wk, w2)));
    h = hash_q(h, vreinterpretq_u8_u32(vsha256su0q_u32(abcd, wk)));
    h = hash_q(h, vreinterpretq_u8_u32(vsha256su1q_u32(abcd, wk, w2)));
    put_line("sha", h, 16);
    poly128_t p = vmull_p64(0x87654321fedcba98ull, 0x0123456789abcdefull);
    put_line("pmull lo", (uint64_t)p, 16);
    put_line("pmull hi", (uint64_t)(p >> 64), 16);
    poly16x8_t p8 = vmull_p8(vreinterpret_p8_u8(vget_low_u8(vld1q_u8(g_bytes))),
                             vreinterpret_p8_u8(vget_high_u8(vld1q_u8(g_bytes))));
    put_line("pmull8", vgetq_lane_u64(vreinterpretq_u64_p16(p8), 1), 16);
}

static __attribute__((noinline)) void fp_main(void)
{
    rt_puts("fpsimd: start\n");
    put_line("fpcr", get_fpcr(), 8);
    scalar_ops();
    c_float();
    neon();
    crc();
    aes();
    sha_pmull();
    rt_puts("fpsimd: done\n");
}

/* FP/SIMD must be enabled (CPACR_EL1.FPEN = 11) before any FP instruction: this function
 * itself uses none. */
__attribute__((target("general-regs-only"))) void guest_main(void)
{
    __asm__ volatile("msr cpacr_el1, %0\n\tisb" : : "r"((uint64_t)3 << 20));
    fp_main();
}
