/* Multiboot (v1) entry, flat GDT and interrupt stubs for `-M pc` guests.
 * The loader enters _start in 32-bit protected mode with paging and interrupts off,
 * EAX = 0x2BADB002 and EBX = the Multiboot information; segment state is the loader's own,
 * so the GDT below is loaded before anything else. */

#define MB_MAGIC 0x1BADB002
/* bit 0: page-align modules, bit 1: want mem_* and mmap_*; with MB_AOUT_KLUDGE, bit 16: the
 * load addresses follow the header (for a flat binary, loaded without ELF headers). */
#ifdef MB_AOUT_KLUDGE
#define MB_FLAGS 0x00010003
#else
#define MB_FLAGS 0x00000003
#endif
/* With KERNEL_VMA (a kernel linked high and loaded low), _start runs at its physical address
 * and first maps the kernel's 4 MiB at KERNEL_VMA and at 0 with one 4 MiB page each. */

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10

    .section .multiboot, "a"
    .balign 4
    .long   MB_MAGIC
    .long   MB_FLAGS
    .long   -(MB_MAGIC + MB_FLAGS)
#ifdef MB_AOUT_KLUDGE
    .long   __load_start            /* header_addr: the header is the first thing loaded */
    .long   __load_start            /* load_addr */
    .long   __load_end              /* load_end_addr: the file's bytes end with .data */
    .long   __image_end             /* bss_end_addr: .bss and the stack are cleared */
    .long   _start                  /* entry_addr */
#endif

#ifdef KERNEL_VMA
    .section .data
    .balign 4096
boot_pd:
    .fill   1024, 4, 0
#endif

    .section .text.boot, "ax"
    .global _start
_start:
    cli
#ifdef KERNEL_VMA
    movl    $0x83, boot_pd - KERNEL_VMA                    /* 0-4 MiB: present, writable, 4 MiB */
    movl    $0x83, boot_pd - KERNEL_VMA + (KERNEL_VMA >> 20)
    movl    %cr4, %ecx
    orl     $0x10, %ecx                                    /* CR4.PSE */
    movl    %ecx, %cr4
    movl    $(boot_pd - KERNEL_VMA), %ecx
    movl    %ecx, %cr3
    movl    %cr0, %ecx
    orl     $0x80000000, %ecx                              /* CR0.PG */
    movl    %ecx, %cr0
    movl    $1f, %ecx
    jmp     *%ecx
1:
#endif
    movl    %eax, %ebp              /* Multiboot magic; EBX (the info) is kept as is */
    lgdt    rt_gdt_desc
    ljmp    $KERNEL_CS, $3f
3:  movw    $KERNEL_DS, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %fs
    movw    %ax, %gs
    movw    %ax, %ss
    movl    $__stack_top, %esp
    cld
    movl    $__bss_start, %edi
    movl    $__bss_end, %ecx
    subl    %edi, %ecx
    shrl    $2, %ecx
    xorl    %eax, %eax
    rep stosl
    pushl   %ebx
    pushl   %ebp
    call    rt_start                /* rt_start(magic, info) does not return */
2:  cli
    hlt
    jmp     2b

/* One stub per vector: 0-31 (exceptions), 32-47 (the two 8259s after rt_pic_remap), 48-63
 * (local APIC and I/O APIC interrupts), 0x80 (the system call gate) and 0xff (the local APIC's
 * spurious vector). Each pushes a zero where the CPU pushes no error code, then its
 * vector, so rt_interrupt always sees the same struct int_frame (see rt.h). */
.macro STUB vec
    .balign 16
stub_\vec:
    .if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
    .else
    pushl   $0
    .endif
    pushl   $\vec
    jmp     int_common
.endm

    .text
    .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    STUB \vec
    .endr
    .irp vec, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,128
    STUB \vec
    .endr
    .irp vec, 48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,255
    STUB \vec
    .endr

int_common:
    pushal
    pushl   %ds
    pushl   %es
    pushl   %fs
    pushl   %gs
    movw    $KERNEL_DS, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %fs
    movw    %ax, %gs
    cld                             /* the interrupted code may have left DF set */
    pushl   %esp                    /* struct int_frame * */
    call    rt_interrupt
    addl    $4, %esp
    /* The handler may have changed any field of the frame (eip, eax, ...). */
    popl    %gs
    popl    %fs
    popl    %es
    popl    %ds
    popal
    addl    $8, %esp                /* vector and error code */
    iret

/* Stub addresses for rt_idt_init, in the order of rt_stub_vectors. */
    .section .rodata
    .balign 4
    .global rt_stubs
rt_stubs:
    .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long   stub_\vec
    .endr
    .irp vec, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,128
    .long   stub_\vec
    .endr
    .irp vec, 48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,255
    .long   stub_\vec
    .endr

/* Flat GDT: kernel code and data, user code and data (DPL 3), one 32-bit TSS whose base
 * rt_cpu_init fills in. Selectors are in rt.h. */
    .data
    .balign 8
    .global rt_gdt
rt_gdt:
    .quad   0x0000000000000000      /* 0x00: null */
    .quad   0x00CF9A000000FFFF      /* 0x08: ring 0 code, base 0, limit 4 GiB, 32-bit */
    .quad   0x00CF92000000FFFF      /* 0x10: ring 0 data */
    .quad   0x00CFFA000000FFFF      /* 0x18: ring 3 code */
    .quad   0x00CFF2000000FFFF      /* 0x20: ring 3 data */
    .quad   0x0000000000000000      /* 0x28: TSS, filled in by rt_cpu_init */
rt_gdt_end:
    .balign 4
    .word   0
rt_gdt_desc:
    .word   rt_gdt_end - rt_gdt - 1
    .long   rt_gdt

    .section .note.GNU-stack, "", %progbits
