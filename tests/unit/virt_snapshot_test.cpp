// Snapshots of the virt machine's devices and of the virtual clock: each component is driven
// into a non-trivial state, saved, restored into a freshly built twin and saved again (equal
// bytes, or a field is missing from serialize), and then both copies are run through the same
// script and must behave identically (register reads, interrupt edges, timer firing times).
#include <catch2/catch.hpp>

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "support/receive.h"
#include "core/clock.h"
#include "core/state_archive.h"
#include "cpu/a64/sysreg_keys.h"
#include "dev/arm_generic_timer.h"
#include "dev/gicv2.h"
#include "dev/pl011.h"
#include "dev/pl031.h"

using namespace emu;

namespace {

constexpr uint64_t kSecond = 1'000'000'000;

template <class... Components>
std::vector<uint8_t> snapshot(Components&... c)
{
    StateWriter w;
    (c.serialize(w), ...);
    return w.bytes();
}

template <class... Components>
void restore(std::span<const uint8_t> bytes, Components&... c)
{
    StateReader r(bytes);
    (c.serialize(r), ...);
    bool finished = r.finish();
    INFO(r.error().value_or(""));
    REQUIRE(finished);
    REQUIRE_FALSE(r.error());
}

// An interrupt edge and the virtual time at which it happened.
using Edges = std::vector<std::pair<uint64_t, bool>>;

// --- PL011 ---

namespace uart_reg {
constexpr uint64_t DR = 0x000, RSR = 0x004, FR = 0x018, ILPR = 0x020, IBRD = 0x024, FBRD = 0x028, LCR_H = 0x02C,
                   CR = 0x030, IFLS = 0x034, IMSC = 0x038, RIS = 0x03C, MIS = 0x040, ICR = 0x044, DMACR = 0x048;
}

struct Uart {
    std::string out;
    Edges edges;
    Pl011 uart{[this](uint8_t b) { out.push_back(static_cast<char>(b)); }};

    Uart() { uart.irq.connect([this](bool level) { edges.push_back({0, level}); }); }
    uint32_t reg(uint64_t off) { return static_cast<uint32_t>(uart.mmio_read(off, 4)); }
    void write(uint64_t off, uint32_t v) { uart.mmio_write(off, v, 4); }
};

// The same guest-visible operations, on either copy.
std::vector<uint32_t> uart_script(Uart& u)
{
    using namespace uart_reg;
    std::vector<uint32_t> reads;
    emu::test::receive_byte(u.uart, static_cast<uint8_t>('e'));
    for (uint64_t off : {FR, RIS, MIS, RSR, LCR_H, CR, IFLS, IBRD, FBRD, ILPR, DMACR, IMSC})
        reads.push_back(u.reg(off));
    for (int i = 0; i < 5; i++)  // b, c, d, e, then the FIFO is empty
        reads.push_back(u.reg(DR));
    reads.push_back(u.reg(FR));
    reads.push_back(u.reg(RIS));
    u.write(IMSC, 0x20);  // transmit only
    u.write(DR, 'y');
    reads.push_back(u.reg(MIS));
    u.write(ICR, 0x7FF);
    reads.push_back(u.reg(RIS));
    reads.push_back(static_cast<uint32_t>(u.uart.room()));
    return reads;
}

// --- PL031 ---

namespace rtc_reg {
constexpr uint64_t DR = 0x00, MR = 0x04, LR = 0x08, IMSC = 0x10, RIS = 0x14, MIS = 0x18, ICR = 0x1C;
}

struct Rtc {
    VirtualClock clock;
    Pl031 rtc;
    Edges edges;

