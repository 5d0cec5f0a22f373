// virtio-mmio transports (legacy and modern register semantics), split virtqueues (chains,
// indirect tables, wrap-around, malformed chains) and the blk, net and rng devices, driven
// through their registers by a small driver written here from the virtio 1.x specification.
#include <catch2/catch.hpp>

#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/state_archive.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_net.h"
#include "dev/virtio_rng.h"

using namespace emu;

namespace {

// Register offsets from the specification's "MMIO Device Register Layout".
enum : uint64_t {
    Magic = 0x000, Version = 0x004, DeviceId = 0x008, VendorId = 0x00c, DeviceFeatures = 0x010,
    DeviceFeaturesSel = 0x014, DriverFeatures = 0x020, DriverFeaturesSel = 0x024, GuestPageSize = 0x028,
    QueueSel = 0x030, QueueNumMax = 0x034, QueueNum = 0x038, QueueAlign = 0x03c, QueuePfn = 0x040,
    QueueReady = 0x044, QueueNotify = 0x050, InterruptStatus = 0x060, InterruptAck = 0x064, Status = 0x070,
    QueueDescLow = 0x080, QueueDescHigh = 0x084, QueueDriverLow = 0x090, QueueDeviceLow = 0x0a0, Config = 0x100,
};
constexpr uint16_t F_NEXT = 1, F_WRITE = 2, F_INDIRECT = 4;
constexpr uint64_t kRam = 0x40000000;
constexpr uint64_t kRamSize = 4 << 20;

// Guest memory, the clock, and a driver for one queue of one device.
struct Rig {
    Bus bus;
    VirtualClock clock{0};
    Rig() { bus.add_ram(kRam, kRamSize); }

    void w16(uint64_t a, uint16_t v) { bus.write_bytes(a, &v, 2); }
    void w32(uint64_t a, uint32_t v) { bus.write_bytes(a, &v, 4); }
    void w64(uint64_t a, uint64_t v) { bus.write_bytes(a, &v, 8); }
    uint16_t r16(uint64_t a) { uint16_t v = 0; bus.read_bytes(a, &v, 2); return v; }
    uint32_t r32(uint64_t a) { uint32_t v = 0; bus.read_bytes(a, &v, 4); return v; }
    void desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next = 0)
    {
        uint64_t d = table + 16 * i;
        w64(d, addr), w32(d + 8, len), w16(d + 12, flags), w16(d + 14, next);
    }
    // Runs virtual time forward, firing timers as the CPU loop does.
    void advance(uint64_t ns)
    {
        clock.set_icount(clock.icount() + ns);
        clock.fire_due();
    }
};

// A split ring the driver side manages: descriptor table, available and used rings.
struct Ring {
    uint64_t desc, avail, used;
    uint16_t size;
    uint16_t avail_idx = 0;
};

uint32_t rd(VirtioMmio& d, uint64_t off) { return static_cast<uint32_t>(d.mmio_read(off, 4)); }
void wr(VirtioMmio& d, uint64_t off, uint32_t v) { d.mmio_write(off, v, 4); }

// Reset, ACKNOWLEDGE, DRIVER, every offered feature (modern: VERSION_1 included), FEATURES_OK.
void start(VirtioMmio& dev)
{
    wr(dev, Status, 0);
    wr(dev, Status, 1);
    wr(dev, Status, 1 | 2);
    uint64_t features = 0;
    for (uint32_t sel = 0; sel < 2; ++sel) {
        wr(dev, DeviceFeaturesSel, sel);
        features |= uint64_t{rd(dev, DeviceFeatures)} << (32 * sel);
    }
    for (uint32_t sel = 0; sel < 2; ++sel) {
        wr(dev, DriverFeaturesSel, sel);
        wr(dev, DriverFeatures, static_cast<uint32_t>(features >> (32 * sel)));
    }
    wr(dev, Status, 1 | 2 | 8);
}

