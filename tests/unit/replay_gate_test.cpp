// The pieces of the replay core that need no guest: event payload codecs, the run
// configuration, the replay stream's lookahead, the replay gate's matching and the host serial
// source.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "host/serial_source.h"
#include "replay/format/event_payloads.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_reader.h"
#include "replay/format/recording_writer.h"
#include "replay/run/replay_gate.h"
#include "replay/run/replay_stream.h"

using namespace emu;

namespace {

std::string temp_path(const std::string& tag)
{
    return (std::filesystem::temp_directory_path() / ("replay_gate_test_" + std::to_string(::getpid()) + "_" + tag))
        .string();
}

struct Ev {
    uint64_t icount;
    EventKind kind;
    std::vector<uint8_t> payload;
};

// A recording of `events` in memory.
RecordingReader recording_of(const std::vector<Ev>& events, const std::string& tag)
{
    std::string path = temp_path(tag);
    RecordingHeaderSpec header{"test", {}, {}};
    Result<RecordingWriter> w = RecordingWriter::create(path, header);
    REQUIRE(w);
    for (const Ev& e : events)
        REQUIRE(w->append(e.icount, e.kind, e.payload));
    REQUIRE(w->finish(events.empty() ? 0 : events.back().icount));
    Result<RecordingReader> r = RecordingReader::open(path);
    std::filesystem::remove(path);
    REQUIRE(r);
    return std::move(*r);
}

}  // namespace

TEST_CASE("replay: event payloads round-trip and reject malformed bytes", "[replay]")
{
    InputEvent s{0, 3, {'a', 'b', 0x04}};
    auto sd = decode<InputEvent>(encode(s));
    REQUIRE(sd);
    CHECK(sd->device == 0);
    CHECK(sd->idle_round == 3);
    CHECK(sd->data == s.data);
    // The bytes docs/recording-format.md gives: device u8, round varint, the data.
    CHECK(encode(InputEvent{1, 300, {'a', 'b'}}) == std::vector<uint8_t>{0x01, 0xAC, 0x02, 'a', 'b'});
    CHECK(encode(ClockReadEvent{HostClock::Monotonic, 0x0102}) ==
          std::vector<uint8_t>{0x01, 0x02, 0x01, 0, 0, 0, 0, 0, 0});
    CHECK(encode(CheckpointEvent{2, {0xEE}, {{5, 1}, {7, 9}}}) ==
          std::vector<uint8_t>{2, 0, 0, 0, 0x01, 0xEE, 0x02, 0x05, 0x01, 0x01, 0x09});
    CHECK_FALSE(decode<InputEvent>(encode(InputEvent{0, 0, {}})));  // no bytes: nothing delivered

    auto cd = decode<ClockReadEvent>(encode(ClockReadEvent{HostClock::Monotonic, 123456789}));
    REQUIRE(cd);
    CHECK(cd->clock == HostClock::Monotonic);
    CHECK(cd->ns == 123456789);
    std::vector<uint8_t> bad_clock = encode(ClockReadEvent{HostClock::Realtime, 1});
    bad_clock[0] = 7;
    CHECK_FALSE(decode<ClockReadEvent>(bad_clock));
    bad_clock[0] = 0;
    bad_clock.push_back(0);
    CHECK_FALSE(decode<ClockReadEvent>(bad_clock));  // trailing byte

    auto hd = decode<ConsoleReadEvent>(encode(ConsoleReadEvent{7, -1, {}}));
    REQUIRE(hd);
    CHECK(hd->operation == 7);
    CHECK(hd->result == -1);

    StateDigest d;
    d.cpu = 1;
    d.ram = 2;
    d.dirty_pages = 3;
    d.devices = 4;
    d.output_bytes = 5;
    d.output = 6;
    d.registers = {7, 8, 9};
    std::vector<uint8_t> dp = encode(d);
    auto dd = decode<StateDigest>(dp);
    REQUIRE(dd);
    CHECK(dd->cpu == 1);
    CHECK(dd->ram == 2);
    CHECK(dd->dirty_pages == 3);
    CHECK(dd->devices == 4);
    CHECK(dd->output_bytes == 5);
    CHECK(dd->output == 6);
    CHECK(dd->registers == d.registers);
    dp.pop_back();
    CHECK_FALSE(decode<StateDigest>(dp));

    auto gd = decode<GuestExitEvent>(encode(GuestExitEvent{StopKind::GuestExit, -5, 0, {}}));
    REQUIRE(gd);
    CHECK(gd->kind == StopKind::GuestExit);
    CHECK(gd->exit_code == -5);
    CHECK_FALSE(decode<GuestExitEvent>({}));
    std::vector<uint8_t> unknown_stop = encode(GuestExitEvent{StopKind::GuestExit, 0, 0, {}});
    unknown_stop[0] = 200;
    CHECK_FALSE(decode<GuestExitEvent>(unknown_stop));
    // Page references must increase, and their ids fit 32 bits.
    CHECK_FALSE(decode<CheckpointEvent>(std::vector<uint8_t>{0, 0, 0, 0, 0x00, 0x01, 0x05, 0x80, 0x80, 0x80, 0x80, 0x10}));
    CHECK_FALSE(decode<CheckpointPagesEvent>(std::vector<uint8_t>{0, 0, 0, 0, 1, 2, 3}));  // not whole pages
}

