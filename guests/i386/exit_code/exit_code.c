/* Proves the isa-debug-exit device: a 32-bit write of EXIT_CODE to port 0xf4 ends the run, and
 * QEMU's exit status is (EXIT_CODE << 1) | 1, so 11 for the default code 5. */
#include "rt.h"

#ifndef EXIT_CODE
#define EXIT_CODE 5
#endif

void guest_main(void)
{
    rt_printf("exit_code: isa-debug-exit with code %d (QEMU status %d)\n", EXIT_CODE,
              (EXIT_CODE << 1) | 1);
    rt_exit(EXIT_CODE);
}
