/* PCI and IDE on `-M pc`: lists the i440FX/PIIX3 functions through configuration mechanism #1
 * (IDs, class, command, the IDE bus-master BAR as the firmware left it and as it sizes, the
 * PIIX IDE timing registers), then drives the primary master disk through the PIIX3 IDE ports:
 * software reset and signature, an absent slave and an empty secondary channel, IDENTIFY, PIO
 * reads (LBA28, LBA48, CHS, MULTIPLE), PIO writes with FLUSH CACHE read back, errors (past the end, an
 * unknown command), the IRQ 14 path with nIEN clear, and bus-master DMA reads and writes
 * through a descriptor table. Prints what it finds, then a checksum of the whole disk. The
 * disk is the test's image; QEMU runs it as -drive if=ide,index=0. Exits with code 0. */
#include "rt.h"

#define SECTOR 512
#define ATA_DATA 0x1f0
#define ATA_ERROR 0x1f1
#define ATA_FEATURES 0x1f1
#define ATA_COUNT 0x1f2
#define ATA_LBA0 0x1f3
#define ATA_LBA1 0x1f4
#define ATA_LBA2 0x1f5
#define ATA_DEVICE 0x1f6
#define ATA_STATUS 0x1f7
#define ATA_COMMAND 0x1f7
#define ATA_CONTROL 0x3f6
#define ST_BSY 0x80
#define ST_DRQ 0x08
#define ST_ERR 0x01
#define CTL_NIEN 0x02
#define CTL_SRST 0x04
#define CTL_HOB 0x80

static uint8_t wait_not_busy(void)
{
    uint8_t st;
    unsigned spins = 0;
    while ((st = inb(ATA_CONTROL)) & ST_BSY)
        if (++spins > 10000000) {
            rt_printf("timeout, status %02x\n", st);
            rt_exit(3);
        }
    return inb(ATA_STATUS);
}

static void task_file(uint8_t device, uint8_t count, uint32_t lba)
{
    outb(ATA_DEVICE, device);
    outb(ATA_COUNT, count);
    outb(ATA_LBA0, lba & 0xff);
    outb(ATA_LBA1, (lba >> 8) & 0xff);
    outb(ATA_LBA2, (lba >> 16) & 0xff);
}

static uint8_t sector_buf[64 * SECTOR] __attribute__((aligned(4096)));

/* Reads COUNT sectors by PIO after a command was issued; returns the final status. */
static uint8_t pio_in(unsigned count, uint8_t *out)
{
    for (unsigned s = 0; s < count; s++) {
        uint8_t st = wait_not_busy();
        if (!(st & ST_DRQ))
            return st;
        for (unsigned i = 0; i < SECTOR / 2; i++) {
            uint16_t w = inw(ATA_DATA);
            out[s * SECTOR + 2 * i] = w & 0xff;
            out[s * SECTOR + 2 * i + 1] = w >> 8;
        }
    }
    return wait_not_busy();
}

static uint8_t pio_out(unsigned count, const uint8_t *in)
{
    for (unsigned s = 0; s < count; s++) {
        uint8_t st = wait_not_busy();
        if (!(st & ST_DRQ))
            return st;
        for (unsigned i = 0; i < SECTOR / 2; i++)
            outw(ATA_DATA, in[s * SECTOR + 2 * i] | in[s * SECTOR + 2 * i + 1] << 8);
    }
    return wait_not_busy();
}

static uint32_t fnv(const uint8_t *p, uint32_t n)
{
    uint32_t h = FNV1A_INIT;
    for (uint32_t i = 0; i < n; i++)
        h = fnv1a_step(h, p[i]);
    return h;
}

static void print_string(const char *label, const uint8_t *id, unsigned word, unsigned words)
{
    rt_printf("%s \"", label);
    for (unsigned i = 0; i < 2 * words; i++)
        rt_putc((char)id[2 * word + (i ^ 1)]);
    rt_puts("\"\n");
}

static uint16_t word(const uint8_t *id, unsigned w) { return id[2 * w] | id[2 * w + 1] << 8; }

static volatile unsigned irqs;
static void on_irq14(struct int_frame *f)
{
    (void)f;
    irqs++;
    inb(ATA_STATUS); /* acknowledges the drive's interrupt */
}

struct prd {
    uint32_t addr;
    uint32_t count; /* bit 31: the last */
};
static struct prd prds[4] __attribute__((aligned(64)));