Ring add_queue(VirtioMmio& dev, unsigned q, uint64_t base, uint16_t size)
{
    Ring ring{};
    ring.size = size;
    wr(dev, QueueSel, q);
    wr(dev, QueueNum, size);
    if (dev.version() == VirtioMmioVersion::Legacy) {
        wr(dev, GuestPageSize, 4096);
        wr(dev, QueueAlign, 4096);
        wr(dev, QueuePfn, static_cast<uint32_t>(base / 4096));
        ring.desc = base;
        ring.avail = base + 16 * size;
        ring.used = (ring.avail + 6 + 2 * size + 4095) / 4096 * 4096;
    } else {
        ring.desc = base;
        ring.avail = base + 0x1000;
        ring.used = base + 0x2000;
        wr(dev, QueueDescLow, static_cast<uint32_t>(ring.desc));
        wr(dev, QueueDescHigh, 0);
        wr(dev, QueueDriverLow, static_cast<uint32_t>(ring.avail));
        wr(dev, QueueDeviceLow, static_cast<uint32_t>(ring.used));
        wr(dev, QueueReady, 1);
    }
    return ring;
}

// Brings a device to DRIVER_OK with all offered features (modern: VERSION_1 included) and
// queue q set up at `base`: legacy through QueuePFN, modern through the address registers.
// With `first` false the device is already started and only the queue is added.
Ring setup(Rig& rig, VirtioMmio& dev, unsigned q, uint64_t base, uint16_t size, bool first = true)
{
    if (first)
        start(dev);
    Ring ring = add_queue(dev, q, base, size);
    wr(dev, Status, rd(dev, Status) | 4);
    (void)rig;
    return ring;
}

// Makes the chain starting at `head` available and notifies queue q.
void offer(Rig& rig, VirtioMmio& dev, Ring& r, unsigned q, uint16_t head)
{
    rig.w16(r.avail + 4 + 2 * (r.avail_idx % r.size), head);
    r.avail_idx++;
    rig.w16(r.avail + 2, r.avail_idx);
    wr(dev, QueueNotify, q);
}

std::vector<uint8_t> pattern(size_t n, uint8_t seed)
{
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = static_cast<uint8_t>(seed + i * 7);
    return v;
}

// A block request: header at `at`, data buffer, status byte.
struct BlkRequest {
    uint64_t header, data, status;
};

void blk_request(Rig& rig, Ring& r, uint16_t first, const BlkRequest& q, uint32_t type, uint64_t sector, uint32_t len)
{
    rig.w32(q.header, type), rig.w32(q.header + 4, 0), rig.w64(q.header + 8, sector);
    bool in = type == 0 || type == 8;
    rig.desc(r.desc, first, q.header, 16, F_NEXT, first + 1);
    rig.desc(r.desc, first + 1, q.data, len, static_cast<uint16_t>(F_NEXT | (in ? F_WRITE : 0)), first + 2);
    rig.desc(r.desc, first + 2, q.status, 1, F_WRITE);
    rig.bus.write_bytes(q.status, "\xff", 1);
}

}  // namespace

TEST_CASE("virtio-mmio: identity registers, legacy and modern", "[virtio]")
{
    for (VirtioMmioVersion v : {VirtioMmioVersion::Legacy, VirtioMmioVersion::Modern}) {
        Rig rig;
        VirtioRng rng(rig.bus, v, [](std::span<uint8_t>) {});
        CHECK(rd(rng, Magic) == 0x74726976);
        CHECK(rd(rng, Version) == static_cast<uint32_t>(v));
        CHECK(rd(rng, DeviceId) == 4);
        CHECK(rd(rng, VendorId) == 0x554d4551);
        wr(rng, DeviceFeaturesSel, 1);
        // VIRTIO_F_VERSION_1 is bit 32: offered by modern transports only.
        CHECK(rd(rng, DeviceFeatures) == (v == VirtioMmioVersion::Modern ? 1u : 0u));
        wr(rng, QueueSel, 0);
        CHECK(rd(rng, QueueNumMax) == 8);
        wr(rng, QueueSel, 1);
        CHECK(rd(rng, QueueNumMax) == 0);  // no such queue
        EmptyVirtioSlot empty(v);
        CHECK(empty.mmio_read(Magic, 4) == 0x74726976);
        CHECK(empty.mmio_read(Version, 4) == static_cast<uint32_t>(v));
        CHECK(empty.mmio_read(DeviceId, 4) == 0);
    }
}