TEST_CASE("replay: run configuration round-trips and refuses damage", "[replay]")
{
    RecordingConfig c;
    c.machine = MachineConfig{"virt", 64 << 20, 3};
    c.hash_every = 12345;
    c.append = "a=1";
    c.files = {{BootRole::Kernel, "guests/demo.elf", ""}, {BootRole::Module, "m.bin", "m.bin x=2"}};
    std::vector<uint8_t> bytes = encode(c);
    Result<RecordingConfig> back = decode_recording_config(bytes, "x.rr");
    REQUIRE(back);
    CHECK(back->machine.machine == "virt");
    CHECK(back->machine.ram_size == (64 << 20));
    CHECK(back->machine.icount_shift == 3);
    CHECK(back->hash_every == 12345);
    CHECK(back->kernel_path() == "guests/demo.elf");
    CHECK(back->append == "a=1");
    REQUIRE(back->files.size() == 2);
    CHECK(back->files[1].role == BootRole::Module);
    CHECK(back->files[1].command_line == "m.bin x=2");

    std::vector<uint8_t> future = bytes;
    future[0] = 9;
    Result<RecordingConfig> r = decode_recording_config(future, "x.rr");
    REQUIRE_FALSE(r);
    CHECK(r.error().status == ExitStatus::BadRecording);
    CHECK(r.error().message.find("version 9") != std::string::npos);
    bytes.pop_back();
    CHECK_FALSE(decode_recording_config(bytes, "x.rr"));
    CHECK_FALSE(decode_recording_config({}, "x.rr"));
}

TEST_CASE("replay: the stream looks past inputs to the next boundary event", "[replay]")
{
    RecordingReader reader = recording_of(
        {
            {0, EventKind::ClockRead, encode(ClockReadEvent{HostClock::Realtime, 42})},
            {10, EventKind::ClockRead, encode(ClockReadEvent{HostClock::Monotonic, 5})},
            {20, EventKind::SerialInput, encode(InputEvent{0, 0, {'x'}})},
            {30, EventKind::GuestExit, encode(GuestExitEvent{StopKind::PowerOff, 0, 0, {}})},
        },
        "stream");
    ReplayStream stream(reader);
    const OwnedEvent* b = stream.next_boundary();
    REQUIRE(b);
    CHECK(b->icount == 20);
    CHECK(b->kind == EventKind::SerialInput);
    REQUIRE(stream.peek());
    CHECK(stream.peek()->icount == 0);  // the inputs before it are still first in line

    ReplayGate gate(stream);
    CHECK(gate.host_clock_ns(HostClock::Realtime, 0) == 42);
    CHECK(gate.host_clock_ns(HostClock::Monotonic, 10) == 5);
    CHECK(gate.mismatch().empty());
    CHECK(stream.peek()->kind == EventKind::SerialInput);
    stream.pop();
    REQUIRE(stream.next_boundary());
    CHECK(stream.next_boundary()->kind == EventKind::GuestExit);
    stream.pop();
    CHECK(stream.peek() == nullptr);
    CHECK(stream.next_boundary() == nullptr);
    CHECK(stream.end().complete);
    CHECK(stream.consumed() == 4);
}

TEST_CASE("replay: the gate reports a read the recording cannot answer", "[replay]")
{
    RecordingReader reader = recording_of({{100, EventKind::ClockRead, encode(ClockReadEvent{HostClock::Realtime, 7})}},
                                          "gate");
    ReplayStream stream(reader);
    ReplayGate gate(stream);
    int pauses = 0;
    gate.on_mismatch([&] { pauses++; });

    SECTION("at another icount")
    {
        CHECK(gate.host_clock_ns(HostClock::Realtime, 99) == 0);
        CHECK(gate.mismatch_icount() == 99);
        CHECK(gate.mismatch().find("ClockRead at icount 100") != std::string::npos);
    }
    SECTION("of another clock")
    {
        gate.host_clock_ns(HostClock::Monotonic, 100);
        CHECK(gate.mismatch().find("realtime") != std::string::npos);
    }
    SECTION("of another kind")
    {
        CHECK(gate.console_byte(100) == -1);
        CHECK(gate.mismatch().find("reads the console") != std::string::npos);
    }
    CHECK(pauses == 1);
    // Only the first mismatch is kept; later reads answer quietly.
    gate.host_clock_ns(HostClock::Realtime, 100);
    CHECK(pauses == 1);
}

TEST_CASE("replay: serial source from a file and from a pipe", "[replay]")
{
    SECTION("a regular file is read on demand to its end")
    {
        std::string path = temp_path("serial");
        std::ofstream(path, std::ios::binary) << "hello";
        auto src = SerialSource::open(path, "serial input");
        REQUIRE(src);
        uint8_t buf[8];
        CHECK((*src)->ready());
        CHECK((*src)->take(buf, 2) == 2);
        CHECK((*src)->take(buf + 2, 8) == 3);
        CHECK(std::string(buf, buf + 5) == "hello");
        CHECK((*src)->exhausted());
        CHECK((*src)->take(buf, 8) == 0);
        std::filesystem::remove(path);
    }
    SECTION("a pipe is read by a thread; bytes wait until taken")
    {
        std::string path = temp_path("fifo");
        REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
        std::thread writer([&] {
            std::ofstream out(path, std::ios::binary);
            out << std::string(100000, 'z');
        });
        auto src = SerialSource::open(path, "serial input");  // returns once the writer has opened its end
        REQUIRE(src);
        std::string got;
        uint8_t buf[4096];
        while (!(*src)->exhausted()) {
            (*src)->wait(std::chrono::milliseconds(100));
            size_t n = (*src)->take(buf, sizeof buf);
            got.append(buf, buf + n);
        }
        writer.join();
        CHECK(got == std::string(100000, 'z'));
        CHECK((*src)->error().empty());
        std::filesystem::remove(path);
    }
    SECTION("a missing file is NoInput")
    {
        auto src = SerialSource::open(temp_path("missing"), "serial input");
        REQUIRE_FALSE(src);
        CHECK(src.error().status == ExitStatus::NoInput);
    }
}
