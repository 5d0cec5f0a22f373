/* Proves 16550 receive by interrupt on a PC: COM1's FIFO is on (trigger level 4, so both the
 * "data available" and the "character timeout" interrupts occur), IER enables received-data
 * interrupts, MCR.OUT2 lets IRQ 4 out, and the 8259 delivers it as vector 36. The guest sleeps in
 * HLT with nothing else unmasked, so only incoming bytes wake it. The handler drains the FIFO
 * while IIR reports an interrupt, echoes each byte, counts them, keeps a 32-bit FNV-1a checksum
 * and counts overrun errors (LSR.OE). Byte 0x04 (EOT) ends the input: it is neither echoed nor
 * counted. The output depends only on the input bytes, not on their timing. Exits with code 0. */
#include "rt.h"

#define COM1_IRQ 4
#define EOT 0x04
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define FCR_TRIGGER_4 0x40
#define IIR_ID_MASK 0x0e
#define IIR_ID_RX_DATA 0x04
#define IIR_ID_RX_TIMEOUT 0x0c
#define IIR_ID_LINE_STATUS 0x06

static volatile int done;
static uint32_t bytes;
static uint32_t fnv = FNV1A_INIT;
static uint32_t overruns;
static uint32_t unexpected_iir;
static uint32_t early_bytes, irqs; /* timing dependent: printed only in SERIAL_IRQ_DEBUG builds */

/* Every read of LSR clears OE, so all of this guest's LSR reads go through here. */
static uint8_t read_lsr(void)
{
    uint8_t lsr = inb(COM1 + UART_LSR);
    if (lsr & UART_LSR_OE)
        overruns++;
    return lsr;
}

static void echo(uint8_t c)
{
    while (!(read_lsr() & UART_LSR_THRE))
        ;
    outb(COM1 + UART_THR, c);
}

static void receive(uint8_t c)
{
    if (done)
        return; /* anything after EOT is ignored */
    if (c == EOT) {
        done = 1;
        return;
    }
    echo(c);
    bytes++;
    fnv = fnv1a_step(fnv, c);
}

/* Reads bytes while LSR.DR says one is waiting. */
static void drain(void)
{
    while (read_lsr() & UART_LSR_DR)
        receive(inb(COM1 + UART_RBR));
}

static void com1_irq(struct int_frame *frame)
{
    (void)frame;
    irqs++;
    uint8_t iir;
    while (!((iir = inb(COM1 + UART_IIR)) & UART_IIR_NO_INT)) {
        switch (iir & IIR_ID_MASK) {
        case IIR_ID_RX_DATA:
        case IIR_ID_RX_TIMEOUT:
        case IIR_ID_LINE_STATUS:
            drain();
            break;
        default:
            unexpected_iir++;
            drain();
            return;
        }
    }
}

void guest_main(void)
{
    rt_puts("serial_irq: echo until EOT, woken by 16550 RX interrupts on IRQ 4\n");
    /* Writing FCR with a new FIFO-enable bit empties the receive FIFO, and input may have
     * arrived while the firmware ran. Without the FIFO the UART holds one byte and the host
     * passes the next only when it has been read (QEMU may do so within the read itself), so
     * take bytes until none is waiting, then switch the FIFO on at once. */
    drain();
    early_bytes = bytes;
    outb(COM1 + UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX | FCR_TRIGGER_4);
    int fifo_on = (inb(COM1 + UART_IIR) & 0xc0) == 0xc0;
    rt_set_handler(VEC_IRQ0 + COM1_IRQ, com1_irq);
    outb(COM1 + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
    outb(COM1 + UART_IER, UART_IER_RDI);
    rt_pic_unmask(COM1_IRQ);
    while (!done)
        halt_until_interrupt();
    outb(COM1 + UART_IER, 0);
    rt_pic_mask(COM1_IRQ);
    /* The interrupt count depends on how the host paced the input, so it is not printed. */
    rt_printf("\nserial_irq: FIFO was %s\n", fifo_on ? "on" : "off");
    rt_printf("serial_irq: %u bytes, fnv 0x%08x, overruns %u\n", bytes, fnv, overruns);
#ifdef SERIAL_IRQ_DEBUG
    rt_printf("serial_irq: %u bytes before the FIFO, %u interrupts\n", early_bytes, irqs);
#endif
    if (unexpected_iir)
        rt_printf("serial_irq: %u unexpected IIR values\n", unexpected_iir);
    rt_exit(0);
}
