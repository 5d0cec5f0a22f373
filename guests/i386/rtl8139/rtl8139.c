/* An RTL8139 on `-M pc` driven as a bare-metal driver does: finds the NIC by a PCI scan of bus
 * 0 and prints its configuration space as the firmware left it (IDs, revision, class, interrupt
 * pin and line, the PIIX3 PIRQ routes and the ELCR), sizes and then programs its BARs itself,
 * resets the chip and prints its registers, reads the MAC from IDR through both BARs, sets up
 * the receive ring (8 KiB + WRAP) and the four transmit descriptors, and takes the NIC's
 * interrupts on the ISA IRQ the interrupt line names (through the 8259). Then, over slirp: DHCP
 * (DISCOVER, OFFER, REQUEST, ACK), ARP for the gateway, and a TCP connection to 10.0.2.2:NET_PORT
 * (the host's 127.0.0.1, where the test runs a small HTTP server) whose reply is larger than the
 * ring, so that the ring wraps. Prints what does not depend on host timing and exits with 0 when
 * the reply came. Waits are HLT with only the NIC's IRQ unmasked. */
#include "rt.h"

#ifndef NET_PORT
#define NET_PORT 47322
#endif

/* Where this driver puts the BARs (any free place would do). */
#define IO_BASE 0xe000
#define MMIO_BASE 0xfe000000u

enum {
    IDR0 = 0x00, MAR0 = 0x08, TSD0 = 0x10, TSAD0 = 0x20, RBSTART = 0x30, CR = 0x37, CAPR = 0x38, CBR = 0x3a,
    IMR = 0x3c, ISR = 0x3e, TCR = 0x40, RCR = 0x44, MPC = 0x4c, CFG9346 = 0x50, CONFIG0 = 0x51, CONFIG1 = 0x52,
    MSR = 0x58, CONFIG3 = 0x59, CONFIG4 = 0x5a, TSAD_SUMMARY = 0x60, BMCR = 0x62, BMSR = 0x64,
};
enum { CR_BUFE = 1, CR_TE = 4, CR_RE = 8, CR_RST = 16 };
enum { INT_ROK = 1, INT_RER = 2, INT_TOK = 4, INT_TER = 8, INT_RXOVW = 16 };
enum { TSD_OWN = 1 << 13, TSD_TOK = 1 << 15 };
enum { RCR_APM = 2, RCR_AM = 4, RCR_AB = 8, RCR_WRAP = 0x80 };

#define RING_BYTES 8192
#define BUF_BYTES 1536
/* The ring with room for a frame that runs on past its end (WRAP). */
static uint8_t rx_ring[RING_BYTES + 16 + BUF_BYTES] __attribute__((aligned(16)));
static uint8_t tx_bufs[4][BUF_BYTES] __attribute__((aligned(16)));
static uint32_t rx_offset, rx_consumed, tx_next;
static volatile uint16_t pending_isr;
static uint8_t mac[6], gw_mac[6];
static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static uint32_t my_ip, gw_ip, dns_ip, server_id;

/* The registers through BAR0. */
static uint8_t r8(unsigned r) { return inb((uint16_t)(IO_BASE + r)); }
static uint16_t r16(unsigned r) { return inw((uint16_t)(IO_BASE + r)); }
static uint32_t r32(unsigned r) { return inl((uint16_t)(IO_BASE + r)); }
static void w8(unsigned r, uint8_t v) { outb((uint16_t)(IO_BASE + r), v); }
static void w16(unsigned r, uint16_t v) { outw((uint16_t)(IO_BASE + r), v); }
static void w32(unsigned r, uint32_t v) { outl((uint16_t)(IO_BASE + r), v); }
/* And through BAR1. */
static volatile uint8_t *const mmio = (volatile uint8_t *)MMIO_BASE;

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)), put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

