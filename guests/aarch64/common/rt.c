/* PL011 console, printf subset, semihosting and PSCI calls for `-M virt` guests. */
#include <stdarg.h>

#include "rt.h"

#define UART_BASE 0x09000000ul
#define UART_DR (*(volatile uint32_t *)(UART_BASE + 0x00))
#define UART_FR (*(volatile uint32_t *)(UART_BASE + 0x18))
#define UART_FR_TXFF (1u << 5)

#define SEMI_SYS_WRITEC 0x03
#define SEMI_SYS_WRITE0 0x04
#define SEMI_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

#define PSCI_VERSION 0x84000000u
#define PSCI_SYSTEM_OFF 0x84000008u

void rt_putc(char c)
{
    while (UART_FR & UART_FR_TXFF)
        ;
    UART_DR = (uint8_t)c;
}

void rt_puts(const char *s)
{
    while (*s)
        rt_putc(*s++);
}

static void put_unsigned(uint64_t v, unsigned base, unsigned width, char pad)
{
    char buf[20]; /* 2^64 - 1 has 20 decimal digits */
    unsigned n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
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
        switch (*fmt) {
        case 'd': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
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
            uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
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

static uint64_t semihost(uint64_t op, const void *param)
{
    register uint64_t x0 __asm__("x0") = op;
    register const void *x1 __asm__("x1") = param;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    return x0;
}

void semi_writec(char c) { semihost(SEMI_SYS_WRITEC, &c); }

void semi_write0(const char *s) { semihost(SEMI_SYS_WRITE0, s); }

void semi_exit(uint64_t code)
{
    /* AArch64 SYS_EXIT takes a pointer to {reason, subcode}. */
    static uint64_t block[2];
    block[0] = ADP_STOPPED_APPLICATION_EXIT;
    block[1] = code;
    semihost(SEMI_SYS_EXIT, block);
    for (;;) /* not reached: the host ends the run */
        __asm__ volatile("wfi");
}

static uint64_t psci_call(uint32_t fn)
{
    register uint64_t x0 __asm__("x0") = fn;
    /* SMCCC 1.0 lets the callee clobber x1-x17. */
    __asm__ volatile("hvc #0"
                     : "+r"(x0)
                     :
                     : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
                       "x13", "x14", "x15", "x16", "x17", "memory");
    return x0;
}

uint32_t psci_version(void) { return (uint32_t)psci_call(PSCI_VERSION); }

void psci_system_off(void)
{
    psci_call(PSCI_SYSTEM_OFF);
    for (;;) /* not reached: the machine is off */
        __asm__ volatile("wfi");
}

__attribute__((weak)) void exc_handler(struct exc_frame *frame, unsigned slot)
{
    rt_printf("unexpected exception: slot %u esr=0x%lx elr=0x%lx far=0x%lx\n", slot,
              READ_SYSREG(esr_el1), frame->elr, READ_SYSREG(far_el1));
    psci_system_off();
}

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
