/* Proves the 8254 PIT's channel 0 as a rate generator (mode 2, divisor 1193: about 1000 Hz) on
 * IRQ 0 through the 8259, with the CPU sleeping in HLT between ticks. The handler counts ticks
 * and reads the TSC; the guest prints every tenth tick number, checks that each HLT woke for
 * exactly one tick, and checks (rather than prints) the TSC distance between ticks: under
 * `-icount shift=0` the TSC counts virtual nanoseconds, so consecutive ticks are one PIT period
 * (1193 / 1193182 s = 999847.3 ns) apart. The first tick is left out of the timing because an
 * edge latched before the guest took over may fire it early. Exits with code 0. */
#include "rt.h"

#define TICKS 100
#define DIVISOR 1193
#define PERIOD_NS_MIN 999000u /* 1193 / 1193182 s, give or take 0.1 % */
#define PERIOD_NS_MAX 1001000u

static volatile uint32_t ticks;
static uint64_t tick_tsc[TICKS + 1];

static void pit_irq(struct int_frame *frame)
{
    (void)frame;
    uint32_t t = ticks + 1;
    if (t <= TICKS)
        tick_tsc[t] = rdtsc();
    ticks = t;
}

void guest_main(void)
{
    rt_printf("pit_hlt: PIT channel 0 mode 2, divisor %u, IRQ 0, HLT between ticks\n", DIVISOR);
    rt_set_handler(VEC_IRQ0 + 0, pit_irq);
    rt_pit_start(2, DIVISOR);
    rt_pic_unmask(0);
    uint32_t wakeups = 0, printed = 0, multi = 0;
    while (ticks < TICKS) {
        uint32_t before = ticks;
        halt_until_interrupt();
        wakeups++;
        if (ticks != before + 1)
            multi++;
        while (printed + 10 <= ticks && printed + 10 <= TICKS) {
            printed += 10;
            rt_printf("pit_hlt: tick %u\n", printed);
        }
    }
    rt_pic_mask(0);
    uint16_t count = rt_pit_read();
    rt_printf("pit_hlt: %u ticks, %u HLT wakeups, %u wakeups with other than one tick\n",
              (unsigned)ticks, wakeups, multi);
    uint32_t in_range = 0, min = ~0u, max = 0;
    for (unsigned i = 3; i <= TICKS; i++) {
        uint32_t d = (uint32_t)(tick_tsc[i] - tick_tsc[i - 1]);
        in_range += d >= PERIOD_NS_MIN && d <= PERIOD_NS_MAX;
        min = d < min ? d : min;
        max = d > max ? d : max;
    }
#ifdef PIT_HLT_RAW
    rt_printf("pit_hlt: raw tsc delta min %u max %u, first %u\n", min, max,
              (uint32_t)(tick_tsc[2] - tick_tsc[1]));
#endif
    rt_printf("pit_hlt: tsc steps between ticks 2..%u within %u..%u ns: %u of %u\n", TICKS,
              PERIOD_NS_MIN, PERIOD_NS_MAX, in_range, TICKS - 2);
    rt_printf("pit_hlt: counter below divisor: %s\n", count < DIVISOR ? "yes" : "no");
    rt_exit(0);
}