    explicit Rtc(uint32_t start) : rtc(clock, start)
    {
        rtc.irq.connect([this](bool level) { edges.push_back({clock.ns(), level}); });
    }
    uint32_t reg(uint64_t off) { return static_cast<uint32_t>(rtc.mmio_read(off, 4)); }
    void write(uint64_t off, uint32_t v) { rtc.mmio_write(off, v, 4); }
    // As the CPU loop: publish the icount, deliver due timers.
    void run_to(uint64_t ns)
    {
        clock.set_icount(ns);
        clock.fire_due();
    }
};

std::vector<uint32_t> rtc_script(Rtc& r)
{
    using namespace rtc_reg;
    std::vector<uint32_t> reads;
    auto read_all = [&] {
        for (uint64_t off : {DR, MR, LR, IMSC, RIS, MIS})
            reads.push_back(r.reg(off));
    };
    read_all();
    r.write(ICR, 1);
    read_all();
    r.run_to(8 * kSecond - 1);  // the alarm armed before the snapshot is due at 8 s
    read_all();
    r.run_to(8 * kSecond);
    read_all();
    r.write(ICR, 1);
    r.write(MR, r.reg(DR) + 1);
    r.run_to(10 * kSecond);
    read_all();
    return reads;
}

// --- Generic timer ---

struct Timer {
    VirtualClock clock;
    ArmGenericTimer timer{clock};
    Edges virt_edges;
    Edges phys_edges;

    Timer()
    {
        timer.virtual_irq.connect([this](bool level) { virt_edges.push_back({clock.ns(), level}); });
        timer.physical_irq.connect([this](bool level) { phys_edges.push_back({clock.ns(), level}); });
    }
    uint64_t read(ArmGenericTimer::Reg reg) { return timer.read(reg); }
    void write(ArmGenericTimer::Reg reg, uint64_t v) { timer.write(reg, v); }
    void run_to(uint64_t ns)
    {
        clock.set_icount(ns);
        clock.fire_due();
    }
};

std::vector<uint64_t> timer_script(Timer& t)
{
    using Reg = ArmGenericTimer::Reg;
    std::vector<uint64_t> reads;
    auto read_all = [&] {
        for (Reg reg : {Reg::Frequency, Reg::VirtualCount, Reg::VirtualControl, Reg::VirtualCompare,
                        Reg::VirtualTimerValue, Reg::PhysicalControl, Reg::PhysicalCompare, Reg::PhysicalTimerValue})
            reads.push_back(t.read(reg));
        reads.push_back(t.clock.next_deadline_icount());
    };
    read_all();
    t.run_to(8991);
    read_all();
    t.run_to(8992);  // the masked physical timer reaches CVAL
    read_all();
    t.write(Reg::PhysicalControl, 1);  // unmasked: the line rises
    t.write(Reg::VirtualControl, 0);   // disabled: the line falls
    t.write(Reg::VirtualTimerValue, 1000);
    t.write(Reg::VirtualControl, 1);
    read_all();
    t.run_to(30000);
    read_all();
    return reads;
}

// --- GICv2 ---

namespace gic_reg {
constexpr uint64_t GICD_CTLR = 0x000, GICD_IGROUPR = 0x080, GICD_ISENABLER = 0x100, GICD_ISPENDR = 0x200,
                   GICD_ISACTIVER = 0x300, GICD_IPRIORITYR = 0x400, GICD_ICFGR = 0xC00, GICD_SGIR = 0xF00,
                   GICD_SPENDSGIR = 0xF20;
constexpr uint64_t GICC_CTLR = 0x00, GICC_PMR = 0x04, GICC_BPR = 0x08, GICC_IAR = 0x0C, GICC_EOIR = 0x10,
                   GICC_RPR = 0x14, GICC_HPPIR = 0x18, GICC_ABPR = 0x1C, GICC_DIR = 0x1000;
}  // namespace gic_reg

struct Gic {
    Gicv2 gic;
    Edges irq_edges;
    Edges fiq_edges;
    uint64_t step = 0;  // orders edges of the two lines against each other

