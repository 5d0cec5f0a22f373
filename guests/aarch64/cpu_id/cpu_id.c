/* The EL1 registers an OS reads or initialises at boot besides the core ones: cache
 * identification (CLIDR, CCSIDR for every CSSELR selection), AIDR, the reserved ID space that
 * reads as zero, the OS lock (OSLAR/OSLSR), OSDLR, MDCCINT, MDRAR, and the breakpoint and
 * watchpoint registers written and read back. Compared with QEMU's cortex-a57. An access that
 * is undefined prints "undef" instead of a value. */
#include "rt.h"

#define SYSREG_READER(name)                                                    \
    static uint64_t read_##name(void)                                          \
    {                                                                          \
        uint64_t v = 0;                                                        \
        __asm__ volatile("mrs %0, " #name : "+r"(v) : : "memory");             \
        return v;                                                              \
    }
#define SYSREG_WRITER(name)                                                    \
    static void write_##name(uint64_t v)                                       \
    {                                                                          \
        __asm__ volatile("msr " #name ", %0\n\tisb" : : "r"(v) : "memory");    \
    }

/* Set by exc_handler when an access was undefined. */
static volatile int undefined;

void exc_handler(struct exc_frame *f, unsigned slot)
{
    uint64_t esr = READ_SYSREG(esr_el1);
    if (slot != VEC_CUR_SPX_SYNC || (esr >> 26) != 0) {
        rt_printf("unexpected exception: slot %u ESR 0x%lx ELR 0x%lx\n", slot, esr, f->elr);
        psci_system_off();
    }
    undefined = 1;
    f->elr += 4;
}

static void show(const char *name, uint64_t v)
{
    if (undefined)
        rt_printf("%s: undef\n", name);
    else
        rt_printf("%s: 0x%lx\n", name, v);
    undefined = 0;
}

SYSREG_READER(clidr_el1)
SYSREG_READER(aidr_el1)
SYSREG_READER(ccsidr_el1)
SYSREG_READER(csselr_el1)
SYSREG_WRITER(csselr_el1)
SYSREG_READER(id_aa64isar0_el1)
SYSREG_READER(oslsr_el1)
SYSREG_WRITER(oslar_el1)
SYSREG_READER(osdlr_el1)
SYSREG_WRITER(osdlr_el1)
SYSREG_READER(mdccint_el1)
SYSREG_WRITER(mdccint_el1)
SYSREG_READER(mdrar_el1)

/* Reserved ID registers: op0 3, op1 0, CRn 0, CRm 4-7, in generic names. */
SYSREG_READER(s3_0_c0_c4_2)
SYSREG_READER(s3_0_c0_c4_4)
SYSREG_READER(s3_0_c0_c4_7)
SYSREG_READER(s3_0_c0_c5_2)
SYSREG_READER(s3_0_c0_c5_4)
SYSREG_READER(s3_0_c0_c5_5)
SYSREG_READER(s3_0_c0_c6_2)
SYSREG_READER(s3_0_c0_c6_7)
SYSREG_READER(s3_0_c0_c7_3)
SYSREG_READER(s3_0_c0_c7_7)

#define DEBUG_PAIR(n)                                                           \
    SYSREG_READER(dbgbvr##n##_el1) SYSREG_WRITER(dbgbvr##n##_el1)               \
    SYSREG_READER(dbgbcr##n##_el1) SYSREG_WRITER(dbgbcr##n##_el1)
#define WATCH_PAIR(n)                                                           \
    SYSREG_READER(dbgwvr##n##_el1) SYSREG_WRITER(dbgwvr##n##_el1)               \
    SYSREG_READER(dbgwcr##n##_el1) SYSREG_WRITER(dbgwcr##n##_el1)
DEBUG_PAIR(0) DEBUG_PAIR(1) DEBUG_PAIR(2) DEBUG_PAIR(3) DEBUG_PAIR(4) DEBUG_PAIR(5)
WATCH_PAIR(0) WATCH_PAIR(1) WATCH_PAIR(2) WATCH_PAIR(3)

void guest_main(void)
{
    show("CLIDR_EL1", read_clidr_el1());
    show("AIDR_EL1", read_aidr_el1());
    show("ID_AA64ISAR0_EL1", read_id_aa64isar0_el1());
    show("CSSELR_EL1 reset", read_csselr_el1());
    for (uint64_t sel = 0; sel < 16; ++sel) {
        write_csselr_el1(sel);
        uint64_t ccsidr = read_ccsidr_el1();
        rt_printf("CSSELR %2lu: CSSELR 0x%lx CCSIDR 0x%lx\n", sel, read_csselr_el1(), ccsidr);
    }
    write_csselr_el1(0xfffffff2);  /* RES0 bits above Level and InD */
    show("CSSELR_EL1 ~0", read_csselr_el1());
    write_csselr_el1(0);

    show("S3_0_C0_C4_2", read_s3_0_c0_c4_2());
    show("S3_0_C0_C4_4", read_s3_0_c0_c4_4());
    show("S3_0_C0_C4_7", read_s3_0_c0_c4_7());
    show("S3_0_C0_C5_2", read_s3_0_c0_c5_2());
    show("S3_0_C0_C5_4", read_s3_0_c0_c5_4());
    show("S3_0_C0_C5_5", read_s3_0_c0_c5_5());
    show("S3_0_C0_C6_2", read_s3_0_c0_c6_2());
    show("S3_0_C0_C6_7", read_s3_0_c0_c6_7());
    show("S3_0_C0_C7_3", read_s3_0_c0_c7_3());
    show("S3_0_C0_C7_7", read_s3_0_c0_c7_7());

    show("OSLSR_EL1 reset", read_oslsr_el1());
    write_oslar_el1(0);
    show("OSLSR unlocked", read_oslsr_el1());
    write_oslar_el1(1);
    show("OSLSR locked", read_oslsr_el1());
    write_oslar_el1(0);
    write_osdlr_el1(1);
    show("OSDLR_EL1", read_osdlr_el1());
    write_mdccint_el1(1u << 29);
    show("MDCCINT_EL1", read_mdccint_el1());
    show("MDRAR_EL1", read_mdrar_el1());

    /* Breakpoints disabled (E = 0) so that none can fire; BAS 0b0101 reads back as 0b1111. */
    write_dbgbvr0_el1(0x40001000); write_dbgbcr0_el1(0x0a6);
    write_dbgbvr1_el1(0x40002000); write_dbgbcr1_el1(0x1e6);
    write_dbgbvr2_el1(0x40003000); write_dbgbcr2_el1(0x000);
    write_dbgbvr3_el1(0xffff000000004000ul); write_dbgbcr3_el1(0x1e6);
    write_dbgbvr4_el1(0x40005000); write_dbgbcr4_el1(0x0e6);
    write_dbgbvr5_el1(0x40006000); write_dbgbcr5_el1(0x126);
    write_dbgwvr0_el1(0x40010000); write_dbgwcr0_el1(0x1ff6);
    write_dbgwvr1_el1(0x40020008); write_dbgwcr1_el1(0x0f76);
    write_dbgwvr2_el1(0xffff000000030000ul); write_dbgwcr2_el1(0x0116);
    write_dbgwvr3_el1(0x40040000); write_dbgwcr3_el1(0x0000);
    show("DBGBVR0", read_dbgbvr0_el1()); show("DBGBCR0", read_dbgbcr0_el1());
    show("DBGBVR1", read_dbgbvr1_el1()); show("DBGBCR1", read_dbgbcr1_el1());
    show("DBGBVR2", read_dbgbvr2_el1()); show("DBGBCR2", read_dbgbcr2_el1());
    show("DBGBVR3", read_dbgbvr3_el1()); show("DBGBCR3", read_dbgbcr3_el1());
    show("DBGBVR4", read_dbgbvr4_el1()); show("DBGBCR4", read_dbgbcr4_el1());
    show("DBGBVR5", read_dbgbvr5_el1()); show("DBGBCR5", read_dbgbcr5_el1());
    show("DBGWVR0", read_dbgwvr0_el1()); show("DBGWCR0", read_dbgwcr0_el1());
    show("DBGWVR1", read_dbgwvr1_el1()); show("DBGWCR1", read_dbgwcr1_el1());
    show("DBGWVR2", read_dbgwvr2_el1()); show("DBGWCR2", read_dbgwcr2_el1());
    show("DBGWVR3", read_dbgwvr3_el1()); show("DBGWCR3", read_dbgwcr3_el1());
    rt_puts("cpu_id: done\n");
}
