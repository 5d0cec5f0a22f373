/* A kernel booted the way Linux is (a raw image, or an arm64 Image with its header), which
 * reads the device tree whose address it finds in x0 and prints what a kernel takes from it:
 * the model, the memory range, /chosen's bootargs, stdout-path and initrd range, and whether
 * x1-x3 were zero. Only those properties are printed, so the output is the same under QEMU,
 * whose tree has more nodes; it ends with semihosting SYS_EXIT, so no instruction count is
 * compared (walking a bigger tree takes more instructions). */
#include "rt.h"

uint64_t rt_boot_x0;
uint64_t rt_boot_x123;

enum { FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9 };

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int starts_with(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

static unsigned length(const char *s)
{
    unsigned n = 0;
    while (s[n])
        n++;
    return n;
}

static int same(const char *a, const char *b) { return starts_with(a, b) && a[length(b)] == 0; }

static uint64_t cells(const uint8_t *v, uint32_t n)
{
    uint64_t x = 0;
    for (uint32_t i = 0; i < n; i++)
        x = x << 32 | be32(v + 4 * i);
    return x;
}

static void print_prop(const char *node, const char *name, const uint8_t *v, uint32_t len)
{
    if (node[0] == 0 && same(name, "model"))
        rt_printf("dtb: model '%s'\n", (const char *)v);
    if (starts_with(node, "memory") && same(name, "reg") && len == 16)
        rt_printf("dtb: memory 0x%lx, 0x%lx bytes\n", cells(v, 2), cells(v + 8, 2));
    if (same(node, "chosen")) {
        if (same(name, "bootargs") || same(name, "stdout-path"))
            rt_printf("dtb: chosen/%s '%s'\n", name, (const char *)v);
        if (same(name, "linux,initrd-start") || same(name, "linux,initrd-end"))
            rt_printf("dtb: chosen/%s 0x%lx\n", name, cells(v, len / 4));
        if (same(name, "kaslr-seed"))
            rt_printf("dtb: chosen/kaslr-seed present, %u bytes\n", len);
    }
}

void guest_main(void)
{
    const uint8_t *fdt = (const uint8_t *)rt_boot_x0;
    rt_printf("dtb: running at 0x%lx, x0 = RAM + 0x%lx, x1-x3 %s\n", (uint64_t)guest_main & ~0xFFFul,
              rt_boot_x0 - 0x40000000, rt_boot_x123 ? "NOT zero" : "zero");
    if (!fdt || be32(fdt) != 0xD00DFEED) {
        rt_puts("dtb: no device tree at x0\n");
        semi_exit(1);
    }
    const uint8_t *p = fdt + be32(fdt + 8);
    const char *strings = (const char *)fdt + be32(fdt + 12);
    const char *path[8] = {""};
    int depth = -1;
    for (;;) {
        uint32_t token = be32(p);
        p += 4;
        if (token == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            if (++depth < 8)
                path[depth] = name;
            p += (length(name) + 4) & ~3ul;
        } else if (token == FDT_END_NODE) {
            depth--;
        } else if (token == FDT_PROP) {
            uint32_t len = be32(p), nameoff = be32(p + 4);
            if (depth <= 1)
                print_prop(depth == 0 ? "" : path[1], strings + nameoff, p + 8, len);
            p += 8 + ((len + 3) & ~3u);
        } else if (token != FDT_NOP) {
            break;
        }
    }
    rt_puts("dtb: done\n");
    semi_exit(0);
}
