/* An ELF linked high and loaded low: QEMU's -kernel (and ours) starts it at the physical
 * address of its entry point. It prints where it runs and where it was linked, then powers off
 * (so QEMU's instruction count is compared too). */
#include "rt.h"

static const char message[] = "data reached PC-relatively";

void guest_main(void)
{
    uint64_t pc, linked;
    __asm__ volatile("adr %0, ." : "=r"(pc));
    __asm__ volatile("ldr %0, =guest_main" : "=r"(linked));
    rt_printf("elf_high: running at 0x%lx, guest_main linked at 0x%lx\n", pc & ~0xFFFul, linked);
    rt_printf("elf_high: %s\n", message);
    rt_puts("elf_high: PSCI SYSTEM_OFF\n");
    psci_system_off();
}
