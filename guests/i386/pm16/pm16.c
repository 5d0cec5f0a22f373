/* Proves 16-bit protected mode (pm16.S): 16-bit code, data and stack segments (a 16-bit stack
 * moves SP and leaves ESP's upper half), a 16-bit interrupt gate (a FLAGS, CS, IP frame, IF
 * cleared) and a 16-bit trap gate (IF kept) with 16-bit IRET, 16-bit and 32-bit far calls from
 * 16-bit code, a 16-bit IRET to ring 3 (which nulls a DPL 0 data segment register), a #GP from
 * ring-3 16-bit code through the runtime's 32-bit gate and a 32-bit IRET back into it, a DPL 3
 * 16-bit trap gate from ring 3 (the SS:SP frame on the TSS's ring-0 stack), and a 16-bit call
 * gate from ring 3 to ring 0 copying one word, with RETF 2 back. The run's instruction count
 * (the TSC delta under -icount shift=0) is printed too. Exits with code 0. */
#include "desc.h"
#include "rt.h"

#define SEL_CODE16 0x30
#define SEL_DATA16 0x38
#define SEL_STACK16 0x40
#define SEL_CODE16_R3 0x48
#define SEL_DATA16_R3 0x50
#define SEL_STACK16_R3 0x58
#define SEL_GATE_RETURN 0x60
#define SEL_GATE_EXIT 0x68

extern char pm16_code[], pm16_data[], pm16_stack0[], pm16_stack3[];
void pm16_run(void);

static uint64_t gdt[16] __attribute__((aligned(8)));
static uint8_t kernel_stack[4096] __attribute__((aligned(16)));

static uint32_t r(unsigned n) { return ((volatile uint32_t *)pm16_data)[n]; }
static uint32_t lo(uint32_t v) { return v & 0xffff; }
static uint32_t hi(uint32_t v) { return v >> 16; }

static uint32_t code_offset(const char *label) { return (uint32_t)(label - pm16_code); }

/* The #GP's frame, printed after the run so that the measured stretch has no console output. */
static struct int_frame gp_frame;
static uint8_t gp_insn;

static void general_protection(struct int_frame *f)
{
    gp_frame = *f;
    gp_insn = *(const uint8_t *)(pm16_code + f->eip);
    if (gp_insn != 0xfa) {
        rt_printf("pm16: unexpected #GP(0x%x) at 0x%x:0x%x\n", f->error, f->cs, f->eip);
        rt_exit(2);
    }
    f->eip += 1;
}

void guest_main(void)
{
    rt_puts("pm16: 16-bit protected mode, 16-bit gates and a 16-bit call gate\n");
    uint32_t code = (uint32_t)pm16_code, data = (uint32_t)pm16_data;
    gdt[SEL_CODE16 / 8] = desc_segment(code, 0xffff, DESC_CODE, 0);
    gdt[SEL_DATA16 / 8] = desc_segment(data, 0xffff, DESC_DATA, 0);
    gdt[SEL_STACK16 / 8] = desc_segment((uint32_t)pm16_stack0, 0xffff, DESC_DATA, 0);
    gdt[SEL_CODE16_R3 / 8] = desc_segment(code, 0xffff, DESC_CODE | DESC_DPL(3), 0);
    gdt[SEL_DATA16_R3 / 8] = desc_segment(data, 0xffff, DESC_DATA | DESC_DPL(3), 0);
    gdt[SEL_STACK16_R3 / 8] = desc_segment((uint32_t)pm16_stack3, 0xffff, DESC_DATA | DESC_DPL(3), 0);
    extern char call_entry[], exit_entry[], int41[], trap42[], trap43[];
    gdt[SEL_GATE_RETURN / 8] = desc_gate(SEL_CODE16, code_offset(call_entry), GATE_CALL16 | DESC_DPL(3), 1);
    gdt[SEL_GATE_EXIT / 8] = desc_gate(SEL_CODE16, code_offset(exit_entry), GATE_CALL16 | DESC_DPL(3), 0);
    desc_gdt_load(gdt, 16);
    desc_idt_set(0x41, desc_gate(SEL_CODE16, code_offset(int41), GATE_INT16, 0));
    desc_idt_set(0x42, desc_gate(SEL_CODE16, code_offset(trap42), GATE_TRAP16 | DESC_DPL(3), 0));
    desc_idt_set(0x43, desc_gate(SEL_CODE16, code_offset(trap43), GATE_TRAP16, 0));
    rt_set_handler(VEC_GP, general_protection);
    rt_tss_set_esp0((uint32_t)kernel_stack + sizeof(kernel_stack));

    /* Under -icount shift=0 the TSC counts instructions, so the delta is compared with QEMU's. */
    uint64_t start = rdtsc();
    pm16_run();
    uint64_t end = rdtsc();

    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    rt_printf("pm16: back in 32-bit code at CPL %u after %u instructions\n", cs & 3u, (uint32_t)(end - start));
    rt_printf("pm16: #GP(0x%x) from CS 0x%x at %s, ring 3 SS:ESP 0x%x:0x%x\n", gp_frame.error, gp_frame.cs,
              gp_frame.cs == (SEL_CODE16_R3 | 3) && gp_insn == 0xfa ? "CLI" : "?", gp_frame.user_ss,
              gp_frame.user_esp);
    rt_printf("pm16: 16-bit stack: ESP 0x%x after pushing 6 bytes from 0xabcd1000\n", r(0));
    rt_printf("pm16: interrupt gate frame: IP 0x%x CS 0x%x FLAGS 0x%x; handler FLAGS 0x%x\n", lo(r(1)),
              hi(r(1)), lo(r(2)), hi(r(2)));
    rt_printf("pm16: FLAGS after IRET 0x%x; trap gate handler FLAGS 0x%x\n", lo(r(3)), lo(r(4)));
    rt_printf("pm16: far call pushed %u bytes, with the operand-size prefix %u\n", lo(r(5)), hi(r(5)));
    rt_printf("pm16: ring 3: ES 0x%x CS 0x%x SS 0x%x SP 0x%x\n", lo(r(6)), hi(r(6)), lo(r(7)), hi(r(7)));
    rt_printf("pm16: trap gate from ring 3: IP 0x%x CS 0x%x FLAGS 0x%x SP 0x%x SS 0x%x; handler FLAGS 0x%x\n",
              lo(r(8)), hi(r(8)), lo(r(9)), hi(r(9)), lo(r(10)), hi(r(10)));
    rt_printf("pm16: call gate: IP 0x%x CS 0x%x word 0x%x SP 0x%x SS 0x%x, ring 0 CS 0x%x\n", lo(r(11)),
              hi(r(11)), lo(r(13)), hi(r(13)), lo(r(14)), hi(r(14)));
    rt_printf("pm16: after RETF 2: SP 0x%x ES 0x%x\n", lo(r(12)), hi(r(12)));
}
