/* A Multiboot ELF linked high (0xC0100000) and loaded low (1 MiB): started at the physical
 * address of its entry, it turns paging on and runs at its linked addresses. Exits 0. */
#include "rt.h"

static const char message[] = "read through the high mapping";

void guest_main(void)
{
    uint32_t cr0 = READ_CR(0);
    rt_printf("elf_high: magic %s, paging %s\n", rt_mb_magic == MULTIBOOT_BOOTLOADER_MAGIC ? "ok" : "WRONG",
              cr0 >> 31 ? "on" : "off");
    rt_printf("elf_high: guest_main linked at 0x%x, data %s\n", (uint32_t)guest_main, message);
    rt_printf("elf_high: the same bytes at their physical address: %s\n",
              (const char *)((uint32_t)message - 0xC0000000));
    rt_puts("elf_high: exit code 0 through isa-debug-exit\n");
    rt_exit(0);
}
