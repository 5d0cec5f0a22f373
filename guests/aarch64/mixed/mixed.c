/* Everything at once: a periodic virtual-timer tick, PL011 receive interrupts and one PL031
 * read, with the guest idling in WFI between interrupts, and the run ending through semihosting.
 * Each received byte is echoed, counted and folded into a 32-bit FNV-1a checksum; byte 0x04
 * (EOT) ends the input. The tick handler checks that CNTVCT moved at least one period since the
 * previous tick. How many ticks fall between bytes depends on when the input arrives, so the
 * guest prints no tick count; after EOT it waits for exactly POST_EOT_TICKS more ticks, prints a
 * summary and exits with SYS_EXIT_EXTENDED, code = (received bytes % 50) + 1. */
#include "pl011.h"
#include "rt.h"

#define RTC_DR (*(volatile uint32_t *)0x09010000ul)
#define EPOCH_2020 1577836800u

#define TICK 62500u /* 1 ms of the 62.5 MHz counter */
#define POST_EOT_TICKS 3
#define EOT 0x04
#define EARLY_MAX 64 /* more than QEMU buffers for a frontend that is not reading */

static volatile int eot_seen;
static volatile unsigned post_eot_ticks;
static uint64_t last_tick_cntvct;
static unsigned short_ticks; /* ticks that came less than TICK after the previous one */
static uint32_t bytes;
static uint32_t fnv = FNV1A_INIT;
static uint32_t overruns;
static uint32_t early[EARLY_MAX]; /* read before the FIFO was switched on */
static unsigned early_count;

static void on_tick(void)
{
    uint64_t now = read_cntvct();
    if (now - last_tick_cntvct < TICK)
        short_ticks++;
    last_tick_cntvct = now;
    if (eot_seen && post_eot_ticks < POST_EOT_TICKS)
        post_eot_ticks++;
    if (post_eot_ticks < POST_EOT_TICKS)
        vtimer_arm(TICK);
    else
        vtimer_stop(); /* level-sensitive: lower it before the EOI */
}

static void receive(uint32_t dr)
{
    if (eot_seen)
        return; /* anything after EOT is ignored */
    if (dr & UART_DR_OE)
        overruns++;
    uint8_t c = (uint8_t)dr;
    if (c == EOT) {
        eot_seen = 1;
        return;
    }
    rt_putc((char)c);
    bytes++;
    fnv = fnv1a_step(fnv, c);
}

static void on_uart(void)
{
    while (!(UART_FR & UART_FR_RXFE))
        receive(UART_DR);
    UART_ICR = UART_INT_RX | UART_INT_RT;
}

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
        on_tick();
    } else if (id == UART_IRQ) {
        on_uart();
    } else {
        rt_printf("unexpected irq %u\n", id);
        psci_system_off();
    }
    gic_eoi(iar);
}

void guest_main(void)
{
    /* QEMU's PL011 empties its receive FIFO whenever FEN changes, and input may have arrived
     * before the guest started: read what is waiting first (each read of DR may let the host
     * pass in the next byte, hence the loop), then switch the FIFO on. */
    UART_IMSC = 0;
    UART_ICR = UART_INT_ALL;
    while (!(UART_FR & UART_FR_RXFE) && early_count < EARLY_MAX)
        early[early_count++] = UART_DR;
    UART_LCR_H = UART_LCR_H_WLEN8 | UART_LCR_H_FEN;
    rt_puts("mixed: timer ticks, serial echo until EOT, one RTC read, semihosting exit\n");
    rt_printf("rtc plausible (after 2020-01-01): %s\n", RTC_DR >= EPOCH_2020 ? "yes" : "no");

    for (unsigned i = 0; i < early_count; i++)
        receive(early[i]);

    gic_init();
    gic_enable_irq(RT_VIRTUAL_TIMER_PPI);
    gic_enable_irq(UART_IRQ);
    UART_IMSC = UART_INT_RX | UART_INT_RT;
    uint64_t start = read_cntvct();
    last_tick_cntvct = start;
    vtimer_arm(TICK);
    irq_unmask();
    while (post_eot_ticks < POST_EOT_TICKS)
        __asm__ volatile("wfi");
    irq_mask();
    UART_IMSC = 0;
    uint64_t end = read_cntvct();

    unsigned code = bytes % 50 + 1;
    rt_printf("\nmixed: %u bytes, fnv 0x%08x, overruns %u\n", bytes, fnv, overruns);
    int long_enough = end - start >= POST_EOT_TICKS * TICK;
    rt_printf("ticks after eot %u, short ticks %u, ran at least %u counter ticks: %s\n",
              post_eot_ticks, short_ticks, POST_EOT_TICKS * TICK, long_enough ? "yes" : "no");
    rt_printf("mixed: exit code %u\n", code);
    semi_exit_extended(code);
}
