// Recordings made in process for the record/replay tests: a guest run by the Recorder with a
// scripted serial input, written to a temporary file, and ways to read or rewrite its events.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "host/serial_source.h"
#include "machine/machines.h"
#include "replay/format/event_log.h"
#include "replay/run/record_gate.h"
#include "replay/run/recorder.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_reader.h"
#include "replay/format/recording_writer.h"

namespace emu::test {

// A file in the temporary directory, removed when the test program exits.
inline std::string temp_path(const std::string& tag)
{
    static struct Cleanup {
        std::vector<std::string> paths;
        ~Cleanup()
        {
            std::error_code ignored;
            for (const std::string& p : paths)
                std::filesystem::remove(p, ignored);
        }
    } cleanup;
    std::string path =
        (std::filesystem::temp_directory_path() / ("replay_test_" + std::to_string(::getpid()) + "_" + tag)).string();
    cleanup.paths.push_back(path);
    return path;
}

constexpr uint64_t kClockBase = 1'700'000'000'000'000'000;  // ns since the Unix epoch

struct Ev {
    uint64_t icount;
    EventKind kind;
    std::vector<uint8_t> payload;
};

struct Recorded {
    std::string path;
    RunOutcome outcome;
    std::string output;
    std::vector<Ev> events;
};

struct RecordSpec {
    std::string guest;  // in GUEST_DIR, without ".elf"
    std::string input;  // serial input
    std::string tag;    // names the temporary files
    uint64_t hash_every = 0;
    uint64_t checkpoint_every = 0;
    std::string machine = "virt";
};

inline std::vector<Ev> read_events(const std::string& path)
{
    Result<RecordingReader> r = RecordingReader::open(path);
    REQUIRE(r);
    std::vector<Ev> evs;
    RecordingEvent ev;
    while (true) {
        Result<bool> more = r->next(ev);
        REQUIRE(more);
        if (!*more)
            break;
        evs.push_back({ev.icount, ev.kind, {ev.payload.begin(), ev.payload.end()}});
    }
    return evs;
}

inline Recorded record(const RecordSpec& spec)
{
    Result<ElfImage> image = read_elf(std::string(GUEST_DIR) + "/" + spec.guest + ".elf");
    REQUIRE(image);
    std::string in_path = temp_path(spec.tag + ".in");
    std::ofstream(in_path, std::ios::binary) << spec.input;
    auto serial = SerialSource::open(in_path, "serial input");
    REQUIRE(serial);

    RecordingConfig config;
    config.machine.machine = spec.machine;
    config.hash_every = spec.hash_every;
    config.files = {{BootRole::Kernel, image->path, ""}};
    RecordingHeaderSpec header{"test", encode(config), {{image->path, image->file, Embed::Yes}}};
    Recorded rec{temp_path(spec.tag + ".rr"), {}, {}, {}};
    {
        Result<RecordingWriter> writer = RecordingWriter::create(rec.path, header);
        REQUIRE(writer);
        EventLog log(*writer);
        // Host clocks that follow virtual time: the same spec always records the same run.
        RecordGate gate(log, RecordGateOptions{serial->get(), VirtualHostClock{kClockBase, 0}, nullptr});
        auto machine = make_machine(config.machine, gate, [&](uint8_t b) { rec.output.push_back(static_cast<char>(b)); });
        REQUIRE(machine);
        REQUIRE((*machine)->load_kernel(*image));
        RecorderOptions options;
        options.hash_every = spec.hash_every;
        options.checkpoint_every = spec.checkpoint_every;
        rec.outcome = Recorder(**machine, log, {{InputKind::Serial, 0, serial->get()}}, options).run();
        REQUIRE_FALSE(log.error());
        REQUIRE(writer->finish(rec.outcome.icount));
    }
    std::filesystem::remove(in_path);
    rec.events = read_events(rec.path);
    return rec;
}

// A copy of `original` with its events replaced.
inline std::string rewrite(const std::string& original, const std::vector<Ev>& events, const std::string& tag)
{
    Result<RecordingReader> r = RecordingReader::open(original);
    REQUIRE(r);
    Result<std::vector<uint8_t>> blob = r->blob_bytes(0);
    REQUIRE(blob);
    RecordingHeaderSpec header{r->header().tool_version, r->header().payload, {{r->header().blobs[0].name, *blob, Embed::Yes}}};
    std::string path = temp_path(tag + ".rr");
    Result<RecordingWriter> w = RecordingWriter::create(path, header);
    REQUIRE(w);
    for (const Ev& e : events)
        REQUIRE(w->append(e.icount, e.kind, e.payload));
    REQUIRE(w->finish(events.back().icount));
    return path;
}

}  // namespace emu::test