TEST_CASE("virtio-mmio legacy: QueuePFN lays the ring out with the guest page size and QueueAlign", "[virtio]")
{
    Rig rig;
    VirtioRng rng(rig.bus, VirtioMmioVersion::Legacy, [](std::span<uint8_t> out) { std::fill(out.begin(), out.end(), 0xab); });
    wr(rng, GuestPageSize, 4096);
    wr(rng, QueueSel, 0);
    wr(rng, QueueNum, 8);
    wr(rng, QueueAlign, 4096);
    wr(rng, QueuePfn, (kRam + 0x10000) / 4096);
    CHECK(rd(rng, QueuePfn) == (kRam + 0x10000) / 4096);
    // Legacy has no QueueReady or ring address registers.
    CHECK(rd(rng, QueueReady) == 0);
    CHECK(rd(rng, QueueDescLow) == 0);
    wr(rng, Status, 1 | 2 | 4);
    uint64_t desc = kRam + 0x10000, avail = desc + 16 * 8, used = desc + 4096;  // 128 + 6 + 16 < 4096
    rig.desc(desc, 0, kRam + 0x20000, 16, F_WRITE);
    rig.w16(avail + 4, 0);
    rig.w16(avail + 2, 1);
    wr(rng, QueueNotify, 0);
    CHECK(rig.r16(used + 2) == 1);
    CHECK(rig.r32(used + 4) == 0);
    CHECK(rig.r32(used + 8) == 16);
    CHECK(rig.r32(kRam + 0x20000) == 0xabababab);
    CHECK(rd(rng, InterruptStatus) == 1);
    CHECK(rng.irq.level());
    wr(rng, InterruptAck, 1);
    CHECK_FALSE(rng.irq.level());
    // A legacy driver has 32 feature bits.
    wr(rng, DeviceFeaturesSel, 1);
    CHECK(rd(rng, DeviceFeatures) == 0);
    // PFN 0 stops the queue.
    wr(rng, QueuePfn, 0);
    rig.w16(avail + 6, 0);
    rig.w16(avail + 2, 2);
    wr(rng, QueueNotify, 0);
    CHECK(rig.r16(used + 2) == 1);
}

TEST_CASE("virtio-mmio modern: feature negotiation needs VERSION_1, reset clears everything", "[virtio]")
{
    Rig rig;
    VirtioRng rng(rig.bus, VirtioMmioVersion::Modern, [](std::span<uint8_t>) {});
    wr(rng, Status, 1 | 2);
    wr(rng, DriverFeaturesSel, 0);
    wr(rng, DriverFeatures, 0);  // without VERSION_1
    wr(rng, Status, 1 | 2 | 8);
    CHECK((rd(rng, Status) & 8) == 0);  // refused
    wr(rng, DriverFeaturesSel, 1);
    wr(rng, DriverFeatures, 1);
    wr(rng, Status, 1 | 2 | 8);
    CHECK((rd(rng, Status) & 8) == 8);
    CHECK(rng.driver_features() == uint64_t{1} << 32);
    // A bit that was not offered is refused too.
    wr(rng, Status, 0);
    wr(rng, DriverFeaturesSel, 0);
    wr(rng, DriverFeatures, 1u << 5);
    wr(rng, Status, 1 | 2 | 8);
    CHECK((rd(rng, Status) & 8) == 0);
    // Queue size must be a power of two no larger than QueueNumMax.
    wr(rng, Status, 0);
    wr(rng, QueueSel, 0);
    wr(rng, QueueNum, 6);
    wr(rng, QueueReady, 1);
    CHECK(rd(rng, QueueReady) == 0);
    wr(rng, QueueNum, 4);
    wr(rng, QueueDescLow, 0x1234);
    wr(rng, QueueDescHigh, 0x1);
    CHECK(rd(rng, QueueDescLow) == 0x1234);
    CHECK(rd(rng, QueueDescHigh) == 0x1);
    wr(rng, QueueReady, 1);
    CHECK(rd(rng, QueueReady) == 1);
    wr(rng, Status, 0);
    CHECK(rd(rng, QueueReady) == 0);
    CHECK(rd(rng, QueueNum) == 8);  // back to QueueNumMax
    CHECK(rd(rng, QueueDescLow) == 0);
    CHECK(rd(rng, Status) == 0);
}

