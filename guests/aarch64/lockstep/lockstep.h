// Shared by the lockstep guests: fixed-width types, the compiler's freestanding helpers, a
// deterministic generator and the result area the test compares at the end.
#pragma once

// The _o3 builds define LOCKSTEP_O3: the guest build rule has no per-guest flags, and the
// pragma applies -O3 to every function after it.
#ifdef LOCKSTEP_O3
#pragma GCC optimize("O3")
#endif

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef signed char i8;
typedef short i16;
typedef int i32;
typedef long i64;
typedef unsigned long usize;

// GCC may emit calls to these even when freestanding (struct copies, zeroing).
void* memcpy(void* dst, const void* src, usize n);
void* memset(void* dst, int c, usize n);
void* memmove(void* dst, const void* src, usize n);
int memcmp(const void* a, const void* b, usize n);

// xorshift64*: every guest draws its data from a fixed seed.
static inline u64 rng_next(u64* s)
{
    u64 x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DUL;
}

// Each guest records its intermediate results here; the test compares all of memory anyway,
// this only makes the results easy to find in a debugger.
#define LOCKSTEP_RESULTS 64
extern u64 lockstep_results[LOCKSTEP_RESULTS];
