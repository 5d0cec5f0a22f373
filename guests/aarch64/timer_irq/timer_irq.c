/* The virtual timer through the GICv2: the guest arms CNTV and takes the timer's PPI as an IRQ.
 * Each interrupt prints its ID and the counter at handler entry, then re-arms the timer; after
 * the last one the timer is switched off. The guest does this twice: first idling in WFI (under
 * icount both QEMU and rr-record jump virtual time to the deadline while the CPU idles), then
 * spinning, so that the interrupt lands in the middle of running code and the spin count at
 * entry shows the exact instruction it preempted. Then it powers off. */
#include "rt.h"

#define GICD_BASE 0x08000000ul
#define GICC_BASE 0x08010000ul
#define GICD_CTLR (*(volatile uint32_t *)(GICD_BASE + 0x000))
#define GICD_ISENABLER0 (*(volatile uint32_t *)(GICD_BASE + 0x100))
#define GICD_IPRIORITYR(n) (*(volatile uint8_t *)(GICD_BASE + 0x400 + (n)))
#define GICC_CTLR (*(volatile uint32_t *)(GICC_BASE + 0x00))
#define GICC_PMR (*(volatile uint32_t *)(GICC_BASE + 0x04))
#define GICC_IAR (*(volatile uint32_t *)(GICC_BASE + 0x0C))
#define GICC_EOIR (*(volatile uint32_t *)(GICC_BASE + 0x10))

#define VEC_CUR_SPX_IRQ 5
#define VIRTUAL_TIMER_PPI 27
#define SPURIOUS_IRQ 1023
#define TIMER_TICKS 10000 /* 160 us at 62.5 MHz */
#define REARMS 5

#define CNTV_CTL_ENABLE 1u

static volatile unsigned interrupts;
static volatile int done;
static volatile uint64_t spins;

static void arm_virtual_timer(uint32_t ticks)
{
    __asm__ volatile("msr cntv_tval_el0, %0" : : "r"((uint64_t)ticks));
    __asm__ volatile("msr cntv_ctl_el0, %0; isb" : : "r"((uint64_t)CNTV_CTL_ENABLE));
}

static void stop_virtual_timer(void) { __asm__ volatile("msr cntv_ctl_el0, xzr; isb"); }

void exc_handler(struct exc_frame *frame, unsigned slot)
{
    if (slot != VEC_CUR_SPX_IRQ) {
        rt_printf("unexpected exception: slot %u esr=0x%lx elr=0x%lx\n", slot, READ_SYSREG(esr_el1),
                  frame->elr);
        psci_system_off();
    }
    uint64_t now = read_cntvct();
    uint32_t iar = GICC_IAR;
    uint32_t id = iar & 0x3ff;
    if (id == SPURIOUS_IRQ) {
        rt_puts("spurious interrupt\n");
        return;
    }
    rt_printf("irq %u #%u at cntvct %lu, spins %lu\n", id, interrupts, now, spins);
    if (id == VIRTUAL_TIMER_PPI) {
        /* The timer's output is level-sensitive: it must fall before the EOI, or the same
         * interrupt is taken again at once. */
        if (interrupts++ < REARMS) {
            arm_virtual_timer(TIMER_TICKS);
        } else {
            stop_virtual_timer();
            done = 1;
        }
    }
    GICC_EOIR = iar;
}

void guest_main(void)
{
    rt_puts("timer_irq: virtual timer PPI through the GICv2\n");
    GICD_IPRIORITYR(VIRTUAL_TIMER_PPI) = 0x80;
    GICD_ISENABLER0 = 1u << VIRTUAL_TIMER_PPI;
    GICD_CTLR = 1;  /* forward Group 0 */
    GICC_PMR = 0xff; /* let every priority through */
    GICC_CTLR = 1;  /* signal Group 0 as IRQ */

    rt_printf("idle phase at cntvct %lu\n", read_cntvct());
    arm_virtual_timer(TIMER_TICKS);
    __asm__ volatile("msr daifclr, #2");
    while (!done)
        __asm__ volatile("wfi");
    __asm__ volatile("msr daifset, #2");
    rt_printf("idle phase done after %u interrupts, cntvct %lu\n", interrupts, read_cntvct());

    interrupts = 0;
    done = 0;
    rt_printf("busy phase at cntvct %lu\n", read_cntvct());
    arm_virtual_timer(TIMER_TICKS);
    __asm__ volatile("msr daifclr, #2");
    while (!done)
        spins++;
    __asm__ volatile("msr daifset, #2");
    rt_printf("busy phase done after %u interrupts, %lu spins, cntvct %lu\n", interrupts, spins,
              read_cntvct());
}