TEST_CASE("virtio-rng: chains across the ring's wrap-around, with indirect tables", "[virtio]")
{
    for (VirtioMmioVersion v : {VirtioMmioVersion::Legacy, VirtioMmioVersion::Modern}) {
        Rig rig;
        uint8_t next = 0;
        VirtioRng rng(rig.bus, v, [&next](std::span<uint8_t> out) {
            for (uint8_t& b : out)
                b = next++;
        });
        Ring r = setup(rig, rng, 0, kRam + 0x10000, 4);
        uint8_t expect = 0;
        for (unsigned i = 0; i < 11; ++i) {  // past 65536 / 4 would take long; 11 wraps a 4-entry ring twice
            uint16_t head = static_cast<uint16_t>(i % 4);
            uint64_t buf = kRam + 0x40000 + 0x100 * i;
            if (i % 3 == 2) {
                // An indirect table of two writable buffers.
                uint64_t table = kRam + 0x80000 + 0x100 * i;
                rig.desc(table, 0, buf, 5, F_WRITE | F_NEXT, 1);
                rig.desc(table, 1, buf + 0x80, 3, F_WRITE);
                rig.desc(r.desc, head, table, 32, F_INDIRECT);
            } else {
                rig.desc(r.desc, head, buf, 8, F_WRITE);
            }
            offer(rig, rng, r, 0, head);
            REQUIRE(rig.r16(r.used + 2) == i + 1);
            CHECK(rig.r32(r.used + 4 + 8 * (i % 4)) == head);
            CHECK(rig.r32(r.used + 8 + 8 * (i % 4)) == 8);
            uint8_t got[8];
            if (i % 3 == 2) {
                rig.bus.read_bytes(buf, got, 5);
                rig.bus.read_bytes(buf + 0x80, got + 5, 3);
            } else {
                rig.bus.read_bytes(buf, got, 8);
            }
            for (uint8_t b : got)
                CHECK(b == expect++);
        }
        CHECK((rd(rng, Status) & 64) == 0);
    }
}

TEST_CASE("virtqueue: malformed chains set DEVICE_NEEDS_RESET and are never followed", "[virtio]")
{
    struct Case {
        const char* what;
        std::function<void(Rig&, Ring&)> build;
    };
    const uint64_t buf = kRam + 0x40000;
    std::vector<Case> cases = {
        {"a loop", [&](Rig& g, Ring& r) { g.desc(r.desc, 0, buf, 8, F_WRITE | F_NEXT, 1), g.desc(r.desc, 1, buf, 8, F_WRITE | F_NEXT, 0); }},
        {"next past the table", [&](Rig& g, Ring& r) { g.desc(r.desc, 0, buf, 8, F_WRITE | F_NEXT, 9); }},
        {"a buffer outside RAM", [&](Rig& g, Ring& r) { g.desc(r.desc, 0, 0x1000, 8, F_WRITE); }},
        {"readable after writable", [&](Rig& g, Ring& r) { g.desc(r.desc, 0, buf, 8, F_WRITE | F_NEXT, 1), g.desc(r.desc, 1, buf, 8, 0); }},
        {"indirect inside indirect",
         [&](Rig& g, Ring& r) {
             g.desc(kRam + 0x80000, 0, kRam + 0x90000, 16, F_INDIRECT);
             g.desc(r.desc, 0, kRam + 0x80000, 16, F_INDIRECT);
         }},
        {"indirect table of odd length", [&](Rig& g, Ring& r) { g.desc(r.desc, 0, kRam + 0x80000, 20, F_INDIRECT); }},
        {"indirect with NEXT", [&](Rig& g, Ring& r) { g.desc(r.desc, 0, kRam + 0x80000, 16, F_INDIRECT | F_NEXT, 1); }},
        {"indirect loop",
         [&](Rig& g, Ring& r) {
             g.desc(kRam + 0x80000, 0, buf, 8, F_WRITE | F_NEXT, 1);
             g.desc(kRam + 0x80000, 1, buf, 8, F_WRITE | F_NEXT, 0);
             g.desc(r.desc, 0, kRam + 0x80000, 32, F_INDIRECT);
         }},
        {"head past the table", [&](Rig& g, Ring& r) { g.w16(r.avail + 4, 7); }},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        Rig rig;
        int calls = 0;
        VirtioRng rng(rig.bus, VirtioMmioVersion::Modern, [&calls](std::span<uint8_t>) { calls++; });
        Ring r = setup(rig, rng, 0, kRam + 0x10000, 4);
        c.build(rig, r);
        uint16_t head = rig.r16(r.avail + 4);
        r.avail_idx = 1;
        if (std::string(c.what) != "head past the table")
            rig.w16(r.avail + 4, 0);
        rig.w16(r.avail + 2, 1);
        wr(rng, QueueNotify, 0);
        (void)head;
        CHECK(calls == 0);
        CHECK(rig.r16(r.used + 2) == 0);
        CHECK((rd(rng, Status) & 64) == 64);
        CHECK((rd(rng, InterruptStatus) & 2) == 2);  // configuration change
        // Nothing more is done until the driver resets the device.
        rig.desc(r.desc, 0, buf, 8, F_WRITE);
        wr(rng, QueueNotify, 0);
        CHECK(calls == 0);
        wr(rng, Status, 0);
        CHECK(rd(rng, Status) == 0);
    }
    // The driver cannot make more chains available than the ring has entries.
    Rig rig;
    VirtioRng rng(rig.bus, VirtioMmioVersion::Legacy, [](std::span<uint8_t>) {});
    Ring r = setup(rig, rng, 0, kRam + 0x10000, 4);
    rig.w16(r.avail + 2, 5);
    wr(rng, QueueNotify, 0);
    CHECK((rd(rng, Status) & 64) == 64);
}

