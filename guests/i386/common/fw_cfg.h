/* QEMU's fw_cfg on `-M pc`: selector port 0x510 (16-bit writes), data port 0x511 (byte reads),
 * DMA address registers at 0x514 (high) and 0x518 (low, which starts the transfer). Items are
 * little-endian integers or byte strings; the file directory and DMA descriptors are big-endian. */
#ifndef RR_GUEST_I386_FW_CFG_H
#define RR_GUEST_I386_FW_CFG_H

#include "rt.h"

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_PORT_DMA 0x514

enum {
    FW_CFG_SIGNATURE = 0x00,
    FW_CFG_ID = 0x01,
    FW_CFG_UUID = 0x02,
    FW_CFG_RAM_SIZE = 0x03,
    FW_CFG_NOGRAPHIC = 0x04,
    FW_CFG_NB_CPUS = 0x05,
    FW_CFG_MACHINE_ID = 0x06,
    FW_CFG_NUMA = 0x0d,
    FW_CFG_BOOT_MENU = 0x0e,
    FW_CFG_MAX_CPUS = 0x0f,
    FW_CFG_FILE_DIR = 0x19,
    FW_CFG_FILE_FIRST = 0x20,
    FW_CFG_IRQ0_OVERRIDE = 0x8002,
};

struct fw_cfg_file {
    uint32_t size; /* big-endian */
    uint16_t select; /* big-endian */
    uint16_t reserved;
    char name[56];
};

static inline uint32_t fw_cfg_be32(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}
static inline uint16_t fw_cfg_be16(uint16_t v) { return (uint16_t)((v >> 8) | (v << 8)); }

static inline void fw_cfg_select(uint16_t key) { outw(FW_CFG_PORT_SEL, key); }

static inline void fw_cfg_read(void *buf, uint32_t len)
{
    uint8_t *p = buf;
    while (len--)
        *p++ = inb(FW_CFG_PORT_DATA);
}

/* Selects KEY and reads the first LEN (<= 8) bytes as a little-endian integer. */
static inline uint64_t fw_cfg_read_int(uint16_t key, unsigned len)
{
    uint8_t b[8] = {0};
    fw_cfg_select(key);
    fw_cfg_read(b, len);
    uint64_t v = 0;
    while (len--)
        v = (v << 8) | b[len];
    return v;
}

/* Looks NAME up in the file directory: its selector and size, or 0 if absent. */
static inline uint16_t fw_cfg_find_file(const char *name, uint32_t *size)
{
    uint32_t count;
    fw_cfg_select(FW_CFG_FILE_DIR);
    fw_cfg_read(&count, 4);
    count = fw_cfg_be32(count);
    for (uint32_t i = 0; i < count; i++) {
        struct fw_cfg_file f;
        fw_cfg_read(&f, sizeof f);
        if (strcmp(f.name, name) == 0) {
            *size = fw_cfg_be32(f.size);
            return fw_cfg_be16(f.select);
        }
    }
    return 0;
}

#endif
