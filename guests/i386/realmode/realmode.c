/* Proves the round trip protected mode -> real mode -> protected mode (Intel SDM vol. 3A,
 * 9.9.2): a far jump into a 16-bit code segment, CR0.PE cleared and a far jump that loads a
 * real-mode CS, then real-mode code that uses no BIOS (realmode.S): segment arithmetic
 * (selector * 16), an interrupt through an IVT the code installs (the frame and the FLAGS
 * the handler runs with), a far call and return through another segment:offset pair, 16-bit
 * MUL and DIV, operand- and address-size prefixes, REP MOVSW and REPE CMPSW, and "unreal"
 * mode: FS keeps the 4 GiB limit protected mode gave it, even after a real-mode load. Then
 * CR0.PE set and a far jump back to 32-bit code. The round trip's instruction count (the TSC
 * delta under -icount shift=0) is printed too. Exits with code 0. */
#include "desc.h"
#include "rt.h"

#define RM_BASE 0x8000u
#define SEL_CODE16 0x30
#define SEL_DATA16 0x38

extern char rm_blob[], rm_blob_end[], rm_results[];
void rm_round_trip(uint32_t magic_addr);

static uint64_t gdt[8] __attribute__((aligned(8)));
static volatile uint32_t magic[2] = {0x600dcafe, 0x0ddba11u};

static uint32_t result(unsigned n)
{
    return ((volatile uint32_t *)(RM_BASE + (uint32_t)(rm_results - rm_blob)))[n];
}

void guest_main(void)
{
    rt_puts("realmode: protected -> real -> protected\n");
    gdt[SEL_CODE16 / 8] = desc_segment(RM_BASE, 0xffff, DESC_CODE, 0);
    gdt[SEL_DATA16 / 8] = desc_segment(0, 0xffff, DESC_DATA, 0);
    desc_gdt_load(gdt, 8);
    memcpy((void *)RM_BASE, rm_blob, (size_t)(rm_blob_end - rm_blob));

    /* Under -icount shift=0 the TSC counts instructions, so the delta is compared with QEMU's. */
    uint64_t start = rdtsc();
    rm_round_trip((uint32_t)magic);
    uint64_t end = rdtsc();

    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    rt_printf("realmode: back in protected mode after %u instructions: CR0 0x%x CS 0x%x\n",
              (uint32_t)(end - start), READ_CR(0), cs);
    rt_printf("realmode: CR0 in real mode 0x%x\n", result(0));
    rt_printf("realmode: 1234:5678 and 179b:0008 hold 0x%x\n", result(1) & 0xffff);
    rt_printf("realmode: INT 0x40 pushed IP 0x%x CS 0x%x FLAGS 0x%x\n", result(2) & 0xffff, result(2) >> 16,
              result(3) & 0xffff);
    rt_printf("realmode: the handler ran with FLAGS 0x%x, SP 0x%x\n", result(4) & 0xffff, result(4) >> 16);
    rt_printf("realmode: FLAGS after IRET 0x%x\n", result(5) & 0xffff);
    rt_printf("realmode: far call through 0700:xxxx ran with CS 0x%x\n", result(6) & 0xffff);
    rt_printf("realmode: 0x1234 * 0x5678 = DX 0x%x AX 0x%x\n", result(7) & 0xffff, result(7) >> 16);
    rt_printf("realmode: / 0x1235 = 0x%x remainder 0x%x\n", result(8) & 0xffff, result(8) >> 16);
    rt_printf("realmode: 32-bit add 0x%x, FLAGS 0x%x\n", result(9), result(10) & 0xffff);
    rt_printf("realmode: rep movsw / repe cmpsw: CX 0x%x, last word 0x%x\n", result(11) & 0xffff,
              result(11) >> 16);
    rt_printf("realmode: unreal FS reads 0x%x above 1 MiB\n", result(12));
    rt_printf("realmode: after a real-mode FS load: 0x%x\n", result(13));
}
