/* Serial input by polling: the same echo protocol as serial_irq, but the guest spins on the
 * PL011's FR.RXFE with the FIFO off, interrupts masked, no timer armed and no WFI. Each received
 * byte is echoed, counted and folded into a 32-bit FNV-1a checksum; overrun errors (DR bit 11 or
 * RSR OE) are counted. Byte 0x04 (EOT) ends the input (neither echoed nor counted); the guest
 * prints a summary line and powers off. The output depends only on the input bytes; the
 * instruction count depends on when they arrive. */
#include "pl011.h"
#include "rt.h"

#define EOT 0x04

void guest_main(void)
{
    /* The FIFO stays off (LCR_H.FEN = 0 from reset), so the PL011 holds one byte at a time and
     * the host must wait for each read of DR. (QEMU's PL011 empties the FIFO whenever FEN
     * changes, which would lose a byte that came in before the change.) */
    UART_IMSC = 0;
    rt_puts("serial_poll: echo until EOT, polling FR.RXFE\n");

    uint32_t bytes = 0;
    uint32_t fnv = FNV1A_INIT;
    uint32_t overruns = 0;
    for (;;) {
        while (UART_FR & UART_FR_RXFE)
            ;
        uint32_t dr = UART_DR;
        if ((dr & UART_DR_OE) || (UART_RSR & UART_RSR_OE)) {
            overruns++;
            UART_RSR = 0; /* a write to ECR clears the error flags */
        }
        uint8_t c = (uint8_t)dr;
        if (c == EOT)
            break;
        rt_putc((char)c);
        bytes++;
        fnv = fnv1a_step(fnv, c);
    }
    rt_printf("\nserial_poll: %u bytes, fnv 0x%08x, overruns %u\n", bytes, fnv, overruns);
    psci_system_off();
}
