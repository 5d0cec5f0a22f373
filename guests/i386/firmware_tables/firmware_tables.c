/* Finds the firmware tables a kernel uses to learn the interrupt wiring of `-M pc` without
 * asking a BIOS: the MP floating pointer and MP configuration table, and the ACPI RSDP, RSDT,
 * FADT and MADT. Checks their signatures and checksums and prints what they say about the
 * processor (checked against CPUID), the local APIC, the I/O APIC and the ISA interrupts.
 * Buses other than ISA (QEMU's has PCI) and ACPI tables other than the FADT and MADT (QEMU's
 * has HPET and WAET) are passed over. Exits with code 0. */
#include "rt.h"

static uint8_t sum(const void *p, uint32_t len)
{
    const uint8_t *b = p;
    uint8_t s = 0;
    while (len--)
        s = (uint8_t)(s + *b++);
    return s;
}

static int match(const void *p, const char *sig, uint32_t n)
{
    const char *a = p;
    for (uint32_t i = 0; i < n; i++)
        if (a[i] != sig[i])
            return 0;
    return 1;
}

/* The first 16-byte aligned LEN-byte structure starting with SIG in [begin, end) whose bytes
 * sum to 0. */
static const uint8_t *scan(uint32_t begin, uint32_t end, const char *sig, uint32_t siglen, uint32_t len)
{
    for (uint32_t a = begin; a + len <= end; a += 16)
        if (match((const void *)a, sig, siglen) && sum((const void *)a, len) == 0)
            return (const uint8_t *)a;
    return 0;
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }

static const uint8_t *find_low(const char *sig, uint32_t siglen, uint32_t len)
{
    uint16_t ebda_segment; /* from the BIOS data area; the compiler must not see a null pointer */
    __asm__ volatile("movw 0x40e, %0" : "=r"(ebda_segment));
    uint32_t ebda = (uint32_t)ebda_segment << 4;
    const uint8_t *p = 0;
    if (ebda >= 0x80000 && ebda < 0xa0000)
        p = scan(ebda, ebda + 1024, sig, siglen, len);
    if (!p)
        p = scan(0x9fc00, 0xa0000, sig, siglen, len);
    if (!p)
        p = scan(0xe0000, 0x100000, sig, siglen, len);
    return p;
}

static void mp_tables(void)
{
    const uint8_t *mpf = find_low("_MP_", 4, 16);
    if (!mpf) {
        rt_puts("tables: no MP floating pointer\n");
        return;
    }
    rt_printf("tables: MP floating pointer: spec 1.%u, feature byte 1 %u, IMCR %u\n", mpf[9], mpf[11],
              mpf[12] >> 7);
    const uint8_t *c = (const uint8_t *)rd32(mpf + 4);
    uint16_t len = rd16(c + 4);
    rt_printf("tables: MP config: signature ok %u, checksum ok %u, spec 1.%u, local APIC 0x%x\n",
              match(c, "PCMP", 4), sum(c, len) == 0, c[6], rd32(c + 36));
    const uint8_t *e = c + 44;
    int isa_bus = -1;
    uint16_t n = rd16(c + 34);
    for (uint16_t i = 0; i < n; i++) {
        switch (e[0]) {
        case 0: {
            uint32_t a, b, cx, d;
            __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(cx), "=d"(d) : "a"(1), "c"(0));
            rt_printf("tables: MP processor: APIC %u version 0x%x, %s%s, signature and features as CPUID: %s\n",
                      e[1], e[2], e[3] & 1 ? "enabled" : "disabled", e[3] & 2 ? ", bootstrap" : "",
                      rd32(e + 4) == a && rd32(e + 8) == d ? "yes" : "no");
            e += 20;
            break;
        }
        case 1:
            if (match(e + 2, "ISA   ", 6)) {
                isa_bus = e[1];
                rt_puts("tables: MP bus: ISA\n");
            }
            e += 8;
            break;
        case 2:
            rt_printf("tables: MP I/O APIC: id %u, %s, at 0x%x\n", e[1], e[3] & 1 ? "enabled" : "disabled",
                      rd32(e + 4));
            e += 8;
            break;
        case 3:
            if (e[4] == isa_bus)
                rt_printf("tables: MP ISA IRQ %u -> I/O APIC %u pin %u, type %u, flags 0x%x\n", e[5], e[6], e[7],
                          e[1], rd16(e + 2));
            e += 8;
            break;
        case 4:
            rt_printf("tables: MP local interrupt: type %u -> APIC 0x%x LINT%u\n", e[1], e[6], e[7]);
            e += 8;
            break;
        default:
            rt_printf("tables: MP entry of unknown type %u\n", e[0]);
            return;
        }
    }
}

static void madt(const uint8_t *t)
{
    uint32_t len = rd32(t + 4);
    rt_printf("tables: MADT: checksum ok %u, local APIC 0x%x, flags 0x%x\n", sum(t, len) == 0, rd32(t + 36),
              rd32(t + 40));
    for (const uint8_t *e = t + 44; e < t + len; e += e[1]) {
        switch (e[0]) {
        case 0: rt_printf("tables: MADT local APIC: processor %u APIC %u flags 0x%x\n", e[2], e[3], rd32(e + 4)); break;
        case 1: rt_printf("tables: MADT I/O APIC: id %u at 0x%x, GSI base %u\n", e[2], rd32(e + 4), rd32(e + 8)); break;
        case 2:
            rt_printf("tables: MADT override: bus %u IRQ %u -> GSI %u, flags 0x%x\n", e[2], e[3], rd32(e + 4),
                      rd16(e + 8));
            break;
        case 4: rt_printf("tables: MADT local APIC NMI: processor 0x%x flags 0x%x LINT%u\n", e[2], rd16(e + 3), e[5]); break;
        default: rt_printf("tables: MADT entry of type %u\n", e[0]); break;
        }
        if (e[1] == 0)
            break;
    }
}

static void acpi_tables(void)
{
    const uint8_t *rsdp = find_low("RSD PTR ", 8, 20);
    if (!rsdp) {
        rt_puts("tables: no ACPI RSDP\n");
        return;
    }
    rt_printf("tables: RSDP revision %u\n", rsdp[15]);
    const uint8_t *rsdt = (const uint8_t *)rd32(rsdp + 16);
    uint32_t len = rd32(rsdt + 4);
    rt_printf("tables: RSDT: signature ok %u, checksum ok %u\n", match(rsdt, "RSDT", 4), sum(rsdt, len) == 0);
    for (uint32_t off = 36; off + 4 <= len; off += 4) {
        const uint8_t *t = (const uint8_t *)rd32(rsdt + off);
        uint32_t tlen = rd32(t + 4);
        if (!match(t, "APIC", 4) && !match(t, "FACP", 4))
            continue;
        rt_printf("tables: RSDT entry %c%c%c%c, revision %u, checksum ok %u\n", t[0], t[1], t[2], t[3], t[8],
                  sum(t, tlen) == 0);
        if (match(t, "APIC", 4))
            madt(t);
        if (match(t, "FACP", 4)) {
            const uint8_t *dsdt = (const uint8_t *)rd32(t + 40);
            rt_printf("tables: FADT: SCI IRQ %u, DSDT signature ok %u, checksum ok %u\n", rd16(t + 46),
                      match(dsdt, "DSDT", 4), sum(dsdt, rd32(dsdt + 4)) == 0);
        }
    }
}

void guest_main(void)
{
    mp_tables();
    acpi_tables();
    rt_exit(0);
}
