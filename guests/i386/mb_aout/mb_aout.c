/* A Multiboot kernel that is a flat binary: the header's a.out-kludge fields (flag 16) tell the
 * loader where its bytes go, where its bss ends and where it starts (common/start.S with
 * MB_AOUT_KLUDGE). It prints its command line and each module (-initrd "file args,..." in QEMU,
 * --module file,args here): the string after the file's directory, its length and its first
 * line. Paths vary between hosts, so only file names are printed. Exits 0 through
 * isa-debug-exit. */
#include "rt.h"

static void print_string(const char *label, const char *s)
{
    const char *end = s;
    while (*end && *end != ' ')
        end++;
    const char *base = s;
    for (const char *p = s; p < end; p++)
        if (*p == '/')
            base = p + 1;
    rt_printf("mb_aout: %s '", label);
    for (const char *p = base; *p; p++)
        rt_putc(*p);
    rt_puts("'\n");
}

struct module {
    uint32_t start, end, string, reserved;
};

void guest_main(void)
{
    const struct multiboot_info *mb = rt_mb_info;
    rt_printf("mb_aout: magic %s, running at 0x%x\n", rt_mb_magic == MULTIBOOT_BOOTLOADER_MAGIC ? "ok" : "WRONG",
              (uint32_t)guest_main);
    print_string("cmdline", (const char *)mb->cmdline);
    rt_printf("mb_aout: %u modules, page-aligned: ", mb->mods_count);
    const struct module *mods = (const struct module *)mb->mods_addr;
    int aligned = 1;
    for (uint32_t i = 0; i < mb->mods_count; i++)
        aligned &= (mods[i].start & 0xFFF) == 0 && mods[i].start >= (uint32_t)__image_end;
    rt_puts(aligned ? "yes\n" : "NO\n");
    for (uint32_t i = 0; i < mb->mods_count; i++) {
        print_string("module", (const char *)mods[i].string);
        rt_printf("mb_aout:   %u bytes: '", mods[i].end - mods[i].start);
        for (const char *p = (const char *)mods[i].start; p < (const char *)mods[i].end && *p != '\n'; p++)
            rt_putc(*p);
        rt_puts("'\n");
    }
    rt_puts("mb_aout: exit code 0 through isa-debug-exit\n");
    rt_exit(0);
}
