/* The PL031 real-time clock (0x09010000, SPI 2 = GIC ID 34). Its count is host time, so the
 * guest never prints it: it prints only facts that hold on every run. It checks the ID
 * registers, that the clock reads as a date after 2020-01-01, that a value written to LR reads
 * back from DR, that DR does not go backwards (nor jump) across 1.1 s of virtual time waited for
 * with the virtual timer and WFI, and that a match register set to DR + 1 raises the match
 * interrupt through the GICv2, which the guest takes from WFI and clears. The CNTVCT delta of the
 * timer wait is printed: under icount it depends only on the instructions executed. */
#include "rt.h"

#define RTC_BASE 0x09010000ul
#define RTC_REG(off) (*(volatile uint32_t *)(RTC_BASE + (off)))
#define RTC_DR RTC_REG(0x00)
#define RTC_MR RTC_REG(0x04)
#define RTC_LR RTC_REG(0x08)
#define RTC_CR RTC_REG(0x0C)
#define RTC_IMSC RTC_REG(0x10)
#define RTC_RIS RTC_REG(0x14)
#define RTC_MIS RTC_REG(0x18)
#define RTC_ICR RTC_REG(0x1C)
#define RTC_PERIPH_ID0 0xFE0 /* four registers, one byte of the ID each */
#define RTC_PCELL_ID0 0xFF0

#define RTC_IRQ 34 /* SPI 2 */
#define RTC_INT_MATCH 1u

#define EPOCH_2020 1577836800u /* 2020-01-01T00:00:00Z in seconds since 1970 */
#define LOAD_VALUE 1000000000u /* 2001-09-09T01:46:40Z */
#define WAIT_TICKS 68750000u   /* 1.1 s of the 62.5 MHz counter */

static volatile int timer_fired;
static volatile int match_fired;
static volatile uint32_t match_mis;

void exc_handler(struct exc_frame *frame, unsigned slot)
{
    if (slot != RT_VEC_CUR_SPX_IRQ) {
        rt_printf("unexpected exception: slot %u esr=0x%lx elr=0x%lx\n", slot, READ_SYSREG(esr_el1),
                  frame->elr);
        psci_system_off();
    }
    uint32_t iar = gic_ack();
    uint32_t id = iar & 0x3ff;
    if (id == RT_GIC_SPURIOUS)
        return;
    if (id == RT_VIRTUAL_TIMER_PPI) {
        vtimer_stop(); /* level-sensitive: lower it before the EOI */
        timer_fired = 1;
    } else if (id == RTC_IRQ) {
        match_mis = RTC_MIS;
        RTC_ICR = RTC_INT_MATCH;
        match_fired = 1;
    } else {
        rt_printf("unexpected irq %u\n", id);
        psci_system_off();
    }
    gic_eoi(iar);
}

static const char *yes_no(int ok) { return ok ? "yes" : "no"; }

static uint32_t read_id(unsigned off)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++)
        v |= (RTC_REG(off + 4 * i) & 0xff) << (8 * i);
    return v;
}

void guest_main(void)
{
    rt_puts("rtc: PL031 real-time clock\n");
    rt_printf("pl031 periph id 0x%08x, cell id 0x%08x\n", read_id(RTC_PERIPH_ID0),
              read_id(RTC_PCELL_ID0));
    rt_printf("cr reads %u\n", RTC_CR);

    uint32_t now = RTC_DR;
    rt_printf("rtc plausible (after 2020-01-01): %s\n", yes_no(now >= EPOCH_2020));

    /* A second may begin between the write and the read. */
    RTC_LR = LOAD_VALUE;
    uint32_t loaded = RTC_DR;
    rt_printf("load register reads back from dr: %s\n", yes_no(loaded - LOAD_VALUE <= 1));

    gic_init();
    gic_enable_irq(RT_VIRTUAL_TIMER_PPI);
    gic_enable_irq(RTC_IRQ);

    /* Wait 1.1 s of virtual time. How far DR moves depends on how the RTC's clock relates to
     * virtual time (host time in QEMU by default), so only its direction and bound are shown. */
    uint32_t before = RTC_DR;
    uint64_t t0 = read_cntvct();
    vtimer_arm(WAIT_TICKS);
    irq_unmask();
    while (!timer_fired)
        __asm__ volatile("wfi");
    irq_mask();
    uint64_t t1 = read_cntvct();
    uint32_t after = RTC_DR;
    rt_printf("timer wait: %lu counter ticks (at least 1.1 s: %s)\n", t1 - t0,
              yes_no(t1 - t0 >= WAIT_TICKS));
    rt_printf("rtc after the wait: not behind, at most 2 s ahead: %s\n",
              yes_no(after - before <= 2));

    /* The match interrupt: MR one second ahead, unmasked in IMSC. */
    RTC_IMSC = 0;
    RTC_ICR = RTC_INT_MATCH;
    uint32_t match = RTC_DR + 1;
    RTC_MR = match;
    RTC_IMSC = RTC_INT_MATCH;
    rt_printf("mr reads back: %s, ris before the match %u\n", yes_no(RTC_MR == match), RTC_RIS);
    irq_unmask();
    while (!match_fired)
        __asm__ volatile("wfi");
    irq_mask();
    uint32_t at_match = RTC_DR;
    rt_printf("match irq %u taken, mis was 0x%x, ris now 0x%x\n", RTC_IRQ, match_mis, RTC_RIS);
    rt_printf("dr reached mr: %s\n", yes_no(at_match - match <= 1));
    RTC_IMSC = 0;
    rt_puts("rtc: done\n");
    psci_system_off();
}