    Gic()
    {
        gic.irq.connect([this](bool level) { irq_edges.push_back({step, level}); });
        gic.fiq.connect([this](bool level) { fiq_edges.push_back({step, level}); });
    }
    uint32_t dist(uint64_t off, unsigned size = 4)
    {
        ++step;
        return static_cast<uint32_t>(gic.distributor().mmio_read(off, size));
    }
    void dist_write(uint64_t off, uint32_t v, unsigned size = 4)
    {
        ++step;
        gic.distributor().mmio_write(off, v, size);
    }
    uint32_t cpu(uint64_t off)
    {
        ++step;
        return static_cast<uint32_t>(gic.cpu_interface().mmio_read(off, 4));
    }
    void cpu_write(uint64_t off, uint32_t v)
    {
        ++step;
        gic.cpu_interface().mmio_write(off, v, 4);
    }
    void input(unsigned id, bool level)
    {
        ++step;
        gic.set_input(id, level);
    }
};

std::vector<uint32_t> gic_script(Gic& g)
{
    using namespace gic_reg;
    std::vector<uint32_t> reads;
    auto read_all = [&] {
        for (uint64_t off : {GICD_CTLR, GICD_IGROUPR, GICD_IGROUPR + 4, GICD_ISENABLER, GICD_ISENABLER + 4,
                             GICD_ISPENDR, GICD_ISPENDR + 4, GICD_ISACTIVER, GICD_ISACTIVER + 4, GICD_ICFGR + 8,
                             GICD_SPENDSGIR})
            reads.push_back(g.dist(off));
        for (unsigned id : {3u, 27u, 33u, 40u})
            reads.push_back(g.dist(GICD_IPRIORITYR + id, 1));
        for (uint64_t off : {GICC_CTLR, GICC_PMR, GICC_BPR, GICC_ABPR, GICC_RPR, GICC_HPPIR})
            reads.push_back(g.cpu(off));
    };
    read_all();
    uint32_t sgi = g.cpu(GICC_IAR);  // the pending SGI 3 preempts PPI 27
    reads.push_back(sgi);
    read_all();
    g.cpu_write(GICC_EOIR, sgi);
    g.cpu_write(GICC_DIR, sgi);
    g.cpu_write(GICC_EOIR, 27);
    g.cpu_write(GICC_DIR, 27);
    g.cpu_write(GICC_DIR, 40);
    read_all();
    reads.push_back(g.cpu(GICC_IAR));  // PPI 27 again: its wire is still up
    g.input(27, false);
    g.cpu_write(GICC_EOIR, 27);
    g.cpu_write(GICC_DIR, 27);
    reads.push_back(g.cpu(GICC_IAR));  // SPI 33
    g.input(33, false);
    g.cpu_write(GICC_EOIR, 33);
    g.cpu_write(GICC_DIR, 33);
    reads.push_back(g.cpu(GICC_IAR));  // spurious
    g.input(40, true);  // edge: latched again
    read_all();
    return reads;
}

// --- VirtualClock ---

struct Clock {
    VirtualClock clock{2};
    std::vector<std::pair<unsigned, uint64_t>> fired;  // timer, virtual ns
    std::vector<VirtualClock::TimerId> ids;
    unsigned rearms = 0;

    explicit Clock(unsigned timers = 3)
    {
        for (unsigned i = 0; i < timers; i++) {
            ids.push_back(clock.add_timer([this, i] {
                fired.push_back({i, clock.ns()});
                // Timer 0 is periodic for two more periods, as a guest tick would be.
                if (i == 0 && rearms++ < 2)
                    clock.arm(ids[0], clock.ns() + 3000);
            }));
        }
    }
    // Runs the CPU to each deadline in turn, idling past the last instruction as WFI would.
    void run()
    {
        for (int n = 0; n < 20 && clock.next_deadline_icount() != VirtualClock::kNever; n++) {
            if (n % 2)
                clock.idle_to_next_deadline();
            else
                clock.set_icount(std::max(clock.icount(), clock.next_deadline_icount()));
            clock.fire_due();
        }
    }
};

}  // namespace

TEST_CASE("virt snapshot: pl011 restores registers, receive FIFO and interrupt level", "[snapshot]")
{
    using namespace uart_reg;
    Uart a;
    a.write(IBRD, 13);
    a.write(FBRD, 1);
    a.write(LCR_H, 0x70);  // 8 bits, FIFO on
    a.write(CR, 0x301);
    a.write(IFLS, 0x09);
    a.write(ILPR, 3);
    a.write(DMACR, 4);
    a.write(IMSC, 0x50);  // receive and receive timeout
    for (char c : std::string("abcd"))
        emu::test::receive_byte(a.uart, static_cast<uint8_t>(static_cast<uint8_t>(c)));
    CHECK(a.reg(DR) == 'a');
    a.write(DR, 'x');
    a.write(ICR, 0x40);
    REQUIRE(a.uart.irq.level());

    auto bytes = snapshot(a.uart);
    Uart b;
    restore(bytes, b.uart);
    CHECK(snapshot(b.uart) == bytes);
    std::vector<uint8_t> saved;
    append_state(saved, b.uart);
    CHECK(saved == bytes);
    CHECK(b.uart.irq.level());
    CHECK(b.edges.empty());  // restoring a level tells no one
    CHECK(b.uart.room() == a.uart.room());

    a.out.clear();
    a.edges.clear();
    CHECK(uart_script(a) == uart_script(b));
    CHECK(a.out == b.out);
    CHECK(a.edges == b.edges);
    CHECK_FALSE(a.edges.empty());
}

