// Floating point as a compiler writes it: a small matrix multiply and LU solve in double, an
// FIR filter, a Mandelbrot tile and a histogram in float, conversions both ways and a
// Newton square root. Built with FP and Advanced SIMD (the _o3 build vectorises the loops).
// Runs with whatever rounding mode and flags reset leaves (round to nearest, FPSR clear).
#include "lockstep.h"

#define M 24
#define TAPS 16
#define SAMPLES 600

static double a[M][M], b[M][M], c[M][M];
static float signal[SAMPLES], filtered[SAMPLES], taps[TAPS];
static i32 ints[SAMPLES];
static u32 histogram[32];

static double uniform(u64* s) { return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0); }

static u64 bits_of(double d)
{
    u64 u;
    memcpy(&u, &d, 8);
    return u;
}

static u64 hash_words(const void* p, usize n)
{
    const u32* w = p;
    u64 h = 0xcbf29ce484222325UL;
    for (usize i = 0; i < n / 4; i++)
        h = (h ^ w[i]) * 0x100000001b3UL;
    return h;
}

static void matmul(void)
{
    for (usize i = 0; i < M; i++)
        for (usize j = 0; j < M; j++) {
            double s = 0;
            for (usize k = 0; k < M; k++)
                s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
}

// Gaussian elimination with partial pivoting on c, solving c x = rhs.
static double solve(double* rhs)
{
    for (usize k = 0; k < M; k++) {
        usize p = k;
        for (usize i = k + 1; i < M; i++)
            if (__builtin_fabs(c[i][k]) > __builtin_fabs(c[p][k]))
                p = i;
        for (usize j = 0; j < M; j++) {
            double t = c[k][j];
            c[k][j] = c[p][j];
            c[p][j] = t;
        }
        double t = rhs[k];
        rhs[k] = rhs[p];
        rhs[p] = t;
        for (usize i = k + 1; i < M; i++) {
            double f = c[i][k] / c[k][k];
            for (usize j = k; j < M; j++)
                c[i][j] -= f * c[k][j];
            rhs[i] -= f * rhs[k];
        }
    }
    double norm = 0;
    for (usize i = M; i-- > 0;) {
        double s = rhs[i];
        for (usize j = i + 1; j < M; j++)
            s -= c[i][j] * rhs[j];
        rhs[i] = s / c[i][i];
        norm += rhs[i] * rhs[i];
    }
    return __builtin_sqrt(norm);
}

static void fir(void)
{
    for (usize i = 0; i < SAMPLES; i++) {
        float s = 0;
        for (usize t = 0; t < TAPS && t <= i; t++)
            s += taps[t] * signal[i - t];
        filtered[i] = s;
    }
}

static u32 mandelbrot(void)
{
    u32 total = 0;
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 24; x++) {
            float cr = -2.0f + x * 0.11f, ci = -1.0f + y * 0.13f, zr = 0, zi = 0;
            int n = 0;
            while (n < 64 && zr * zr + zi * zi < 4.0f) {
                float t = zr * zr - zi * zi + cr;
                zi = 2.0f * zr * zi + ci;
                zr = t;
                n++;
            }
            total = total * 3 + (u32)n;
        }
    return total;
}

int main(void)
{
    u64 seed = 0x5eed5eed;
    for (usize i = 0; i < M; i++)
        for (usize j = 0; j < M; j++) {
            a[i][j] = uniform(&seed) - 0.5;
            b[i][j] = (i == j ? 4.0 : 0.0) + uniform(&seed);
        }
    matmul();
    double rhs[M];
    for (usize i = 0; i < M; i++)
        rhs[i] = (double)i - 11.5;
    lockstep_results[0] = hash_words(c, sizeof c);
    lockstep_results[1] = bits_of(solve(rhs));

    for (usize i = 0; i < TAPS; i++)
        taps[i] = 1.0f / (float)(i + 2) - 0.1f;
    for (usize i = 0; i < SAMPLES; i++)
        signal[i] = (float)((i64)(rng_next(&seed) % 2001) - 1000) * 0.001f;
    fir();
    lockstep_results[2] = hash_words(filtered, sizeof filtered);

    for (usize i = 0; i < SAMPLES; i++) {
        ints[i] = (i32)(filtered[i] * 1000.0f);
        float f = (float)ints[i] * 0.0173f;
        histogram[(u32)(f * f) % 32]++;
    }
    lockstep_results[3] = hash_words(ints, sizeof ints);
    lockstep_results[4] = hash_words(histogram, sizeof histogram);
    lockstep_results[5] = mandelbrot();

    double r = 1.0, s = 12345.678;
    for (int i = 0; i < 30; i++)
        r = 0.5 * (r + s / r);
    lockstep_results[6] = bits_of(r) ^ bits_of(__builtin_sqrt(s));
    u64 sum = 0;
    for (usize i = 0; i < 7; i++)
        sum = sum * 31 + lockstep_results[i];
    return (int)(sum ^ (sum >> 32));
}
