/* Proves the local APIC of `-M pc` as a guest built for QEMU finds it: CPUID and IA32_APIC_BASE
 * announce it, its registers hold what SeaBIOS leaves (software enabled, LINT0 ExtINT, LINT1
 * NMI), its timer interrupts in periodic and one-shot mode at the rate the divide configuration
 * sets (checked against the TSC, which counts virtual nanoseconds under -icount shift=0, as
 * the timer does), fixed self-IPIs are arbitrated by priority class against the TPR and the
 * interrupt in service, the 8259's interrupt goes through LINT0 as its LVT says (and past a
 * software-disabled APIC), and an NMI self-IPI is taken with interrupts off and blocks the next
 * NMI until its IRET. Under -icount shift=0 everything here is deterministic, so the guest also
 * prints exact figures: instructions spent reading the registers, and the virtual nanoseconds
 * from starting a one-shot timer to its interrupt while spinning and while halted, which are
 * the same under QEMU. Exits with code 0. */
#include "apic.h"

#define VEC_TIMER 0x30
#define VEC_LOW 0x31
#define VEC_HIGH 0x3a

static volatile uint32_t ticks;
static uint64_t tick_tsc[32];
static volatile uint32_t order[8], n_order;
static volatile uint32_t ppr_in_high, irr_low_in_high;

static void timer_irq(struct int_frame *f)
{
    (void)f;
    uint32_t t = ticks;
    if (t < 32)
        tick_tsc[t] = rdtsc();
    ticks = t + 1;
    lapic_eoi();
}

static void low_irq(struct int_frame *f)
{
    (void)f;
    order[n_order++] = VEC_LOW;
    lapic_eoi();
}

static void high_irq(struct int_frame *f)
{
    (void)f;
    order[n_order++] = VEC_HIGH;
    ppr_in_high = lapic_read(LAPIC_PPR);
    irr_low_in_high = lapic_bit(LAPIC_IRR, VEC_LOW);
    lapic_eoi();
}

static void self_ipi(uint8_t vector) { lapic_write(LAPIC_ICR_LO, LAPIC_ICR_SELF | vector); }

/* NMIs: the first handler sends a second NMI, which must wait for its IRET. */
static volatile uint32_t nmis, nmis_seen_in_first;
static void nmi_handler(struct int_frame *f)
{
    (void)f;
    uint32_t n = ++nmis;
    if (n == 1) {
        lapic_write(LAPIC_ICR_LO, LAPIC_ICR_SELF | (4u << 8));
        for (volatile int i = 0; i < 100; i++)
            ;
        nmis_seen_in_first = nmis;
    }
}

/* Waits for N more timer ticks with HLT; returns the number of HLT wakeups. */
static uint32_t wait_ticks(uint32_t n)
{
    uint32_t target = ticks + n, wakeups = 0;
    while (ticks < target) {
        halt_until_interrupt();
        wakeups++;
    }
    return wakeups;
}

static void periodic(uint32_t divide_reg, uint32_t divisor, uint32_t count, uint32_t n)
{
    uint32_t period = (count + 1) * divisor; /* ns between interrupts, as QEMU counts */
    rt_printf("apic_timer: periodic, divide by %u, initial count %u\n", divisor, count);
    ticks = 0;
    lapic_write(LAPIC_TIMER_DIVIDE, divide_reg);
    lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | VEC_TIMER);
    lapic_write(LAPIC_TIMER_INIT, count);
    uint32_t now = lapic_read(LAPIC_TIMER_CURRENT);
    rt_printf("apic_timer: current count right after the start is below the initial count: %s\n",
              now <= count && now > count - count / 8 ? "yes" : "no");
    uint32_t wakeups = wait_ticks(n);
    lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | LAPIC_TIMER_PERIODIC | VEC_TIMER);
    uint32_t in_range = 0;
    for (uint32_t i = 2; i < n; i++) {
        uint32_t d = (uint32_t)(tick_tsc[i] - tick_tsc[i - 1]);
        in_range += d >= period - period / 1000 && d <= period + period / 1000;
    }
#ifdef APIC_TIMER_RAW
    rt_printf("apic_timer: raw first %u second %u\n", (uint32_t)(tick_tsc[1] - tick_tsc[0]),
              (uint32_t)(tick_tsc[2] - tick_tsc[1]));
#endif
    rt_printf("apic_timer: %u ticks, %u HLT wakeups, tsc steps within 0.1%% of %u ns: %u of %u\n",
              n, wakeups, period, in_range, n - 2);
    lapic_write(LAPIC_TIMER_INIT, 0);
}

