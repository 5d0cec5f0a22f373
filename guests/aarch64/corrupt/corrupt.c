/* The rr-bisect proof guest: a tiny ledger service on the serial port with a latent bug. Each
 * input line "put I V" stores V in entry I, "sum" prints the total; EOT (Ctrl-D) or 50 ms of
 * virtual time without input ends the session. The bounds check admits I up to 15 while the
 * ledger has 8 entries, so "put 8 V" overwrites the canary right behind them: when (and
 * whether) the canary is corrupted is decided by the input alone, so only a recording knows.
 * The guest prints the canary's address first, for the tests to watch it. */
#include "rt.h"

#define LINE_MAX 64
#define ENTRIES 8
#define CANARY 0x600dc0deu

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

#define EOT 0x04
#define IDLE_TICKS 3125000u /* 50 ms at 62.5 MHz */

/* One object, so that the canary sits right behind the entries whatever the linker does. */
static struct {
    uint32_t entries[ENTRIES];
    volatile uint32_t canary;
} ledger = {{0}, CANARY};

static char line[LINE_MAX];
static unsigned line_len, lines;
static volatile int timed_out, ended;

static const char *number(const char *p, uint32_t *out)
{
    while (*p == ' ')
        p++;
    uint32_t v = 0;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (uint32_t)(*p++ - '0');
    *out = v;
    return p;
}

static void execute(const char *cmd)
{
    lines++;
    if (cmd[0] == 'p' && cmd[1] == 'u' && cmd[2] == 't' && cmd[3] == ' ') {
        uint32_t index, value;
        number(number(cmd + 3, &index), &value);
        if (index < 16) { /* the bug: 16 is the size of nothing here, the ledger has 8 */
            ledger.entries[index] = value;
            rt_printf("line %u: entry %u = %u\n", lines, index, value);
        } else {
            rt_printf("line %u: no entry %u\n", lines, index);
        }
    } else if (cmd[0] == 's' && cmd[1] == 'u' && cmd[2] == 'm') {
        uint32_t total = 0;
        for (unsigned i = 0; i < ENTRIES; i++)
            total += ledger.entries[i];
        rt_printf("line %u: sum %u\n", lines, total);
    } else {
        rt_printf("line %u: ?\n", lines);
    }
}

static void receive(uint8_t c)
{
    if (ended)
        return;
    if (c == EOT) {
        ended = 1;
        return;
    }
    if (c != '\n' && line_len < LINE_MAX - 1) {
        line[line_len++] = (char)c;
        return;
    }
    line[line_len] = '\0';
    line_len = 0;
    execute(line);
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
        vtimer_arm(IDLE_TICKS);
    } else if (id == RT_VIRTUAL_TIMER_PPI) {
        vtimer_stop();
        timed_out = 1;
    }
    if (id != RT_GIC_SPURIOUS)
        gic_eoi(iar);
}

void guest_main(void)
{
    rt_printf("ledger service; canary at 0x%lx\n", (unsigned long)&ledger.canary);
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
    if (ledger.canary == CANARY)
        rt_printf("%u lines; canary intact\n", lines);
    else
        rt_printf("%u lines; canary CORRUPTED: 0x%08x\n", lines, ledger.canary);
}
