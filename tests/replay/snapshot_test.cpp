// Whole-machine snapshots on real guests, both machines: a snapshot restored into a fresh
// machine saves back to the same bytes (no component forgets a field), and a run continued
// from a restored snapshot is the run continued from the original (same state hashes, output
// and icount).
#include <catch2/catch.hpp>

#include <string>

#include "machine/machines.h"
#include "replay/format/event_log.h"
#include "replay/run/record_gate.h"

using namespace emu;

namespace {

struct Board {
    EventLog log{EventLog::Start::Discarding};
    RecordGate gate{log, RecordGateOptions{}};
    std::string output;
    std::unique_ptr<Machine> machine;

    Board(const std::string& name, const std::string& guest)
    {
        MachineConfig config;
        config.machine = name;
        auto m = make_machine(config, gate, [this](uint8_t b) { output.push_back(static_cast<char>(b)); });
        REQUIRE(m);
        machine = std::move(*m);
        auto image = read_elf(std::string(GUEST_DIR) + "/" + guest);
        REQUIRE(image);
        REQUIRE(machine->load_kernel(*image));
    }

    // Runs `n` instructions the way the recorder does (idle CPUs skip to their timer).
    void run(uint64_t n)
    {
        uint64_t end = machine->icount() + n;
        while (machine->icount() < end) {
            SliceEnd r = machine->run_slice(end - machine->icount());
            if (r == SliceEnd::Stopped || (r == SliceEnd::Idle && !machine->idle_to_next_deadline()))
                return;
        }
    }

    std::vector<uint8_t> snapshot()
    {
        StateWriter w;
        machine->serialize(w, RamPages::Included);
        return w.bytes();
    }

    void restore(const std::vector<uint8_t>& bytes)
    {
        StateReader r(bytes);
        machine->serialize(r, RamPages::Included);
        INFO(r.error().value_or(""));
        REQUIRE(r.finish());
    }
};

void check_snapshots(const std::string& machine, const std::string& guest, uint64_t before, uint64_t after)
{
    Board original(machine, guest);
    original.run(before);
    REQUIRE(original.machine->icount() > 0);
    std::vector<uint8_t> snap = original.snapshot();

    Board restored(machine, guest);
    restored.restore(snap);
    CHECK(restored.machine->icount() == original.machine->icount());
    CHECK(restored.snapshot() == snap);

    original.run(after);
    restored.run(after);
    CHECK(restored.machine->icount() == original.machine->icount());
    StateDigest a = original.machine->state_digest(), b = restored.machine->state_digest();
    CHECK(a.cpu == b.cpu);
    CHECK(a.ram == b.ram);
    CHECK(a.dirty_pages == b.dirty_pages);
    CHECK(a.devices == b.devices);
    CHECK(a.output == b.output);
    CHECK(a.output_bytes == b.output_bytes);
    // The restored machine printed only what came after the snapshot.
    CHECK(original.output.size() - restored.output.size() <= original.output.size());
    CHECK(original.output.substr(original.output.size() - restored.output.size()) == restored.output);
}

}  // namespace

TEST_CASE("snapshot: virt timer interrupts and WFI, round trip and equivalence", "[snapshot][guest]")
{
    check_snapshots("virt", "timer_irq.elf", 400000, 400000);
}

TEST_CASE("snapshot: virt PL031 and generic timer, round trip and equivalence", "[snapshot][guest]")
{
    check_snapshots("virt", "rtc.elf", 2000, 10000);
}

TEST_CASE("snapshot: pc PIT interrupts and HLT, round trip and equivalence", "[snapshot][guest]")
{
    check_snapshots("pc", "i386_pit_hlt.elf", 8000, 20000);
}

TEST_CASE("snapshot: pc paging, ring 3 and the RTC, round trip and equivalence", "[snapshot][guest]")
{
    check_snapshots("pc", "i386_user_mode.elf", 15000, 30000);
    check_snapshots("pc", "i386_rtc.elf", 4000, 20000);
}

TEST_CASE("snapshot: pc local APIC timer, I/O APIC and i8042, round trip and equivalence", "[snapshot][guest]")
{
    check_snapshots("pc", "i386_apic_timer.elf", 9000, 20000);
    check_snapshots("pc", "i386_ioapic.elf", 30000, 40000);
    check_snapshots("pc", "i386_i8042.elf", 100000, 50000);
    check_snapshots("isapc", "i386_pit_hlt.elf", 8000, 20000);
}

TEST_CASE("snapshot: a snapshot of one machine does not restore into the other", "[snapshot][guest]")
{
    Board virt("virt", "hello.elf");
    virt.run(100);
    std::vector<uint8_t> snap = virt.snapshot();
    Board pc("pc", "i386_hello.elf");
    StateReader r(snap);
    pc.machine->serialize(r, RamPages::Included);
    REQUIRE(r.error());
    CHECK(r.error()->find("expected section 'pc', found section 'virt'") != std::string::npos);
}