TEST_CASE("virt snapshot: pl031 restores its count, match alarm and interrupt with the clock", "[snapshot]")
{
    using namespace rtc_reg;
    Rtc a(1000);
    a.run_to(2 * kSecond + kSecond / 2);
    a.write(LR, 5000);
    a.write(IMSC, 1);
    a.write(MR, a.reg(DR) + 2);
    a.run_to(5 * kSecond);  // the match fires at 4.5 s
    REQUIRE(a.rtc.irq.level());
    a.write(MR, a.reg(DR) + 3);  // next alarm at 8 s

    auto bytes = snapshot(a.clock, a.rtc);
    Rtc b(0);
    b.clock.set_icount(a.clock.icount());  // the CPU's part of the snapshot
    restore(bytes, b.clock, b.rtc);
    CHECK(snapshot(b.clock, b.rtc) == bytes);
    CHECK(b.rtc.irq.level());
    CHECK(b.edges.empty());
    CHECK(b.clock.next_deadline_icount() == a.clock.next_deadline_icount());
    CHECK(b.rtc.count() == a.rtc.count());

    a.edges.clear();
    CHECK(rtc_script(a) == rtc_script(b));
    CHECK(a.edges == b.edges);
    CHECK(a.edges.size() >= 3);
}

TEST_CASE("virt snapshot: the generic timer restores both channels and fires at the same times", "[snapshot]")
{
    using Reg = ArmGenericTimer::Reg;
    Timer a;
    a.run_to(1000);
    a.write(Reg::Frequency, 24'000'000);
    a.write(Reg::VirtualCompare, a.timer.count() + 100);  // due at 2592 ns
    a.write(Reg::VirtualControl, 1);
    a.write(Reg::PhysicalTimerValue, 500);  // due at 8992 ns, masked
    a.write(Reg::PhysicalControl, 3);
    a.run_to(3000);
    REQUIRE(a.timer.virtual_irq.level());
    REQUIRE_FALSE(a.timer.physical_irq.level());

    auto bytes = snapshot(a.clock, a.timer);
    Timer b;
    b.clock.set_icount(a.clock.icount());
    restore(bytes, b.clock, b.timer);
    CHECK(snapshot(b.clock, b.timer) == bytes);
    CHECK(b.timer.virtual_irq.level());
    CHECK(b.virt_edges.empty());
    CHECK(b.clock.next_deadline_icount() == a.clock.next_deadline_icount());

    a.virt_edges.clear();
    a.phys_edges.clear();
    CHECK(timer_script(a) == timer_script(b));
    CHECK(a.virt_edges == b.virt_edges);
    CHECK(a.phys_edges == b.phys_edges);
    CHECK(a.virt_edges.size() == 2);
    CHECK(a.phys_edges.size() == 1);
}

