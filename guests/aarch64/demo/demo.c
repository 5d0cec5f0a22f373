/* The demo guest of the README: a banner, a little computation, the virtual counter, done. */
#include "rt.h"

#define BUF_SIZE 4096

static uint8_t buf[BUF_SIZE];

/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bit at a time. */
static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return ~crc;
}

void guest_main(void)
{
    rt_puts("rr-emu demo guest (AArch64, -M virt)\n");
    uint32_t x = 12345;
    for (size_t i = 0; i < BUF_SIZE; i++) {
        x = x * 1103515245u + 12345u; /* a fixed LCG, so the buffer is the same every run */
        buf[i] = (uint8_t)(x >> 16);
    }
    rt_printf("crc32 of %u pseudo-random bytes: 0x%08x\n", BUF_SIZE, crc32(buf, BUF_SIZE));
    rt_printf("crc32(\"123456789\") = 0x%08x\n", crc32((const uint8_t *)"123456789", 9));
    rt_printf("CNTVCT_EL0 = %lu\n", read_cntvct());
    rt_puts("demo done\n");
}
