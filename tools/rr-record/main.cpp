// rr-record: runs a guest and writes a recording of the run.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>

#include "core/result.h"
#include "machine/elf_loader.h"
#include "machine/virt.h"
#include "tools/common/cli.h"
#include "replay/summary_recording.h"
#include "tools/common/serial_sink.h"

using namespace emu;
using emu::tools::SerialSink;

namespace {

struct Options {
    std::string machine = "virt";
    std::string kernel;
    std::string output;
    std::string serial_out = "-";
    uint64_t max_insns = std::numeric_limits<uint64_t>::max();
    unsigned icount_shift = 0;
    uint64_t mem = uint64_t{128} << 20;
};

// Guest exit codes pass through, capped below 64 so that they never collide with the tools'
// own statuses (64 and up).
int guest_status(int code)
{
    if (code < 0 || code > 63)
        return 63;
    return code;
}

// Creates the output file before the guest runs, so that a bad path costs nothing.
Result<Done> check_output_writable(const std::string& path)
{
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        return Error{ExitStatus::IoError, path + ": cannot create: " + std::strerror(errno)};
    std::fclose(f);
    return Done{};
}

Result<int> record(const Options& o)
{
    if (Result<Done> writable = check_output_writable(o.output); !writable)
        return writable.error();
    Result<ElfImage> image = read_elf(o.kernel);
    if (!image)
        return image.error();
    Result<std::unique_ptr<SerialSink>> sink = SerialSink::open(o.serial_out);
    if (!sink)
        return sink.error();

    VirtConfig config;
    config.ram_size = o.mem;
    config.icount_shift = o.icount_shift;
    SerialSink& out = **sink;
    VirtMachine machine(config, [&out](uint8_t b) { out.put(b); });
    if (Result<Done> loaded = machine.load_kernel(*image); !loaded)
        return loaded.error();

    RunOutcome outcome = machine.run(o.max_insns);
    if (Result<Done> flushed = out.flush(); !flushed)
        return flushed.error();

    Result<Done> written = write_summary_recording(o.output, o.machine, *image, outcome, o.icount_shift);
    if (!written)
        return written.error();

    std::fprintf(stderr, "icount: %llu\n", static_cast<unsigned long long>(outcome.icount));
    std::fprintf(stderr, "stop: %s", stop_kind_name(outcome.kind));
    if (outcome.kind == StopKind::GuestExit)
        std::fprintf(stderr, " (code %d)", outcome.exit_code);
    if (!outcome.detail.empty())
        std::fprintf(stderr, ": %s", outcome.detail.c_str());
    std::fprintf(stderr, "\n");

    switch (outcome.kind) {
    case StopKind::GuestExit: return guest_status(outcome.exit_code);
    case StopKind::PowerOff:
    case StopKind::Reset:
    case StopKind::InsnLimit: return 0;
    case StopKind::Stuck:
    case StopKind::Unsupported: return static_cast<int>(ExitStatus::Internal);
    }
    return static_cast<int>(ExitStatus::Internal);
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Runs a guest and writes a recording of the run: the machine, the guest image's\n"
                 "content hash, the final instruction count and how the run ended (format version 0;\n"
                 "the input event stream arrives with format version 1).\n"
                 "Guest serial output goes to stdout unless --serial-out says otherwise.\n"
                 "Exit status: the guest's exit code (semihosting, capped at 63), 0 after power-off;\n"
                 "64 usage, 65 malformed guest image, 66 missing input, 70 internal error or\n"
                 "unsupported guest feature, 74 output I/O error.",
                 "rr-record"};
    Options o;
    app.add_option("-M,--machine", o.machine, "Machine to emulate")->check(CLI::IsMember({"virt"}))->capture_default_str();
    app.add_option("--kernel", o.kernel, "Guest ELF image, loaded as QEMU's -kernel does")->required();
    app.add_option("-o,--output", o.output, "Recording file to write")->required();
    app.add_option("--serial-out", o.serial_out, "Where guest serial output goes: a file, or - for stdout")
        ->capture_default_str();
    app.add_option("--max-insns", o.max_insns, "Stop after this many guest instructions");
    app.add_option("--icount-shift", o.icount_shift, "Virtual nanoseconds per instruction, as 2^N (QEMU's shift)")
        ->check(CLI::Range(0u, 10u))
        ->capture_default_str();
    app.add_option("--mem", o.mem, "Guest RAM size in bytes (suffixes K, M, G)")
        ->transform(CLI::AsSizeValue(false))
        ->capture_default_str();
    return tools::run_tool(app, argc, argv, [&] { return record(o); });
}