TEST_CASE("virt snapshot: gicv2 restores pending, active and running priorities and its outputs", "[snapshot]")
{
    using namespace gic_reg;
    Gic a;
    a.dist_write(GICD_CTLR, 3);
    a.cpu_write(GICC_CTLR, 0x1 | 0x2 | 0x4 | 0x8 | 0x200);  // both groups, AckCtl, FIQEn, EOImode
    a.cpu_write(GICC_PMR, 0xF0);
    a.cpu_write(GICC_BPR, 2);
    a.cpu_write(GICC_ABPR, 3);
    a.dist_write(GICD_IGROUPR, 1u << 3);       // SGI 3: Group 1
    a.dist_write(GICD_IGROUPR + 4, 1u << 1);   // SPI 33: Group 1
    a.dist_write(GICD_IPRIORITYR + 3, 0x10, 1);
    a.dist_write(GICD_IPRIORITYR + 27, 0x40, 1);
    a.dist_write(GICD_IPRIORITYR + 33, 0x80, 1);
    a.dist_write(GICD_IPRIORITYR + 40, 0x20, 1);
    a.dist_write(GICD_ISENABLER, 1u << 27);
    a.dist_write(GICD_ISENABLER + 4, (1u << 1) | (1u << 8));
    a.dist_write(GICD_ICFGR + 8, 1u << 17);  // SPI 40: edge-triggered
    a.input(27, true);
    a.input(33, true);
    a.input(40, true);
    a.input(40, false);
    REQUIRE(a.cpu(GICC_IAR) == 40);
    a.cpu_write(GICC_EOIR, 40);  // priority dropped, still active (EOImode)
    REQUIRE(a.gic.fiq.level());  // PPI 27, Group 0
    REQUIRE(a.cpu(GICC_IAR) == 27);
    a.dist_write(GICD_SGIR, (2u << 24) | 3);  // SGI 3 to self, Group 1, preempts 27
    REQUIRE(a.gic.irq.level());
    REQUIRE_FALSE(a.gic.fiq.level());

    auto bytes = snapshot(a.gic);
    Gic b;
    restore(bytes, b.gic);
    CHECK(snapshot(b.gic) == bytes);
    std::vector<uint8_t> saved;
    append_state(saved, b.gic);
    CHECK(saved == bytes);
    CHECK(b.gic.irq.level());
    CHECK_FALSE(b.gic.fiq.level());
    CHECK(b.irq_edges.empty());
    CHECK(b.fiq_edges.empty());

    a.irq_edges.clear();
    a.fiq_edges.clear();
    a.step = b.step = 0;
    CHECK(gic_script(a) == gic_script(b));
    CHECK(a.irq_edges == b.irq_edges);
    CHECK(a.fiq_edges == b.fiq_edges);
    CHECK_FALSE(a.irq_edges.empty());
    CHECK_FALSE(a.fiq_edges.empty());
}

TEST_CASE("virt snapshot: the clock restores idle time and deadlines, and timers fire in the same order", "[snapshot]")
{
    Clock a;
    a.clock.arm(a.ids[0], 1000);
    a.clock.arm(a.ids[1], 500);
    a.clock.arm(a.ids[2], 5000);
    a.clock.set_icount(100);  // 400 ns
    REQUIRE(a.clock.idle_to_next_deadline());
    a.clock.fire_due();  // timer 1 at 500 ns
    a.clock.set_icount(150);
    a.clock.arm(a.ids[1], 2000);
    REQUIRE(a.fired.size() == 1);

    auto bytes = snapshot(a.clock);
    Clock b;
    b.clock.set_icount(a.clock.icount());
    restore(bytes, b.clock);
    CHECK(snapshot(b.clock) == bytes);
    CHECK(b.clock.ns() == a.clock.ns());
    CHECK(b.clock.next_deadline_icount() == a.clock.next_deadline_icount());

    a.fired.clear();
    a.run();
    b.run();
    CHECK(a.fired == b.fired);
    CHECK(a.fired.size() == 5);  // timer 0 three times, timers 1 and 2 once
    CHECK(a.clock.ns() == b.clock.ns());
    CHECK(snapshot(a.clock) == snapshot(b.clock));
}

TEST_CASE("virt snapshot: a clock with another number of timers refuses the snapshot", "[snapshot]")
{
    Clock three(3);
    three.clock.arm(three.ids[0], 100);
    auto bytes = snapshot(three.clock);
    for (unsigned n : {2u, 4u}) {
        Clock other(n);
        StateReader r(bytes);
        other.clock.serialize(r);
        CHECK_FALSE(r.finish());
        REQUIRE(r.error());
        CHECK(r.error()->find("the snapshot has 3 timers, this machine " + std::to_string(n)) != std::string::npos);
    }
}

TEST_CASE("virt snapshot: a pl011 snapshot does not load into a gicv2", "[snapshot]")
{
    Uart uart;
    emu::test::receive_byte(uart.uart, static_cast<uint8_t>('q'));
    auto bytes = snapshot(uart.uart);

    Gicv2 gic;
    auto fresh = snapshot(gic);
    StateReader r(bytes);
    gic.serialize(r);
    CHECK_FALSE(r.finish());
    REQUIRE(r.error());
    CHECK_THAT(*r.error(), Catch::Contains("expected section 'gicv2', found section 'pl011'"));
    CHECK(snapshot(gic) == fresh);  // nothing was taken from the wrong section
}
