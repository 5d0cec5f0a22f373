/* A minimal virtio-mmio driver for the virtio test guests, written from the virtio 1.x
 * specification: finds a device by id among the 32 slots of `-M virt`, negotiates features
 * (legacy or modern, whichever the transport presents), sets up split queues of 8 entries and
 * waits for used buffers with WFI and the device's interrupt masked at the CPU. */
#ifndef VIRTIO_DRV_H
#define VIRTIO_DRV_H

#include <stdint.h>

#define VQ_SIZE 8

struct vq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

#define VQ_F_NEXT 1
#define VQ_F_WRITE 2
#define VQ_F_INDIRECT 4

struct vq {
    volatile struct vq_desc *desc;
    volatile uint16_t *avail; /* flags, idx, ring[] */
    volatile uint32_t *used;  /* flags|idx, then {id, len} pairs */
    uint16_t next_avail;
    uint16_t last_used;
};

struct vdev {
    uintptr_t base;
    unsigned slot;
    uint32_t version;
};

/* The nth device (0: first) with `device_id`, scanning slots from 0x0a000000 up; 0 if none. */
int virtio_find(uint32_t device_id, unsigned nth, struct vdev *out);
/* Reset, ACKNOWLEDGE, DRIVER, features (the device's bits in `wanted`, plus VERSION_1 on a
 * modern transport), FEATURES_OK. Returns the negotiated low 32 feature bits, or -1. */
int64_t virtio_start(struct vdev *d, uint32_t wanted);
/* Queue q in `mem` (8 KiB, page-aligned). */
void virtio_queue(struct vdev *d, unsigned q, struct vq *vq, void *mem);
void virtio_driver_ok(struct vdev *d);
/* Makes the chain at `head` available and notifies the device. */
void virtio_submit(struct vdev *d, unsigned q, struct vq *vq, uint16_t head);
/* Waits for the next used buffer; returns its id and stores its length. */
uint32_t virtio_wait(struct vdev *d, struct vq *vq, uint32_t *len);
/* Whether a used buffer is waiting (without waiting). */
int virtio_has_used(struct vq *vq);
uint32_t virtio_status(struct vdev *d);
uint8_t virtio_config8(struct vdev *d, unsigned off);

#endif
