/* Proves the I/O APIC of `-M pc` routing ISA interrupts to the local APIC, with the 8259s
 * masked: its identity and reset state, the PIT's IRQ 0 on pin 2 (the interrupt source override
 * QEMU's firmware tables announce) and nothing on pin 0, the RTC's periodic interrupt on pin 8,
 * the COM1 transmitter interrupt on pin 4 both edge and level triggered (remote IRR and the
 * local APIC's TMR while in service, EOI through the local APIC or the I/O APIC's EOI register),
 * masking, and logical destinations against the LDR. Exits with code 0. */
#include "apic.h"

#define VEC_PIN0 0x3f
#define VEC_PIT 0x32
#define VEC_RTC 0x38
#define VEC_COM1 0x34

static volatile uint32_t pin0, pit, rtc, com1;
static volatile uint32_t remote_irr_in_handler, tmr_in_handler;
static volatile int explicit_eoi;

static void pin0_irq(struct int_frame *f) { (void)f; pin0++; lapic_eoi(); }
static void pit_irq(struct int_frame *f) { (void)f; pit++; lapic_eoi(); }

static void rtc_irq(struct int_frame *f)
{
    (void)f;
    rtc++;
    cmos_read(0x0c); /* acknowledges the periodic interrupt */
    lapic_eoi();
}

/* The transmitter-empty interrupt stays asserted until IIR is read or IER drops it. */
static void com1_irq(struct int_frame *f)
{
    (void)f;
    com1++;
    remote_irr_in_handler = (ioapic_read(IOAPIC_REDTBL + 2 * 4) & IOAPIC_REMOTE_IRR) != 0;
    tmr_in_handler = lapic_bit(LAPIC_TMR, VEC_COM1);
    outb(COM1 + UART_IER, 0);
    inb(COM1 + UART_IIR);
    if (explicit_eoi) {
        /* The I/O APIC's EOI register (version 0x20) clears remote IRR for the vector; the local
         * APIC still needs its own EOI, but then broadcasts nothing new. */
        ioapic[0x40 / 4] = VEC_COM1;
    }
    lapic_eoi();
}

static void spin(unsigned n)
{
    for (volatile unsigned i = 0; i < n; i++)
        ;
}

static void wait_for(volatile uint32_t *counter, uint32_t n)
{
    while (*counter < n)
        halt_until_interrupt();
}

/* Routes pin 4 (LO with the COM1 vector, to DEST), lets the transmitter-empty interrupt
 * assert, and returns how many interrupts arrived. The UART's line is low again afterwards. */
static uint32_t com1_thre(uint32_t lo, uint8_t dest)
{
    com1 = 0;
    ioapic_route(4, lo | VEC_COM1, dest);
    outb(COM1 + UART_IER, 0x02); /* transmitter holding register empty */
    irq_enable();
    spin(100);
    irq_disable();
    outb(COM1 + UART_IER, 0);
    inb(COM1 + UART_IIR);
    ioapic_route(4, IOAPIC_MASKED | VEC_COM1, 0);
    return com1;
}