TEST_CASE("virtio-blk: read, write to the overlay, flush, get-id, errors, completion time", "[virtio]")
{
    for (VirtioMmioVersion v : {VirtioMmioVersion::Legacy, VirtioMmioVersion::Modern}) {
        Rig rig;
        std::vector<uint8_t> image = pattern(64 * 1024, 3);
        const std::vector<uint8_t> original = image;
        VirtioBlk blk(rig.bus, rig.clock, v, image, VirtioBlk::ReadOnly::No, "disk-7");
        // Configuration space: capacity in sectors, blk_size.
        CHECK(blk.mmio_read(Config, 8) == 128);
        CHECK(blk.mmio_read(Config + 20, 4) == 512);
        Ring r = setup(rig, blk, 0, kRam + 0x10000, 8);
        BlkRequest q{kRam + 0x30000, kRam + 0x31000, kRam + 0x30100};

        // A write of two sectors at sector 3, spread over two writable... readable buffers.
        std::vector<uint8_t> data = pattern(1024, 99);
        rig.bus.write_bytes(q.data, data.data(), data.size());
        blk_request(rig, r, 0, q, 1, 3, 1024);
        offer(rig, blk, r, 0, 0);
        // Not before the fixed latency: completion depends on virtual time only.
        CHECK(rig.r16(r.used + 2) == 0);
        rig.advance(VirtioBlk::kLatencyNs - 1);
        CHECK(rig.r16(r.used + 2) == 0);
        rig.advance(1);
        REQUIRE(rig.r16(r.used + 2) == 1);
        uint8_t status = 0xff;
        rig.bus.read_bytes(q.status, &status, 1);
        CHECK(status == 0);
        CHECK(image == original);  // the image is never written
        CHECK(blk.disk().written_blocks() == 1);

        // Read back sectors 2..5: sector 2 from the image, 3..4 written, 5 from the image.
        blk_request(rig, r, 3, q, 0, 2, 2048);
        offer(rig, blk, r, 0, 3);
        rig.advance(VirtioBlk::kLatencyNs);
        REQUIRE(rig.r16(r.used + 2) == 2);
        CHECK(rig.r32(r.used + 4 + 8 + 4) == 2049);  // the whole writable part
        std::vector<uint8_t> got(2048);
        rig.bus.read_bytes(q.data, got.data(), got.size());
        std::vector<uint8_t> want(original.begin() + 1024, original.begin() + 3072);
        std::copy(data.begin(), data.end(), want.begin() + 512);
        CHECK(got == want);

        // Flush, get-id, an unknown type, a read past the end.
        blk_request(rig, r, 0, q, 4, 0, 0);
        rig.desc(r.desc, 0, q.header, 16, F_NEXT, 2);  // flush: header and status only
        offer(rig, blk, r, 0, 0);
        rig.advance(VirtioBlk::kLatencyNs);
        rig.bus.read_bytes(q.status, &status, 1);
        CHECK(status == 0);
        blk_request(rig, r, 0, q, 8, 0, 20);
        offer(rig, blk, r, 0, 0);
        rig.advance(VirtioBlk::kLatencyNs);
        char id[21] = {};
        rig.bus.read_bytes(q.data, id, 20);
        CHECK(std::string(id) == "disk-7");
        rig.bus.read_bytes(q.status, &status, 1);
        CHECK(status == 0);
        blk_request(rig, r, 0, q, 77, 0, 512);
        offer(rig, blk, r, 0, 0);
        rig.advance(VirtioBlk::kLatencyNs);
        rig.bus.read_bytes(q.status, &status, 1);
        CHECK(status == 2);  // unsupported
        blk_request(rig, r, 0, q, 0, 127, 1024);
        offer(rig, blk, r, 0, 0);
        rig.advance(VirtioBlk::kLatencyNs);
        rig.bus.read_bytes(q.status, &status, 1);
        CHECK(status == 1);  // I/O error
        CHECK((rd(blk, Status) & 64) == 0);

        // A request without a status byte is no request: the device needs a reset.
        rig.desc(r.desc, 0, q.header, 16, 0);
        offer(rig, blk, r, 0, 0);
        rig.advance(VirtioBlk::kLatencyNs);
        CHECK((rd(blk, Status) & 64) == 64);
    }
}

