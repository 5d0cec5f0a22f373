#include "line_service.h"

#include "pl011.h"
#include "rt.h"

#define EOT 0x04
#define IDLE_TICKS 3125000u /* 50 ms at 62.5 MHz */

static void (*line_handler)(const char *line, unsigned len);
static char line[LINE_SERVICE_MAX + 1];
static unsigned line_len;
static volatile int timed_out, ended;

static void receive(uint8_t c)
{
    if (ended)
        return;
    if (c == EOT) {
        ended = 1;
        return;
    }
    if (c != '\n' && line_len < LINE_SERVICE_MAX) {
        line[line_len++] = (char)c;
        return;
    }
    line[line_len] = '\0';
    line_handler(line, line_len);
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
        UART_ICR = UART_INT_RX | UART_INT_RT;
        vtimer_arm(IDLE_TICKS); /* input restarts the idle timeout */
    } else if (id == RT_VIRTUAL_TIMER_PPI) {
        vtimer_stop();
        timed_out = 1;
    }
    if (id != RT_GIC_SPURIOUS)
        gic_eoi(iar);
}

int serve_lines(void (*on_line)(const char *line, unsigned len))
{
    line_handler = on_line;
    UART_LCR_H = UART_LCR_H_FEN | UART_LCR_H_WLEN8;
    UART_IMSC = UART_INT_RX | UART_INT_RT;
    gic_init();
    gic_enable_irq(UART_IRQ);
    gic_enable_irq(RT_VIRTUAL_TIMER_PPI);
    vtimer_arm(IDLE_TICKS);
    irq_unmask();
    while (!ended && !timed_out)
        __asm__ volatile("wfi");
    irq_mask();
    vtimer_stop();
    return ended;
}
