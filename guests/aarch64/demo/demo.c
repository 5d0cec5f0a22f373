/* The demo guest of the README: a banner, a little computation, then a tiny line service on the
 * serial port. Each line it receives is answered with its length and CRC-32; EOT (Ctrl-D) or
 * 50 ms of virtual time without input ends the session. Input arrives by PL011 RX interrupt
 * and the guest sleeps in WFI between bytes, with the virtual timer as the idle timeout: the
 * inputs a recording captures and a replay re-delivers at the same instruction. */
#include "rt.h"

#define BUF_SIZE 4096
#define LINE_MAX 256

#define UART_BASE 0x09000000ul
#define UART_REG(off) (*(volatile uint32_t *)(UART_BASE + (off)))
#define UART_DR UART_REG(0x00)
#define UART_FR UART_REG(0x18)
#define UART_LCR_H UART_REG(0x2C)
#define UART_IMSC UART_REG(0x38)
#define UART_ICR UART_REG(0x44)
#define UART_FR_RXFE (1u << 4)
#define UART_LCR_H_FEN_WLEN8 ((1u << 4) | (3u << 5))
#define UART_INT_RX_RT ((1u << 4) | (1u << 6))
#define UART_IRQ 33
#define RTC_DR (*(volatile uint32_t *)0x09010000ul)

#define EOT 0x04
#define IDLE_TICKS 3125000u /* 50 ms at 62.5 MHz */

static uint8_t buf[BUF_SIZE];
static char line[LINE_MAX];
static unsigned line_len, lines;
static volatile int timed_out, ended;

/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bit at a time. */
static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return ~crc;
}

static void receive(uint8_t c)
{
    if (ended)
        return;
    if (c == EOT) {
        ended = 1;
        return;
    }
    if (c != '\n' && line_len < LINE_MAX) {
        line[line_len++] = (char)c;
        return;
    }
    lines++;
    rt_printf("line %u: %u bytes, crc32 0x%08x\n", lines, line_len, crc32((const uint8_t *)line, line_len));
    line_len = 0;
}

void exc_handler(struct exc_frame *frame, unsigned slot)
{
    if (slot != RT_VEC_CUR_SPX_IRQ) {
        rt_printf("unexpected exception: slot %u esr=0x%lx elr=0x%lx\n", slot, READ_SYSREG(esr_el1), frame->elr);
        psci_system_off();
    }
    uint32_t iar = gic_ack();
    uint32_t id = iar & 0x3ff;
    if (id == UART_IRQ) {
        while (!(UART_FR & UART_FR_RXFE))
            receive((uint8_t)UART_DR);
        UART_ICR = UART_INT_RX_RT;
        vtimer_arm(IDLE_TICKS); /* input restarts the idle timeout */
    } else if (id == RT_VIRTUAL_TIMER_PPI) {
        vtimer_stop();
        timed_out = 1;
    }
    if (id != RT_GIC_SPURIOUS)
        gic_eoi(iar);
}

void guest_main(void)
{
    rt_puts("rr-emu demo guest (AArch64, -M virt)\n");
    uint32_t x = 12345;
    for (size_t i = 0; i < BUF_SIZE; i++) {
        x = x * 1103515245u + 12345u; /* a fixed LCG, so the buffer is the same every run */
        buf[i] = (uint8_t)(x >> 16);
    }
    rt_printf("crc32 of %u pseudo-random bytes: 0x%08x\n", BUF_SIZE, crc32(buf, BUF_SIZE));
    rt_printf("crc32(\"123456789\") = 0x%08x\n", crc32((const uint8_t *)"123456789", 9));
    rt_printf("CNTVCT_EL0 = %lu\n", read_cntvct());
    /* The RTC starts from the host clock: plausible, but different in every recording. */
    rt_printf("RTC after 2020: %s\n", RTC_DR > 1577836800u ? "yes" : "no");

    rt_puts("send lines; EOT or 50 ms of silence ends\n");
    UART_LCR_H = UART_LCR_H_FEN_WLEN8;
    UART_IMSC = UART_INT_RX_RT;
    gic_init();
    gic_enable_irq(UART_IRQ);
    gic_enable_irq(RT_VIRTUAL_TIMER_PPI);
    vtimer_arm(IDLE_TICKS);
    irq_unmask();
    while (!ended && !timed_out)
        __asm__ volatile("wfi");
    irq_mask();
    vtimer_stop();
    rt_printf("%u lines, %s\n", lines, ended ? "ended by EOT" : "ended by the idle timeout");
    rt_puts("demo done\n");
}
