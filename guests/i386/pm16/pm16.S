/* The pm16 guest's 16-bit protected-mode code (see pm16.c). Code is addressed relative to
 * pm16_code (the base of the 16-bit code segments), data relative to pm16_data (the base of
 * the 16-bit data segments); results go to 32-bit slots R(n) there, named in pm16.c. */

#define SEL_CODE16 0x30
#define SEL_DATA16 0x38
#define SEL_STACK16 0x40      /* 16-bit stack (B = 0), base pm16_stack0 */
#define SEL_CODE16_R3 0x4b
#define SEL_DATA16_R3 0x53
#define SEL_STACK16_R3 0x5b   /* base pm16_stack3 */
#define SEL_GATE_RETURN 0x63  /* 16-bit call gate, DPL 3, one word: call_entry */
#define SEL_GATE_EXIT 0x6b    /* 16-bit call gate, DPL 3: exit_entry */
#define VEC_INT16 0x41        /* 16-bit interrupt gate, DPL 0: int41 */
#define VEC_TRAP16_R3 0x42    /* 16-bit trap gate, DPL 3: trap42 */
#define VEC_TRAP16 0x43       /* 16-bit trap gate, DPL 0: trap43 */

#define C(label) ((label) - pm16_code)
#define R(n) (4 * (n))

    .text
    .code32
/* void pm16_run(void) */
    .global pm16_run
pm16_run:
    pushal
    movl    %esp, saved_esp
    ljmp    $SEL_CODE16, $C(entry16)

    .global pm16_back32
pm16_back32:
    movw    $0x10, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %fs
    movw    %ax, %gs
    movw    %ax, %ss
    movl    saved_esp, %esp
    popal
    ret

    .code16
    .global pm16_code, call_entry, exit_entry, int41, trap42, trap43
pm16_code:
entry16:
    movw    $SEL_DATA16, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    $SEL_STACK16, %ax
    movw    %ax, %ss
    /* A 16-bit stack moves SP only: ESP's upper half stays. */
    movl    $0xabcd1000, %esp
    pushw   $0x1111
    pushl   $0x22223333
    movl    %esp, R(0)
    addw    $6, %sp

    /* A 16-bit interrupt gate: FLAGS, CS and IP on the 16-bit stack, IF cleared. */
    pushw   $0x0202
    popfw
    int     $VEC_INT16
    pushfw
    popw    R(3)
    /* A 16-bit trap gate keeps IF. */
    int     $VEC_TRAP16
    cli

    /* Far calls from 16-bit code: a 16-bit one pushes CS:IP (4 bytes), one with the
     * operand-size prefix CS:EIP (8 bytes). */
    movw    %sp, %bx
    lcall   $SEL_CODE16, $C(far16)
    subw    %ax, %bx
    movw    %bx, R(5)
    movw    %sp, %bx
    lcalll  $SEL_CODE16, $C(far32)
    subw    %ax, %bx
    movw    %bx, R(5) + 2

    /* To ring 3 by a 16-bit IRET: SS:SP, FLAGS, CS:IP. ES (DPL 0) is nulled on the way. */
    pushw   $SEL_STACK16_R3
    pushw   $0x1000
    pushw   $0x0202
    pushw   $SEL_CODE16_R3
    pushw   $C(ring3)
    iret

ring3:
    movw    $SEL_DATA16_R3, %ax
    movw    %ax, %ds
    movw    %es, R(6)
    movw    %cs, R(6) + 2
    movw    %ss, R(7)
    movw    %sp, R(7) + 2
    cli                             /* IOPL 0: #GP(0), which the kernel steps over */
    int     $VEC_TRAP16_R3          /* to ring 0 through a 16-bit trap gate */
    pushw   $0xabcd
    lcall   $SEL_GATE_RETURN, $0    /* a 16-bit call gate to ring 0, one word copied */
    movw    %sp, R(12)
    movw    %es, R(12) + 2
    lcall   $SEL_GATE_EXIT, $0      /* does not return */

far16:
    movw    %sp, %ax
    lret
far32:
    movw    %sp, %ax
    lretl

int41:
    pushw   %bp
    movw    %sp, %bp
    movw    2(%bp), %ax
    movw    %ax, R(1)               /* IP */
    movw    4(%bp), %ax
    movw    %ax, R(1) + 2           /* CS */
    movw    6(%bp), %ax
    movw    %ax, R(2)               /* FLAGS */
    pushfw
    popw    R(2) + 2                /* the handler's FLAGS */
    popw    %bp
    iret

trap43:
    pushfw
    popw    R(4)
    iret

/* From ring 3: on the ring-0 stack of the TSS (a 32-bit one: ESP addresses it), the 16-bit
 * frame IP, CS, FLAGS, SP, SS. */
trap42:
    pushw   %ds
    movw    $SEL_DATA16, %ax
    movw    %ax, %ds
    addr32 movw 2(%esp), %ax
    movw    %ax, R(8)
    addr32 movw 4(%esp), %ax
    movw    %ax, R(8) + 2
    addr32 movw 6(%esp), %ax
    movw    %ax, R(9)
    addr32 movw 8(%esp), %ax
    movw    %ax, R(9) + 2
    addr32 movw 10(%esp), %ax
    movw    %ax, R(10)
    pushfw
    popw    R(10) + 2
    popw    %ds
    iret

/* Through the 16-bit call gate from ring 3: IP, CS, the copied word, SP, SS. */
call_entry:
    pushw   %ds
    movw    $SEL_DATA16, %ax
    movw    %ax, %ds
    addr32 movw 2(%esp), %ax
    movw    %ax, R(11)
    addr32 movw 4(%esp), %ax
    movw    %ax, R(11) + 2
    addr32 movw 6(%esp), %ax
    movw    %ax, R(13)
    addr32 movw 8(%esp), %ax
    movw    %ax, R(13) + 2
    addr32 movw 10(%esp), %ax
    movw    %ax, R(14)
    movw    %cs, R(14) + 2
    popw    %ds
    movw    $SEL_DATA16, %ax        /* DPL 0: the return to ring 3 nulls ES */
    movw    %ax, %es
    lret    $2

exit_entry:
    ljmpl   $0x08, $pm16_back32

    .data
    .balign 4
saved_esp:
    .long   0
    .global pm16_data
pm16_data:
    .space  4 * 16

    .bss
    .balign 16
    .global pm16_stack0, pm16_stack3
pm16_stack0:
    .space  0x1000
pm16_stack3:
    .space  0x1000

    .section .note.GNU-stack, "", %progbits
