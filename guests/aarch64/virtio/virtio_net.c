/* virtio-net on user networking: gets an address by DHCP (DISCOVER, OFFER, REQUEST, ACK),
 * resolves the gateway by ARP, then opens a TCP connection to 10.0.2.2:NET_PORT (the host's
 * 127.0.0.1, where the test runs a small HTTP server), sends a GET, reads the reply to the
 * server's FIN and closes. It prints what does not depend on host timing: the addresses DHCP
 * gave, the gateway's MAC and the server's reply. Waits use WFI with no timer armed, so the
 * recorder waits for the host while the guest waits for the network. */
#include "rt.h"
#include "virtio_drv.h"

#ifndef NET_PORT
#define NET_PORT 47321
#endif
#define RX_BUFS VQ_SIZE
#define BUF_BYTES 2048

static uint8_t rx_ring[8192] __attribute__((aligned(4096)));
static uint8_t tx_ring[8192] __attribute__((aligned(4096)));
static uint8_t rx_bufs[RX_BUFS][BUF_BYTES] __attribute__((aligned(16)));
static uint8_t tx_buf[BUF_BYTES] __attribute__((aligned(16)));
static struct vdev dev;
static struct vq rxq, txq;
static unsigned hdr_bytes;
static uint8_t mac[6], gw_mac[6];
static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static uint32_t my_ip, gw_ip, dns_ip, server_id;

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

/* ---- the NIC ---- */

static void post_rx(unsigned i)
{
    rxq.desc[i] = (struct vq_desc){(uintptr_t)rx_bufs[i], BUF_BYTES, VQ_F_WRITE, 0};
    virtio_submit(&dev, 0, &rxq, (uint16_t)i);
}

/* Sends the frame in tx_buf after the virtio-net header, and waits until the device is done. */
static void send_frame(uint32_t len)
{
    memset(tx_buf, 0, hdr_bytes);
    txq.desc[0] = (struct vq_desc){(uintptr_t)tx_buf, hdr_bytes + len, 0, 0};
    virtio_submit(&dev, 1, &txq, 0);
    virtio_wait(&dev, &txq, 0);
}

/* The next received frame (without the header); `*slot` is re-posted with post_rx. */
static uint8_t *receive(uint32_t *len, unsigned *slot)
{
    uint32_t used = 0;
    *slot = virtio_wait(&dev, &rxq, &used);
    *len = used - hdr_bytes;
    return rx_bufs[*slot] + hdr_bytes;
}

static uint8_t *eth(const uint8_t *dst, uint16_t type)
{
    uint8_t *f = tx_buf + hdr_bytes;
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
    put16(t + 14, 8192);
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
    put32(m + 4, 0x52524e45); /* xid */
    put16(m + 10, 0x8000);   /* answer by broadcast: we have no address yet */
    memcpy(m + 28, mac, 6);
    put32(m + 236, 0x63825363);
    uint32_t n = 240 + dhcp_options(m + 240, type);
    uint32_t saved = my_ip;
    my_ip = 0;
    send_udp(0xffffffff, 68, 67, m, n < 300 ? 300 : n);
    my_ip = saved;
}

/* Waits for a DHCP reply of `type`; fills the addresses from it. */
static void dhcp_wait(uint8_t type)
{
    for (;;) {
        uint32_t len;
        unsigned slot;
        uint8_t *f = receive(&len, &slot);
        uint8_t *m = f + 14 + 20 + 8;
        int ok = len > 14 + 20 + 8 + 240 && get16(f + 12) == 0x0800 && f[14 + 9] == 17 && get16(f + 14 + 20 + 2) == 68 &&
                 get32(m + 4) == 0x52524e45;
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
        post_rx(slot);
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
        unsigned slot;
        uint8_t *f = receive(&len, &slot);
        int reply = len >= 14 + 28 && get16(f + 12) == 0x0806 && get16(f + 14 + 6) == 2 && get32(f + 14 + 14) == gw_ip;
        if (reply)
            memcpy(gw_mac, f + 14 + 8, 6);
        post_rx(slot);
        if (reply)
            return;
    }
}

/* ---- TCP client ---- */

static char reply[4096];
static uint32_t reply_len;

static void http_get(void)
{
    const uint16_t sport = 40000;
    uint32_t seq = 1000, ack = 0;
    send_tcp(sport, seq, 0, SYN, 0, 0);
    seq++;
    int open = 1, established = 0;
    static const char get[] = "GET /virtio HTTP/1.0\r\nHost: 10.0.2.2\r\n\r\n";
    while (open) {
        uint32_t len;
        unsigned slot;
        uint8_t *f = receive(&len, &slot);
        uint8_t *t = f + 14 + 20;
        int mine = len >= 14 + 40 && get16(f + 12) == 0x0800 && f[14 + 9] == 6 && get16(t + 2) == sport;
        if (mine) {
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
            }
        }
        post_rx(slot);
    }
}

void guest_main(void)
{
    if (!virtio_find(1, 0, &dev)) {
        rt_puts("virtio_net: no network device\n");
        semi_exit_extended(2);
    }
    int64_t features = virtio_start(&dev, 1u << 5 /* MAC */);
    if (features < 0)
        semi_exit_extended(3);
    hdr_bytes = dev.version == 2 ? 12 : 10;
    for (unsigned i = 0; i < 6; ++i)
        mac[i] = virtio_config8(&dev, i);
    virtio_queue(&dev, 0, &rxq, rx_ring);
    virtio_queue(&dev, 1, &txq, tx_ring);
    virtio_driver_ok(&dev);
    rt_printf("virtio_net: mac %x:%x:%x:%x:%x:%x\n", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    for (unsigned i = 0; i < RX_BUFS; ++i)
        post_rx(i);

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
    /* The body: after the blank line. */
    const char *body = reply;
    for (uint32_t i = 0; i + 3 < reply_len; ++i)
        if (reply[i] == '\r' && reply[i + 1] == '\n' && reply[i + 2] == '\r' && reply[i + 3] == '\n') {
            body = reply + i + 4;
            break;
        }
    rt_printf("reply of %u bytes, body: %s", reply_len, body);
    semi_exit_extended(reply_len && body != reply ? 0 : 1);
}
