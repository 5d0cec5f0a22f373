// Entry of the lockstep guests: stack, zeroed .bss, main, then a spin loop at a named symbol
// where the test stops both engines. No I/O: results stay in memory and in x0.
    .section .text.start, "ax"
    .global _start
_start:
    ldr     x0, =__stack_top
    mov     sp, x0
    ldr     x0, =__bss_start
    ldr     x1, =__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:  bl      main
    .global lockstep_done
lockstep_done:
    b       lockstep_done
    .ltorg