TEST_CASE("virtio-blk: a read-only disk offers VIRTIO_BLK_F_RO and fails writes", "[virtio]")
{
    Rig rig;
    std::vector<uint8_t> image(8192, 0x11);
    VirtioBlk blk(rig.bus, rig.clock, VirtioMmioVersion::Legacy, image, VirtioBlk::ReadOnly::Yes, "");
    CHECK((rd(blk, DeviceFeatures) >> 5 & 1) == 1);
    Ring r = setup(rig, blk, 0, kRam + 0x10000, 8);
    BlkRequest q{kRam + 0x30000, kRam + 0x31000, kRam + 0x30100};
    blk_request(rig, r, 0, q, 1, 0, 512);
    offer(rig, blk, r, 0, 0);
    rig.advance(VirtioBlk::kLatencyNs);
    uint8_t status = 0;
    rig.bus.read_bytes(q.status, &status, 1);
    CHECK(status == 1);
    CHECK(blk.disk().written_blocks() == 0);
    // An empty id is one zero byte, as QEMU answers without serial=.
    rig.bus.write_bytes(q.data, "xyz", 3);
    blk_request(rig, r, 0, q, 8, 0, 20);
    offer(rig, blk, r, 0, 0);
    rig.advance(VirtioBlk::kLatencyNs);
    char id[4] = {};
    rig.bus.read_bytes(q.data, id, 3);
    CHECK(id[0] == 0);
    CHECK(id[1] == 'y');
}

