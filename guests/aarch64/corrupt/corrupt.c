/* The rr-bisect proof guest: a tiny ledger service on the serial port (common/line_service)
 * with a latent bug. Each input line "put I V" stores V in entry I, "sum" prints the total; EOT
 * (Ctrl-D) or 50 ms of virtual time without input ends the session. The bounds check admits I
 * up to 15 while the ledger has 8 entries, so "put 8 V" overwrites the canary right behind
 * them: when (and whether) the canary is corrupted is decided by the input alone, so only a
 * recording knows. The guest prints the canary's address first, for the tests to watch it. */
#include "line_service.h"
#include "rt.h"

#define ENTRIES 8
#define CANARY 0x600dc0deu

/* One object, so that the canary sits right behind the entries whatever the linker does. */
static struct {
    uint32_t entries[ENTRIES];
    volatile uint32_t canary;
} ledger = {{0}, CANARY};

static unsigned lines;

static const char *number(const char *p, uint32_t *out)
{
    while (*p == ' ')
        p++;
    uint32_t v = 0;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (uint32_t)(*p++ - '0');
    *out = v;
    return p;
}

static void execute(const char *cmd, unsigned len)
{
    (void)len;
    lines++;
    if (cmd[0] == 'p' && cmd[1] == 'u' && cmd[2] == 't' && cmd[3] == ' ') {
        uint32_t index, value;
        number(number(cmd + 3, &index), &value);
        if (index < 16) { /* the bug: 16 is the size of nothing here, the ledger has 8 */
            ledger.entries[index] = value;
            rt_printf("line %u: entry %u = %u\n", lines, index, value);
        } else {
            rt_printf("line %u: no entry %u\n", lines, index);
        }
    } else if (cmd[0] == 's' && cmd[1] == 'u' && cmd[2] == 'm') {
        uint32_t total = 0;
        for (unsigned i = 0; i < ENTRIES; i++)
            total += ledger.entries[i];
        rt_printf("line %u: sum %u\n", lines, total);
    } else {
        rt_printf("line %u: ?\n", lines);
    }
}

void guest_main(void)
{
    rt_printf("ledger service; canary at 0x%lx\n", (unsigned long)&ledger.canary);
    serve_lines(execute);
    if (ledger.canary == CANARY)
        rt_printf("%u lines; canary intact\n", lines);
    else
        rt_printf("%u lines; canary CORRUPTED: 0x%08x\n", lines, ledger.canary);
}
