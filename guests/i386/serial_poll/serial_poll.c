/* Reads COM1 by polling, the way many small kernels do: it sets the 16550 up first (FCR 0xC7
 * switches the FIFOs on and empties them, trigger level 14), then waits on LSR.DR for each
 * byte until EOT, and prints how many bytes arrived and their FNV-1a hash. Input that reached
 * the UART before the guest set it up would be lost to the FCR write, so a recorder must hand
 * over nothing before the guest first looks at the receive side. */
#include "rt.h"

void guest_main(void)
{
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_FCR, 0xC7);
    rt_puts("serial_poll: send bytes, EOT ends\n");
    uint32_t count = 0, fnv = 0x811c9dc5u;
    for (;;) {
        while (!(inb(COM1 + UART_LSR) & UART_LSR_DR))
            ;
        uint8_t c = inb(COM1 + UART_RBR);
        if (c == 0x04)
            break;
        count++;
        fnv = (fnv ^ c) * 0x01000193u;
    }
    rt_printf("serial_poll: %u bytes, fnv 0x%08x\n", count, fnv);
    rt_exit(0);
}