TEST_CASE("virtio-blk: a snapshot carries the overlay, the queues and the pending completion", "[virtio]")
{
    Rig rig;
    std::vector<uint8_t> image = pattern(32 * 1024, 5);
    VirtioBlk blk(rig.bus, rig.clock, VirtioMmioVersion::Modern, image, VirtioBlk::ReadOnly::No, "");
    Ring r = setup(rig, blk, 0, kRam + 0x10000, 8);
    BlkRequest q{kRam + 0x30000, kRam + 0x31000, kRam + 0x30100};
    std::vector<uint8_t> data = pattern(4096, 42);
    rig.bus.write_bytes(q.data, data.data(), data.size());
    blk_request(rig, r, 0, q, 1, 9, 4096);
    offer(rig, blk, r, 0, 0);
    rig.advance(VirtioBlk::kLatencyNs);
    // A second request is pending when the snapshot is taken.
    blk_request(rig, r, 3, q, 1, 1, 512);
    offer(rig, blk, r, 0, 3);
    StateWriter saved;
    rig.clock.serialize(saved);
    blk.serialize(saved);

    Rig other;
    std::vector<uint8_t> ram(kRamSize);
    rig.bus.read_bytes(kRam, ram.data(), ram.size());
    other.bus.write_bytes(kRam, ram.data(), ram.size());
    VirtioBlk copy(other.bus, other.clock, VirtioMmioVersion::Modern, image, VirtioBlk::ReadOnly::No, "");
    StateReader reader(saved.bytes());
    other.clock.serialize(reader);
    copy.serialize(reader);
    REQUIRE(reader.finish());
    CHECK(state_hash(copy) == state_hash(blk));
    CHECK(copy.disk().written_blocks() == 2);  // 4 KiB at sector 9 spans two overlay blocks
    other.clock.set_icount(rig.clock.icount());
    other.advance(VirtioBlk::kLatencyNs);
    rig.advance(VirtioBlk::kLatencyNs);
    CHECK(other.r16(r.used + 2) == 2);
    CHECK(state_hash(copy) == state_hash(blk));
    std::vector<uint8_t> a, b;
    blk.disk().copy_to(a);
    copy.disk().copy_to(b);
    CHECK(a == b);
    CHECK(std::equal(data.begin(), data.end(), a.begin() + 9 * 512));
}

TEST_CASE("virtio-net: frames received into posted buffers, frames sent to the back end", "[virtio]")
{
    for (VirtioMmioVersion v : {VirtioMmioVersion::Legacy, VirtioMmioVersion::Modern}) {
        Rig rig;
        VirtioNet net(rig.bus, v);
        std::vector<std::vector<uint8_t>> sent;
        int posted = 0;
        net.transmit = [&sent](std::span<const uint8_t> f) { sent.emplace_back(f.begin(), f.end()); };
        net.rx_posted = [&posted] { posted++; };
        // MAC and link status in the configuration space.
        CHECK(net.mmio_read(Config, 1) == 0x52);
        CHECK(net.mmio_read(Config + 5, 1) == 0x56);
        CHECK(net.mmio_read(Config + 6, 2) == 1);
        CHECK_FALSE(net.listening());
        CHECK(net.room() == 0);
        Ring rx = setup(rig, net, 0, kRam + 0x10000, 16);
        Ring tx = setup(rig, net, 1, kRam + 0x20000, 16, false);
        unsigned hdr = v == VirtioMmioVersion::Modern ? 12 : 10;
        CHECK(net.listening());
        CHECK(net.room() == 0);  // no buffer posted yet

        rig.desc(rx.desc, 0, kRam + 0x50000, 1526, F_WRITE);
        offer(rig, net, rx, 0, 0);
        CHECK(posted == 1);
        CHECK(net.room() == 1526 - hdr);
        std::vector<uint8_t> frame = pattern(60, 1);
        net.receive(frame);
        REQUIRE(rig.r16(rx.used + 2) == 1);
        CHECK(rig.r32(rx.used + 8) == hdr + 60);
        std::vector<uint8_t> got(60);
        rig.bus.read_bytes(kRam + 0x50000 + hdr, got.data(), got.size());
        CHECK(got == frame);
        CHECK(net.room() == 0);
        CHECK(net.irq.level());

        // Send: the header, then the frame split over two buffers.
        std::vector<uint8_t> out = pattern(100, 9);
        rig.bus.write_bytes(kRam + 0x60000 + hdr, out.data(), 40);
        rig.bus.write_bytes(kRam + 0x61000, out.data() + 40, 60);
        rig.desc(tx.desc, 0, kRam + 0x60000, hdr + 40, F_NEXT, 1);
        rig.desc(tx.desc, 1, kRam + 0x61000, 60, 0);
        offer(rig, net, tx, 1, 0);
        REQUIRE(sent.size() == 1);
        CHECK(sent[0] == out);
        CHECK(rig.r16(tx.used + 2) == 1);
        CHECK((rd(net, Status) & 64) == 0);
    }
}

