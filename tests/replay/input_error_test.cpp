// A host input that fails while the guest runs ends the recording at once, finished, with the
// stop reason input-error; the recording replays to the same end.
#include <catch2/catch.hpp>

#include "host/host_source.h"
#include "machine/machines.h"
#include "replay/format/event_log.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_writer.h"
#include "replay/run/record_gate.h"
#include "replay/run/recorder.h"
#include "replay/run/replay_session.h"
#include "support/recording_fixture.h"

namespace {

using namespace emu;

// A few bytes, then a read error (as a failing disk or a vanished device gives).
class FailingSource final : public HostSource {
public:
    explicit FailingSource(std::string bytes) : bytes_(std::move(bytes)) {}
    size_t take(uint8_t* out, size_t max) override
    {
        size_t n = std::min(max, bytes_.size());
        std::copy_n(bytes_.begin(), n, out);
        bytes_.erase(0, n);
        return n;
    }
    bool ready() override { return !bytes_.empty(); }
    bool exhausted() override { return bytes_.empty(); }
    void wait(std::chrono::milliseconds) override {}
    std::string error() override { return bytes_.empty() ? "serial.in: read error: Input/output error" : ""; }

private:
    std::string bytes_;
};

}  // namespace

TEST_CASE("a host input that fails ends the recording as input-error, and it replays", "[input][guest]")
{
    for (std::string machine : {"virt", "pc"}) {
        INFO(machine);
        Result<ElfImage> image =
            read_elf(std::string(GUEST_DIR) + (machine == "virt" ? "/serial_irq.elf" : "/i386_serial_irq.elf"));
        REQUIRE(image);
        RecordingConfig config;
        config.machine.machine = machine;
        config.files = {{BootRole::Kernel, image->path, ""}};
        std::string path = test::temp_path("input_error_" + machine + ".rr");
        RunOutcome out;
        {
            Result<RecordingWriter> writer =
                RecordingWriter::create(path, RecordingHeaderSpec{"test", encode(config), {{image->path, image->file, Embed::Yes}}});
            REQUIRE(writer);
            EventLog log(*writer);
            RecordGate gate(log, RecordGateOptions{nullptr, VirtualHostClock{test::kClockBase, 0}, nullptr});
            auto m = make_machine(config.machine, gate, [](uint8_t) {});
            REQUIRE(m);
            REQUIRE((*m)->load_kernel(*image));
            FailingSource source("abc");
            out = Recorder(**m, log, {{InputKind::Serial, 0, &source}}, RecorderOptions{}).run();
            REQUIRE(writer->finish(out.icount));
        }
        CHECK(out.kind == StopKind::InputError);
        CHECK(out.detail == "serial.in: read error: Input/output error");

        Result<std::unique_ptr<ReplaySession>> session = ReplaySession::open(path, "", [](uint8_t) {});
        REQUIRE(session);
        Result<ReplayReport> report = (*session)->replayer().run_to(std::nullopt);
        REQUIRE(report);
        CHECK_FALSE(report->divergence);
        CHECK_FALSE(report->truncated);
        CHECK(report->outcome.kind == StopKind::InputError);
        CHECK(report->outcome.icount == out.icount);
    }
}
