// rr-replay: re-executes a recording with no live input and checks that the run is the same.
#include <CLI/CLI.hpp>

#include <cinttypes>
#include <cstdio>
#include <memory>

#include "core/format.h"
#include "machine/elf_loader.h"
#include "machine/virt.h"
#include "replay/summary_recording.h"
#include "tools/common/cli.h"
#include "tools/common/json.h"
#include "tools/common/serial_sink.h"

using namespace emu;
using emu::tools::json_string;
using emu::tools::SerialSink;

namespace {

struct Options {
    std::string recording;
    std::string kernel;
    std::string serial_out;
    bool json = false;
};

Result<int> replay(const Options& o)
{
    Result<SummaryRecording> rec = read_summary_recording(o.recording);
    if (!rec)
        return rec.error();
    const SummaryRecording& r = *rec;
    if (r.machine != "virt")
        return Error{ExitStatus::BadRecording, o.recording + ": unsupported machine '" + r.machine + "'"};

    // Format 0 does not embed the guest image: it is read again and must be the same file.
    std::string kernel_path = o.kernel.empty() ? r.kernel_path : o.kernel;
    Result<ElfImage> image = read_elf(kernel_path);
    if (!image)
        return image.error();
    if (!is_recorded_image(r, *image))
        return Error{ExitStatus::BadRecording, kernel_path + ": not the guest image this recording was made with "
                                                             "(content hash differs)"};

    std::unique_ptr<SerialSink> sink;
    if (!o.serial_out.empty()) {
        Result<std::unique_ptr<SerialSink>> opened = SerialSink::open(o.serial_out);
        if (!opened)
            return opened.error();
        sink = std::move(*opened);
    }
    VirtConfig config;
    config.icount_shift = r.icount_shift;
    VirtMachine machine(config, [&sink](uint8_t b) {
        if (sink)
            sink->put(b);
    });
    if (Result<Done> loaded = machine.load_kernel(*image); !loaded)
        return loaded.error();

    // One instruction more than recorded: a replay that runs on past the end has diverged.
    RunOutcome out = machine.run(r.icount + 1);
    if (sink)
        if (Result<Done> flushed = sink->flush(); !flushed)
            return flushed.error();

    std::string got = stop_kind_name(out.kind);
    bool same = out.icount == r.icount && got == r.stop && out.exit_code == r.exit_code;
    if (o.json) {
        std::printf("{\"result\":%s,\"icount\":%" PRIu64 ",\"expected_icount\":%" PRIu64
                    ",\"exit\":{\"reason\":%s,\"code\":%d},\"expected_exit\":{\"reason\":%s,\"code\":%d}}\n",
                    same ? "\"ok\"" : "\"divergence\"", out.icount, r.icount, json_string(got).c_str(),
                    out.exit_code, json_string(r.stop).c_str(), r.exit_code);
    } else if (same) {
        std::printf("replay ok: %" PRIu64 " instructions, %s (code %d), as recorded\n", out.icount, got.c_str(),
                    out.exit_code);
    } else {
        std::printf("replay diverged: recorded %s (code %d) at icount %" PRIu64 ", replay %s (code %d) at icount %" PRIu64
                    ", pc %s\n",
                    r.stop.c_str(), r.exit_code, r.icount, got.c_str(), out.exit_code, out.icount,
                    hex(machine.cpu().s.pc).c_str());
    }
    return same ? 0 : static_cast<int>(ExitStatus::Divergence);
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Re-executes a recording with no live input and checks that it ends at the same\n"
                 "instruction count, with the same stop reason and exit code.\n"
                 "Exit status: 0 same run; 1 divergence; 65 corrupt, truncated or unsupported recording;\n"
                 "66 missing file; 74 output I/O error.",
                 "rr-replay"};
    Options o;
    app.add_option("recording", o.recording, "Recording file (*.rr)")->required();
    app.add_option("--kernel", o.kernel, "Guest image to use instead of the path stored in the recording");
    app.add_option("--serial-out", o.serial_out, "Write the replayed guest's serial output to FILE, or - for stdout");
    app.add_flag("--json", o.json, "Print the verdict as one JSON object");
    return tools::run_tool(app, argc, argv, [&] { return replay(o); });
}
