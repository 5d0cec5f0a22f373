/* Synchronous exceptions taken to EL1 from EL1 and EL0: each is logged by the handler and printed
 * afterwards with its vector slot, ESR_EL1, ELR_EL1 (relative to the faulting site) and, for
 * aborts, FAR_EL1. */
#include "rt.h"

#define EC_UNKNOWN 0x00
#define EC_FP_ACCESS 0x07
#define EC_SVC64 0x15
#define EC_DABT_LOWER 0x24
#define EC_DABT_SAME 0x25
#define EC_BRK64 0x3c

#define SPSR_EL1H_MASKED 0x3c5 /* return to EL1h with DAIF set */

/* QEMU's virt leaves this hole unmapped with 128 MiB of RAM (RAM ends at 0x48000000). */
#define UNMAPPED_ADDR 0x7f000000ul

extern char site_svc[], site_udf[], site_fadd[], site_brk[], site_load[], site_store[];
extern char site_el0_puts[], site_el0_exit[], site_el0_mrs[], el0_return[];
void trigger_svc(void);
void trigger_udf(void);
void trigger_fadd(void);
void trigger_brk(void);
uint64_t trigger_load(uint64_t addr);
void trigger_store(uint64_t addr, uint64_t value);
uint64_t run_at_el0(void (*fn)(void), void *sp_el0);
void el0_puts(const char *s);
void el0_exit(uint64_t value) __attribute__((noreturn));
uint64_t el0_read_currentel(void);

static const struct {
    const char *name;
    const char *addr;
} sites[] = {
    {"site_svc", site_svc},           {"site_udf", site_udf},
    {"site_fadd", site_fadd},         {"site_brk", site_brk},
    {"site_load", site_load},         {"site_store", site_store},
    {"site_el0_puts", site_el0_puts}, {"site_el0_exit", site_el0_exit},
    {"site_el0_mrs", site_el0_mrs},
};

struct event {
    unsigned slot;
    uint64_t esr, elr, far, spsr;
};

static struct event events[8];
static unsigned nevents;

void exc_handler(struct exc_frame *f, unsigned slot)
{
    uint64_t esr = READ_SYSREG(esr_el1);
    if (nevents < sizeof events / sizeof events[0])
        events[nevents++] = (struct event){slot, esr, f->elr, READ_SYSREG(far_el1), f->spsr};
    unsigned ec = (unsigned)(esr >> 26) & 0x3f;
    unsigned imm16 = (unsigned)esr & 0xffff;
    int from_el0 = slot == VEC_LOWER_A64_SYNC;
    if (slot != VEC_CUR_SPX_SYNC && !from_el0)
        goto unexpected;
    switch (ec) {
    case EC_SVC64: /* ELR already points past the SVC */
        if (!from_el0)
            return;
        if (imm16 == 1) {
            rt_puts((const char *)f->x[0]);
            return;
        }
        if (imm16 == 2) {
            f->elr = (uint64_t)el0_return;
            f->spsr = SPSR_EL1H_MASKED;
            return;
        }
        goto unexpected;
    case EC_UNKNOWN:
    case EC_FP_ACCESS:
    case EC_BRK64:
    case EC_DABT_SAME:
    case EC_DABT_LOWER:
        f->elr += 4; /* these report the faulting instruction itself: skip it */
        return;
    default: break;
    }
unexpected:
    rt_printf("exceptions: unexpected exception slot %u esr=0x%lx elr=0x%lx\n", slot, esr, f->elr);
    psci_system_off();
}

/* Prints ELR as the nearest site at or below it, so the transcript does not depend on where the
 * linker put the code. */
static void print_elr(uint64_t elr)
{
    int best = -1;
    for (unsigned i = 0; i < sizeof sites / sizeof sites[0]; i++) {
        uint64_t site = (uint64_t)sites[i].addr;
        if (elr >= site && elr - site <= 8 && (best < 0 || site > (uint64_t)sites[best].addr))
            best = (int)i;
    }
    if (best < 0)
        rt_printf("0x%lx (no known site)", elr);
    else
        rt_printf("%s+%lu", sites[best].name, elr - (uint64_t)sites[best].addr);
}

/* Prints and forgets the events logged since the last call. */
static void report(const char *what)
{
    rt_printf("%s: %u exception(s)\n", what, nevents);
    for (unsigned i = 0; i < nevents; i++) {
        const struct event *e = &events[i];
        unsigned ec = (unsigned)(e->esr >> 26) & 0x3f;
        rt_printf("  slot %u (vbar+0x%03x) esr=0x%08lx ec=0x%02x il=%lu iss=0x%07lx from M=0x%lx elr=",
                  e->slot, e->slot * 0x80, e->esr, ec, (e->esr >> 25) & 1, e->esr & 0x1ffffff,
                  e->spsr & 0xf);
        print_elr(e->elr);
        if (ec == EC_DABT_SAME || ec == EC_DABT_LOWER)
            rt_printf(" far=0x%lx", e->far);
        rt_putc('\n');
    }
    nevents = 0;
}

static void __attribute__((noreturn)) user_program(void)
{
    el0_puts("el0: hello from EL0 through svc #1\n");
    uint64_t v = el0_read_currentel();
    el0_exit(v + 0x100);
}

static uint64_t user_stack[512] __attribute__((aligned(16)));

void guest_main(void)
{
    rt_printf("exceptions: CurrentEL=%lu\n", READ_SYSREG(CurrentEL) >> 2);

    trigger_svc();
    report("svc #0x1234 at EL1");

    trigger_udf();
    report("udf #0x42");

    trigger_fadd();
    report("fadd s0, s1, s2 with CPACR_EL1.FPEN=0");

    trigger_brk();
    report("brk #0x77");

    uint64_t v = trigger_load(UNMAPPED_ADDR);
    report("ldr from 0x7f000000");
    rt_printf("  x0 after the skipped load: 0x%lx\n", v);

    trigger_store(UNMAPPED_ADDR + 8, 0x1234);
    report("str to 0x7f000008");

    uint64_t ret = run_at_el0(user_program, user_stack + sizeof user_stack / sizeof user_stack[0]);
    report("EL0 program");
    rt_printf("  EL0 program returned 0x%lx, back at EL%lu\n", ret, READ_SYSREG(CurrentEL) >> 2);

    rt_puts("exceptions: done\n");
}
