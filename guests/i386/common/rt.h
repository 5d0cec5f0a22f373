/* Minimal runtime for bare-metal i386 guests on `-M pc` (Multiboot v1 via -kernel). */
#ifndef RR_GUEST_I386_RT_H
#define RR_GUEST_I386_RT_H

#include <stddef.h>
#include <stdint.h>

/* GDT selectors (start.S). User selectors carry RPL 3. */
#define SEL_KERNEL_CS 0x08
#define SEL_KERNEL_DS 0x10
#define SEL_USER_CS (0x18 | 3)
#define SEL_USER_DS (0x20 | 3)
#define SEL_TSS 0x28

/* Vectors: CPU exceptions 0-31, the master 8259 at 32-39, the slave at 40-47 (rt_pic_remap),
 * local and I/O APIC interrupts at 48-63 and 0xff (their handlers send the APIC EOI), the system
 * call gate (DPL 3) at 0x80. */
#define VEC_UD 6
#define VEC_GP 13
#define VEC_PF 14
#define VEC_IRQ0 32
#define VEC_SYSCALL 0x80
#define VEC_APIC_FIRST 48
#define VEC_APIC_SPURIOUS 0xff
#define RT_NUM_VECTORS 256

/* What the stubs in start.S save before calling the handler. user_esp and user_ss exist only
 * when the interrupted code ran at CPL 3 ((cs & 3) != 0). A handler may edit any field (for
 * example step eip over a faulting instruction or return a value in eax). */
struct int_frame {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_pushal, ebx, edx, ecx, eax; /* PUSHAL order, reversed */
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
    uint32_t user_esp, user_ss;
};

typedef void (*rt_handler)(struct int_frame *frame);

/* Installs HANDLER for VECTOR (exception, IRQ vector 32-47, APIC vector 48-63 or 0xff, or 0x80). For IRQ vectors the runtime
 * drops spurious IRQ 7 and 15 and sends the EOI after the handler returns. A vector without a
 * handler reports the frame and exits with RT_EXIT_UNEXPECTED. */
void rt_set_handler(unsigned vector, rt_handler handler);
#define RT_EXIT_UNEXPECTED 0x7f

/* Multiboot v1 information (the fields QEMU fills in). */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
enum {
    MB_INFO_MEMORY = 1u << 0,
    MB_INFO_BOOTDEV = 1u << 1,
    MB_INFO_CMDLINE = 1u << 2,
    MB_INFO_MODS = 1u << 3,
    MB_INFO_MEM_MAP = 1u << 6,
    MB_INFO_BOOT_LOADER_NAME = 1u << 9,
};
struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper; /* KiB below 1 MiB, KiB above 1 MiB up to the first hole */
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
} __attribute__((packed));
/* A memory map entry; `size` does not count itself, so the next entry is at +size+4. */
struct multiboot_mmap_entry {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type; /* 1 = available RAM */
} __attribute__((packed));

/* What the loader passed in EAX and EBX. */
extern uint32_t rt_mb_magic;
extern const struct multiboot_info *rt_mb_info;
/* The first byte after the loaded image (and its stack). */
extern char __image_end[];

/* The guest's entry point, called with the console, GDT, TSS, IDT and masked 8259s set up and
 * interrupts off. Returning exits with code 0. */
void guest_main(void);

/* Port I/O. */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* PCI configuration space through mechanism #1 (0xcf8/0xcfc), dword-aligned registers. */
static inline uint32_t pci_read(unsigned dev, unsigned fn, unsigned reg)
{
    outl(0xcf8, 0x80000000u | dev << 11 | fn << 8 | (reg & 0xfc));
    return inl(0xcfc);
}
static inline void pci_write(unsigned dev, unsigned fn, unsigned reg, uint32_t v)
{
    outl(0xcf8, 0x80000000u | dev << 11 | fn << 8 | (reg & 0xfc));
    outl(0xcfc, v);
}

/* COM1 16550 console: polled output, 115200 8N1. The FIFOs stay as the firmware left them (off
 * after reset), so a guest can still read a byte that arrived before it switched them on. */
#define COM1 0x3f8
enum {
    UART_RBR = 0, UART_THR = 0, UART_IER = 1, UART_IIR = 2, UART_FCR = 2,
    UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};
#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_THRE 0x20
#define UART_IER_RDI 0x01
#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT2 0x08 /* gates the IRQ line on a PC */
#define UART_IIR_NO_INT 0x01
void rt_putc(char c);
void rt_puts(const char *s);
/* printf subset: %s %c %d %u %x with optional l/ll, zero padding and width; %% */
void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* isa-debug-exit (iobase 0xf4, iosize 4): QEMU exits with status (code << 1) | 1. Without the
 * device, falls back to ACPI soft-off (PIIX4 PM at 0x600 as SeaBIOS sets it up), then halts. */
#define ISA_DEBUG_EXIT_PORT 0xf4
void rt_exit(uint32_t code) __attribute__((noreturn));

/* 8259 pair. rt_pic_remap (done by the runtime) moves IRQ 0-7 to 32-39, 8-15 to 40-47 and masks
 * all; unmasking a slave IRQ also unmasks the cascade (IRQ 2). */
#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI 0x20
void rt_pic_remap(uint8_t master_base, uint8_t slave_base);
void rt_pic_unmask(unsigned irq);
void rt_pic_mask(unsigned irq);
void rt_pic_eoi(unsigned irq);
uint16_t rt_pic_isr(void); /* in-service bits, slave in the high byte */

/* 8254 PIT: input clock 1193182 Hz. */
#define PIT_HZ 1193182u
#define PIT_CH0 0x40
#define PIT_CMD 0x43
/* Channel 0, lobyte/hibyte access, MODE (2 = rate generator, 3 = square wave), DIVISOR. */
void rt_pit_start(unsigned mode, uint16_t divisor);
/* Latches and reads channel 0's current count. */
uint16_t rt_pit_read(void);

/* MC146818 RTC / CMOS. */
#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
static inline uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}
static inline void cmos_write(uint8_t reg, uint8_t v)
{
    outb(CMOS_INDEX, reg);
    outb(CMOS_DATA, v);
}

static inline void irq_enable(void) { __asm__ volatile("sti" : : : "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" : : : "memory"); }
/* Sleeps until an interrupt has been handled: STI's one-instruction shadow means no interrupt
 * can slip in between STI and HLT. Returns with interrupts off again. */
static inline void halt_until_interrupt(void) { __asm__ volatile("sti; hlt; cli" : : : "memory"); }

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#define READ_CR(n)                                             \
    ({                                                         \
        uint32_t v_;                                           \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v_) : : "memory"); \
        v_;                                                    \
    })
#define WRITE_CR(n, v) __asm__ volatile("mov %0, %%cr" #n : : "r"((uint32_t)(v)) : "memory")

/* The TSS: ESP0 is the stack the CPU switches to on an interrupt from ring 3. */
void rt_tss_set_esp0(uint32_t esp0);

/* 32-bit FNV-1a, for checksums of received bytes. */
#define FNV1A_INIT 0x811c9dc5u
static inline uint32_t fnv1a_step(uint32_t h, uint8_t byte) { return (h ^ byte) * 0x01000193u; }

/* The compiler may emit calls to these even in freestanding code. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int strcmp(const char *a, const char *b);
size_t strlen(const char *s);

#endif
