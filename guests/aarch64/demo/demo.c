/* The demo guest of the README: a banner, a little computation, then a tiny line service on the
 * serial port. Each line it receives is answered with its length and CRC-32; EOT (Ctrl-D) or
 * 50 ms of virtual time without input ends the session. Input arrives by PL011 RX interrupt
 * and the guest sleeps in WFI between bytes, with the virtual timer as the idle timeout: the
 * inputs a recording captures and a replay re-delivers at the same instruction. */
#include "line_service.h"
#include "rt.h"

#define BUF_SIZE 4096
#define RTC_DR (*(volatile uint32_t *)0x09010000ul)

static uint8_t buf[BUF_SIZE];
static unsigned lines;

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

static void answer(const char *line, unsigned len)
{
    lines++;
    rt_printf("line %u: %u bytes, crc32 0x%08x\n", lines, len, crc32((const uint8_t *)line, len));
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
    /* The RTC starts from the host clock: plausible, but different in every recording. */
    rt_printf("RTC after 2020: %s\n", RTC_DR > 1577836800u ? "yes" : "no");

    rt_puts("send lines; EOT or 50 ms of silence ends\n");
    int by_eot = serve_lines(answer);
    rt_printf("%u lines, %s\n", lines, by_eot ? "ended by EOT" : "ended by the idle timeout");
    rt_puts("demo done\n");
}
