/* Proves privilege levels, the TSS and paging together: the guest builds a page directory whose
 * first 4 MiB are mapped by a page table with 4 KiB pages (page 0 left out), plus one 4 MiB
 * PSE page mapping virtual 16 MiB to physical 4 MiB, and turns on CR4.PSE, CR0.PG and CR0.WP.
 * It then IRETs to a ring 3 task whose interrupts land on the TSS's ESP0 stack. The task prints
 * through INT 0x80 (a DPL 3 gate), reads a value the kernel left in physical memory through the
 * PSE page, writes to an unmapped page (the #PF handler checks CR2 and the error code, maps a
 * page and lets the write restart), executes UD2 (#UD) and CLI (#GP(0): IOPL is 0), both of
 * which the kernel steps over, and ends with an exit system call. Exits with code 0. */
#include "rt.h"

#define PTE_P 0x001
#define PTE_RW 0x002
#define PTE_US 0x004
#define PDE_PS 0x080
#define CR0_WP (1u << 16)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define PF_ERR_P 0x1
#define PF_ERR_W 0x2
#define PF_ERR_U 0x4

#define PSE_VIRT 0x01000000u /* 16 MiB, one 4 MiB page ... */
#define PSE_PHYS 0x00400000u /* ... onto physical 4 MiB */
#define PSE_OFFSET 0x123450u
#define PSE_MAGIC 0xc0ffee42u
#define DEMAND_VIRT 0x00c05000u /* 12 MiB + 5 pages: its page table does not exist yet */
#define DEMAND_MAGIC 0x1234abcdu
#define EXIT_STATUS 42

enum { SYS_WRITE = 1, SYS_WRITE_VALUE = 2, SYS_EXIT = 3 };

static uint32_t page_dir[1024] __attribute__((aligned(4096)));
static uint32_t low_table[1024] __attribute__((aligned(4096)));
static uint32_t demand_table[1024] __attribute__((aligned(4096)));
static uint8_t demand_page[4096] __attribute__((aligned(4096)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));
static uint8_t kernel_stack[8192] __attribute__((aligned(16))); /* TSS.ESP0 */
static unsigned faults_handled;

/* --- ring 3 ---------------------------------------------------------------------------- */

static inline uint32_t syscall3(uint32_t nr, uint32_t a, uint32_t b)
{
    uint32_t ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b) : "memory");
    return ret;
}

static void user_write(const char *s) { syscall3(SYS_WRITE, (uint32_t)s, 0); }
static void user_value(const char *s, uint32_t v) { syscall3(SYS_WRITE_VALUE, (uint32_t)s, v); }

static void user_task(void)
{
    user_write("user_mode: ring 3 says hello through int 0x80\n");
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    user_value("user_mode: ring 3 task CPL", cs & 3);
    user_value("user_mode: ring 3 reads through the 4 MiB page",
               *(volatile uint32_t *)(PSE_VIRT + PSE_OFFSET));
    *(volatile uint32_t *)DEMAND_VIRT = DEMAND_MAGIC;
    user_value("user_mode: ring 3 wrote the demand page, reads back",
               *(volatile uint32_t *)DEMAND_VIRT);
    __asm__ volatile("ud2");
    user_write("user_mode: ring 3 continues after #UD\n");
    __asm__ volatile("cli");
    user_write("user_mode: ring 3 continues after #GP\n");
    syscall3(SYS_EXIT, EXIT_STATUS, 0);
    for (;;)
        ; /* not reached */
}

/* --- ring 0 ---------------------------------------------------------------------------- */

static void syscall_handler(struct int_frame *f)
{
    switch (f->eax) {
    case SYS_WRITE:
        rt_puts((const char *)f->ebx);
        f->eax = 0;
        return;
    case SYS_WRITE_VALUE:
        rt_printf("%s: 0x%x\n", (const char *)f->ebx, f->ecx);
        f->eax = 0;
        return;
    case SYS_EXIT:
        rt_printf("user_mode: exit system call from CPL %u, status %u\n", f->cs & 3, f->ebx);
        rt_printf("user_mode: demand page holds 0x%x physically\n",
                  *(volatile uint32_t *)demand_page);
        rt_printf("user_mode: %u faults handled, kernel stack in use: %s\n", faults_handled,
                  (uint32_t)f > (uint32_t)kernel_stack &&
                          (uint32_t)f < (uint32_t)kernel_stack + sizeof(kernel_stack)
                      ? "TSS.ESP0"
                      : "OTHER");
        rt_exit(0);
    default:
        rt_printf("user_mode: unknown system call %u\n", f->eax);
        rt_exit(1);
    }
}

