/* Entry and exception vectors. QEMU's -kernel (and our loader) enters a non-Linux ELF at its
 * entry point at EL1h with the MMU off and DAIF masked. With KEEP_BOOT_REGS (guests booted
 * as Linux kernels), x0 and x1 | x2 | x3 at entry are kept in rt_boot_x0 and rt_boot_x123. */

#define FRAME_SIZE 272 /* sizeof(struct exc_frame): x0-x30, sp_el0, elr, spsr */

    .section .text.boot, "ax"
    .global _start
_start:
#ifdef KEEP_BOOT_REGS
    mov     x19, x0
    orr     x20, x1, x2
    orr     x20, x20, x3
#endif
    adrp    x0, __stack_top
    add     x0, x0, :lo12:__stack_top
    mov     sp, x0
    adrp    x0, vectors
    add     x0, x0, :lo12:vectors
    msr     vbar_el1, x0
    isb
    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:
#ifdef KEEP_BOOT_REGS
    adrp    x0, rt_boot_x0
    str     x19, [x0, :lo12:rt_boot_x0]
    adrp    x0, rt_boot_x123
    str     x20, [x0, :lo12:rt_boot_x123]
#endif
    bl      guest_main
    b       psci_system_off

/* 16 slots of 0x80 bytes: {current EL with SP0, current EL with SPx, lower EL AArch64,
 * lower EL AArch32} x {sync, IRQ, FIQ, SError}. Each pushes a frame and passes its slot. */
    .section .text.vectors, "ax"
    .balign 2048
    .global vectors
vectors:
    .irp slot, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    .balign 128
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp]
    mov     x1, #\slot
    b       exc_common
    .endr

exc_common:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x2, sp_el0
    stp     x30, x2, [sp, #240]
    mrs     x2, elr_el1
    mrs     x3, spsr_el1
    stp     x2, x3, [sp, #256]
    mov     x0, sp
    bl      exc_handler
    /* The handler may have changed elr, spsr or sp_el0 in the frame. */
    ldp     x2, x3, [sp, #256]
    msr     elr_el1, x2
    msr     spsr_el1, x3
    ldp     x30, x2, [sp, #240]
    msr     sp_el0, x2
    ldp     x28, x29, [sp, #224]
    ldp     x26, x27, [sp, #208]
    ldp     x24, x25, [sp, #192]
    ldp     x22, x23, [sp, #176]
    ldp     x20, x21, [sp, #160]
    ldp     x18, x19, [sp, #144]
    ldp     x16, x17, [sp, #128]
    ldp     x14, x15, [sp, #112]
    ldp     x12, x13, [sp, #96]
    ldp     x10, x11, [sp, #80]
    ldp     x8, x9, [sp, #64]
    ldp     x6, x7, [sp, #48]
    ldp     x4, x5, [sp, #32]
    ldp     x2, x3, [sp, #16]
    ldp     x0, x1, [sp]
    add     sp, sp, #FRAME_SIZE
    eret

    .section .note.GNU-stack, "", %progbits
