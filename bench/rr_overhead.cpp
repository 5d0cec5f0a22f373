// What recording and replaying cost: runs one guest image three ways in the same process and
// prints MIPS for each. "plain" runs the machine with nothing recorded (the baseline: the same
// interpreter, no event log, no state hashes); "record" runs it under the Recorder writing a
// real recording with the default state-hash interval; "replay" replays that recording.
//   usage: rr_overhead GUEST.elf [RUNS] [HASH_EVERY]
// Each mode runs RUNS times, interleaved, and the median is reported. Timings are for people
// to read; nothing is asserted.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <unistd.h>
#include <vector>

#include "machine/machines.h"
#include "replay/format/event_log.h"
#include "replay/run/record_gate.h"
#include "replay/run/recorder.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_writer.h"
#include "replay/run/replay_session.h"

using namespace emu;

namespace {

struct Timed {
    double seconds = 0;
    uint64_t icount = 0;
};

[[noreturn]] void die(const std::string& why)
{
    std::fprintf(stderr, "rr_overhead: %s\n", why.c_str());
    std::exit(2);
}

template <class T>
T must(Result<T> r)
{
    if (!r)
        die(r.error().message);
    return std::move(*r);
}

void discard(uint8_t) {}

// The machine alone, run to its end the way the recorder does, minus everything it records.
Timed run_plain(const ElfImage& image)
{
    EventLog log(EventLog::Start::Discarding);
    RecordGate gate(log, RecordGateOptions{});
    auto m = must(make_machine(MachineConfig{}, gate, discard));
    must(m->load_kernel(image));
    auto t0 = std::chrono::steady_clock::now();
    for (;;) {
        SliceEnd r = m->run_slice(UINT64_MAX);
        if (r == SliceEnd::Stopped || (r == SliceEnd::Idle && !m->idle_to_next_deadline()))
            break;
    }
    return {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), m->icount()};
}

Timed run_record(const ElfImage& image, const std::string& path, uint64_t hash_every, uint64_t& bytes)
{
    RecordingConfig config;
    config.hash_every = hash_every;
    config.files = {{BootRole::Kernel, image.path, ""}};
    RecordingHeaderSpec header{"rr_overhead", encode(config), {{image.path, image.file, Embed::Yes}}};
    RecordingWriter writer = must(RecordingWriter::create(path, header));
    EventLog log(writer);
    RecordGate gate(log, RecordGateOptions{});
    auto m = must(make_machine(config.machine, gate, discard));
    must(m->load_kernel(image));
    RecorderOptions options;
    options.hash_every = hash_every;
    auto t0 = std::chrono::steady_clock::now();
    RunOutcome out = Recorder(*m, log, {}, options).run();
    must(writer.finish(out.icount));
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    bytes = writer.bytes_written();
    return {s, out.icount};
}

Timed run_replay(const std::string& path)
{
    std::unique_ptr<ReplaySession> session = must(ReplaySession::open(path, "", discard));
    auto t0 = std::chrono::steady_clock::now();
    ReplayReport report = must(session->replayer().run_to(std::nullopt));
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (report.divergence || report.truncated)
        die("the replay did not match: " + (report.divergence ? report.divergence->what : *report.truncated));
    return {s, report.outcome.icount};
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 2)
        die("usage: rr_overhead GUEST.elf [RUNS] [HASH_EVERY]");
    int runs = argc > 2 ? std::atoi(argv[2]) : 3;
    uint64_t hash_every = argc > 3 ? std::strtoull(argv[3], nullptr, 0) : 10'000'000;
    if (runs < 1)
        die("RUNS must be at least 1");
    ElfImage image = must(read_elf(argv[1]));
    std::string path = (std::filesystem::temp_directory_path() / ("rr_overhead_" + std::to_string(::getpid()) + ".rr")).string();

    std::vector<double> plain, record, replay;
    uint64_t icount = 0, bytes = 0;
    for (int i = 0; i < runs; ++i) {
        Timed p = run_plain(image);
        Timed r = run_record(image, path, hash_every, bytes);
        Timed y = run_replay(path);
        if (p.icount != r.icount || r.icount != y.icount)
            die("the three runs retired different instruction counts");
        icount = p.icount;
        plain.push_back(p.seconds);
        record.push_back(r.seconds);
        replay.push_back(y.seconds);
    }
    std::filesystem::remove(path);
    double base = median(plain);
    auto row = [&](const char* mode, double s) {
        std::printf("%-7s %8.3f s  %7.1f MIPS  %+6.1f%%\n", mode, s, icount / s / 1e6, (s / base - 1) * 100);
    };
    std::printf("guest %s: %" PRIu64 " instructions, median of %d runs, state hash every %" PRIu64 "\n", argv[1],
                icount, runs, hash_every);
    row("plain", base);
    row("record", median(record));
    row("replay", median(replay));
    std::printf("recording: %" PRIu64 " bytes, %.1f bytes per million instructions\n", bytes, bytes / (icount / 1e6));
}
