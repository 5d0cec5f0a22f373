/* Stage 1 translation as a small kernel uses it: builds 4 KiB or (with GRANULE_64K) 64 KiB
 * tables, turns the MMU on and then, in a window of test pages mapped away from their
 * physical pages, takes and reports translation, access flag, permission and address size
 * faults at EL1 and EL0, fixes an access flag fault and retries, reads PAR_EL1 after AT,
 * remaps a page with TLBI, switches address spaces by ASID, rewrites code through an alias
 * mapping, and runs an EL0 program whose traps (CTR_EL0, MIDR_EL1, WFI, DC CVAU) come back to
 * EL1; a semihosting call passes it a virtual address. Addresses are printed relative to the test window and its pages, so that the
 * transcript does not depend on where the linker put things. */
#include "rt.h"

#ifdef GRANULE_64K
#define GRANULE 0x10000ul
#define GRANULE_NAME "64 KiB"
#define T0SZ 22ul          /* 42-bit VA: the walk starts at level 2 */
#define TG0 1ul
#define ROOT_ENTRIES 8192
#define BLOCK_SHIFT 29     /* 512 MiB blocks in the root */
#else
#define GRANULE 0x1000ul
#define GRANULE_NAME "4 KiB"
#define T0SZ 25ul          /* 39-bit VA: the walk starts at level 1 */
#define TG0 0ul
#define ROOT_ENTRIES 512
#define BLOCK_SHIFT 30     /* 1 GiB blocks in the root */
#endif
#define ENTRIES (GRANULE / 8)

#define TEST_VA 0x1000000000ul /* the window of test pages: slot n at TEST_VA + n * GRANULE */
#define NSLOTS 12

/* Descriptor bits (ARM ARM D5.3). */
#define D_VALID 1ul
#define D_TABLE 3ul
#define D_PAGE 3ul
#define D_BLOCK 1ul
#define D_DEVICE (0ul << 2) /* MAIR attribute 0 */
#define D_NORMAL (1ul << 2) /* MAIR attribute 1 */
#define D_EL0 (1ul << 6)
#define D_RO (1ul << 7)
#define D_ISH (3ul << 8)
#define D_AF (1ul << 10)
#define D_PXN (1ul << 53)
#define D_UXN (1ul << 54)

#define SCTLR_M (1ul << 0)
#define SCTLR_C (1ul << 2)
#define SCTLR_I (1ul << 12)
#define SCTLR_UCT (1ul << 15)
#define SCTLR_NTWI (1ul << 16)
#define TCR_TBI0 (1ul << 37)

static uint64_t root[ROOT_ENTRIES] __attribute__((aligned(ROOT_ENTRIES * 8)));
static uint64_t root2[ROOT_ENTRIES] __attribute__((aligned(ROOT_ENTRIES * 8)));
static uint64_t leaves[ENTRIES] __attribute__((aligned(GRANULE)));
static uint64_t leaves2[ENTRIES] __attribute__((aligned(GRANULE)));
#ifndef GRANULE_64K
static uint64_t mid[ENTRIES] __attribute__((aligned(GRANULE)));  /* level 2 of the window */
static uint64_t mid2[ENTRIES] __attribute__((aligned(GRANULE)));
#endif
/* The physical pages behind the slots, and two more for remapping. */
static uint8_t pages[NSLOTS + 2][GRANULE] __attribute__((aligned(GRANULE)));
#define PAGE_C NSLOTS
#define PAGE_D (NSLOTS + 1)

enum {
    SLOT_RW = 0,       /* EL1 read/write */
    SLOT_RO = 1,       /* EL1 read-only */
    SLOT_NONE = 2,     /* not mapped */
    SLOT_NO_AF = 3,    /* access flag clear */
    SLOT_EL0 = 4,      /* EL0 read/write data: the EL0 program's stack and data */
    SLOT_BIG_PA = 5,   /* an output address above the 44-bit PA size */
    SLOT_XN = 6,       /* holds code but executes nowhere */
    SLOT_REMAP = 7,    /* remapped while the test runs */
    SLOT_CODE = 8,     /* code, read-only and executable at EL1 */
    SLOT_ALIAS = 9,    /* the same page, writable, executable nowhere */
};