static void page_fault(struct int_frame *f)
{
    uint32_t cr2 = READ_CR(2);
    rt_printf("user_mode: #PF at 0x%08x, error 0x%x (%s, %s, %s), CPL %u\n", cr2, f->error,
              (f->error & PF_ERR_U) ? "user" : "supervisor", (f->error & PF_ERR_W) ? "write" : "read",
              (f->error & PF_ERR_P) ? "protection" : "not present", f->cs & 3);
    if (cr2 != DEMAND_VIRT || f->error != (PF_ERR_U | PF_ERR_W) || page_dir[cr2 >> 22] != 0) {
        rt_puts("user_mode: unexpected page fault\n");
        rt_exit(2);
    }
    demand_table[(cr2 >> 12) & 0x3ff] = (uint32_t)demand_page | PTE_P | PTE_RW | PTE_US;
    page_dir[cr2 >> 22] = (uint32_t)demand_table | PTE_P | PTE_RW | PTE_US;
    __asm__ volatile("invlpg (%0)" : : "r"(cr2) : "memory");
    rt_puts("user_mode: mapped the page, restarting the write\n");
    faults_handled++;
}

static void invalid_opcode(struct int_frame *f)
{
    const uint8_t *insn = (const uint8_t *)f->eip;
    int is_ud2 = insn[0] == 0x0f && insn[1] == 0x0b;
    rt_printf("user_mode: #UD from CPL %u at %s, skipping it\n", f->cs & 3, is_ud2 ? "UD2" : "?");
    if (!is_ud2)
        rt_exit(3);
    f->eip += 2;
    faults_handled++;
}

static void general_protection(struct int_frame *f)
{
    const uint8_t *insn = (const uint8_t *)f->eip;
    rt_printf("user_mode: #GP(0x%x) from CPL %u at %s, skipping it\n", f->error, f->cs & 3,
              insn[0] == 0xfa ? "CLI" : "?");
    if (insn[0] != 0xfa)
        rt_exit(4);
    f->eip += 1;
    faults_handled++;
}

static void paging_on(void)
{
    for (unsigned i = 1; i < 1024; i++) /* page 0 stays unmapped */
        low_table[i] = (i << 12) | PTE_P | PTE_RW | PTE_US;
    page_dir[0] = (uint32_t)low_table | PTE_P | PTE_RW | PTE_US;
    page_dir[PSE_VIRT >> 22] = PSE_PHYS | PDE_PS | PTE_P | PTE_RW | PTE_US;
    WRITE_CR(3, (uint32_t)page_dir);
    WRITE_CR(4, READ_CR(4) | CR4_PSE);
    WRITE_CR(0, READ_CR(0) | CR0_PG | CR0_WP);
}

static void __attribute__((noreturn)) enter_ring3(void (*entry)(void), uint32_t stack_top)
{
    __asm__ volatile("mov %[ds], %%ax\n\t"
                     "mov %%ax, %%ds\n\t"
                     "mov %%ax, %%es\n\t"
                     "mov %%ax, %%fs\n\t"
                     "mov %%ax, %%gs\n\t"
                     "pushl %[ds]\n\t" /* SS */
                     "pushl %[sp]\n\t" /* ESP */
                     "pushfl\n\t"      /* EFLAGS: IF = 0, IOPL = 0 */
                     "pushl %[cs]\n\t" /* CS */
                     "pushl %[ip]\n\t" /* EIP */
                     "iret"
                     :
                     : [ds] "i"(SEL_USER_DS), [cs] "i"(SEL_USER_CS), [sp] "r"(stack_top),
                       [ip] "r"(entry)
                     : "eax", "memory");
    __builtin_unreachable();
}

void guest_main(void)
{
    rt_puts("user_mode: paging, TSS, ring 3, int 0x80 and fault handling\n");
    *(volatile uint32_t *)(PSE_PHYS + PSE_OFFSET) = PSE_MAGIC;
    paging_on();
    uint32_t cr0 = READ_CR(0), cr4 = READ_CR(4);
    rt_printf("user_mode: paging on: CR0.PG %u CR0.WP %u CR4.PSE %u\n", cr0 >> 31,
              (cr0 >> 16) & 1, (cr4 >> 4) & 1);
    rt_printf("user_mode: kernel reads through the 4 MiB page: 0x%x\n",
              *(volatile uint32_t *)(PSE_VIRT + PSE_OFFSET));
    rt_set_handler(VEC_SYSCALL, syscall_handler);
    rt_set_handler(VEC_PF, page_fault);
    rt_set_handler(VEC_UD, invalid_opcode);
    rt_set_handler(VEC_GP, general_protection);
    rt_tss_set_esp0((uint32_t)kernel_stack + sizeof(kernel_stack));
    rt_puts("user_mode: iret to ring 3\n");
    enter_ring3(user_task, (uint32_t)user_stack + sizeof(user_stack));
}
