/* Proves the MC146818 RTC behind CMOS ports 0x70/0x71 without printing the host's time: the
 * guest waits for register A's update-in-progress bit to clear, reads seconds to year (0, 2, 4,
 * 6, 7, 8, 9) until two reads agree, checks that every field is valid BCD and in range, switches
 * register B to binary, reads again and checks that both forms give the same time (or the next
 * second), and switches back. Then it sets a 1024 Hz periodic rate (register A = 0x26), enables
 * the periodic interrupt (register B PIE), receives 16 interrupts on IRQ 8 through the slave
 * 8259 in HLT, checks register C shows IRQF|PF for each, and turns PIE off. Prints only these
 * checks. Exits with code 0. */
#include "rt.h"

#define RTC_SEC 0x00
#define RTC_MIN 0x02
#define RTC_HOUR 0x04
#define RTC_DOW 0x06
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_A 0x0a
#define RTC_B 0x0b
#define RTC_C 0x0c
#define RTC_D 0x0d
#define RTC_CENTURY 0x32
#define A_UIP 0x80
#define B_PIE 0x40
#define B_DM_BINARY 0x04
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define D_VRT 0x80
#define RTC_IRQ 8
#define RATE_1024HZ 0x26 /* divider 010 (32.768 kHz), rate 6 */
#define PERIODIC_WANTED 16

struct rtc_time {
    uint8_t sec, min, hour, dow, day, month, year;
};

static const uint8_t time_regs[7] = {RTC_SEC, RTC_MIN, RTC_HOUR, RTC_DOW, RTC_DAY, RTC_MONTH, RTC_YEAR};

static void read_raw(struct rtc_time *t)
{
    uint8_t *f = &t->sec;
    for (unsigned i = 0; i < 7; i++)
        f[i] = cmos_read(time_regs[i]);
}

static int same(const struct rtc_time *a, const struct rtc_time *b)
{
    const uint8_t *x = &a->sec, *y = &b->sec;
    for (unsigned i = 0; i < 7; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

/* Waits out an update in progress, then reads until two consecutive reads agree. */
static void read_stable(struct rtc_time *t)
{
    struct rtc_time again;
    do {
        while (cmos_read(RTC_A) & A_UIP)
            ;
        read_raw(t);
        read_raw(&again);
    } while (!same(t, &again));
}

static int bcd_ok(uint8_t v) { return (v & 0x0f) <= 9 && (v >> 4) <= 9; }
static uint8_t from_bcd(uint8_t v) { return (uint8_t)((v >> 4) * 10 + (v & 0x0f)); }

static int plausible(const struct rtc_time *t)
{
    return t->sec < 60 && t->min < 60 && t->hour < 24 && t->dow >= 1 && t->dow <= 7 &&
           t->day >= 1 && t->day <= 31 && t->month >= 1 && t->month <= 12 && t->year <= 99;
}

static uint32_t seconds_of_day(const struct rtc_time *t)
{
    return (uint32_t)t->hour * 3600 + (uint32_t)t->min * 60 + t->sec;
}

static volatile uint32_t periodic;
static volatile uint32_t periodic_bad_c;

static void rtc_irq(struct int_frame *frame)
{
    (void)frame;
    /* Reading C acknowledges the interrupt; until then the RTC raises no other. */
    uint8_t c = cmos_read(RTC_C);
    if ((c & (C_IRQF | C_PF)) != (C_IRQF | C_PF))
        periodic_bad_c++;
    periodic++;
}

void guest_main(void)
{
    rt_puts("rtc: MC146818 at CMOS 0x70/0x71\n");
    uint8_t a = cmos_read(RTC_A), b = cmos_read(RTC_B), d = cmos_read(RTC_D);
    rt_printf("rtc: register A 0x%02x (UIP masked), B 0x%02x, D.VRT %u\n", a & 0x7f, b,
              (d & D_VRT) ? 1 : 0);

    struct rtc_time bcd, bin, bcd2;
    read_stable(&bcd);
    int all_bcd = 1;
    const uint8_t *f = &bcd.sec;
    for (unsigned i = 0; i < 7; i++)
        all_bcd &= bcd_ok(f[i]);
    struct rtc_time dec = bcd;
    uint8_t *g = &dec.sec;
    for (unsigned i = 0; i < 7; i++)
        g[i] = from_bcd(g[i]);
    uint8_t century = cmos_read(RTC_CENTURY);
    rt_printf("rtc: BCD fields valid: %s\n", all_bcd ? "yes" : "no");
    rt_printf("rtc plausible: %s\n", all_bcd && plausible(&dec) ? "yes" : "no");
    rt_printf("rtc: century register valid BCD >= 20: %s\n",
              bcd_ok(century) && century >= 0x20 ? "yes" : "no");

    cmos_write(RTC_B, b | B_DM_BINARY);
    read_stable(&bin);
    cmos_write(RTC_B, b);
    read_stable(&bcd2);
    struct rtc_time dec2 = bcd2;
    g = &dec2.sec;
    for (unsigned i = 0; i < 7; i++)
        g[i] = from_bcd(g[i]);
    /* The binary read lies between the two BCD reads; allow a minute rollover in between by
     * comparing the date too only when the seconds of the day agree with one of them. */
    int consistent = plausible(&bin) &&
                     ((same(&bin, &dec) || same(&bin, &dec2)) ||
                      (seconds_of_day(&bin) >= seconds_of_day(&dec) &&
                       seconds_of_day(&bin) <= seconds_of_day(&dec2)));
    rt_printf("rtc: binary mode agrees with BCD mode: %s\n", consistent ? "yes" : "no");
    rt_printf("rtc: register B restored: %s\n", cmos_read(RTC_B) == b ? "yes" : "no");

    cmos_read(RTC_C); /* drop any flag raised before */
    rt_set_handler(VEC_IRQ0 + RTC_IRQ, rtc_irq);
    rt_pic_unmask(RTC_IRQ);
    cmos_write(RTC_A, RATE_1024HZ);
    cmos_write(RTC_B, b | B_PIE);
    while (periodic < PERIODIC_WANTED)
        halt_until_interrupt();
    cmos_write(RTC_B, b);
    rt_pic_mask(RTC_IRQ);
    cmos_read(RTC_C);
    rt_printf("rtc: periodic interrupts at 1024 Hz: %u received, C=IRQF|PF each time: %s\n",
              (unsigned)periodic, periodic_bad_c ? "no" : "yes");
    rt_exit(0);
}
