// The freestanding helpers GCC may call, plus the result area.
#include "lockstep.h"

u64 lockstep_results[LOCKSTEP_RESULTS];

void* memcpy(void* dst, const void* src, usize n)
{
    u8* d = dst;
    const u8* s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void* memmove(void* dst, const void* src, usize n)
{
    u8* d = dst;
    const u8* s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

void* memset(void* dst, int c, usize n)
{
    u8* d = dst;
    while (n--)
        *d++ = (u8)c;
    return dst;
}

int memcmp(const void* a, const void* b, usize n)
{
    const u8* x = a;
    const u8* y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return 0;
}