static void one_shot(uint32_t divide_reg, uint32_t divisor, uint32_t count)
{
    rt_printf("apic_timer: one-shot, divide by %u, initial count %u\n", divisor, count);
    ticks = 0;
    lapic_write(LAPIC_TIMER_DIVIDE, divide_reg);
    lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
    uint64_t start = rdtsc();
    lapic_write(LAPIC_TIMER_INIT, count);
    wait_ticks(1);
    rt_printf("apic_timer: halted until the interrupt %u ns after the start ((count + 1) * divisor = %u)\n",
              (uint32_t)(tick_tsc[0] - start), (count + 1) * divisor);
    rt_printf("apic_timer: current count after expiry %u\n", lapic_read(LAPIC_TIMER_CURRENT));
    /* Nothing more comes: a PIT tick 10 ms later wakes the CPU instead. */
    outb(PIT_CMD, 0x30); /* channel 0, mode 0: one interrupt at terminal count */
    outb(PIT_CH0, (uint8_t)11932);
    outb(PIT_CH0, (uint8_t)(11932 >> 8));
    rt_pic_unmask(0);
    halt_until_interrupt();
    rt_pic_mask(0);
    rt_printf("apic_timer: timer interrupts after the one-shot: %u\n", ticks - 1);

    /* Spinning instead of halting: the loop's iterations count the instructions until the
     * interrupt. */
    ticks = 0;
    uint32_t spins = 0;
    lapic_write(LAPIC_TIMER_DIVIDE, 0xb);
    irq_enable();
    start = rdtsc();
    lapic_write(LAPIC_TIMER_INIT, 5000);
    while (!ticks)
        spins++;
    irq_disable();
    rt_printf("apic_timer: spinning, divide by 1, count 5000: interrupt after %u ns and %u iterations\n",
              (uint32_t)(tick_tsc[0] - start), spins);
}

static volatile uint32_t pit_irqs;
static void pit_irq(struct int_frame *f)
{
    (void)f;
    pit_irqs++;
}

/* The 8259's INTR reaches the CPU through LINT0: not while LINT0 is masked, at once when it is
 * unmasked with the request still up, and straight through while the APIC is software
 * disabled. */
static void lint0(void)
{
    pit_irqs = 0;
    ticks = 0;
    lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED | 0x8700);
    rt_pit_start(2, 1193); /* 1 kHz */
    rt_pic_unmask(0);
    lapic_write(LAPIC_TIMER_DIVIDE, 0xb);
    lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
    lapic_write(LAPIC_TIMER_INIT, 3000000); /* wakes the CPU after 3 ms */
    wait_ticks(1);
    rt_printf("apic_timer: LINT0 masked: %u PIT interrupts in 3 ms\n", pit_irqs);
    lapic_write(LAPIC_LVT_LINT0, 0x8700);
    irq_enable();
    __asm__ volatile("nop");
    irq_disable();
    rt_printf("apic_timer: LINT0 unmasked: %u PIT interrupt at once\n", pit_irqs);
    lapic_write(LAPIC_SVR, 0xff);
    uint32_t before = pit_irqs;
    halt_until_interrupt();
    rt_printf("apic_timer: APIC software disabled: the PIT's interrupt arrives: %s\n",
              pit_irqs > before ? "yes" : "no");
    lapic_write(LAPIC_SVR, 0x1ff);
    rt_pic_mask(0);
}

