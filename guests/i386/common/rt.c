/* COM1 console, printf subset, GDT/TSS/IDT, 8259 and 8254 helpers and isa-debug-exit for
 * `-M pc` guests. */
#include <stdarg.h>

#include "rt.h"

#define ACPI_PM1A_CNT 0x604 /* PIIX4 PM base 0x600 as SeaBIOS sets it up */
#define ACPI_SLP_EN_S5 0x2000

uint32_t rt_mb_magic;
const struct multiboot_info *rt_mb_info;

/* --- console --------------------------------------------------------------------------- */

static void uart_init(void)
{
    outb(COM1 + UART_IER, 0x00);
    outb(COM1 + UART_LCR, 0x80); /* DLAB */
    outb(COM1 + 0, 0x01);        /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + UART_LCR, 0x03); /* 8N1 */
    outb(COM1 + UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
}

void rt_putc(char c)
{
    while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
        ;
    outb(COM1 + UART_THR, (uint8_t)c);
}

void rt_puts(const char *s)
{
    while (*s)
        rt_putc(*s++);
}

/* Divides *N by D in place and returns the remainder, with two 64/32 DIVLs (no libgcc). */
static uint32_t divmod64(uint64_t *n, uint32_t d)
{
    uint32_t hi = (uint32_t)(*n >> 32), lo = (uint32_t)*n;
    uint32_t qhi = hi / d, r = hi % d, qlo;
    /* r < d, so the quotient of (r:lo) / d fits in 32 bits. */
    __asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
    *n = ((uint64_t)qhi << 32) | qlo;
    return r;
}

static void put_unsigned(uint64_t v, unsigned base, unsigned width, char pad)
{
    char buf[20]; /* 2^64 - 1 has 20 decimal digits */
    unsigned n = 0;
    do {
        unsigned d = divmod64(&v, base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    } while (v);
    while (width > n) {
        rt_putc(pad);
        width--;
    }
    while (n)
        rt_putc(buf[--n]);
}

void rt_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            rt_putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        unsigned width = 0;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (unsigned)(*fmt++ - '0');
        int longs = 0;
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        /* On i386 `long` is 32 bits: only %ll takes a 64-bit argument. */
        switch (*fmt) {
        case 'd': {
            int64_t v = longs >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (v < 0) {
                rt_putc('-');
                put_unsigned(-(uint64_t)v, 10, width ? width - 1 : 0, pad);
            } else {
                put_unsigned((uint64_t)v, 10, width, pad);
            }
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = longs >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            put_unsigned(v, *fmt == 'u' ? 10 : 16, width, pad);
            break;
        }
        case 's': rt_puts(va_arg(ap, const char *)); break;
        case 'c': rt_putc((char)va_arg(ap, int)); break;
        case '%': rt_putc('%'); break;
        case '\0': va_end(ap); return;
        default: /* unknown conversion: show it rather than guess */
            rt_putc('%');
            rt_putc(*fmt);
            break;
        }
    }
    va_end(ap);
}

/* --- exit ------------------------------------------------------------------------------ */

void rt_exit(uint32_t code)
{
    outl(ISA_DEBUG_EXIT_PORT, code);
    outw(ACPI_PM1A_CNT, ACPI_SLP_EN_S5);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* --- 8259 and 8254 --------------------------------------------------------------------- */

void rt_pic_remap(uint8_t master_base, uint8_t slave_base)
{
    outb(PIC1_CMD, 0x11); /* ICW1: edge triggered, cascade, ICW4 follows */
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, master_base); /* ICW2: vector base */
    outb(PIC2_DATA, slave_base);
    outb(PIC1_DATA, 0x04); /* ICW3: slave on IRQ 2 */
    outb(PIC2_DATA, 0x02); /* ICW3: slave identity 2 */
    outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode, normal EOI */
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, 0xff); /* OCW1: all masked */
    outb(PIC2_DATA, 0xff);
}

void rt_pic_unmask(unsigned irq)
{
    if (irq >= 8) {
        outb(PIC2_DATA, inb(PIC2_DATA) & ~(1u << (irq - 8)));
        irq = 2; /* the cascade */
    }
    outb(PIC1_DATA, inb(PIC1_DATA) & ~(1u << irq));
}

void rt_pic_mask(unsigned irq)
{
    if (irq >= 8)
        outb(PIC2_DATA, inb(PIC2_DATA) | (1u << (irq - 8)));
    else
        outb(PIC1_DATA, inb(PIC1_DATA) | (1u << irq));
}

