/* The realmode guest's round trip (see realmode.c): from 32-bit protected mode through a
 * 16-bit code segment into real mode, real-mode code that uses no BIOS, and back. The blob
 * between rm_blob and rm_blob_end runs at linear RM_BASE (realmode.c copies it there), as
 * segment RM_SEG in real mode and through SEL_CODE16 (base RM_BASE) in 16-bit protected mode;
 * its data is addressed relative to rm_blob. Results go to rm_results, slots named in
 * realmode.c. */

#define RM_BASE 0x8000
#define RM_SEG 0x0800
#define SEL_CODE16 0x30     /* 16-bit code, base RM_BASE, 64 KiB */
#define SEL_DATA16 0x38     /* 16-bit data, base 0, 64 KiB */
#define SEL_FLAT_DATA 0x10  /* the runtime's 4 GiB data segment */
#define REAL_STACK 0x7c00   /* SS = 0 */
#define VEC_TEST 0x40       /* the IVT entry the code installs */

#define OFF(label) ((label) - rm_blob)
#define RESULT(n) (OFF(rm_results) + 4 * (n))

    .text
    .code32
/* void rm_round_trip(uint32_t magic_addr): interrupts off, the blob at RM_BASE. */
    .global rm_round_trip
rm_round_trip:
    pushal
    movl    36(%esp), %eax
    movl    %esp, saved_esp
    movl    %eax, RM_BASE + RESULT(15)  /* where the unreal-mode reads look */
    sidt    RM_BASE + OFF(pm_idtr)
    ljmp    $SEL_CODE16, $OFF(pm16_entry)

back32:
    movw    $SEL_FLAT_DATA, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %fs
    movw    %ax, %gs
    movw    %ax, %ss
    movl    saved_esp, %esp
    popal
    ret

    .data
saved_esp:
    .long   0

    .text
    .code16
    .global rm_blob
rm_blob:
pm16_entry:
    /* 16-bit protected mode: 64 KiB data segments as real mode has, but FS keeps the flat
     * 4 GiB descriptor, which real mode will go on using ("unreal" mode). */
    movw    $SEL_DATA16, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    movw    $SEL_FLAT_DATA, %ax
    movw    %ax, %fs
    movl    %cr0, %eax
    andb    $0xfe, %al
    movl    %eax, %cr0
    ljmp    $RM_SEG, $OFF(real_entry)

real_entry:
    xorw    %ax, %ax
    movw    %ax, %ss
    movw    $REAL_STACK, %sp
    movw    $RM_SEG, %ax
    movw    %ax, %ds
    movl    %cr0, %eax
    movl    %eax, RESULT(0)
    lidt    OFF(real_idtr)

    /* Segment arithmetic: 1234:5678 and 179B:0008 are the same byte. */
    movw    $0x1234, %ax
    movw    %ax, %es
    movw    $0xbeef, %es:0x5678
    movw    $0x179b, %ax
    movw    %ax, %es
    movw    %es:0x0008, %ax
    movw    %ax, RESULT(1)

    /* An interrupt through the IVT: the handler records its frame and its own FLAGS. */
    xorw    %ax, %ax
    movw    %ax, %es
    movw    $OFF(int_handler), %es:4 * VEC_TEST
    movw    $RM_SEG, %es:4 * VEC_TEST + 2
    pushw   $0x0ed7                     /* OF DF IF SF ZF AF PF CF */
    popfw
    int     $VEC_TEST
after_int:
    pushfw
    popw    RESULT(5)
    cli
    cld

    /* A far call to the same code through another segment:offset, and RETF. */
    lcall   $RM_SEG - 0x100, $OFF(far_function) + 0x1000
    movw    %ax, RESULT(6)

    /* 16-bit MUL and DIV, and a 32-bit ADD with the operand-size prefix. */
    movw    $0x1234, %ax
    movw    $0x5678, %cx
    mulw    %cx
    movw    %dx, RESULT(7)
    movw    %ax, RESULT(7) + 2
    movw    $0x1235, %cx
    divw    %cx
    movw    %ax, RESULT(8)
    movw    %dx, RESULT(8) + 2
    movl    $0x89abcdef, %eax
    addl    $0x76543211, %eax
    movl    %eax, RESULT(9)
    pushfw
    popw    RESULT(10)

    /* REP MOVSW inside the segment, and a word string compare. */
    movw    %ds, %ax
    movw    %ax, %es
    movw    $OFF(message), %si
    movw    $OFF(copy), %di
    movw    $4, %cx
    rep movsw
    movw    $OFF(message), %si
    movw    $OFF(copy), %di
    movw    $4, %cx
    repe cmpsw
    movw    %cx, RESULT(11)
    movw    OFF(copy) + 6, %ax
    movw    %ax, RESULT(11) + 2

    /* Unreal mode: FS's 4 GiB limit from protected mode survives, and survives a real-mode
     * load of FS too (which sets only the selector and the base). */
    movl    RESULT(15), %ebx
    addr32 movl %fs:(%ebx), %eax
    movl    %eax, RESULT(12)
    xorw    %ax, %ax
    movw    %ax, %fs
    addr32 movl %fs:4(%ebx), %eax
    movl    %eax, RESULT(13)

    /* Back to protected mode. */
    lidtl   OFF(pm_idtr)
    movl    %cr0, %eax
    orb     $1, %al
    movl    %eax, %cr0
    ljmpl   $0x08, $back32

int_handler:
    pushw   %bp
    movw    %sp, %bp
    movw    2(%bp), %ax
    movw    %ax, RESULT(2)              /* IP */
    movw    4(%bp), %ax
    movw    %ax, RESULT(2) + 2          /* CS */
    movw    6(%bp), %ax
    movw    %ax, RESULT(3)              /* FLAGS */
    pushfw
    popw    RESULT(4)                   /* the handler's own FLAGS */
    movw    %sp, RESULT(4) + 2
    popw    %bp
    iret

far_function:
    movw    %cs, %ax
    lret

    .balign 4
real_idtr:
    .word   0x3ff
    .long   0
    .balign 4
pm_idtr:
    .word   0
    .long   0
message:
    .ascii  "real"
    .word   0x1234, 0x5678
copy:
    .space  8
    .balign 4
    .global rm_results
rm_results:
    .space  4 * 16
    .global rm_blob_end
rm_blob_end:
    .code32

    .section .note.GNU-stack, "", %progbits