void guest_main(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    rt_printf("apic_timer: cpuid.1 edx.apic %u\n", (d >> 9) & 1);
    uint64_t base = rdmsr(MSR_APIC_BASE);
    rt_printf("apic_timer: IA32_APIC_BASE 0x%llx\n", base);

    static const uint16_t regs[] = {LAPIC_ID, LAPIC_VERSION, LAPIC_TPR, LAPIC_APR, LAPIC_PPR, LAPIC_LDR,
                                    LAPIC_DFR, LAPIC_SVR, LAPIC_ISR, LAPIC_TMR + 0x70, LAPIC_IRR + 0x30,
                                    LAPIC_ICR_LO, LAPIC_ICR_HI, LAPIC_LVT_TIMER, LAPIC_LVT_LINT0,
                                    LAPIC_LVT_LINT1, LAPIC_LVT_ERROR, LAPIC_TIMER_INIT, LAPIC_TIMER_DIVIDE};
    uint64_t t0 = rdtsc();
    uint32_t x = 0;
    for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++)
        x ^= lapic_read(regs[i]);
    uint32_t insns = (uint32_t)(rdtsc() - t0);
    rt_printf("apic_timer: reading the registers: xor 0x%08x, %u instructions\n", x, insns);
    rt_printf("apic_timer: id 0x%08x version 0x%08x\n", lapic_read(LAPIC_ID), lapic_read(LAPIC_VERSION));
    rt_printf("apic_timer: tpr 0x%x ppr 0x%x ldr 0x%08x dfr 0x%08x svr 0x%x\n", lapic_read(LAPIC_TPR),
              lapic_read(LAPIC_PPR), lapic_read(LAPIC_LDR), lapic_read(LAPIC_DFR), lapic_read(LAPIC_SVR));
    rt_printf("apic_timer: lvt timer 0x%x thermal 0x%x perf 0x%x lint0 0x%x lint1 0x%x error 0x%x\n",
              lapic_read(LAPIC_LVT_TIMER), lapic_read(LAPIC_LVT_THERMAL), lapic_read(LAPIC_LVT_PERF),
              lapic_read(LAPIC_LVT_LINT0), lapic_read(LAPIC_LVT_LINT1), lapic_read(LAPIC_LVT_ERROR));
    rt_printf("apic_timer: icr 0x%08x:%08x divide 0x%x initial %u current %u\n", lapic_read(LAPIC_ICR_HI),
              lapic_read(LAPIC_ICR_LO), lapic_read(LAPIC_TIMER_DIVIDE), lapic_read(LAPIC_TIMER_INIT),
              lapic_read(LAPIC_TIMER_CURRENT));
    uint32_t pending = 0;
    for (unsigned i = 0; i < 8; i++)
        pending |= lapic_read(LAPIC_ISR + i * 0x10) | lapic_read(LAPIC_IRR + i * 0x10) |
                   lapic_read(LAPIC_TMR + i * 0x10);
    rt_printf("apic_timer: isr, irr and tmr all clear: %s\n", pending ? "no" : "yes");

    rt_set_handler(VEC_TIMER, timer_irq);
    rt_set_handler(VEC_LOW, low_irq);
    rt_set_handler(VEC_HIGH, high_irq);
    rt_set_handler(VEC_IRQ0, pit_irq);
    periodic(0x3, 16, 62499, 20);   /* 1 ms */
    periodic(0xb, 1, 249999, 10);   /* 250 us */
    periodic(0x8, 32, 3124, 10);    /* 100 us */
    one_shot(0x0, 2, 499999);       /* 1 ms */

    lint0();

    /* Priority: with TPR at class 3, a class-3 self-IPI waits in the IRR. */
    lapic_write(LAPIC_TPR, 0x30);
    irq_enable();
    self_ipi(VEC_LOW);
    irq_disable();
    rt_printf("apic_timer: tpr 0x30: ppr 0x%x, vector 0x31 in irr %u, delivered %u\n", lapic_read(LAPIC_PPR),
              lapic_bit(LAPIC_IRR, VEC_LOW), n_order);
    lapic_write(LAPIC_TPR, 0x00);
    irq_enable();
    __asm__ volatile("nop");
    irq_disable();
    rt_printf("apic_timer: tpr 0: delivered %u, vector 0x31 in irr %u\n", n_order, lapic_bit(LAPIC_IRR, VEC_LOW));

    /* Two pending vectors: the higher class first; the lower one waits for its EOI. */
    n_order = 0;
    self_ipi(VEC_LOW);
    self_ipi(VEC_HIGH);
    rt_printf("apic_timer: both pending: irr 0x31 %u 0x3a %u, ppr 0x%x\n", lapic_bit(LAPIC_IRR, VEC_LOW),
              lapic_bit(LAPIC_IRR, VEC_HIGH), lapic_read(LAPIC_PPR));
    irq_enable();
    __asm__ volatile("nop");
    irq_disable();
    rt_printf("apic_timer: order 0x%x 0x%x; in 0x3a's handler ppr 0x%x and 0x31 pending %u\n", order[0], order[1],
              ppr_in_high, irr_low_in_high);
    /* The all-including-self shorthand reaches this CPU too. */
    n_order = 0;
    lapic_write(LAPIC_ICR_LO, LAPIC_ICR_ALL_INCL_SELF | VEC_LOW);
    lapic_write(LAPIC_ICR_LO, LAPIC_ICR_ALL_EXCL_SELF | VEC_HIGH);
    irq_enable();
    __asm__ volatile("nop");
    irq_disable();
    rt_printf("apic_timer: all-including-self delivered %u (0x%x), all-excluding-self none\n", n_order, order[0]);
    /* A physical destination naming this APIC. */
    n_order = 0;
    lapic_write(LAPIC_ICR_HI, 0u << 24);
    lapic_write(LAPIC_ICR_LO, VEC_HIGH);
    lapic_write(LAPIC_ICR_HI, 5u << 24);
    lapic_write(LAPIC_ICR_LO, VEC_LOW);
    irq_enable();
    __asm__ volatile("nop");
    irq_disable();
    rt_printf("apic_timer: to APIC 0 delivered %u (0x%x), to APIC 5 none\n", n_order, order[0]);
    /* An NMI self-IPI arrives with interrupts off; a second one waits for the first's IRET. */
    rt_set_handler(2, nmi_handler);
    lapic_write(LAPIC_ICR_LO, LAPIC_ICR_SELF | (4u << 8));
    __asm__ volatile("nop");
    rt_printf("apic_timer: NMI self-IPI with interrupts off: %u NMIs, %u seen inside the first\n", nmis,
              nmis_seen_in_first);
    rt_exit(0);
}
