/* Instructions that raise exceptions, each at a global label so the C side can check ELR. */

    .text
    .balign 4

    .global trigger_svc, site_svc
trigger_svc:
site_svc:
    svc     #0x1234
    ret

    .global trigger_udf, site_udf
trigger_udf:
site_udf:
    udf     #0x42
    ret

    /* fadd s0, s1, s2 as a word: the guests are built with -mgeneral-regs-only. */
    .global trigger_fadd, site_fadd
trigger_fadd:
site_fadd:
    .inst   0x1e222820
    ret

    .global trigger_brk, site_brk
trigger_brk:
site_brk:
    brk     #0x77
    ret

    /* uint64_t trigger_load(uint64_t addr): the handler skips the load, so x0 comes back
     * unchanged. */
    .global trigger_load, site_load
trigger_load:
site_load:
    ldr     x0, [x0]
    ret

    .global trigger_store, site_store
trigger_store:
site_store:
    str     x1, [x0]
    ret

/* uint64_t run_at_el0(void (*fn)(void), void *sp_el0): runs fn at EL0t on the given stack until
 * it calls el0_exit; returns the value passed to el0_exit. Exceptions from EL0 use SP_EL1, which
 * stays at the value it has at the ERET below, so the callee-saved registers wait there. */
    .global run_at_el0, el0_return
run_at_el0:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    msr     sp_el0, x1
    msr     elr_el1, x0
    msr     spsr_el1, xzr           /* EL0t, DAIF clear */
    eret
/* The handler for el0_exit's SVC returns here, at EL1h, with x0 = the exit value. */
el0_return:
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret

/* EL0 side: two "system calls" and one EL1-only register read. */
    .global el0_puts, site_el0_puts
el0_puts:
site_el0_puts:
    svc     #1
    ret

    .global el0_exit, site_el0_exit
el0_exit:
site_el0_exit:
    svc     #2
    b       el0_exit                /* not reached: the handler does not return here */

    /* uint64_t el0_read_currentel(void): CurrentEL is not accessible at EL0; the handler
     * skips the MRS and the caller gets the marker 0x55. */
    .global el0_read_currentel, site_el0_mrs
el0_read_currentel:
    mov     x0, #0x55
site_el0_mrs:
    mrs     x0, CurrentEL
    ret

    .section .note.GNU-stack, "", %progbits
