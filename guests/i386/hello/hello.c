/* Proves the Multiboot v1 hand-over of `-kernel`: EAX holds the magic, the CPU is in protected
 * mode with paging and interrupts off, and EBX points at an information block whose flags,
 * mem_lower/mem_upper, command line, boot loader name and memory map are what QEMU's loader
 * (with SeaBIOS's E820 map for -m 128M) provides. The command line starts with the kernel's
 * path, which varies between hosts, so only its file name and the arguments after it are
 * printed. Exits with code 0 through isa-debug-exit. */
#include "rt.h"

static const char *basename_of(const char *begin, const char *end)
{
    const char *b = begin;
    for (const char *p = begin; p < end; p++)
        if (*p == '/')
            b = p + 1;
    return b;
}

static void print_cmdline(const char *s)
{
    const char *end = s;
    while (*end && *end != ' ')
        end++;
    const char *base = basename_of(s, end);
    rt_puts("hello: cmdline file name: '");
    for (const char *p = base; p < end; p++)
        rt_putc(*p);
    rt_puts("'\n");
    rt_printf("hello: cmdline arguments: '%s'\n", *end ? end + 1 : end);
}

static const char *mmap_type(uint32_t type)
{
    switch (type) {
    case 1: return "available";
    case 2: return "reserved";
    case 3: return "ACPI reclaimable";
    case 4: return "ACPI NVS";
    default: return "other";
    }
}

void guest_main(void)
{
    rt_puts("hello: i386 pc guest says hello over COM1\n");
    rt_printf("hello: magic 0x%08x (%s)\n", rt_mb_magic,
              rt_mb_magic == MULTIBOOT_BOOTLOADER_MAGIC ? "ok" : "WRONG");
    uint32_t cr0 = READ_CR(0);
    rt_printf("hello: cr0.PE %u cr0.PG %u\n", cr0 & 1, cr0 >> 31);
    const struct multiboot_info *mb = rt_mb_info;
    rt_printf("hello: info outside the image: %s\n",
              (uint32_t)mb >= (uint32_t)__image_end || (uint32_t)mb < 0x100000 ? "yes" : "NO");
    rt_printf("hello: flags 0x%08x\n", mb->flags);
    if (mb->flags & MB_INFO_MEMORY)
        rt_printf("hello: mem_lower %u KiB, mem_upper %u KiB\n", mb->mem_lower, mb->mem_upper);
    if (mb->flags & MB_INFO_BOOTDEV)
        rt_printf("hello: boot_device 0x%08x\n", mb->boot_device);
#ifdef HELLO_RAW /* where the loader put things: not part of the transcript */
    rt_printf("hello: info at 0x%x, cmdline at 0x%x '%s', mmap at 0x%x, name at 0x%x, image end 0x%x\n",
              (uint32_t)mb, mb->cmdline, (const char *)mb->cmdline, mb->mmap_addr,
              mb->boot_loader_name, (uint32_t)__image_end);
#endif
    if (mb->flags & MB_INFO_CMDLINE)
        print_cmdline((const char *)mb->cmdline);
    if (mb->flags & MB_INFO_BOOT_LOADER_NAME)
        rt_printf("hello: boot loader '%s'\n", (const char *)mb->boot_loader_name);
    if (mb->flags & MB_INFO_MODS)
        rt_printf("hello: %u modules\n", mb->mods_count);
    if (mb->flags & MB_INFO_MEM_MAP) {
        rt_printf("hello: memory map, %u bytes\n", mb->mmap_length);
        uint32_t p = mb->mmap_addr, end = mb->mmap_addr + mb->mmap_length;
        while (p < end) {
            const struct multiboot_mmap_entry *e = (const struct multiboot_mmap_entry *)p;
            rt_printf("hello:   0x%016llx-0x%016llx %s\n", e->addr, e->addr + e->len - 1,
                      mmap_type(e->type));
            p += e->size + 4;
        }
    }
    rt_puts("hello: exit code 0 through isa-debug-exit\n");
    rt_exit(0);
}
