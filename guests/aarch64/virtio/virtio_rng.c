/* virtio-rng: asks for random bytes in buffers of several sizes and prints whether each was
 * filled and whether the bytes vary; then their checksum, which differs from run to run (and
 * from QEMU's) but must be the same in every replay of one recording. */
#include "rt.h"
#include "virtio_drv.h"

static uint8_t ring[8192] __attribute__((aligned(4096)));
static uint8_t buf[4096];
static struct vdev dev;
static struct vq vq;

void guest_main(void)
{
    if (!virtio_find(4, 0, &dev)) {
        rt_puts("virtio_rng: no entropy device\n");
        semi_exit_extended(2);
    }
    if (virtio_start(&dev, 0) < 0)
        semi_exit_extended(3);
    virtio_queue(&dev, 0, &vq, ring);
    virtio_driver_ok(&dev);
    static const uint32_t sizes[] = {1, 16, 64, 256, 1000, 4096};
    uint32_t total = 0, hash = FNV1A_INIT;
    unsigned flat = 0;
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
        memset(buf, 0, sizeof buf);
        vq.desc[0] = (struct vq_desc){(uintptr_t)buf, sizes[i], VQ_F_WRITE, 0};
        virtio_submit(&dev, 0, &vq, 0);
        uint32_t len = 0;
        virtio_wait(&dev, &vq, &len);
        unsigned same = 1;
        for (uint32_t k = 1; k < len; ++k)
            same &= buf[k] == buf[0];
        for (uint32_t k = 0; k < len; ++k)
            hash = fnv1a_step(hash, buf[k]);
        flat += len >= 16 && same;
        total += len;
        rt_printf("request of %u bytes: %s\n", sizes[i], len > 0 && len <= sizes[i] ? "filled" : "bad length");
    }
    rt_printf("virtio_rng: %s\n", flat ? "bytes look constant" : "bytes vary");
    rt_printf("entropy checksum %x (differs from run to run, the same in every replay)\n", hash);
    semi_exit_extended(flat ? 1 : 0);
}
