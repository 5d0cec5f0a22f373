/* Minimal runtime for bare-metal AArch64 guests on `-M virt` (QEMU-compatible addresses). */
#ifndef RR_GUEST_RT_H
#define RR_GUEST_RT_H

#include <stddef.h>
#include <stdint.h>

/* Vector table slots (VBAR_EL1 + 0x80 * slot), see start.S. */
enum {
    VEC_CUR_SPX_SYNC = 4,
    VEC_LOWER_A64_SYNC = 8,
};

/* What start.S saves on the EL1 stack before calling exc_handler; the handler may edit it
 * (for example advance elr past the faulting instruction) and start.S returns with ERET. */
struct exc_frame {
    uint64_t x[31];
    uint64_t sp_el0;
    uint64_t elr;
    uint64_t spsr;
};

/* Called for every exception. The runtime's weak default reports and powers off; a guest that
 * expects exceptions defines its own. */
void exc_handler(struct exc_frame *frame, unsigned slot);

/* The guest's entry point, called by start.S with a clean .bss and a stack. Returning powers off. */
void guest_main(void);

/* PL011 console. */
void rt_putc(char c);
void rt_puts(const char *s);
/* printf subset: %s %c %d %u %x with optional l/ll, zero padding and width; %% */
void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Semihosting (`hlt #0xf000`). */
void semi_writec(char c);
void semi_write0(const char *s);
void semi_exit(uint64_t code) __attribute__((noreturn));

/* PSCI over HVC. */
uint32_t psci_version(void);
void psci_system_off(void) __attribute__((noreturn));

/* Generic timer. */
static inline uint64_t read_cntvct(void)
{
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
    return v;
}

#define READ_SYSREG(name)                                          \
    ({                                                             \
        uint64_t v_;                                               \
        __asm__ volatile("mrs %0, " #name : "=r"(v_) : : "memory"); \
        v_;                                                        \
    })

/* The compiler may emit calls to these even in freestanding code. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

#endif
