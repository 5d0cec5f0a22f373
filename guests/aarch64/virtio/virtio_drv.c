#include "virtio_drv.h"

#include "rt.h"

#define REG(d, off) (*(volatile uint32_t *)((d)->base + (off)))

enum {
    MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014,
    DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024, GUEST_PAGE_SIZE = 0x028, QUEUE_SEL = 0x030,
    QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_ALIGN = 0x03c, QUEUE_PFN = 0x040, QUEUE_READY = 0x044,
    QUEUE_NOTIFY = 0x050, INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070,
    QUEUE_DESC_LOW = 0x080, QUEUE_DESC_HIGH = 0x084, QUEUE_DRIVER_LOW = 0x090, QUEUE_DRIVER_HIGH = 0x094,
    QUEUE_DEVICE_LOW = 0x0a0, QUEUE_DEVICE_HIGH = 0x0a4, CONFIG = 0x100,
};

static void barrier(void) { __asm__ volatile("dmb sy" : : : "memory"); }

int virtio_find(uint32_t device_id, unsigned nth, struct vdev *out)
{
    for (unsigned slot = 0; slot < 32; ++slot) {
        struct vdev d = {0x0a000000ul + 0x200ul * slot, slot, 0};
        if (REG(&d, MAGIC) != 0x74726976 || REG(&d, DEVICE_ID) != device_id)
            continue;
        if (nth-- != 0)
            continue;
        d.version = REG(&d, VERSION);
        *out = d;
        /* Its SPI (16 + slot) is forwarded to the CPU; the CPU keeps IRQs masked and WFI wakes. */
        gic_init();
        gic_enable_irq(32 + 16 + slot);
        return 1;
    }
    return 0;
}

int64_t virtio_start(struct vdev *d, uint32_t wanted)
{
    REG(d, STATUS) = 0;
    REG(d, STATUS) = 1;
    REG(d, STATUS) = 1 | 2;
    REG(d, DEVICE_FEATURES_SEL) = 0;
    uint32_t features = REG(d, DEVICE_FEATURES) & wanted;
    REG(d, DRIVER_FEATURES_SEL) = 0;
    REG(d, DRIVER_FEATURES) = features;
    if (d->version == 2) {
        REG(d, DEVICE_FEATURES_SEL) = 1;
        uint32_t high = REG(d, DEVICE_FEATURES) & 1; /* VIRTIO_F_VERSION_1 */
        REG(d, DRIVER_FEATURES_SEL) = 1;
        REG(d, DRIVER_FEATURES) = high;
        REG(d, STATUS) = 1 | 2 | 8;
        if (!(REG(d, STATUS) & 8))
            return -1;
    } else {
        REG(d, GUEST_PAGE_SIZE) = 4096;
    }
    return features;
}

void virtio_queue(struct vdev *d, unsigned q, struct vq *vq, void *mem)
{
    uint8_t *m = mem;
    memset(m, 0, 8192);
    REG(d, QUEUE_SEL) = q;
    REG(d, QUEUE_NUM) = VQ_SIZE;
    vq->desc = (volatile struct vq_desc *)m;
    vq->next_avail = 0;
    vq->last_used = 0;
    if (d->version == 2) {
        vq->avail = (volatile uint16_t *)(m + 0x100);
        vq->used = (volatile uint32_t *)(m + 0x1000);
        uintptr_t a = (uintptr_t)vq->desc, b = (uintptr_t)vq->avail, c = (uintptr_t)vq->used;
        REG(d, QUEUE_DESC_LOW) = (uint32_t)a;
        REG(d, QUEUE_DESC_HIGH) = (uint32_t)(a >> 32);
        REG(d, QUEUE_DRIVER_LOW) = (uint32_t)b;
        REG(d, QUEUE_DRIVER_HIGH) = (uint32_t)(b >> 32);
        REG(d, QUEUE_DEVICE_LOW) = (uint32_t)c;
        REG(d, QUEUE_DEVICE_HIGH) = (uint32_t)(c >> 32);
        REG(d, QUEUE_READY) = 1;
    } else {
        /* Legacy layout: descriptors, the available ring after them, the used ring on the
         * next QueueAlign (4096) boundary. */
        vq->avail = (volatile uint16_t *)(m + 16 * VQ_SIZE);
        vq->used = (volatile uint32_t *)(m + 4096);
        REG(d, QUEUE_ALIGN) = 4096;
        REG(d, QUEUE_PFN) = (uint32_t)((uintptr_t)m / 4096);
    }
}

void virtio_driver_ok(struct vdev *d) { REG(d, STATUS) = REG(d, STATUS) | 4; }

uint32_t virtio_status(struct vdev *d) { return REG(d, STATUS); }

uint8_t virtio_config8(struct vdev *d, unsigned off) { return *(volatile uint8_t *)(d->base + CONFIG + off); }

void virtio_submit(struct vdev *d, unsigned q, struct vq *vq, uint16_t head)
{
    vq->avail[2 + vq->next_avail % VQ_SIZE] = head;
    barrier();
    vq->next_avail++;
    vq->avail[1] = vq->next_avail;
    barrier();
    REG(d, QUEUE_NOTIFY) = q;
}

int virtio_has_used(struct vq *vq)
{
    barrier();
    return (uint16_t)(vq->used[0] >> 16) != vq->last_used;
}

uint32_t virtio_wait(struct vdev *d, struct vq *vq, uint32_t *len)
{
    irq_mask();
    while (!virtio_has_used(vq))
        __asm__ volatile("wfi");
    REG(d, INTERRUPT_ACK) = REG(d, INTERRUPT_STATUS);
    unsigned i = vq->last_used % VQ_SIZE;
    uint32_t id = vq->used[1 + 2 * i];
    if (len)
        *len = vq->used[2 + 2 * i];
    vq->last_used++;
    return id;
}