static uint64_t slot_va(unsigned n) { return TEST_VA + n * GRANULE; }
static uint64_t page_pa(unsigned n) { return (uint64_t)pages[n]; }

static void map_slot(uint64_t *table, unsigned n, uint64_t desc)
{
    table[(slot_va(n) / GRANULE) % ENTRIES] = desc;
}

static uint64_t *pte_of(unsigned n) { return &leaves[(slot_va(n) / GRANULE) % ENTRIES]; }

static void build_tables(void)
{
    const uint64_t xn = D_PXN | D_UXN;
    /* Identity: devices in the first block, RAM in the block at 0x40000000 (EL1 only, which
     * EL0 may still execute: UXN clear). */
    root[0] = 0x00000000ul | D_DEVICE | D_AF | xn | D_BLOCK;
    root[0x40000000ul >> BLOCK_SHIFT] = 0x40000000ul | D_NORMAL | D_ISH | D_AF | D_BLOCK;
#ifdef GRANULE_64K
    root[TEST_VA >> BLOCK_SHIFT] = (uint64_t)leaves | D_TABLE;
#else
    root[TEST_VA >> BLOCK_SHIFT] = (uint64_t)mid | D_TABLE;
    mid[(TEST_VA >> 21) % ENTRIES] = (uint64_t)leaves | D_TABLE;
#endif
    const uint64_t normal = D_NORMAL | D_ISH | D_AF | D_PAGE;
    map_slot(leaves, SLOT_RW, page_pa(SLOT_RW) | normal | xn);
    map_slot(leaves, SLOT_RO, page_pa(SLOT_RO) | normal | D_RO | xn);
    map_slot(leaves, SLOT_NO_AF, page_pa(SLOT_NO_AF) | (normal & ~D_AF) | xn);
    map_slot(leaves, SLOT_EL0, page_pa(SLOT_EL0) | normal | D_EL0 | xn);
    map_slot(leaves, SLOT_BIG_PA, (1ul << 44) | page_pa(SLOT_BIG_PA) | normal | xn);
    map_slot(leaves, SLOT_XN, page_pa(SLOT_XN) | normal | D_RO | D_EL0 | xn);
    map_slot(leaves, SLOT_REMAP, page_pa(SLOT_REMAP) | normal | xn);
    map_slot(leaves, SLOT_CODE, page_pa(SLOT_CODE) | normal | D_RO | D_UXN);
    map_slot(leaves, SLOT_ALIAS, page_pa(SLOT_CODE) | normal | xn);

    /* A second address space: the same, but its remap slot shows page D. */
    for (unsigned i = 0; i < ROOT_ENTRIES; i++)
        root2[i] = root[i];
    for (unsigned i = 0; i < ENTRIES; i++)
        leaves2[i] = leaves[i];
    map_slot(leaves2, SLOT_REMAP, page_pa(PAGE_D) | normal | xn);
#ifdef GRANULE_64K
    root2[TEST_VA >> BLOCK_SHIFT] = (uint64_t)leaves2 | D_TABLE;
#else
    for (unsigned i = 0; i < ENTRIES; i++)
        mid2[i] = mid[i];
    mid2[(TEST_VA >> 21) % ENTRIES] = (uint64_t)leaves2 | D_TABLE;
    root2[TEST_VA >> BLOCK_SHIFT] = (uint64_t)mid2 | D_TABLE;
#endif
}

#define ASID(n) ((uint64_t)(n) << 48)

