/* Proves RDTSC under `-icount shift=0`, where the TSC counts virtual nanoseconds and one
 * instruction takes one nanosecond: the guest reads the TSC around fixed instruction sequences
 * (nothing, 10 NOPs, a 1000-iteration DEC/JNZ loop, REP MOVSB and REP STOSL with and without
 * iterations, CPUID, an OUT to the POST port 0x80) and prints each delta, which is then an exact
 * instruction count. It also checks that 1000 reads in a loop strictly increase and prints the
 * smallest and largest step. Interrupts stay off throughout. Exits with code 0.
 * QEMU 7.2 counts the first RDTSC of a pair once (delta = 1 + the instructions in between) and a
 * REP string instruction with ECX = N as N + 1 instructions (so 1 when N = 0). */
#include "rt.h"

/* Each sequence starts and ends with RDTSC; the two MOVs that keep the first value are part of
 * every delta. */
#define MEASURE(name, body, ...)                                                \
    static uint32_t name(void)                                                  \
    {                                                                           \
        uint32_t lo, hi;                                                        \
        __asm__ volatile("rdtsc\n\t"                                            \
                         "mov %%eax, %%esi\n\t"                                 \
                         "mov %%edx, %%edi\n\t" body "rdtsc\n\t"               \
                         "sub %%esi, %%eax\n\t"                                 \
                         "sbb %%edi, %%edx\n\t"                                 \
                         : "=&a"(lo), "=&d"(hi)                                 \
                         : __VA_ARGS__                                          \
                         : "ecx", "esi", "edi", "memory", "cc");                \
        return hi ? 0xffffffffu : lo;                                           \
    }

static uint8_t src[256], dst[256];

MEASURE(seq_empty, "")
MEASURE(seq_nop10, "nop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\t")
MEASURE(seq_loop1000, "mov $1000, %%ecx\n\t1: dec %%ecx\n\tjnz 1b\n\t")
MEASURE(seq_rep_movsb64, "push %%esi\n\tpush %%edi\n\tmov $64, %%ecx\n\tmov %2, %%esi\n\t"
        "mov %3, %%edi\n\trep movsb\n\tpop %%edi\n\tpop %%esi\n\t", "r"(src), "r"(dst))
MEASURE(seq_rep_stosl16, "push %%edi\n\tmov $16, %%ecx\n\tmov %2, %%edi\n\t"
        "push %%eax\n\txor %%eax, %%eax\n\trep stosl\n\tpop %%eax\n\tpop %%edi\n\t", "r"(dst))
MEASURE(seq_rep_movsb0, "push %%esi\n\tpush %%edi\n\txor %%ecx, %%ecx\n\tmov %2, %%esi\n\t"
        "mov %3, %%edi\n\trep movsb\n\tpop %%edi\n\tpop %%esi\n\t", "r"(src), "r"(dst))
MEASURE(seq_cpuid, "push %%eax\n\tpush %%ebx\n\tpush %%edx\n\txor %%eax, %%eax\n\tcpuid\n\t"
        "pop %%edx\n\tpop %%ebx\n\tpop %%eax\n\t")
MEASURE(seq_out80, "push %%eax\n\tmov $0x55, %%al\n\toutb %%al, $0x80\n\tpop %%eax\n\t")

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

void guest_main(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    rt_printf("rdtsc: CPUID.1:EDX.TSC %u\n", (d >> 4) & 1);
    static const struct {
        const char *name;
        uint32_t (*fn)(void);
    } seqs[] = {
        {"empty (2 movs)", seq_empty},
        {"10 nops", seq_nop10},
        {"dec/jnz x1000", seq_loop1000},
        {"rep movsb, ecx=64", seq_rep_movsb64},
        {"rep stosl, ecx=16", seq_rep_stosl16},
        {"rep movsb, ecx=0", seq_rep_movsb0},
        {"cpuid", seq_cpuid},
        {"out 0x80", seq_out80},
    };
    for (unsigned i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
        /* Run twice: the first run may pay for translating the code, the second must not. */
        uint32_t first = seqs[i].fn();
        uint32_t second = seqs[i].fn();
        rt_printf("rdtsc: %s: delta %u%s\n", seqs[i].name, second,
                  first == second ? "" : " (first run differed)");
    }

    uint64_t prev = rdtsc();
    uint32_t increasing = 0, step_min = ~0u, step_max = 0;
    for (unsigned i = 0; i < 1000; i++) {
        uint64_t now = rdtsc();
        if (now > prev)
            increasing++;
        uint32_t step = (uint32_t)(now - prev);
        step_min = step < step_min ? step : step_min;
        step_max = step > step_max ? step : step_max;
        prev = now;
    }
    rt_printf("rdtsc: 1000 reads in a loop: %u strictly increasing\n", increasing);
    rt_printf("rdtsc: loop step min %u max %u\n", step_min, step_max);
    rt_exit(0);
}
