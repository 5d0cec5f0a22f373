/* The local APIC (xAPIC registers at IA32_APIC_BASE, 0xfee00000 after reset) and the I/O APIC
 * (IOREGSEL/IOWIN at 0xfec00000) of `-M pc`, for guests that run with paging off. */
#ifndef RR_GUEST_I386_APIC_H
#define RR_GUEST_I386_APIC_H

#include "rt.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_BSP (1u << 8)
#define APIC_BASE_ENABLE (1u << 11)

#define LAPIC_DEFAULT_BASE 0xfee00000u
enum {
    LAPIC_ID = 0x20, LAPIC_VERSION = 0x30, LAPIC_TPR = 0x80, LAPIC_APR = 0x90, LAPIC_PPR = 0xa0,
    LAPIC_EOI = 0xb0, LAPIC_LDR = 0xd0, LAPIC_DFR = 0xe0, LAPIC_SVR = 0xf0, LAPIC_ISR = 0x100,
    LAPIC_TMR = 0x180, LAPIC_IRR = 0x200, LAPIC_ESR = 0x280, LAPIC_ICR_LO = 0x300,
    LAPIC_ICR_HI = 0x310, LAPIC_LVT_TIMER = 0x320, LAPIC_LVT_THERMAL = 0x330, LAPIC_LVT_PERF = 0x340,
    LAPIC_LVT_LINT0 = 0x350, LAPIC_LVT_LINT1 = 0x360, LAPIC_LVT_ERROR = 0x370,
    LAPIC_TIMER_INIT = 0x380, LAPIC_TIMER_CURRENT = 0x390, LAPIC_TIMER_DIVIDE = 0x3e0,
};
#define LAPIC_SVR_ENABLE (1u << 8)
#define LAPIC_LVT_MASKED (1u << 16)
#define LAPIC_LVT_LEVEL (1u << 15)
#define LAPIC_TIMER_PERIODIC (1u << 17)
#define LAPIC_ICR_SELF (1u << 18)
#define LAPIC_ICR_ALL_INCL_SELF (2u << 18)
#define LAPIC_ICR_ALL_EXCL_SELF (3u << 18)

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static volatile uint32_t *lapic = (volatile uint32_t *)LAPIC_DEFAULT_BASE;
static inline uint32_t lapic_read(uint32_t reg) { return lapic[reg / 4]; }
static inline void lapic_write(uint32_t reg, uint32_t v) { lapic[reg / 4] = v; }
static inline void lapic_eoi(void) { lapic_write(LAPIC_EOI, 0); }
/* Bit VECTOR of the 256-bit ISR, TMR or IRR starting at BANK. */
static inline int lapic_bit(uint32_t bank, unsigned vector)
{
    return (lapic_read(bank + (vector / 32) * 0x10) >> (vector % 32)) & 1;
}

#define IOAPIC_BASE 0xfec00000u
enum { IOAPIC_ID = 0x00, IOAPIC_VERSION = 0x01, IOAPIC_ARB = 0x02, IOAPIC_REDTBL = 0x10 };
#define IOAPIC_MASKED (1u << 16)
#define IOAPIC_LEVEL (1u << 15)
#define IOAPIC_REMOTE_IRR (1u << 14)
#define IOAPIC_LOGICAL (1u << 11)
static volatile uint32_t *const ioapic = (volatile uint32_t *)IOAPIC_BASE;
static inline uint32_t ioapic_read(uint32_t reg)
{
    ioapic[0] = reg;
    return ioapic[4];
}
static inline void ioapic_write(uint32_t reg, uint32_t v)
{
    ioapic[0] = reg;
    ioapic[4] = v;
}
/* Redirection entry PIN: low word LO (vector, mode, flags), destination APIC DEST. */
static inline void ioapic_route(unsigned pin, uint32_t lo, uint8_t dest)
{
    ioapic_write(IOAPIC_REDTBL + 2 * pin + 1, (uint32_t)dest << 24);
    ioapic_write(IOAPIC_REDTBL + 2 * pin, lo);
}

#endif
