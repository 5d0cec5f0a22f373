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

/* Helpers for the device guests (serial, RTC, semihosting). They are static inline so that the
 * guests which do not use them get exactly the same code as before. */

/* Any semihosting call: w0 = operation, x1 = parameter (a value or a block's address). */
static inline uint64_t semi_call(uint32_t op, const void *param)
{
    register uint64_t x0 __asm__("x0") = op;
    register const void *x1 __asm__("x1") = param;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    return x0;
}

enum {
    SEMI_SYS_OPEN = 0x01,
    SEMI_SYS_WRITE = 0x05,
    SEMI_SYS_READC = 0x07,
    SEMI_SYS_CLOCK = 0x10,
    SEMI_SYS_TIME = 0x11,
    SEMI_SYS_EXIT_EXTENDED = 0x20,
    SEMI_SYS_ELAPSED = 0x30,
    SEMI_SYS_TICKFREQ = 0x31,
};

/* SYS_EXIT_EXTENDED with reason ADP_Stopped_ApplicationExit: the host exits with CODE. */
static inline __attribute__((noreturn)) void semi_exit_extended(uint64_t code)
{
    static uint64_t block[2];
    block[0] = 0x20026; /* ADP_Stopped_ApplicationExit */
    block[1] = code;
    semi_call(SEMI_SYS_EXIT_EXTENDED, block);
    for (;;) /* not reached: the host ends the run */
        __asm__ volatile("wfi");
}

/* GICv2 of `-M virt`: Group 0 interrupts signalled as IRQ to the one CPU. */
#define RT_GICD_BASE 0x08000000ul
#define RT_GICC_BASE 0x08010000ul
#define RT_GIC_SPURIOUS 1023u
#define RT_VEC_CUR_SPX_IRQ 5

static inline void gic_mmio_write32(uint64_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }
static inline uint32_t gic_mmio_read32(uint64_t addr) { return *(volatile uint32_t *)addr; }

/* Turns on the distributor and the CPU interface, letting every priority through. */
static inline void gic_init(void)
{
    gic_mmio_write32(RT_GICD_BASE + 0x000, 1); /* GICD_CTLR: forward Group 0 */
    gic_mmio_write32(RT_GICC_BASE + 0x004, 0xff); /* GICC_PMR */
    gic_mmio_write32(RT_GICC_BASE + 0x000, 1); /* GICC_CTLR: signal Group 0 as IRQ */
}

/* Enables interrupt ID at a middle priority; an SPI is also targeted at CPU 0. */
static inline void gic_enable_irq(unsigned id)
{
    *(volatile uint8_t *)(RT_GICD_BASE + 0x400 + id) = 0x80; /* GICD_IPRIORITYR */
    if (id >= 32)
        *(volatile uint8_t *)(RT_GICD_BASE + 0x800 + id) = 0x01; /* GICD_ITARGETSR */
    gic_mmio_write32(RT_GICD_BASE + 0x100 + 4 * (id / 32), 1u << (id % 32)); /* ISENABLER */
}

/* Acknowledges the highest-priority pending interrupt; returns GICC_IAR (ID in bits 9:0). */
static inline uint32_t gic_ack(void) { return gic_mmio_read32(RT_GICC_BASE + 0x00C); }

static inline void gic_eoi(uint32_t iar) { gic_mmio_write32(RT_GICC_BASE + 0x010, iar); }

static inline void irq_unmask(void) { __asm__ volatile("msr daifclr, #2" : : : "memory"); }
static inline void irq_mask(void) { __asm__ volatile("msr daifset, #2" : : : "memory"); }

/* The virtual timer (PPI 27 through the GIC). */
#define RT_VIRTUAL_TIMER_PPI 27
static inline void vtimer_arm(uint64_t ticks)
{
    __asm__ volatile("msr cntv_tval_el0, %0" : : "r"(ticks));
    __asm__ volatile("msr cntv_ctl_el0, %0; isb" : : "r"((uint64_t)1));
}
static inline void vtimer_stop(void) { __asm__ volatile("msr cntv_ctl_el0, xzr; isb"); }

/* 32-bit FNV-1a, for checksums of received bytes. */
#define FNV1A_INIT 0x811c9dc5u
static inline uint32_t fnv1a_step(uint32_t h, uint8_t byte) { return (h ^ byte) * 0x01000193u; }

#endif
