/* Instructions the MMU guest makes fault, each at a global label so that the handler can
 * name where an exception came from, and the EL0 program. */

    .text
    .balign 4

    /* uint64_t load64(uint64_t va): a skipped load returns 0x5A5A. */
    .global load64, site_load
load64:
    mov     x1, x0
    mov     x0, #0x5A5A
site_load:
    ldr     x0, [x1]
    ret

    .global store64, site_store
store64:
site_store:
    str     x1, [x0]
    ret

    /* uint64_t load_unprivileged(uint64_t va): LDTR, with EL0's permissions. */
    .global load_unprivileged, site_ldtr
load_unprivileged:
    mov     x1, x0
    mov     x0, #0x5A5A
site_ldtr:
    ldtr    x0, [x1]
    ret

    .global zero_block, site_zva
zero_block:
site_zva:
    dc      zva, x0
    ret

    /* void call_at(uint64_t va): a call that the handler turns back into a return when the
     * fetch faults (ELR := LR). */
    .global call_at, site_call
call_at:
    stp     x29, x30, [sp, #-16]!
site_call:
    blr     x0
    ldp     x29, x30, [sp], #16
    ret

    /* uint32_t patched(void) lives in a page of its own that the C side copies: it returns
     * what its first instruction puts in w0. */
    .global patched_template, patched_template_end
patched_template:
    mov     w0, #1
    ret
patched_template_end:

/* uint64_t run_at_el0(void (*fn)(void), void *sp_el0, uint64_t x19, uint64_t x20, uint64_t x21):
 * runs fn at EL0t with those registers until it makes `svc #2`, whose handler returns to
 * el0_return at EL1h. Exceptions from EL0 use SP_EL1, which stays where it is at the ERET, so
 * the callee-saved registers wait there. */
    .global run_at_el0, el0_return
run_at_el0:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mov     x19, x2
    mov     x20, x3
    mov     x21, x4
    msr     sp_el0, x1
    msr     elr_el1, x0
    msr     spsr_el1, xzr           /* EL0t, DAIF clear */
    eret
el0_return:
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret

/* The EL0 program: x19 its data page, x20 a page only EL1 may use, x21 a page it may not
 * execute. It reports x0-x5 with `svc #2`; the handler skips what faults, so each register
 * keeps its marker when its instruction did not complete. */
    .global user_program
    .global site_user_load, site_user_store, site_user_denied, site_user_midr, site_user_wfi
    .global site_user_fetch, site_user_svc
user_program:
site_user_load:
    ldr     x0, [x19]
    add     x0, x0, #1
site_user_store:
    str     x0, [x19, #8]
    mov     x1, #0x11
site_user_denied:
    ldr     x1, [x20]
    bl      user_read_ctr
    mov     x3, #0x33
site_user_midr:
    mrs     x3, midr_el1
site_user_wfi:
    wfi
    bl      user_clean
    ldr     x4, [sp, #-16]!         /* its own stack (SP_EL0), read and written */
    add     x4, x4, #4
    str     x4, [sp], #16
site_user_fetch:
    blr     x21
    mov     x5, #0x55
site_user_svc:
    svc     #2
    b       site_user_svc

/* A trapped MRS or system instruction ends QEMU's translation block only at the end of a page:
 * QEMU 7.2 counts the rest of the block as executed when such a trap is taken (its access
 * check raises the exception without restoring the instruction count), so the guest makes
 * each of them the last instruction of a page, where the counts agree. */
    .balign 4096
    .space  4096 - 8
    .global site_user_ctr
user_read_ctr:
    mov     x2, #0x22
site_user_ctr:
    mrs     x2, ctr_el0
    ret

    .balign 4096
    .space  4096 - 4
    .global site_user_cvau
user_clean:
site_user_cvau:
    dc      cvau, x19
    ret

    .section .note.GNU-stack, "", %progbits
