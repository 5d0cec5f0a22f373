// No guest code can crash or hang the host process, and however a run ends, its recording
// replays to the same end: random bytes run as a kernel at CPL 0 / EL1 on both machines, and
// a kernel that triple-faults on purpose.
#include <catch2/catch.hpp>

#include <map>

#include "machine/machines.h"
#include "replay/format/event_log.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_reader.h"
#include "replay/format/recording_writer.h"
#include "replay/run/record_gate.h"
#include "replay/run/recorder.h"
#include "replay/run/replay_gate.h"
#include "replay/run/replay_stream.h"
#include "replay/run/replayer.h"
#include "support/elf_builder.h"
#include "support/recording_fixture.h"

namespace {

using namespace emu;

// SplitMix64: a seed gives the same bytes on every host.
struct Random {
    uint64_t state;
    uint64_t next()
    {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
};

struct Guest {
    MachineConfig config;
    ElfImage image;
};

// A kernel whose code is `code`: at the start of RAM on virt, after a Multiboot header at
// 1 MiB on pc.
Guest kernel(const std::string& machine, const std::vector<uint8_t>& code)
{
    Guest g;
    g.config.machine = machine;
    g.config.ram_size = uint64_t{2} << 20;
    std::vector<uint8_t> segment;
    uint64_t load = 0x40000000, entry = load;
    ElfMachine arch = ElfMachine::AArch64;
    if (machine == "pc") {
        segment = test::multiboot_header();
        load = 0x100000;
        entry = load + segment.size();
        arch = ElfMachine::I386;
    }
    segment.insert(segment.end(), code.begin(), code.end());
    Result<ElfImage> image = parse_elf(test::build_elf(arch, load, entry, segment), machine + " kernel");
    REQUIRE(image);
    g.image = std::move(*image);
    return g;
}

// Records the guest for at most `budget` instructions; the outcome, and the recording at `path`
// when one is given.
RunOutcome record(const Guest& g, uint64_t budget, const std::string& path = {})
{
    RecordingConfig config;
    config.machine = g.config;
    config.files = {{BootRole::Kernel, g.image.path, ""}};
    std::optional<RecordingWriter> writer;
    EventLog log(EventLog::Start::Deferred);
    RecordGate gate(log, RecordGateOptions{nullptr, VirtualHostClock{test::kClockBase, 0}, nullptr});
    Result<std::unique_ptr<Machine>> m = make_machine(g.config, gate, [](uint8_t) {});
    REQUIRE(m);
    REQUIRE((*m)->load_kernel(g.image));
    if (!path.empty()) {
        RecordingHeaderSpec header{"test", encode(config), {{g.image.path, g.image.file, Embed::Yes}}};
        Result<RecordingWriter> w = RecordingWriter::create(path, header);
        REQUIRE(w);
        writer.emplace(std::move(*w));
        log.attach(*writer);
    }
    RecorderOptions options;
    options.max_insns = budget;
    RunOutcome out = Recorder(**m, log, {}, options).run();
    REQUIRE_FALSE(log.error());
    if (writer)
        REQUIRE(writer->finish(out.icount));
    return out;
}

// Replays the recording at `path` to its end.
ReplayReport replay(const Guest& g, const std::string& path)
{
    Result<RecordingReader> reader = RecordingReader::open(path);
    REQUIRE(reader);
    ReplayStream stream(*reader);
    ReplayGate gate(stream);
    Result<std::unique_ptr<Machine>> m = make_machine(g.config, gate, [](uint8_t) {});
    REQUIRE(m);
    REQUIRE((*m)->load_kernel(g.image));
    Result<ReplayReport> report = Replayer(**m, stream, gate).run_to(std::nullopt);
    REQUIRE(report);
    return *report;
}

#ifndef RR_HOSTILE_SEEDS
#define RR_HOSTILE_SEEDS 2000
#define RR_HOSTILE_REPLAYED 200
#endif
// Random kernels per machine, and how many of them are also replayed.
constexpr unsigned kSeeds = RR_HOSTILE_SEEDS;
constexpr unsigned kReplayed = RR_HOSTILE_REPLAYED;

void random_kernels(const std::string& machine, unsigned seeds, unsigned replayed)
{
    constexpr uint64_t kBudget = 20000;
    std::map<std::string, unsigned> ends;
    for (unsigned seed = 0; seed < seeds; ++seed) {
        Random rng{seed * 0x100000001ull + (machine == "pc" ? 7 : 3)};
        std::vector<uint8_t> code(4096);
        for (size_t i = 0; i < code.size(); i += 8) {
            uint64_t v = rng.next();
            std::memcpy(code.data() + i, &v, 8);
        }
        if (machine == "virt") {
            // Exceptions go to random code too (VBAR_EL1 inside the image), and FP/SIMD runs
            // instead of trapping: otherwise nearly every run is over at the first fault.
            const uint32_t prefix[] = {
                0x10004000,  // adr x0, . + 0x800
                0xD518C000,  // msr vbar_el1, x0
                0xD2A00601,  // movz x1, #0x30, lsl #16: CPACR_EL1.FPEN = 0b11
                0xD5181041,  // msr cpacr_el1, x1
            };
            std::memcpy(code.data(), prefix, sizeof prefix);
        }
        Guest g = kernel(machine, code);
        INFO(machine << " seed " << seed);
        std::string path = seed < replayed ? test::temp_path("random_" + machine + ".rr") : std::string();
        RunOutcome out = record(g, kBudget, path);
        CHECK(out.icount <= kBudget);
        ends[stop_kind_name(out.kind)]++;
        if (out.kind == StopKind::Unsupported || out.kind == StopKind::ExceptionLoop || out.kind == StopKind::TripleFault)
            CHECK_FALSE(out.detail.empty());
        if (path.empty())
            continue;
        ReplayReport r = replay(g, path);
        INFO((r.divergence ? r.divergence->what : std::string("no divergence")));
        CHECK_FALSE(r.divergence);
        CHECK_FALSE(r.truncated);
        CHECK(r.outcome.kind == out.kind);
        CHECK(r.outcome.icount == out.icount);
    }
    std::string summary;
    for (const auto& [kind, n] : ends)
        summary += " " + kind + " " + std::to_string(n);
    WARN(machine << ": " << seeds << " random kernels ended:" << summary);
}

}  // namespace

TEST_CASE("random bytes run as a kernel on virt stop cleanly and replay to the same end", "[hostile][guest]")
{
    random_kernels("virt", kSeeds, kReplayed);
}

TEST_CASE("random bytes run as a kernel on pc stop cleanly and replay to the same end", "[hostile][guest]")
{
    random_kernels("pc", kSeeds, kReplayed);
}

TEST_CASE("a fault while delivering a double fault ends the run as a triple fault, and replays", "[hostile][guest]")
{
    // LIDT with a limit of 0, then UD2: #UD cannot be delivered (#GP), nor can that #GP (a
    // double fault), nor the double fault.
    const std::vector<uint8_t> code = {
        0x0F, 0x01, 0x1D, 0x20, 0x00, 0x10, 0x00,  // lidt [0x100020]
        0x0F, 0x0B,                                // ud2
        0xEB, 0xFE,                                // jmp $ (never reached)
    };
    std::vector<uint8_t> image = code;
    image.resize(0x20 - test::multiboot_header().size(), 0x90);
    image.resize(image.size() + 6, 0);  // the IDT descriptor at 0x100020: limit 0, base 0
    Guest g = kernel("pc", image);
    std::string path = test::temp_path("triple_fault.rr");
    RunOutcome out = record(g, 1000, path);
    CHECK(out.kind == StopKind::TripleFault);
    // LIDT retired, and so did UD2: its #UD is decided by the encoding, and QEMU counts such an
    // instruction as executed (see Cpu::fault_counted).
    CHECK(out.icount == 2);
    CHECK_THAT(out.detail, Catch::Contains("double fault"));
    ReplayReport r = replay(g, path);
    CHECK_FALSE(r.divergence);
    CHECK(r.outcome.kind == StopKind::TripleFault);
    CHECK(r.outcome.icount == 2);
}

TEST_CASE("a run the guest ends as unsupported replays ok, stopped in the same state", "[hostile][guest]")
{
    // Jumps to an address with nothing behind it: the fetch is what the emulator cannot do.
    const std::vector<uint8_t> code = {
        0xB8, 0x00, 0x00, 0x00, 0xF0,  // mov eax, 0xf0000000
        0xFF, 0xE0,                    // jmp eax
    };
    Guest g = kernel("pc", code);
    std::string path = test::temp_path("unsupported.rr");
    RunOutcome out = record(g, 1000, path);
    CHECK(out.kind == StopKind::Unsupported);
    CHECK(out.icount == 2);
    CHECK_THAT(out.detail, Catch::Contains("0xf0000000"));
    ReplayReport r = replay(g, path);
    INFO((r.divergence ? r.divergence->what : std::string("no divergence")));
    CHECK_FALSE(r.divergence);
    CHECK(r.outcome.kind == StopKind::Unsupported);
    CHECK(r.outcome.icount == 2);
}
