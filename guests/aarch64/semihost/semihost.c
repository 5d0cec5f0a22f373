/* Semihosting console, clocks and exit. The guest opens ":tt" for writing and for reading and
 * writes a line through SYS_WRITE; calls SYS_CLOCK, SYS_TIME, SYS_ELAPSED and SYS_TICKFREQ and
 * prints only what holds on every run (host time is not deterministic, but its plausibility and
 * direction are); then reads a line with SYS_READC, echoing it with SYS_WRITEC, and ends with
 * SYS_EXIT_EXTENDED whose exit code comes from that line: "exit N\n" exits with N (0-255), any
 * other line with 255. */
#include "rt.h"

#define OPEN_MODE_R 0 /* "r": on ":tt", the console's input */
#define OPEN_MODE_W 4 /* "w": on ":tt", the console's output */
#define EPOCH_2020 1577836800u
#define LINE_MAX 80
#define EXIT_BAD_LINE 255

static const char *yes_no(int ok) { return ok ? "yes" : "no"; }

static size_t length(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static int64_t semi_open(const char *name, uint64_t mode)
{
    uint64_t block[3] = {(uint64_t)name, mode, length(name)};
    return (int64_t)semi_call(SEMI_SYS_OPEN, block);
}

/* Returns the number of bytes not written: 0 on success. */
static uint64_t semi_write(int64_t handle, const char *s)
{
    uint64_t block[3] = {(uint64_t)handle, (uint64_t)s, length(s)};
    return semi_call(SEMI_SYS_WRITE, block);
}

/* Returns -1 on failure, else 0 and the host's tick count since the start in *ticks. */
static int64_t semi_elapsed(uint64_t *ticks) { return (int64_t)semi_call(SEMI_SYS_ELAPSED, ticks); }

/* SYS_READC returns the character in x0. QEMU 7.2 does not: it stores the character in the
 * byte below SP and returns what that byte held before the call. So the byte is cleared first
 * and read back after; a result of 0 means "look there" (the input is text: it holds no NUL).
 * IRQs are masked, so nothing else uses the stack between the three instructions. */
static char semi_readc(void)
{
    register uint64_t x0 __asm__("x0") = SEMI_SYS_READC;
    register uint64_t x1 __asm__("x1") = 0;
    uint32_t below_sp;
    __asm__ volatile("strb wzr, [sp, #-1]\n\t"
                     "hlt #0xf000\n\t"
                     "ldurb %w1, [sp, #-1]"
                     : "+r"(x0), "=r"(below_sp)
                     : "r"(x1)
                     : "memory");
    return (char)(x0 != 0 ? x0 : below_sp);
}

/* "exit N" with N a decimal number up to 255; anything else is EXIT_BAD_LINE. */
static unsigned parse_exit_code(const char *line)
{
    static const char prefix[] = "exit ";
    for (size_t i = 0; i < sizeof prefix - 1; i++)
        if (line[i] != prefix[i])
            return EXIT_BAD_LINE;
    const char *p = line + sizeof prefix - 1;
    unsigned code = 0;
    if (*p < '0' || *p > '9')
        return EXIT_BAD_LINE;
    while (*p >= '0' && *p <= '9') {
        code = code * 10 + (unsigned)(*p++ - '0');
        if (code > 255)
            return EXIT_BAD_LINE;
    }
    return *p == '\0' ? code : EXIT_BAD_LINE;
}

void guest_main(void)
{
    rt_puts("semihost: console, clocks and exit through semihosting\n");

    int64_t out = semi_open(":tt", OPEN_MODE_W);
    int64_t in = semi_open(":tt", OPEN_MODE_R);
    rt_printf("open :tt for writing: %s, for reading: %s\n", yes_no(out >= 0), yes_no(in >= 0));
    uint64_t unwritten = semi_write(out, "semihost: this line went through SYS_WRITE\n");
    rt_printf("sys_write left %lu bytes unwritten\n", unwritten);

    int64_t clock0 = (int64_t)semi_call(SEMI_SYS_CLOCK, 0);
    int64_t clock1 = (int64_t)semi_call(SEMI_SYS_CLOCK, 0);
    rt_printf("clock valid and nondecreasing: %s\n", yes_no(clock0 >= 0 && clock1 >= clock0));

    uint64_t time = semi_call(SEMI_SYS_TIME, 0);
    rt_printf("time plausible (after 2020-01-01): %s\n", yes_no(time >= EPOCH_2020));

    uint64_t elapsed0 = 0, elapsed1 = 0;
    int64_t r0 = semi_elapsed(&elapsed0);
    int64_t r1 = semi_elapsed(&elapsed1);
    rt_printf("elapsed returns 0: %s, nondecreasing: %s\n", yes_no(r0 == 0 && r1 == 0),
              yes_no(elapsed1 >= elapsed0));
    rt_printf("tickfreq %ld\n", (int64_t)semi_call(SEMI_SYS_TICKFREQ, 0));

    rt_puts("semihost: reading a line with SYS_READC\n");
    char line[LINE_MAX + 1];
    size_t n = 0;
    for (;;) {
        char c = semi_readc();
        semi_writec(c);
        if (c == '\n')
            break;
        if (n < LINE_MAX)
            line[n++] = c;
    }
    line[n] = '\0';
    unsigned code = parse_exit_code(line);
    rt_printf("semihost: exit code %u\n", code);
    semi_exit_extended(code);
}