void guest_main(void)
{
    rt_printf("ioapic: id 0x%08x version 0x%08x arbitration 0x%08x\n", ioapic_read(IOAPIC_ID),
              ioapic_read(IOAPIC_VERSION), ioapic_read(IOAPIC_ARB));
    unsigned masked = 0;
    for (unsigned pin = 0; pin < 24; pin++)
        masked += ioapic_read(IOAPIC_REDTBL + 2 * pin) == IOAPIC_MASKED &&
                  ioapic_read(IOAPIC_REDTBL + 2 * pin + 1) == 0;
    rt_printf("ioapic: redirection entries masked and zero at hand-over: %u of 24\n", masked);
    ioapic_write(IOAPIC_REDTBL + 2 * 5, 0xffffffff);
    ioapic_write(IOAPIC_REDTBL + 2 * 5 + 1, 0xffffffff);
    rt_printf("ioapic: entry 5 after writing all ones 0x%08x:%08x\n", ioapic_read(IOAPIC_REDTBL + 2 * 5 + 1),
              ioapic_read(IOAPIC_REDTBL + 2 * 5));
    ioapic_route(5, IOAPIC_MASKED, 0);

    rt_set_handler(VEC_PIN0, pin0_irq);
    rt_set_handler(VEC_PIT, pit_irq);
    rt_set_handler(VEC_RTC, rtc_irq);
    rt_set_handler(VEC_COM1, com1_irq);

    /* IRQ 0 arrives on pin 2; pin 0 stays quiet. */
    ioapic_route(0, VEC_PIN0, 0);
    ioapic_route(2, VEC_PIT, 0);
    rt_pit_start(2, 1193);
    wait_for(&pit, 10);
    ioapic_route(2, IOAPIC_MASKED | VEC_PIT, 0);
    rt_printf("ioapic: PIT on pin 2: %u interrupts, pin 0: %u\n", pit, pin0);
    /* A masked edge is lost: nothing arrives when the pin is unmasked later. */
    spin(20000);
    uint32_t before = pit;
    ioapic_route(2, VEC_PIT, 0);
    ioapic_route(2, IOAPIC_MASKED | VEC_PIT, 0);
    rt_printf("ioapic: edges while masked delivered on unmask: %u\n", pit - before);
    outb(PIT_CMD, 0x30); /* stop: mode 0 with no count written */

    /* The RTC's periodic interrupt (1024 Hz) on pin 8. */
    ioapic_route(8, VEC_RTC, 0);
    cmos_write(0x0b, cmos_read(0x0b) | 0x40);
    cmos_read(0x0c);
    wait_for(&rtc, 8);
    cmos_write(0x0b, cmos_read(0x0b) & ~0x40);
    cmos_read(0x0c);
    rt_printf("ioapic: RTC on pin 8: %u interrupts\n", rtc);

    /* COM1 on pin 4, edge, then level. */
    uint32_t n = com1_thre(0, 0);
    rt_printf("ioapic: COM1 edge: %u interrupts, remote IRR %u, TMR %u\n", n, remote_irr_in_handler,
              tmr_in_handler);
    n = com1_thre(IOAPIC_LEVEL, 0);
    rt_printf("ioapic: COM1 level: %u interrupts, remote IRR in the handler %u, TMR %u, after EOI %u\n", n,
              remote_irr_in_handler, tmr_in_handler,
              (ioapic_read(IOAPIC_REDTBL + 2 * 4) & IOAPIC_REMOTE_IRR) != 0);
    explicit_eoi = 1;
    n = com1_thre(IOAPIC_LEVEL, 0);
    rt_printf("ioapic: COM1 level with the I/O APIC EOI register: %u interrupts, remote IRR after %u\n", n,
              (ioapic_read(IOAPIC_REDTBL + 2 * 4) & IOAPIC_REMOTE_IRR) != 0);
    explicit_eoi = 0;

    /* Destinations: physical APIC 0 and 1, then logical (flat model) against the LDR. */
    uint32_t phys0 = com1_thre(0, 0), phys1 = com1_thre(0, 1), broadcast = com1_thre(0, 0xff);
    rt_printf("ioapic: physical destination 0: %u, 1: %u, 0xff: %u\n", phys0, phys1, broadcast);
    uint32_t before_ldr = com1_thre(IOAPIC_LOGICAL, 0x01);
    lapic_write(LAPIC_DFR, 0xffffffff);
    lapic_write(LAPIC_LDR, 0x01000000);
    uint32_t match = com1_thre(IOAPIC_LOGICAL, 0x01), other = com1_thre(IOAPIC_LOGICAL, 0x02);
    uint32_t lowest = com1_thre(IOAPIC_LOGICAL | (1u << 8), 0x03);
    rt_printf("ioapic: logical 0x01 with LDR 0: %u; with LDR 0x01: 0x01 %u, 0x02 %u, lowest priority 0x03 %u\n",
              before_ldr, match, other, lowest);
    rt_exit(0);
}
