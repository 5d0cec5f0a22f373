/* Functions whose instructions the C side rewrites at run time. */

    .text
    .balign 4

    /* uint32_t patch_movz(void): the MOVZ is replaced with a new immediate each round. */
    .global patch_movz
patch_movz:
    movz    w0, #0
    ret

    /* uint32_t patch_op(uint32_t x): the first instruction toggles between ADD and SUB. */
    .global patch_op
patch_op:
    add     w0, w0, #1
    ret

    /* uint32_t patch_branch(void): the first instruction toggles between branching to
     * "return 1" (b +4) and "return 2" (b +12). */
    .global patch_branch
patch_branch:
    b       1f
1:  mov     w0, #1
    ret
    mov     w0, #2
    ret

    /* uint32_t patch_self(uint32_t insn): stores insn over the instruction at 1: of this very
     * function, makes it visible to instruction fetch and runs it. */
    .global patch_self
patch_self:
    adr     x1, 1f
    str     w0, [x1]
    dc      cvau, x1
    dsb     ish
    ic      ivau, x1
    dsb     ish
    isb
1:  movz    w0, #0
    ret

    .section .note.GNU-stack, "", %progbits