void rt_pic_eoi(unsigned irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

uint16_t rt_pic_isr(void)
{
    outb(PIC1_CMD, 0x0b); /* OCW3: read ISR */
    outb(PIC2_CMD, 0x0b);
    uint16_t isr = (uint16_t)(inb(PIC1_CMD) | (inb(PIC2_CMD) << 8));
    outb(PIC1_CMD, 0x0a); /* back to reading IRR */
    outb(PIC2_CMD, 0x0a);
    return isr;
}

void rt_pit_start(unsigned mode, uint16_t divisor)
{
    outb(PIT_CMD, (uint8_t)(0x30 | (mode << 1))); /* channel 0, lobyte/hibyte, binary */
    outb(PIT_CH0, (uint8_t)divisor);
    outb(PIT_CH0, (uint8_t)(divisor >> 8));
}

uint16_t rt_pit_read(void)
{
    outb(PIT_CMD, 0x00); /* counter latch, channel 0 */
    uint8_t lo = inb(PIT_CH0);
    uint8_t hi = inb(PIT_CH0);
    return (uint16_t)(lo | (hi << 8));
}

/* --- GDT, TSS, IDT --------------------------------------------------------------------- */

struct tss {
    uint32_t prev, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
} __attribute__((packed));

struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t zero, type_attr;
    uint16_t offset_hi;
} __attribute__((packed));

extern uint64_t rt_gdt[];
extern const uint32_t rt_stubs[];
extern char __stack_top[];

static struct tss tss;
static struct idt_gate idt[RT_NUM_VECTORS] __attribute__((aligned(8)));
static rt_handler handlers[RT_NUM_VECTORS];

void rt_tss_set_esp0(uint32_t esp0) { tss.esp0 = esp0; }

static void set_gate(unsigned vec, uint32_t addr, unsigned dpl)
{
    idt[vec].offset_lo = (uint16_t)addr;
    idt[vec].selector = SEL_KERNEL_CS;
    idt[vec].zero = 0;
    idt[vec].type_attr = (uint8_t)(0x8e | (dpl << 5)); /* present 32-bit interrupt gate */
    idt[vec].offset_hi = (uint16_t)(addr >> 16);
}

static void cpu_init(void)
{
    /* TSS: ring 0 stack for interrupts from ring 3 (a guest may move it); no I/O bitmap. */
    tss.ss0 = SEL_KERNEL_DS;
    tss.esp0 = (uint32_t)__stack_top;
    tss.iomap_base = sizeof(tss);
    uint32_t base = (uint32_t)&tss, limit = sizeof(tss) - 1;
    rt_gdt[SEL_TSS / 8] = (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
                          ((uint64_t)0x89 << 40) /* present, DPL 0, available 32-bit TSS */ |
                          ((uint64_t)((limit >> 16) & 0xf) << 48) |
                          ((uint64_t)(base >> 24) << 56);
    __asm__ volatile("ltr %w0" : : "r"(SEL_TSS));

    for (unsigned i = 0; i < 48; i++)
        set_gate(i, rt_stubs[i], 0);
    set_gate(VEC_SYSCALL, rt_stubs[48], 3); /* INT 0x80 allowed from ring 3 */
    for (unsigned i = 0; i < 16; i++)
        set_gate(VEC_APIC_FIRST + i, rt_stubs[49 + i], 0);
    set_gate(VEC_APIC_SPURIOUS, rt_stubs[65], 0);
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) idtr = {sizeof(idt) - 1, (uint32_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

void rt_set_handler(unsigned vector, rt_handler handler) { handlers[vector] = handler; }

void rt_interrupt(struct int_frame *f)
{
    unsigned vec = f->vector;
    if (vec >= VEC_IRQ0 && vec < VEC_IRQ0 + 16) {
        unsigned irq = vec - VEC_IRQ0;
        /* IRQ 7 and 15 without their in-service bit are spurious: no handler, no EOI (but a
         * spurious slave IRQ 15 still took the master's cascade input). */
        if ((irq == 7 || irq == 15) && !(rt_pic_isr() & (1u << irq))) {
            if (irq == 15)
                outb(PIC1_CMD, PIC_EOI);
            return;
        }
        if (!handlers[vec]) {
            rt_printf("unexpected irq %u\n", irq);
            rt_exit(RT_EXIT_UNEXPECTED);
        }
        handlers[vec](f);
        rt_pic_eoi(irq);
        return;
    }
    if (!handlers[vec]) {
        rt_printf("unexpected exception: vector %u error 0x%x eip 0x%x cs 0x%x cr2 0x%x\n", vec,
                  f->error, f->eip, f->cs, READ_CR(2));
        rt_exit(RT_EXIT_UNEXPECTED);
    }
    handlers[vec](f);
}

/* --- entry ----------------------------------------------------------------------------- */

void rt_start(uint32_t magic, const struct multiboot_info *info)
{
    rt_mb_magic = magic;
    rt_mb_info = info;
    uart_init();
    cpu_init();
    rt_pic_remap(VEC_IRQ0, VEC_IRQ0 + 8);
    guest_main();
    rt_exit(0);
}

/* --- libc bits ------------------------------------------------------------------------- */

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}
