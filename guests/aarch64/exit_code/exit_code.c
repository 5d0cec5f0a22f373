/* Ends the run through semihosting SYS_EXIT; the host's exit status is EXIT_CODE. */
#include "rt.h"

#ifndef EXIT_CODE
#define EXIT_CODE 7
#endif

void guest_main(void)
{
    rt_printf("exit_code: semihosting SYS_EXIT with code %d\n", EXIT_CODE);
    semi_exit(EXIT_CODE);
}
