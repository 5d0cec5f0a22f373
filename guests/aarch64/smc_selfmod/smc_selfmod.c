/* Self-modifying code: rewrite instructions of functions that have already run (so an emulator
 * has them translated or cached), with the architected cache maintenance, and check that the
 * next call runs the new instruction. */
#include "rt.h"

#define MOVZ_W0(imm) (0x52800000u | ((uint32_t)(imm) << 5))
#define ADD_W0_1 0x11000400u
#define SUB_W0_1 0x51000400u
#define B_FWD(words) (0x14000000u | (words))

#define ROUNDS 100

uint32_t patch_movz(void);
uint32_t patch_op(uint32_t x);
uint32_t patch_branch(void);
uint32_t patch_self(uint32_t insn);

/* The sequence the architecture asks for before new code may be fetched. */
static void write_insn(void (*fn)(void), uint32_t insn)
{
    volatile uint32_t *p = (volatile uint32_t *)fn;
    *p = insn;
    __asm__ volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb"
                     :
                     : "r"(p)
                     : "memory");
}

void guest_main(void)
{
    unsigned errors = 0;
    uint32_t acc = 1000;
    uint32_t sum_movz = 0, sum_branch = 0, sum_self = 0;
    rt_printf("smc_selfmod: %u rounds\n", ROUNDS);
    for (unsigned i = 0; i < ROUNDS; i++) {
        uint32_t imm = (i * 0x2b7u) & 0xffff;
        write_insn((void (*)(void))patch_movz, MOVZ_W0(imm));
        uint32_t got = patch_movz();
        errors += got != imm;
        sum_movz += got;

        int add = (i % 3) != 0;
        write_insn((void (*)(void))patch_op, add ? ADD_W0_1 : SUB_W0_1);
        uint32_t before = acc;
        acc = patch_op(acc);
        errors += acc != (add ? before + 1 : before - 1);

        uint32_t want = (i & 1) ? 2 : 1;
        write_insn((void (*)(void))patch_branch, B_FWD(want == 1 ? 1 : 3));
        got = patch_branch();
        errors += got != want;
        sum_branch += got;

        uint32_t self_imm = (i * 0x1d3u + 7) & 0xffff;
        got = patch_self(MOVZ_W0(self_imm));
        errors += got != self_imm;
        sum_self += got;

        if (i % 25 == 24)
            rt_printf("  round %u: movz sum %u, acc %u, branch sum %u, self sum %u, errors %u\n",
                      i + 1, sum_movz, acc, sum_branch, sum_self, errors);
    }
    rt_printf("smc_selfmod: %s (%u errors)\n", errors ? "FAIL" : "ok", errors);
}