static uint16_t bm;

/* Until the bus-master engine is done: the drive is not busy while its DMA command runs. */
static void wait_dma(void)
{
    unsigned spins = 0;
    while ((inb(bm + 2) & 0x01) && !(inb(bm + 2) & 0x04) && ++spins < 10000000)
        ;
}

/* A DMA command (0xc8 read, 0xca write) of COUNT sectors at LBA through the descriptors set. */
static uint8_t dma(uint8_t command, uint32_t lba, uint8_t count, int to_memory)
{
    outl(bm + 4, (uint32_t)prds);
    outb(bm + 2, 0x06); /* clear error and interrupt */
    outb(bm, to_memory ? 0x08 : 0x00);
    task_file(0xe0 | ((lba >> 24) & 0x0f), count, lba);
    outb(ATA_COMMAND, command);
    outb(bm, (to_memory ? 0x08 : 0x00) | 0x01);
    wait_dma();
    uint8_t st = wait_not_busy();
    rt_printf("  bus master status %02x, drive status %02x\n", inb(bm + 2), st);
    outb(bm, 0x00);
    return st;
}

void guest_main(void)
{
    /* The PCI functions. */
    outl(0xcf8, 0x12345678);
    rt_printf("CONFIG_ADDRESS reads back %x\n", inl(0xcf8));
    outl(0xcf8, 0x00000000);
    rt_printf("with the enable bit clear: %x\n", inl(0xcfc));
    for (unsigned dev = 0; dev < 32; dev++) {
        unsigned functions = dev == 1 ? 3 : 1; /* QEMU's 00:01.3 (PIIX4 PM) is not compared */
        for (unsigned fn = 0; fn < functions; fn++) {
            uint32_t id = pci_read(dev, fn, 0);
            if (id == 0xffffffffu)
                continue;
            rt_printf("00:%02x.%u %04x:%04x class %06x rev %02x header %02x command %04x status %04x "
                      "subsystem %08x irq line %02x pin %02x\n",
                      dev, fn, id & 0xffff, id >> 16, pci_read(dev, fn, 8) >> 8, pci_read(dev, fn, 8) & 0xff,
                      (pci_read(dev, fn, 0x0c) >> 16) & 0xff, pci_read(dev, fn, 4) & 0xffff,
                      pci_read(dev, fn, 4) >> 16, pci_read(dev, fn, 0x2c), pci_read(dev, fn, 0x3c) & 0xff,
                      (pci_read(dev, fn, 0x3c) >> 8) & 0xff);
        }
    }
    rt_printf("00:1f.0 reads %x\n", pci_read(31, 0, 0));
    uint32_t bar4 = pci_read(1, 1, 0x20);
    rt_printf("ide: BAR0-3 %x %x %x %x, BAR4 %x, IDETIM %x\n", pci_read(1, 1, 0x10), pci_read(1, 1, 0x14),
              pci_read(1, 1, 0x18), pci_read(1, 1, 0x1c), bar4, pci_read(1, 1, 0x40));
    pci_write(1, 1, 0x20, 0xffffffffu);
    rt_printf("ide: BAR4 sizes as %x\n", pci_read(1, 1, 0x20));
    pci_write(1, 1, 0x20, bar4);
    outb(0xcf9, 0x02);
    rt_printf("reset control reads %02x\n", inb(0xcf9));
    outb(0xcf9, 0x00);
    bm = bar4 & 0xfff0;
    pci_write(1, 1, 0x04, (pci_read(1, 1, 0x04) & 0xffff) | 0x05); /* I/O, bus master */

    /* Software reset and the signature. The master is selected first: under QEMU, SeaBIOS
       probes both drives on timers of its own and may leave either one selected, and SRST
       does not change the selection. */
    outb(ATA_DEVICE, 0xa0);
    outb(ATA_CONTROL, CTL_SRST | CTL_NIEN);
    outb(ATA_CONTROL, CTL_NIEN);
    uint8_t st = wait_not_busy();
    /* Status, error and LBA mid/high after SRST differ: QEMU 7.2 reads 00, 00, ff, ff here. */
    rt_printf("after reset: count %02x lba low %02x device %02x\n", inb(ATA_COUNT), inb(ATA_LBA0),
              inb(ATA_DEVICE));
    outb(ATA_DEVICE, 0xb0);
    rt_printf("slave: status %02x error %02x count %02x\n", inb(ATA_STATUS), inb(ATA_ERROR), inb(ATA_COUNT));
    outb(ATA_DEVICE, 0xa0);
    rt_printf("secondary: status %02x alternate %02x device %02x\n", inb(0x177), inb(0x376), inb(0x176));

    /* IDENTIFY. */
    static uint8_t id[SECTOR];
    outb(ATA_DEVICE, 0xa0);
    outb(ATA_COMMAND, 0xec);
    st = pio_in(1, id);
    rt_printf("identify: status %02x\n", st);
    print_string("  model", id, 27, 20);
    print_string("  serial", id, 10, 10);
    print_string("  firmware", id, 23, 4);
    static const unsigned words[] = {0, 1, 3, 6, 47, 48, 49, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 80, 82, 83,
                                     84, 85, 86, 87, 88, 93, 100, 101, 102, 103};
    for (unsigned i = 0; i < sizeof words / sizeof words[0]; i++)
        rt_printf("%s%u=%04x", i % 8 ? " " : "  ", words[i], word(id, words[i]));
    rt_puts("\n");
    uint32_t sectors = word(id, 60) | (uint32_t)word(id, 61) << 16;

    /* PIO reads. */
    task_file(0xe0, 8, 0);
    outb(ATA_COMMAND, 0x20);
    st = pio_in(8, sector_buf);
    rt_printf("read sectors 0-7: status %02x checksum %x\n", st, fnv(sector_buf, 8 * SECTOR));
    uint32_t first = fnv(sector_buf, SECTOR);
    task_file(0xa0, 1, 0x000001); /* CHS: cylinder 0, head 0, sector 1 */
    outb(ATA_COMMAND, 0x20);
    st = pio_in(1, sector_buf);
    rt_printf("CHS 0/0/1: status %02x, %s sector 0\n", st, fnv(sector_buf, SECTOR) == first ? "is" : "is not");
    outb(ATA_COUNT, 0);
    outb(ATA_LBA0, 0);
    outb(ATA_LBA1, 0);
    outb(ATA_LBA2, 0);
    task_file(0xe0, 2, 1000);
    outb(ATA_COMMAND, 0x24);
    st = pio_in(2, sector_buf);
    rt_printf("read sectors ext 1000-1001: status %02x checksum %x\n", st, fnv(sector_buf, 2 * SECTOR));
    uint32_t pio_1000 = fnv(sector_buf, 2 * SECTOR);
    task_file(0xe0, 20, 990);
    outb(ATA_COMMAND, 0xc4);
    st = pio_in(20, sector_buf);
    rt_printf("read multiple 990-1009: status %02x, sectors 1000-1001 %s\n", st,
              fnv(sector_buf + 10 * SECTOR, 2 * SECTOR) == pio_1000 ? "the same" : "different");
    outb(ATA_COUNT, 3);
    outb(ATA_COMMAND, 0xc6);
    st = wait_not_busy();
    rt_printf("set multiple 3: status %02x error %02x\n", st, inb(ATA_ERROR));

    /* PIO writes, flushed and read back. */
    for (unsigned i = 0; i < 4 * SECTOR; i++)
        sector_buf[i] = (uint8_t)(i * 7 + 3);
    uint32_t written = fnv(sector_buf, 4 * SECTOR);
    task_file(0xe0, 4, 100);
    outb(ATA_COMMAND, 0x30);
    st = pio_out(4, sector_buf);
    rt_printf("write sectors 100-103: status %02x\n", st);
    outb(ATA_COMMAND, 0xe7);
    rt_printf("flush cache: status %02x\n", wait_not_busy());
    memset(sector_buf, 0, 4 * SECTOR);
    task_file(0xe0, 4, 100);
    outb(ATA_COMMAND, 0x20);
    st = pio_in(4, sector_buf);
    rt_printf("read back: status %02x, %s\n", st, fnv(sector_buf, 4 * SECTOR) == written ? "same" : "different");

    /* Errors. */
    task_file(0xe0, 2, sectors - 1);
    outb(ATA_COMMAND, 0x20);
    st = pio_in(2, sector_buf);
    rt_printf("read across the end: status %02x error %02x\n", st, inb(ATA_ERROR));
    task_file(0xe0, 1, sectors);
    outb(ATA_COMMAND, 0x20);
    st = wait_not_busy();
    rt_printf("read past the end: status %02x error %02x\n", st, inb(ATA_ERROR));
    outb(ATA_COMMAND, 0xa1);
    st = wait_not_busy();
    rt_printf("identify packet device: status %02x error %02x\n", st, inb(ATA_ERROR));
    outb(ATA_FEATURES, 0x03);
    outb(ATA_COUNT, 0x0c);
    outb(ATA_COMMAND, 0xef);
    st = wait_not_busy();
    rt_printf("set features (transfer mode): status %02x error %02x\n", st, inb(ATA_ERROR));

    /* IRQ 14. */
    rt_set_handler(VEC_IRQ0 + 14, on_irq14);
    rt_pic_unmask(14);
    outb(ATA_CONTROL, 0);
    task_file(0xe0, 1, 5);
    irq_disable();
    outb(ATA_COMMAND, 0x20);
    while (irqs == 0)
        halt_until_interrupt();
    for (unsigned i = 0; i < SECTOR / 2; i++)
        inw(ATA_DATA);
    rt_printf("irq 14: %u interrupt(s) for a one-sector read, status %02x, bus master status %02x\n", irqs,
              inb(ATA_STATUS), inb(bm + 2));
    outb(ATA_CONTROL, CTL_NIEN);
    rt_pic_mask(14);

    /* Bus-master DMA: 16 sectors in two descriptors, compared with PIO; a write read back. */
    prds[0].addr = (uint32_t)sector_buf;
    prds[0].count = 4096;
    prds[1].addr = (uint32_t)sector_buf + 4096;
    prds[1].count = 4096 | 0x80000000u;
    memset(sector_buf, 0, 16 * SECTOR);
    st = dma(0xc8, 0, 16, 1);
    uint32_t by_dma = fnv(sector_buf, 16 * SECTOR);
    task_file(0xe0, 16, 0);
    outb(ATA_COMMAND, 0x20);
    pio_in(16, sector_buf);
    rt_printf("read dma 0-15: status %02x, %s PIO\n", st, fnv(sector_buf, 16 * SECTOR) == by_dma ? "same as" : "differs from");
    for (unsigned i = 0; i < 8 * SECTOR; i++)
        sector_buf[i] = (uint8_t)(i * 13 + 1);
    written = fnv(sector_buf, 8 * SECTOR);
    prds[0].count = 8 * SECTOR | 0x80000000u;
    st = dma(0xca, 200, 8, 0);
    memset(sector_buf, 0, 8 * SECTOR);
    task_file(0xe0, 8, 200);
    outb(ATA_COMMAND, 0x20);
    pio_in(8, sector_buf);
    rt_printf("write dma 200-207: status %02x, read back %s\n", st,
              fnv(sector_buf, 8 * SECTOR) == written ? "same" : "different");
    prds[0].count = 2 * SECTOR | 0x80000000u;
    st = dma(0xc8, 0, 4, 1);
    rt_printf("read dma with a short table: status %02x error %02x\n", st, inb(ATA_ERROR));

    /* The whole disk, 64 sectors at a time by DMA, each command awaited by IRQ 14 as drivers do:
     * a CPU polling the bus master in a tight loop keeps QEMU from completing the transfer
     * until the poll gives up, seconds later. */
    prds[0].count = 0x8000;
    prds[1].addr = (uint32_t)sector_buf + 0x8000;
    prds[1].count = 0x8000 | 0x80000000u;
    uint32_t h = FNV1A_INIT;
    rt_pic_unmask(14);
    outb(ATA_CONTROL, 0);
    for (uint32_t s = 0; s < sectors; s += 64) {
        uint32_t n = sectors - s < 64 ? sectors - s : 64;
        outl(bm + 4, (uint32_t)prds);
        outb(bm + 2, 0x06);
        outb(bm, 0x08);
        task_file(0xe0 | ((s >> 24) & 0x0f), (uint8_t)n, s);
        unsigned seen = irqs;
        irq_disable();
        outb(ATA_COMMAND, 0xc8);
        outb(bm, 0x09);
        while (irqs == seen)
            halt_until_interrupt();
        st = inb(ATA_STATUS); /* acknowledges the interrupt */
        outb(bm, 0x00);
        for (uint32_t i = 0; i < n * SECTOR; i++)
            h = fnv1a_step(h, sector_buf[i]);
    }
    rt_printf("disk: %u sectors, checksum %x, last status %02x\n", sectors, h, st);
}
