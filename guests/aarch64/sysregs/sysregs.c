/* Identification and timer registers, and the virtual counter measured across a loop of known
 * length. Under QEMU's -icount shift=0 one instruction is 1 ns and CNTVCT ticks every 16 ns
 * (62.5 MHz), so the difference is exact. */
#include "rt.h"

/* CNTVCT delta across 4 + 2 * iters instructions: the first MRS, ISB, NOP, the SUBS/B.NE loop
 * and the last ISB. With iters = 8k - 2 that is 16k instructions, so the result (k ticks) does
 * not depend on where the 16 ns tick boundaries fall. */
static uint64_t counter_delta(uint64_t iters)
{
    uint64_t t0, t1;
    __asm__ volatile("isb\n\t"
                     "mrs %0, cntvct_el0\n\t"
                     "isb\n\t"
                     "nop\n"
                     "1:\tsubs %2, %2, #1\n\t"
                     "b.ne 1b\n\t"
                     "isb\n\t"
                     "mrs %1, cntvct_el0"
                     : "=&r"(t0), "=&r"(t1), "+r"(iters)
                     :
                     : "cc");
    return t1 - t0;
}

void guest_main(void)
{
    uint64_t midr = READ_SYSREG(midr_el1);
    rt_printf("MIDR_EL1    = 0x%08lx (implementer 0x%lx part 0x%03lx r%lup%lu)\n", midr,
              midr >> 24, (midr >> 4) & 0xfff, (midr >> 20) & 0xf, midr & 0xf);
    rt_printf("MPIDR_EL1   = 0x%08lx\n", READ_SYSREG(mpidr_el1));
    rt_printf("CurrentEL   = 0x%lx (EL%lu)\n", READ_SYSREG(CurrentEL), READ_SYSREG(CurrentEL) >> 2);
    uint64_t frq = READ_SYSREG(cntfrq_el0);
    rt_printf("CNTFRQ_EL0  = %lu Hz\n", frq);
    rt_printf("CNTVCT delta over  16000 instructions: %lu\n", counter_delta(7998));
    rt_printf("CNTVCT delta over 160000 instructions: %lu\n", counter_delta(79998));
    rt_puts("sysregs: done\n");
}