static void mmu_on(void)
{
    uint64_t mair = 0x00ul | (0xfful << 8);
    /* T0SZ, inner/outer write-back, inner shareable, TG0, no TTBR1 walks, 44-bit IPS, 16-bit
     * ASIDs. */
    uint64_t tcr = T0SZ | (1ul << 8) | (1ul << 10) | (3ul << 12) | (TG0 << 14) | (1ul << 23) | (4ul << 32) |
                   (1ul << 36);
    __asm__ volatile("msr mair_el1, %0" : : "r"(mair));
    __asm__ volatile("msr tcr_el1, %0" : : "r"(tcr));
    __asm__ volatile("msr ttbr0_el1, %0" : : "r"((uint64_t)root | ASID(1)));
    __asm__ volatile("dsb ish; isb; tlbi vmalle1; dsb ish; isb" : : : "memory");
    uint64_t sctlr = READ_SYSREG(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I;
    __asm__ volatile("msr sctlr_el1, %0; isb" : : "r"(sctlr) : "memory");
}

static void set_sctlr(uint64_t v) { __asm__ volatile("msr sctlr_el1, %0; isb" : : "r"(v) : "memory"); }
static void set_tcr(uint64_t v) { __asm__ volatile("msr tcr_el1, %0; isb" : : "r"(v) : "memory"); }

/* --- exceptions ---------------------------------------------------------------------------- */

extern char site_load[], site_store[], site_ldtr[], site_zva[], site_call[];
extern char site_user_load[], site_user_store[], site_user_denied[], site_user_ctr[], site_user_midr[],
    site_user_wfi[], site_user_cvau[], site_user_fetch[], site_user_svc[], el0_return[];
extern char patched_template[], patched_template_end[];
uint64_t load64(uint64_t va);
void store64(uint64_t va, uint64_t v);
uint64_t load_unprivileged(uint64_t va);
void zero_block(uint64_t va);
void call_at(uint64_t va);
uint64_t run_at_el0(void (*fn)(void), void *sp_el0, uint64_t x19, uint64_t x20, uint64_t x21);
void user_program(void);

static const struct {
    const char *name;
    const char *addr;
} sites[] = {
    {"load", site_load},           {"store", site_store},
    {"ldtr", site_ldtr},           {"dc zva", site_zva},
    {"call", site_call},           {"el0 load", site_user_load},
    {"el0 store", site_user_store}, {"el0 denied load", site_user_denied},
    {"el0 mrs ctr_el0", site_user_ctr}, {"el0 mrs midr_el1", site_user_midr},
    {"el0 wfi", site_user_wfi},    {"el0 dc cvau", site_user_cvau},
    {"el0 blr", site_user_fetch},  {"el0 svc", site_user_svc},
};

struct event {
    unsigned slot;
    uint64_t esr, elr, far;
};
static struct event events[10];
static unsigned nevents;
static int fix_access_flag;
static uint64_t el0_results[6];

#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_SVC64 0x15
#define EC_SYSREG 0x18
#define EC_IABT_LOWER 0x20
#define EC_IABT_SAME 0x21
#define EC_DABT_LOWER 0x24
#define EC_DABT_SAME 0x25

void exc_handler(struct exc_frame *f, unsigned slot)
{
    uint64_t esr = READ_SYSREG(esr_el1), far = READ_SYSREG(far_el1);
    unsigned ec = (unsigned)(esr >> 26) & 0x3f;
    if (ec == EC_SVC64 && slot == VEC_LOWER_A64_SYNC && (esr & 0xffff) == 2) {
        for (unsigned i = 0; i < 6; i++)
            el0_results[i] = f->x[i];
        f->elr = (uint64_t)el0_return;
        f->spsr = 0x3c5; /* EL1h, masked */
        return;
    }
    if (nevents < sizeof events / sizeof events[0])
        events[nevents++] = (struct event){slot, esr, f->elr, far};
    switch (ec) {
    case EC_DABT_SAME:
    case EC_DABT_LOWER:
        /* An access flag fault: set the flag, as a kernel that ages pages would, and retry.
         * A faulting entry is never cached, so no TLB maintenance is needed. */
        if (fix_access_flag && (esr & 0x3c) == 0x08) {
            *pte_of(SLOT_NO_AF) |= D_AF;
            __asm__ volatile("dsb ishst" : : : "memory");
            return;
        }
        f->elr += 4;
        return;
    case EC_UNKNOWN:
    case EC_SYSREG:
    case EC_WFX:
        f->elr += 4;
        return;
    case EC_IABT_SAME:
    case EC_IABT_LOWER:
        f->elr = f->x[30]; /* the faulting fetch was a call: return from it */
        return;
    default:
        rt_printf("mmu: unexpected exception slot %u esr=0x%lx elr=0x%lx far=0x%lx\n", slot, esr, f->elr, far);
        psci_system_off();
    }
}

static void print_site(uint64_t addr)
{
    for (unsigned i = 0; i < sizeof sites / sizeof sites[0]; i++)
        if (addr == (uint64_t)sites[i].addr) {
            rt_puts(sites[i].name);
            return;
        }
    if (addr >= TEST_VA && addr < TEST_VA + NSLOTS * GRANULE)
        rt_printf("slot %lu+0x%lx", (addr - TEST_VA) / GRANULE, (addr - TEST_VA) % GRANULE);
    else
        rt_printf("0x%lx", addr);
}

static void report(const char *what)
{
    rt_printf("%s: %u exception(s)\n", what, nevents);
    for (unsigned i = 0; i < nevents; i++) {
        const struct event *e = &events[i];
        unsigned ec = (unsigned)(e->esr >> 26) & 0x3f;
        rt_printf("  vbar+0x%03x esr=0x%08lx at ", e->slot * 0x80, e->esr);
        print_site(e->elr);
        if (ec == EC_DABT_SAME || ec == EC_DABT_LOWER || ec == EC_IABT_SAME || ec == EC_IABT_LOWER) {
            rt_puts(" far=");
            uint64_t tag = e->far >> 56;
            if (tag)
                rt_printf("tag 0x%lx ", tag);
            print_site(e->far & ((1ul << 56) - 1));
        }
        rt_putc('\n');
    }
    nevents = 0;
}

/* --- the tests ------------------------------------------------------------------------------ */

static uint64_t at(const char *op, uint64_t va)
{
    if (op[0] == 'r')
        __asm__ volatile("at s1e1r, %0; isb" : : "r"(va));
    else if (op[0] == 'w')
        __asm__ volatile("at s1e1w, %0; isb" : : "r"(va));
    else
        __asm__ volatile("at s1e0r, %0; isb" : : "r"(va));
    return READ_SYSREG(par_el1);
}

/* PAR_EL1 with a physical address shown as the page it names. */
static void print_par(const char *op, unsigned slot)
{
    uint64_t par = at(op, slot_va(slot) + 0x18);
    rt_printf("  AT %s slot %u: PAR=", op, slot);
    if (par & 1) {
        rt_printf("0x%lx (fault)\n", par);
        return;
    }
    uint64_t pa = par & 0x0000fffffffff000ul;
    for (unsigned p = 0; p < NSLOTS + 2; p++)
        if (pa >= page_pa(p) && pa < page_pa(p) + GRANULE)
            rt_printf("page %u+0x%lx", p, pa - page_pa(p));
    rt_printf(" attr 0x%lx sh %lu ns %lu\n", par >> 56, (par >> 7) & 3, (par >> 9) & 1);
}

static void tlbi_va(uint64_t va)
{
    __asm__ volatile("dsb ishst; tlbi vae1is, %0; dsb ish; isb" : : "r"((va >> 12) | ASID(1)) : "memory");
}

static uint32_t run_patched(void)
{
    uint32_t (*fn)(void) = (uint32_t(*)(void))slot_va(SLOT_CODE);
    return fn();
}

static uint64_t el0_stack_top(void) { return slot_va(SLOT_EL0) + GRANULE; }

void guest_main(void)
{
    rt_printf("mmu: %s granule, ID_AA64MMFR0_EL1=0x%lx\n", GRANULE_NAME, READ_SYSREG(id_aa64mmfr0_el1));
    for (unsigned p = 0; p < NSLOTS + 2; p++)
        for (unsigned i = 0; i < GRANULE; i += 8)
            *(uint64_t *)(pages[p] + i) = 0x1000ul * p + i;
    for (char *c = patched_template; c < patched_template_end; c++)
        pages[SLOT_CODE][c - patched_template] = (uint8_t)*c;
    build_tables();
    mmu_on();
    rt_printf("mmu: on, SCTLR_EL1.M=%lu\n", READ_SYSREG(sctlr_el1) & 1);
    /* Semihosting takes virtual addresses: a string in slot 0 is read through the tables. */
    static const char note[] = "semihosting: this string was read through the window\n";
    memcpy(pages[SLOT_RW] + 0x200, note, sizeof note);
    semi_write0((const char *)(slot_va(SLOT_RW) + 0x200));

    rt_printf("read through the window: 0x%lx 0x%lx\n", load64(slot_va(SLOT_RW) + 0x40),
              load64(slot_va(SLOT_RO) + 0x48));
    store64(slot_va(SLOT_RW) + 0x40, 0xabcd);
    rt_printf("a store lands in page %u: 0x%lx\n", SLOT_RW, *(uint64_t *)(pages[SLOT_RW] + 0x40));
    report("EL1 accesses that work");

    store64(slot_va(SLOT_RO) + 8, 1);
    load64(slot_va(SLOT_NONE) + 0x10);
    store64(slot_va(SLOT_NONE) + 0x10, 1);
    load64(slot_va(SLOT_BIG_PA));
    load64(slot_va(SLOT_NONE) - 4); /* crosses from slot 1 into the unmapped slot 2 */
    load64(TEST_VA + 0x8000000000ul); /* beyond the TTBR0 region */
    report("faults at EL1");

    rt_printf("load without the access flag: 0x%lx\n", load64(slot_va(SLOT_NO_AF) + 0x20));
    report("access flag fault, no fixing");
    fix_access_flag = 1;
    rt_printf("load without the access flag: 0x%lx\n", load64(slot_va(SLOT_NO_AF) + 0x20));
    rt_printf("and again: 0x%lx\n", load64(slot_va(SLOT_NO_AF) + 0x28));
    fix_access_flag = 0;
    report("access flag fault, flag set by the handler");

    rt_printf("LDTR: EL0 page 0x%lx, EL1 page 0x%lx\n", load_unprivileged(slot_va(SLOT_EL0) + 8),
              load_unprivileged(slot_va(SLOT_RW) + 8));
    report("LDTR");

    call_at(slot_va(SLOT_XN));
    call_at(slot_va(SLOT_NONE));
    report("EL1 calls into execute-never and unmapped pages");

    zero_block(slot_va(SLOT_RW) + 0x87);
    rt_printf("DC ZVA: 0x%lx 0x%lx 0x%lx\n", *(uint64_t *)(pages[SLOT_RW] + 0x78), *(uint64_t *)(pages[SLOT_RW] + 0x80),
              *(uint64_t *)(pages[SLOT_RW] + 0xc0));
    zero_block(slot_va(SLOT_RO) + 0x87);
    zero_block(slot_va(SLOT_NONE) + 0x87);
    report("DC ZVA");

    rt_puts("AT:\n");
    print_par("r", SLOT_RW);
    print_par("w", SLOT_RO);
    print_par("r", SLOT_RO);
    print_par("e0r", SLOT_RW);
    print_par("e0r", SLOT_EL0);
    print_par("r", SLOT_NONE);
    print_par("r", SLOT_BIG_PA);
    print_par("r", SLOT_ALIAS);
    report("AT");

    rt_printf("remap: slot %u shows 0x%lx\n", SLOT_REMAP, load64(slot_va(SLOT_REMAP)));
    *pte_of(SLOT_REMAP) = page_pa(PAGE_C) | D_NORMAL | D_ISH | D_AF | D_PAGE | D_PXN | D_UXN;
    tlbi_va(slot_va(SLOT_REMAP));
    rt_printf("remap: after TLBI VAE1IS it shows 0x%lx\n", load64(slot_va(SLOT_REMAP)));
    __asm__ volatile("msr ttbr0_el1, %0; isb" : : "r"((uint64_t)root2 | ASID(2)) : "memory");
    rt_printf("remap: in ASID 2 it shows 0x%lx\n", load64(slot_va(SLOT_REMAP)));
    __asm__ volatile("msr ttbr0_el1, %0; isb" : : "r"((uint64_t)root | ASID(1)) : "memory");
    rt_printf("remap: back in ASID 1 it shows 0x%lx\n", load64(slot_va(SLOT_REMAP)));
    *pte_of(SLOT_REMAP) = 0;
    __asm__ volatile("dsb ishst; tlbi aside1is, %0; dsb ish; isb" : : "r"(ASID(1)) : "memory");
    load64(slot_va(SLOT_REMAP));
    report("remapping");

    rt_printf("code: slot %u returns %u\n", SLOT_CODE, run_patched());
    store64(slot_va(SLOT_CODE), 0x52800040); /* mov w0, #2, through the read-only mapping */
    store64(slot_va(SLOT_ALIAS), 0xd65f03c052800040ul); /* mov w0, #2; ret through the alias */
    __asm__ volatile("dc cvau, %0; dsb ish; ic ivau, %1; dsb ish; isb" : : "r"(slot_va(SLOT_ALIAS)),
                     "r"(slot_va(SLOT_CODE)) : "memory");
    rt_printf("code: rewritten through the alias, it returns %u\n", run_patched());
    report("self-modifying code");

    set_tcr(READ_SYSREG(tcr_el1) | TCR_TBI0);
    rt_printf("TBI: tagged load 0x%lx\n", load64((0x5aul << 56) | (slot_va(SLOT_RW) + 0x100)));
    load64((0x5aul << 56) | (slot_va(SLOT_NONE) + 0x100));
    set_tcr(READ_SYSREG(tcr_el1) & ~TCR_TBI0);
    load64((0x5aul << 56) | (slot_va(SLOT_RW) + 0x100));
    report("top byte ignore");

    uint64_t sctlr = READ_SYSREG(sctlr_el1);
    set_sctlr(sctlr & ~(SCTLR_UCT | SCTLR_NTWI));
    *(uint64_t *)(pages[SLOT_EL0] + 0) = 0x100;
    *(uint64_t *)(pages[SLOT_EL0] + GRANULE - 16) = 0x200;
    run_at_el0(user_program, (void *)el0_stack_top(), slot_va(SLOT_EL0), slot_va(SLOT_RW), slot_va(SLOT_XN));
    set_sctlr(sctlr);
    rt_printf("EL0 program: x0=0x%lx x1=0x%lx x2=0x%lx x3=0x%lx x4=0x%lx x5=0x%lx\n", el0_results[0],
              el0_results[1], el0_results[2], el0_results[3], el0_results[4], el0_results[5]);
    rt_printf("EL0 program: stored 0x%lx, stack 0x%lx\n", *(uint64_t *)(pages[SLOT_EL0] + 8),
              *(uint64_t *)(pages[SLOT_EL0] + GRANULE - 16));
    report("EL0 program");

    set_sctlr((sctlr & ~SCTLR_NTWI) | SCTLR_UCT);
    run_at_el0(user_program, (void *)el0_stack_top(), slot_va(SLOT_EL0), slot_va(SLOT_RW), slot_va(SLOT_XN));
    set_sctlr(sctlr);
    rt_printf("EL0 program with UCT: x2=0x%lx\n", el0_results[2]);
    report("EL0 program with UCT");

    rt_puts("mmu: done\n");
}