static void print_ip(const char *label, uint32_t ip)
{
    rt_printf("%s %u.%u.%u.%u\n", label, ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

static uint32_t sum16(const uint8_t *p, uint32_t n, uint32_t acc)
{
    for (uint32_t i = 0; i + 1 < n; i += 2)
        acc += get16(p + i);
    if (n & 1)
        acc += (uint32_t)p[n - 1] << 8;
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

/* ---- PCI ---- */

static unsigned find_nic(void)
{
    for (unsigned dev = 0; dev < 32; ++dev)
        if (pci_read(dev, 0, 0) == 0x813910ec)
            return dev;
    rt_puts("rtl8139: no 10ec:8139 on bus 0\n");
    rt_exit(2);
}

static uint32_t bar_size(unsigned dev, unsigned bar, uint32_t flag_bits)
{
    unsigned reg = 0x10 + 4 * bar;
    uint32_t old = pci_read(dev, 0, reg);
    pci_write(dev, 0, reg, 0xffffffffu);
    uint32_t sized = pci_read(dev, 0, reg);
    pci_write(dev, 0, reg, old);
    return ~(sized & ~flag_bits) + 1;
}

/* ---- the NIC ---- */

static void nic_irq(struct int_frame *frame)
{
    (void)frame;
    uint16_t isr = r16(ISR);
    w16(ISR, isr); /* write 1 to clear: the line drops before the EOI */
    pending_isr |= isr;
}

static void nic_setup(unsigned irq)
{
    w8(CR, CR_RST);
    unsigned spins = 0;
    while (r8(CR) & CR_RST)
        if (++spins > 100000) {
            rt_puts("rtl8139: reset does not finish\n");
            rt_exit(3);
        }
    rt_printf("after reset: cr %x isr %x imr %x tcr %x rcr %x tsd0 %x tsad %x capr %x cbr %x\n", r8(CR), r16(ISR),
              r16(IMR), r32(TCR), r32(RCR), r32(TSD0), r16(TSAD_SUMMARY), r16(CAPR), r16(CBR));
    rt_printf("config: 9346cr %x config0 %x config1 %x config3 %x config4 %x msr %x bmcr %x bmsr %x mpc %x\n",
              r8(CFG9346), r8(CONFIG0), r8(CONFIG1), r8(CONFIG3), r8(CONFIG4), r8(MSR), r16(BMCR), r16(BMSR),
              r32(MPC));
    for (unsigned i = 0; i < 6; ++i)
        mac[i] = r8(IDR0 + i);
    int same = 1;
    for (unsigned i = 0; i < 6; ++i)
        same = same && mmio[IDR0 + i] == mac[i];
    rt_printf("mac %x:%x:%x:%x:%x:%x (the memory BAR %s)\n", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
              same ? "agrees" : "differs");

    rt_set_handler(VEC_IRQ0 + irq, nic_irq);
    rt_pic_unmask(irq);
    w8(CFG9346, 0xc0);
    w8(CONFIG1, 0); /* power management off */
    w8(CFG9346, 0);
    w32(RBSTART, (uint32_t)(uintptr_t)rx_ring);
    for (unsigned i = 0; i < 4; ++i)
        w32(TSAD0 + 4 * i, (uint32_t)(uintptr_t)tx_bufs[i]);
    /* Through the memory BAR: the interrupts, and the multicast filter open. */
    *(volatile uint16_t *)(mmio + IMR) = INT_ROK | INT_RER | INT_TOK | INT_TER;
    *(volatile uint32_t *)(mmio + MAR0) = 0xffffffffu;
    *(volatile uint32_t *)(mmio + MAR0 + 4) = 0xffffffffu;
    w8(CR, CR_RE | CR_TE);
    w32(RCR, RCR_APM | RCR_AM | RCR_AB | RCR_WRAP);   /* 8 KiB ring, no FIFO threshold, DMA unlimited */
    w32(TCR, 0x03000600);                              /* normal interframe gap, DMA bursts of 1 KiB */
    rt_printf("running: cr %x imr %x rcr %x tcr %x capr %x cbr %x\n", r8(CR), r16(IMR), r32(RCR), r32(TCR),
              r16(CAPR), r16(CBR));
}

static uint8_t *tx_frame(void) { return tx_bufs[tx_next]; }

/* Sends tx_frame() and waits for the chip to finish with it. */
static void send_frame(uint32_t len)
{
    if (len < 60) {
        memset(tx_bufs[tx_next] + len, 0, 60 - len);
        len = 60;
    }
    unsigned d = tx_next;
    w32(TSD0 + 4 * d, len); /* OWN clear: the chip's */
    while (!(r32(TSD0 + 4 * d) & TSD_TOK))
        ;
    tx_next = (tx_next + 1) % 4;
}

static uint8_t frame[BUF_BYTES];

/* The next received frame (copied out of the ring); waits for one. */
static uint8_t *receive(uint32_t *len)
{
    for (;;) {
        irq_disable();
        if (!(r8(CR) & CR_BUFE))
            break;
        halt_until_interrupt();
    }
    const uint8_t *at = rx_ring + rx_offset;
    uint16_t status = (uint16_t)(at[0] | at[1] << 8);
    uint16_t length = (uint16_t)(at[2] | at[3] << 8); /* with the CRC */
    if (!(status & 1) || length < 64 || length > BUF_BYTES) {
        rt_printf("rtl8139: bad frame header status %x length %u at %u\n", status, length, rx_offset);
        rt_exit(4);
    }
    *len = length - 4u;
    memcpy(frame, at + 4, *len);
    uint32_t next = (rx_offset + length + 4 + 3) & ~3u;
    rx_consumed += next - rx_offset;
    rx_offset = next % RING_BYTES;
    w16(CAPR, (uint16_t)(rx_offset - 16));
    return frame;
}

static uint8_t *eth(const uint8_t *dst, uint16_t type)
{
    uint8_t *f = tx_frame();
    memcpy(f, dst, 6);
    memcpy(f + 6, mac, 6);
    put16(f + 12, type);
    return f + 14;
}

/* ---- IPv4, UDP, TCP ---- */

static uint16_t ip_id;

static uint8_t *ip(const uint8_t *dst_mac, uint32_t src, uint32_t dst, uint8_t proto, uint32_t payload)
{
    uint8_t *p = eth(dst_mac, 0x0800);
    memset(p, 0, 20);
    p[0] = 0x45;
    put16(p + 2, (uint16_t)(20 + payload));
    put16(p + 4, ip_id++);
    p[8] = 64;
    p[9] = proto;
    put32(p + 12, src);
    put32(p + 16, dst);
    put16(p + 10, fold(sum16(p, 20, 0)));
    return p + 20;
}

static void send_udp(uint32_t dst, uint16_t sport, uint16_t dport, const uint8_t *data, uint32_t n)
{
    uint8_t *u = ip(broadcast, my_ip, dst, 17, 8 + n);
    put16(u, sport), put16(u + 2, dport), put16(u + 4, (uint16_t)(8 + n)), put16(u + 6, 0);
    memcpy(u + 8, data, n);
    send_frame(14 + 20 + 8 + n);
}

enum { FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16 };

static void send_tcp(uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags, const char *data, uint32_t n)
{
    uint8_t *t = ip(gw_mac, my_ip, gw_ip, 6, 20 + n);
    memset(t, 0, 20);
    put16(t, sport), put16(t + 2, NET_PORT);
    put32(t + 4, seq), put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, 4096); /* half the ring: the sender never has more in flight than it holds */
    memcpy(t + 20, data, n);
    uint8_t pseudo[12];
    put32(pseudo, my_ip), put32(pseudo + 4, gw_ip), pseudo[8] = 0, pseudo[9] = 6;
    put16(pseudo + 10, (uint16_t)(20 + n));
    put16(t + 16, fold(sum16(t, 20 + n, sum16(pseudo, 12, 0))));
    send_frame(14 + 20 + 20 + n);
}

/* ---- DHCP ---- */

static uint32_t dhcp_options(uint8_t *o, uint8_t type)
{
    uint32_t n = 0;
    o[n++] = 53, o[n++] = 1, o[n++] = type;
    if (type == 3) {
        o[n++] = 50, o[n++] = 4, put32(o + n, my_ip), n += 4;
        o[n++] = 54, o[n++] = 4, put32(o + n, server_id), n += 4;
    }
    o[n++] = 55, o[n++] = 3, o[n++] = 1, o[n++] = 3, o[n++] = 6;
    o[n++] = 255;
    return n;
}

static void dhcp_send(uint8_t type)
{
    static uint8_t m[300];
    memset(m, 0, sizeof m);
    m[0] = 1, m[1] = 1, m[2] = 6;
    put32(m + 4, 0x52523831); /* xid */
    put16(m + 10, 0x8000);   /* answer by broadcast: we have no address yet */
    memcpy(m + 28, mac, 6);
    put32(m + 236, 0x63825363);
    uint32_t n = 240 + dhcp_options(m + 240, type);
    uint32_t saved = my_ip;
    my_ip = 0;
    send_udp(0xffffffff, 68, 67, m, n < 300 ? 300 : n);
    my_ip = saved;
}

static void dhcp_wait(uint8_t type)
{
    for (;;) {
        uint32_t len;
        uint8_t *f = receive(&len);
        uint8_t *m = f + 14 + 20 + 8;
        int ok = len > 14 + 20 + 8 + 240 && get16(f + 12) == 0x0800 && f[14 + 9] == 17 && get16(f + 14 + 20 + 2) == 68 &&
                 get32(m + 4) == 0x52523831;
        uint8_t got = 0;
        if (ok) {
            uint32_t yiaddr = get32(m + 16);
            for (uint8_t *o = m + 240; o < f + len && *o != 255;) {
                if (*o == 0) {
                    o++;
                    continue;
                }
                uint8_t code = o[0], n = o[1];
                if (code == 53) got = o[2];
                if (code == 54) server_id = get32(o + 2);
                if (code == 3) gw_ip = get32(o + 2);
                if (code == 6) dns_ip = get32(o + 2);
                o += 2 + n;
            }
            if (got == type)
                my_ip = yiaddr;
        }
        if (ok && got == type)
            return;
    }
}

/* ---- ARP ---- */

static void arp_resolve_gateway(void)
{
    uint8_t *a = eth(broadcast, 0x0806);
    put16(a, 1), put16(a + 2, 0x0800), a[4] = 6, a[5] = 4, put16(a + 6, 1);
    memcpy(a + 8, mac, 6), put32(a + 14, my_ip);
    memset(a + 18, 0, 6), put32(a + 24, gw_ip);
    send_frame(14 + 28);
    for (;;) {
        uint32_t len;
        uint8_t *f = receive(&len);
        if (len >= 14 + 28 && get16(f + 12) == 0x0806 && get16(f + 14 + 6) == 2 && get32(f + 14 + 14) == gw_ip) {
            memcpy(gw_mac, f + 14 + 8, 6);
            return;
        }
    }
}

/* ---- TCP client ---- */

static char reply[16384];
static uint32_t reply_len;

static void http_get(void)
{
    const uint16_t sport = 40001;
    uint32_t seq = 2000, ack = 0;
    send_tcp(sport, seq, 0, SYN, 0, 0);
    seq++;
    int open = 1, established = 0;
    static const char get[] = "GET /rtl8139 HTTP/1.0\r\nHost: 10.0.2.2\r\n\r\n";
    while (open) {
        uint32_t len;
        uint8_t *f = receive(&len);
        uint8_t *t = f + 14 + 20;
        if (!(len >= 14 + 40 && get16(f + 12) == 0x0800 && f[14 + 9] == 6 && get16(t + 2) == sport))
            continue;
        uint8_t flags = t[13];
        uint32_t their_seq = get32(t + 4);
        uint32_t ip_len = get16(f + 14 + 2);
        uint32_t data_off = (uint32_t)(t[12] >> 4) * 4;
        uint32_t n = ip_len - 20 - data_off;
        if (flags & RST) {
            rt_puts("connection reset\n");
            open = 0;
        } else if (!established && (flags & (SYN | ACK)) == (SYN | ACK)) {
            established = 1;
            ack = their_seq + 1;
            send_tcp(sport, seq, ack, ACK | PSH, get, sizeof get - 1);
            seq += sizeof get - 1;
            rt_puts("connected, request sent\n");
        } else if (established && their_seq == ack) {
            for (uint32_t i = 0; i < n && reply_len < sizeof reply - 1; ++i)
                reply[reply_len++] = (char)t[data_off + i];
            ack += n;
            if (flags & FIN) {
                ack++;
                send_tcp(sport, seq, ack, FIN | ACK, 0, 0);
                seq++;
                open = 0;
            } else if (n) {
                send_tcp(sport, seq, ack, ACK, 0, 0);
            }
        } else if (established && n) {
            send_tcp(sport, seq, ack, ACK, 0, 0); /* out of order: ask again for what we miss */
        }
    }
}

void guest_main(void)
{
    unsigned dev = find_nic();
    uint32_t id = pci_read(dev, 0, 0x08), sub = pci_read(dev, 0, 0x2c), intr = pci_read(dev, 0, 0x3c);
    rt_printf("rtl8139 at 00:%x.0: revision %x class %x subsystem %x:%x interrupt pin %u line %u\n", dev, id & 0xff,
              id >> 8, sub & 0xffff, sub >> 16, (intr >> 8) & 0xff, intr & 0xff);
    uint32_t pirq = pci_read(1, 0, 0x60);
    rt_printf("piix3 pirq routes %x %x %x %x, elcr %x\n", pirq & 0xff, (pirq >> 8) & 0xff, (pirq >> 16) & 0xff,
              pirq >> 24, inb(0x4d0) | inb(0x4d1) << 8);
    rt_printf("firmware left: command %x bar0 %x bar1 %x\n", pci_read(dev, 0, 4) & 0xffff, pci_read(dev, 0, 0x10),
              pci_read(dev, 0, 0x14));
    rt_printf("bar0: I/O, %u ports; bar1: memory, %u bytes\n", bar_size(dev, 0, 3), bar_size(dev, 1, 15));
    pci_write(dev, 0, 0x10, IO_BASE);
    pci_write(dev, 0, 0x14, MMIO_BASE);
    pci_write(dev, 0, 0x04, 0x7); /* I/O, memory, bus master */
    unsigned irq = intr & 0xff;
    nic_setup(irq);

    dhcp_send(1);
    dhcp_wait(2);
    print_ip("offered", my_ip);
    dhcp_send(3);
    dhcp_wait(5);
    print_ip("address", my_ip);
    print_ip("router", gw_ip);
    print_ip("dns", dns_ip);
    arp_resolve_gateway();
    rt_printf("gateway mac %x:%x:%x:%x:%x:%x\n", gw_mac[0], gw_mac[1], gw_mac[2], gw_mac[3], gw_mac[4], gw_mac[5]);
    http_get();
    reply[reply_len] = 0;
    const char *body = reply;
    for (uint32_t i = 0; i + 3 < reply_len; ++i)
        if (reply[i] == '\r' && reply[i + 1] == '\n' && reply[i + 2] == '\r' && reply[i + 3] == '\n') {
            body = reply + i + 4;
            break;
        }
    uint32_t body_len = reply_len - (uint32_t)(body - reply), fnv = FNV1A_INIT;
    for (uint32_t i = 0; i < body_len; ++i)
        fnv = fnv1a_step(fnv, (uint8_t)body[i]);
    const char *nl = body;
    while (*nl && *nl != '\n')
        nl++;
    rt_printf("reply of %u bytes, body of %u bytes with checksum %x, first line: ", reply_len, body_len, fnv);
    for (const char *c = body; c < nl; ++c)
        rt_putc(*c);
    rt_printf("\nthe ring wrapped: %s; missed frames %u\n", rx_consumed > RING_BYTES ? "yes" : "no", r32(MPC));
    rt_exit(reply_len && body != reply ? 0 : 1);
}
