/* Descriptors for guests that need more than the runtime's GDT and 32-bit interrupt gates:
 * 16-bit segments, more TSSs, call, task and 16-bit gates. desc_gdt_load copies the runtime's
 * six entries (rt.h's selectors keep their meaning) into a larger table the guest owns. */
#ifndef RR_GUEST_I386_DESC_H
#define RR_GUEST_I386_DESC_H

#include <stdint.h>

#include "rt.h"

/* Access bytes (descriptor byte 5) and flags (G = 8, D/B = 4). */
#define DESC_CODE 0x9a        /* present, DPL 0, execute/read */
#define DESC_DATA 0x92        /* present, DPL 0, read/write */
#define DESC_DPL(n) ((n) << 5)
#define DESC_TSS32 0x89       /* available 32-bit TSS */
#define DESC_TSS16 0x81       /* available 16-bit TSS */
#define DESC_BUSY 0x02        /* the busy bit of a TSS type */
#define GATE_CALL16 0x84
#define GATE_TASK 0x85
#define GATE_INT16 0x86
#define GATE_TRAP16 0x87
#define GATE_CALL32 0x8c
#define GATE_INT32 0x8e
#define GATE_TRAP32 0x8f
#define FLAGS_32 0x4          /* D/B */
#define FLAGS_PAGES 0x8       /* G */

static inline uint64_t desc_segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) | ((uint64_t)access << 40) |
           ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)(flags & 0xf) << 52) |
           ((uint64_t)(base >> 24) << 56);
}

/* A call, interrupt, trap or task gate; `count` is a call gate's parameter count. */
static inline uint64_t desc_gate(uint16_t selector, uint32_t offset, uint8_t type, uint8_t count)
{
    return (offset & 0xffff) | ((uint64_t)selector << 16) | ((uint64_t)count << 32) |
           ((uint64_t)type << 40) | ((uint64_t)(offset >> 16) << 48);
}

struct desc_table_reg {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

/* Loads `gdt` (n entries, the runtime's first six copied in) as the GDT and reloads CS. */
static inline void desc_gdt_load(uint64_t *gdt, unsigned n)
{
    extern uint64_t rt_gdt[];
    for (unsigned i = 0; i < 6; i++)
        gdt[i] = rt_gdt[i];
    struct desc_table_reg r = {(uint16_t)(8 * n - 1), (uint32_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp $0x08, $1f\n"
                     "1:"
                     :
                     : "m"(r)
                     : "memory");
}

/* Writes a raw gate into the IDT the runtime loaded. */
static inline void desc_idt_set(unsigned vector, uint64_t gate)
{
    struct desc_table_reg r;
    __asm__ volatile("sidt %0" : "=m"(r));
    ((volatile uint64_t *)r.base)[vector] = gate;
}

/* The 32-bit TSS (SDM vol. 3A, figure 7-2). */
struct tss32 {
    uint16_t link, link_hi;
    uint32_t esp0;
    uint16_t ss0, ss0_hi;
    uint32_t esp1;
    uint16_t ss1, ss1_hi;
    uint32_t esp2;
    uint16_t ss2, ss2_hi;
    uint32_t cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, es_hi, cs, cs_hi, ss, ss_hi, ds, ds_hi, fs, fs_hi, gs, gs_hi, ldt, ldt_hi;
    uint16_t trap, iomap_base;
} __attribute__((packed));

static inline uint16_t read_tr(void)
{
    uint16_t tr;
    __asm__ volatile("str %0" : "=r"(tr));
    return tr;
}

static inline uint32_t read_eflags(void)
{
    uint32_t f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}

#endif