TEST_CASE("virtio-net and virtio-rng: snapshots round-trip", "[virtio]")
{
    Rig rig;
    VirtioNet net(rig.bus, VirtioMmioVersion::Legacy);
    setup(rig, net, 0, kRam + 0x10000, 16);
    Rig other;
    VirtioNet copy(other.bus, VirtioMmioVersion::Legacy);
    StateWriter w;
    net.serialize(w);
    StateReader r(w.bytes());
    copy.serialize(r);
    REQUIRE(r.finish());
    CHECK(state_hash(copy) == state_hash(net));
    CHECK(copy.status() == net.status());
    // Another device's snapshot is refused.
    VirtioRng rng(other.bus, VirtioMmioVersion::Legacy, [](std::span<uint8_t>) {});
    StateReader wrong(w.bytes());
    rng.serialize(wrong);
    CHECK_FALSE(wrong.finish());
}

TEST_CASE("disk overlay: copy on write by 4 KiB block, never the image, odd sizes", "[virtio]")
{
    std::vector<uint8_t> image = pattern(10000, 1);
    const std::vector<uint8_t> original = image;
    DiskOverlay d(image);
    std::vector<uint8_t> w = pattern(300, 200);
    CHECK(d.write(4000, w));  // spans blocks 0 and 1
    CHECK(d.written_blocks() == 2);
    CHECK_FALSE(d.write(9900, pattern(200, 0)));  // past the end
    CHECK(d.write(9900, pattern(100, 0)));         // the last, partial block
    std::vector<uint8_t> all;
    d.copy_to(all);
    std::vector<uint8_t> want = original;
    std::copy(w.begin(), w.end(), want.begin() + 4000);
    auto tail = pattern(100, 0);
    std::copy(tail.begin(), tail.end(), want.begin() + 9900);
    CHECK(all == want);
    CHECK(image == original);
    std::vector<uint8_t> part(500);
    CHECK(d.read(3900, part));
    CHECK(std::equal(part.begin(), part.end(), want.begin() + 3900));
}

namespace {

// A page store as the checkpointer keeps one: contents by id, each stored once.
struct MemoryPages final : PageStore {
    std::vector<std::vector<uint8_t>> pages;
    uint32_t put(const uint8_t* page) override
    {
        std::vector<uint8_t> p(page, page + kPageBytes);
        for (size_t i = 0; i < pages.size(); ++i)
            if (pages[i] == p)
                return static_cast<uint32_t>(i);
        pages.push_back(std::move(p));
        return static_cast<uint32_t>(pages.size() - 1);
    }
    const uint8_t* get(uint32_t id) const override { return id < pages.size() ? pages[id].data() : nullptr; }
};

}  // namespace

TEST_CASE("disk overlay: in a checkpoint its blocks go to the page store, once per content", "[virtio]")
{
    std::vector<uint8_t> image = pattern(64 * 1024, 3);
    DiskOverlay d(image);
    std::vector<uint8_t> same(4096, 0xa5);
    CHECK(d.write(0, same));
    CHECK(d.write(5 * 4096, same));  // the same contents again
    CHECK(d.write(9 * 4096 + 7, pattern(10, 9)));
    MemoryPages store;
    StateWriter w;
    w.set_page_store(&store);
    d.serialize(w);
    CHECK(store.pages.size() == 2);
    StateWriter inline_bytes;
    d.serialize(inline_bytes);
    CHECK(w.bytes().size() + 2 * 4096 < inline_bytes.bytes().size());

    DiskOverlay back(image);
    StateReader r(w.bytes());
    r.set_page_store(&store);
    back.serialize(r);
    REQUIRE(r.finish());
    std::vector<uint8_t> a, b;
    d.copy_to(a);
    back.copy_to(b);
    CHECK(a == b);

    // Without its store the state does not load, nor with a store that lacks a page.
    DiskOverlay lost(image);
    StateReader no_store(w.bytes());
    lost.serialize(no_store);
    CHECK_FALSE(no_store.finish());
    MemoryPages short_store;
    short_store.pages.push_back(store.pages[0]);
    StateReader missing(w.bytes());
    missing.set_page_store(&short_store);
    lost.serialize(missing);
    CHECK_FALSE(missing.finish());
}
