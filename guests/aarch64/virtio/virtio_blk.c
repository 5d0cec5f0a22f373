/* virtio-blk: reads the whole disk and prints its size and checksum, reads its id, writes a
 * pattern over sectors 8..15, flushes, reads them back and checks them, and prints the
 * checksum of the disk as it is now. With BLK_BULK it instead reads the whole disk ROUNDS
 * times in 64 KiB requests and rewrites its first half once (the replay speed benchmark).
 * Exits through semihosting with 0 when every request succeeded. */
#include "rt.h"
#include "virtio_drv.h"

#define SECTOR 512u
#define CHUNK (64u * 1024u)

struct blk_header {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

static uint8_t ring[8192] __attribute__((aligned(4096)));
static uint8_t buf[CHUNK] __attribute__((aligned(16)));
static struct blk_header header;
static volatile uint8_t status;
static struct vdev dev;
static struct vq vq;
static unsigned failures;

/* One request: header, data (device-writable for reads and get-id), status. */
static uint8_t request(uint32_t type, uint64_t sector, void *data, uint32_t len)
{
    header.type = type;
    header.reserved = 0;
    header.sector = sector;
    status = 0xff;
    int in = type == 0 || type == 8;
    vq.desc[0] = (struct vq_desc){(uintptr_t)&header, sizeof header, VQ_F_NEXT, 1};
    uint16_t last = 1;
    if (len) {
        vq.desc[1] = (struct vq_desc){(uintptr_t)data, len, (uint16_t)(VQ_F_NEXT | (in ? VQ_F_WRITE : 0)), 2};
        last = 2;
    } else {
        vq.desc[0].next = 2;
        last = 2;
    }
    vq.desc[last] = (struct vq_desc){(uintptr_t)&status, 1, VQ_F_WRITE, 0};
    virtio_submit(&dev, 0, &vq, 0);
    virtio_wait(&dev, &vq, 0);
    if (status != 0)
        failures++;
    return status;
}

static uint32_t checksum_disk(uint64_t sectors)
{
    uint32_t h = FNV1A_INIT;
    for (uint64_t s = 0; s < sectors; s += CHUNK / SECTOR) {
        uint32_t n = sectors - s < CHUNK / SECTOR ? (uint32_t)(sectors - s) * SECTOR : CHUNK;
        request(0, s, buf, n);
        for (uint32_t i = 0; i < n; ++i)
            h = fnv1a_step(h, buf[i]);
    }
    return h;
}

void guest_main(void)
{
    if (!virtio_find(2, 0, &dev)) {
        rt_puts("virtio_blk: no block device\n");
        semi_exit_extended(2);
    }
    int64_t features = virtio_start(&dev, 1u << 9 /* FLUSH */);
    if (features < 0) {
        rt_puts("virtio_blk: features refused\n");
        semi_exit_extended(3);
    }
    virtio_queue(&dev, 0, &vq, ring);
    virtio_driver_ok(&dev);
    uint64_t sectors = 0;
    for (unsigned i = 0; i < 8; ++i)
        sectors |= (uint64_t)virtio_config8(&dev, i) << (8 * i);
    rt_printf("virtio_blk: %lu sectors, flush %s\n", sectors, (features >> 9) & 1 ? "yes" : "no");
#ifdef BLK_BULK
    for (unsigned round = 0; round < BLK_BULK; ++round)
        rt_printf("round %u: checksum %x\n", round, checksum_disk(sectors));
    for (uint64_t s = 0; s < sectors / 2; s += CHUNK / SECTOR) {
        for (uint32_t i = 0; i < CHUNK; ++i)
            buf[i] = (uint8_t)(s + i);
        request(1, s, buf, CHUNK);
    }
    rt_printf("rewritten: checksum %x\n", checksum_disk(sectors));
#else
    rt_printf("disk checksum %x\n", checksum_disk(sectors));
    char id[21] = {0};
    request(8, 0, id, 20);
    rt_printf("id '%s'\n", id);
    for (uint32_t i = 0; i < 8 * SECTOR; ++i)
        buf[i] = (uint8_t)(i * 13 + 5);
    request(1, 8, buf, 8 * SECTOR);
    request(4, 0, 0, 0);
    memset(buf, 0, 8 * SECTOR);
    request(0, 8, buf, 8 * SECTOR);
    unsigned bad = 0;
    for (uint32_t i = 0; i < 8 * SECTOR; ++i)
        bad += buf[i] != (uint8_t)(i * 13 + 5);
    rt_printf("write, flush, read back: %u bytes differ\n", bad);
    /* A read past the end fails with an I/O error. */
    uint8_t err = request(0, sectors, buf, SECTOR);
    failures -= err != 0;
    rt_printf("read past the end: status %u\n", err);
    rt_printf("disk checksum now %x\n", checksum_disk(sectors));
    failures += bad != 0;
#endif
    rt_printf("virtio_blk: %u failures\n", failures);
    semi_exit_extended(failures ? 1 : 0);
}
