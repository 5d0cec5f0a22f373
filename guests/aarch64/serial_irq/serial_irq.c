/* Serial input by interrupt: the PL011's receive FIFO is switched on and its RX and RX-timeout
 * interrupts are routed through the GICv2 (SPI 1 = ID 33). The guest sleeps in WFI with no timer
 * armed, so only incoming bytes wake it. The IRQ handler drains the FIFO, echoes each byte,
 * counts the bytes, keeps a 32-bit FNV-1a checksum and counts overrun errors (DR bit 11 or RSR
 * OE). Byte 0x04 (EOT) ends the input: it is neither echoed nor counted. The guest prints a
 * summary line and powers off. Its output depends only on the input bytes, not their timing. */
#include "pl011.h"
#include "rt.h"

#define EOT 0x04
#define EARLY_MAX 64 /* more than QEMU buffers for a frontend that is not reading */

static volatile int done;
static uint32_t bytes;
static uint32_t fnv = FNV1A_INIT;
static uint32_t overruns;
static uint32_t early[EARLY_MAX]; /* read before the FIFO was switched on */
static unsigned early_count;

static void receive(uint32_t dr)
{
    if (done)
        return; /* anything after EOT is ignored */
    if ((dr & UART_DR_OE) || (UART_RSR & UART_RSR_OE)) {
        overruns++;
        UART_RSR = 0; /* a write to ECR clears the error flags */
    }
    uint8_t c = (uint8_t)dr;
    if (c == EOT) {
        done = 1;
        return;
    }
    rt_putc((char)c);
    bytes++;
    fnv = fnv1a_step(fnv, c);
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
    if (id != UART_IRQ) {
        rt_printf("unexpected irq %u\n", id);
        psci_system_off();
    }
    /* Reading DR until the FIFO is empty lowers both RX and RX-timeout. */
    while (!(UART_FR & UART_FR_RXFE))
        receive(UART_DR);
    UART_ICR = UART_INT_RX | UART_INT_RT;
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
    rt_puts("serial_irq: echo until EOT, woken by PL011 RX interrupts\n");
    for (unsigned i = 0; i < early_count; i++)
        receive(early[i]);
    UART_IMSC = UART_INT_RX | UART_INT_RT;
    gic_init();
    gic_enable_irq(UART_IRQ);
    irq_unmask();
    while (!done)
        __asm__ volatile("wfi");
    irq_mask();
    UART_IMSC = 0;
    /* The interrupt count depends on how the host paced the input, so it is not printed. */
    rt_printf("\nserial_irq: %u bytes, fnv 0x%08x, overruns %u\n", bytes, fnv, overruns);
    psci_system_off();
}
