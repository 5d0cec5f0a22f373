/* Reads QEMU's fw_cfg the way firmware and test kernels do and prints what it finds: the
 * signature, the interface ID, the CPU counts, the RAM size, the flags, what reads past an
 * item's end and of an unknown key give, and the small files a guest uses (etc/e820, bootorder,
 * etc/boot-fail-wait, bios-geometry), looked up in the file directory. Then the DMA interface:
 * its signature, reads with and without selecting, a skip, a refused write and a no-op.
 * QEMU's ACPI, SMBIOS and option ROM files and its Multiboot loader keys are not read. The
 * first reads are timed with the TSC, which counts instructions under -icount shift=0 with
 * interrupts off, so the instruction count is compared with QEMU's too. Exits with code 0. */
#include "fw_cfg.h"

#define DMA_CTL_ERROR 0x01
#define DMA_CTL_READ 0x02
#define DMA_CTL_SKIP 0x04
#define DMA_CTL_SELECT 0x08

struct dma_access {
    uint32_t control, length; /* big-endian */
    uint32_t address_hi, address_lo;
} __attribute__((aligned(16)));

static struct dma_access dma;
static uint8_t buf[4096];

/* One DMA transfer; returns the control word the device left (0: done, bit 0: error). */
static uint32_t dma_run(uint32_t control, void *dst, uint32_t len)
{
    dma.control = fw_cfg_be32(control);
    dma.length = fw_cfg_be32(len);
    dma.address_hi = 0;
    dma.address_lo = fw_cfg_be32((uint32_t)dst);
    __asm__ volatile("" : : : "memory");
    outl(FW_CFG_PORT_DMA, 0);
    outl(FW_CFG_PORT_DMA + 4, fw_cfg_be32((uint32_t)&dma));
    __asm__ volatile("" : : : "memory");
    return fw_cfg_be32(dma.control);
}

static void dump(const uint8_t *p, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        rt_printf("%s%02x", i % 32 == 0 ? (i ? "\n  " : "  ") : " ", p[i]);
    rt_puts("\n");
}

void guest_main(void)
{
    char sig[5] = {0};
    uint64_t t0 = rdtsc();
    fw_cfg_select(FW_CFG_SIGNATURE);
    fw_cfg_read(sig, 4);
    uint32_t id = (uint32_t)fw_cfg_read_int(FW_CFG_ID, 4);
    unsigned nb_cpus = (unsigned)fw_cfg_read_int(FW_CFG_NB_CPUS, 2);
    unsigned max_cpus = (unsigned)fw_cfg_read_int(FW_CFG_MAX_CPUS, 2);
    uint64_t ram_size = fw_cfg_read_int(FW_CFG_RAM_SIZE, 8);
    uint32_t insns = (uint32_t)(rdtsc() - t0);
    rt_printf("fw_cfg: signature '%s'\n", sig);
    rt_printf("fw_cfg: id 0x%x\n", id);
    rt_printf("fw_cfg: nb_cpus %u max_cpus %u\n", nb_cpus, max_cpus);
    rt_printf("fw_cfg: ram_size 0x%llx\n", ram_size);
    rt_printf("fw_cfg: those reads took %u instructions\n", insns);
    rt_printf("fw_cfg: nographic %u boot_menu %u\n", (unsigned)fw_cfg_read_int(FW_CFG_NOGRAPHIC, 2),
              (unsigned)fw_cfg_read_int(FW_CFG_BOOT_MENU, 2));
    rt_printf("fw_cfg: irq0_override %u\n", (unsigned)fw_cfg_read_int(FW_CFG_IRQ0_OVERRIDE, 4));
    fw_cfg_select(FW_CFG_UUID);
    fw_cfg_read(buf, 16);
    rt_puts("fw_cfg: uuid\n");
    dump(buf, 16);
    fw_cfg_select(FW_CFG_NUMA);
    fw_cfg_read(buf, 24);
    rt_puts("fw_cfg: numa\n");
    dump(buf, 24);
    /* Past an item's end and for an unknown key, the data port reads 0. */
    fw_cfg_select(FW_CFG_SIGNATURE);
    fw_cfg_read(buf, 8);
    rt_puts("fw_cfg: signature read 8\n");
    dump(buf, 8);
    rt_printf("fw_cfg: key 0x3fff reads 0x%x\n", (uint32_t)fw_cfg_read_int(0x3fff, 4));
    fw_cfg_select(FW_CFG_SIGNATURE);
    rt_printf("fw_cfg: a byte read of port 0x510 reads data: 0x%x\n", inb(FW_CFG_PORT_SEL));
    uint16_t word;
    __asm__ volatile("inw %1, %0" : "=a"(word) : "Nd"((uint16_t)FW_CFG_PORT_SEL));
    rt_printf("fw_cfg: a word read of port 0x510 reads 0x%x\n", word);

    static const char *const files[] = {"etc/e820", "bootorder", "etc/boot-fail-wait", "bios-geometry"};
    for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++) {
        uint32_t size = 0;
        uint16_t sel = fw_cfg_find_file(files[i], &size);
        if (!sel) {
            rt_printf("fw_cfg: '%s' absent\n", files[i]);
            continue;
        }
        fw_cfg_select(sel);
        fw_cfg_read(buf, size < sizeof buf ? size : sizeof buf);
        rt_printf("fw_cfg: '%s' %u bytes%s\n", files[i], size, size ? ":" : "");
        if (size)
            dump(buf, size < 64 ? size : 64);
    }

    /* DMA: the signature register, then the same items again. */
    uint32_t hi, lo;
    __asm__ volatile("inl %1, %0" : "=a"(hi) : "Nd"((uint16_t)FW_CFG_PORT_DMA));
    __asm__ volatile("inl %1, %0" : "=a"(lo) : "Nd"((uint16_t)(FW_CFG_PORT_DMA + 4)));
    rt_printf("fw_cfg: dma registers read 0x%08x 0x%08x\n", hi, lo);
    memset(buf, 0xee, 16);
    uint32_t c = dma_run(DMA_CTL_SELECT | DMA_CTL_READ | (FW_CFG_SIGNATURE << 16), buf, 8);
    rt_printf("fw_cfg: dma signature control 0x%x\n", c);
    dump(buf, 10);
    c = dma_run(DMA_CTL_SELECT | DMA_CTL_SKIP | (FW_CFG_RAM_SIZE << 16), 0, 2);
    c |= dma_run(DMA_CTL_READ, buf, 4);
    rt_printf("fw_cfg: dma skip 2 then read 4 of ram_size: control 0x%x\n", c);
    dump(buf, 4);
    c = dma_run(DMA_CTL_SELECT | 0x10 | (FW_CFG_RAM_SIZE << 16), buf, 4);
    rt_printf("fw_cfg: dma write control 0x%x\n", c);
    c = dma_run(DMA_CTL_SELECT | (FW_CFG_RAM_SIZE << 16), buf, 4);
    rt_printf("fw_cfg: dma no-op control 0x%x\n", c);
    rt_exit(0);
}
