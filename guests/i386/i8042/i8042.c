/* Probes the i8042 keyboard controller and its PS/2 keyboard the way a driver does, and prints
 * every byte it gets: the state the firmware leaves (status, command byte, nothing pending), the
 * controller self test, the interface tests, reading and writing the command byte, and the
 * keyboard's answers to reset, identify, echo, LEDs and scan code set queries. With IRQ 1
 * unmasked, it counts the keyboard interrupts: one per byte the controller reports, none while
 * nothing is pending. Exits with code 0. */
#include "rt.h"

#define KBC_DATA 0x60
#define KBC_STATUS 0x64
#define STAT_OBF 0x01
#define STAT_IBF 0x02
#define STAT_AUX 0x20

static volatile uint32_t irq1, irq12;
static volatile uint8_t irq_bytes[64];
static volatile uint32_t n_irq_bytes;

/* The IRQ handlers read the byte the interrupt announced, as a driver does. */
static void kbd_irq(struct int_frame *f)
{
    (void)f;
    irq1++;
    if (inb(KBC_STATUS) & STAT_OBF)
        irq_bytes[n_irq_bytes++ & 63] = inb(KBC_DATA);
}

static void mouse_irq(struct int_frame *f)
{
    (void)f;
    irq12++;
    if (inb(KBC_STATUS) & STAT_OBF)
        irq_bytes[n_irq_bytes++ & 63] = inb(KBC_DATA);
}

static void wait_write(void)
{
    while (inb(KBC_STATUS) & STAT_IBF)
        ;
}

static void command(uint8_t cmd)
{
    wait_write();
    outb(KBC_STATUS, cmd);
}

static void data(uint8_t v)
{
    wait_write();
    outb(KBC_DATA, v);
}

/* Polls (interrupts off) for whatever the controller reports and prints it as LABEL. */
static void drain(const char *label)
{
    rt_printf("i8042: %s:", label);
    unsigned n = 0;
    for (unsigned spins = 0; spins < 1000; spins++) {
        uint8_t st = inb(KBC_STATUS);
        if (!(st & STAT_OBF))
            continue;
        uint8_t v = inb(KBC_DATA);
        rt_printf(" %02x%s", v, st & STAT_AUX ? "(aux)" : "");
        n++;
        spins = 0;
    }
    rt_printf("%s\n", n ? "" : " nothing");
}

void guest_main(void)
{
    rt_set_handler(VEC_IRQ0 + 1, kbd_irq);
    rt_set_handler(VEC_IRQ0 + 12, mouse_irq);

    rt_printf("i8042: status 0x%02x at hand-over\n", inb(KBC_STATUS));
    rt_printf("i8042: data port without OBF reads 0x%02x, status then 0x%02x\n", inb(KBC_DATA), inb(KBC_STATUS));
    command(0x20);
    drain("command byte");
    command(0xaa);
    drain("self test");
    command(0xab);
    drain("keyboard interface test");
    command(0xa9);
    drain("mouse interface test");
    command(0xd0);
    drain("output port");
    command(0xc0);
    drain("input port");

    /* With the keyboard interrupt on and IRQ 1 unmasked: an interrupt per reported byte. */
    command(0x60);
    data(0x47); /* translation, system flag, keyboard and mouse interrupts on, both ports enabled */
    command(0x20);
    drain("command byte after writing 0x47");
    rt_pic_unmask(1);
    rt_pic_unmask(12);
    irq_enable();
    for (volatile int i = 0; i < 2000; i++)
        ;
    irq_disable();
    rt_printf("i8042: idle with interrupts on: %u keyboard, %u mouse interrupts\n", irq1, irq12);

    static const struct {
        const char *what;
        uint8_t bytes[3];
        unsigned n;
    } kbd[] = {
        {"keyboard reset", {0xff}, 1},
        {"keyboard identify", {0xf2}, 1},
        {"keyboard echo", {0xee}, 1},
        {"keyboard LEDs", {0xed, 0x07}, 2},
        {"keyboard scan code set query", {0xf0, 0x00}, 2},
        {"keyboard disable, enable", {0xf5, 0xf4}, 2},
        {"keyboard unknown command 0xe8", {0xe8}, 1},
        {"keyboard typematic", {0xf3, 0x20}, 2},
    };
    for (unsigned i = 0; i < sizeof kbd / sizeof kbd[0]; i++) {
        n_irq_bytes = irq1 = 0;
        irq_enable();
        for (unsigned k = 0; k < kbd[i].n; k++) {
            data(kbd[i].bytes[k]);
            for (volatile int w = 0; w < 200; w++)
                ;
        }
        for (volatile int w = 0; w < 2000; w++)
            ;
        irq_disable();
        rt_printf("i8042: %s: %u interrupts:", kbd[i].what, irq1);
        for (unsigned k = 0; k < n_irq_bytes; k++)
            rt_printf(" %02x", irq_bytes[k]);
        rt_printf("\n");
    }
    static const struct {
        const char *what;
        uint8_t bytes[2];
        unsigned n;
    } mouse[] = {
        {"mouse reset", {0xff}, 1},
        {"mouse identify", {0xf2}, 1},
        {"mouse status", {0xe9}, 1},
        {"mouse sample rate 200", {0xf3, 200}, 2},
        {"mouse enable", {0xf4}, 1},
    };
    for (unsigned i = 0; i < sizeof mouse / sizeof mouse[0]; i++) {
        n_irq_bytes = irq12 = 0;
        irq_enable();
        for (unsigned k = 0; k < mouse[i].n; k++) {
            command(0xd4);
            data(mouse[i].bytes[k]);
            for (volatile int w = 0; w < 200; w++)
                ;
        }
        for (volatile int w = 0; w < 2000; w++)
            ;
        irq_disable();
        rt_printf("i8042: %s: %u interrupts:", mouse[i].what, irq12);
        for (unsigned k = 0; k < n_irq_bytes; k++)
            rt_printf(" %02x", irq_bytes[k]);
        rt_printf("\n");
    }
    n_irq_bytes = irq1 = irq12 = 0;
    irq_enable();
    command(0xd2);
    data(0x3c);
    for (volatile int w = 0; w < 2000; w++)
        ;
    command(0xd3);
    data(0x5a);
    for (volatile int w = 0; w < 2000; w++)
        ;
    irq_disable();
    rt_printf("i8042: written output buffer: %u keyboard, %u mouse interrupts:", irq1, irq12);
    for (unsigned k = 0; k < n_irq_bytes; k++)
        rt_printf(" %02x", irq_bytes[k]);
    rt_printf("\n");
    rt_printf("i8042: status 0x%02x at the end, data port reads 0x%02x again\n", inb(KBC_STATUS), inb(KBC_DATA));
    rt_exit(0);
}
