/* Console output through both paths the board offers (PL011 and semihosting), then PSCI. */
#include "rt.h"

void guest_main(void)
{
    rt_puts("hello: PL011 says hello\n");
    semi_write0("hello: semihosting SYS_WRITE0 says hello\n");
    for (const char *p = "hello: semihosting SYS_WRITEC says hello\n"; *p; p++)
        semi_writec(*p);
    uint32_t v = psci_version();
    rt_printf("hello: PSCI_VERSION = 0x%08x (%u.%u)\n", v, v >> 16, v & 0xffff);
    rt_puts("hello: PSCI SYSTEM_OFF\n");
    psci_system_off();
}
