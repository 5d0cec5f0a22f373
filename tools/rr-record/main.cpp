// rr-record: runs a guest and writes a recording of the run.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>

#include "core/result.h"
#include "host/serial_script.h"
#include "host/serial_source.h"
#include "host/input_file.h"
#include "machine/boot_images.h"
#include "machine/machines.h"
#include "machine/pc_pci.h"
#include "replay/format/event_log.h"
#include "replay/run/record_gate.h"
#include "replay/format/recorded_image.h"
#include "replay/run/recorder.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_writer.h"
#include "tools/common/cli.h"
#include "tools/common/serial_sink.h"
#include "tools/common/version.h"
#include "tools/common/virtio_options.h"

using namespace emu;
using emu::tools::SerialSink;

namespace {

constexpr uint64_t kDefaultHashEvery = 10'000'000;
// About 0.2 s of guest time at our speed: seeking replays at most that far, and a checkpoint
// costs the pages written since the last one.
constexpr uint64_t kDefaultCheckpointEvery = 100'000'000;

// SIGINT and SIGTERM end the recording properly (the recorder looks at this flag between
// slices) instead of leaving it unfinished.
std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};

void on_signal(int sig)
{
    g_signal.store(sig);
    g_interrupted.store(true);
}

// Installed before anything else, so that a signal at any moment, even while the machine is
// still being built, ends in a finished recording (of the instructions run so far, maybe none).
void catch_interrupts()
{
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    // Restarted, so that a call that was waiting (opening a FIFO no one writes yet) goes on and
    // the run then ends at once as "interrupted", instead of failing with EINTR.
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

struct Options {
    std::string machine = "virt";
    std::string kernel;
    std::string output;
    std::string serial_in;
    std::string serial_script;
    bool exit_on_success = false;
    std::string semihosting_in;
    std::string append;
    std::string initrd;
    std::vector<std::string> modules;  // FILE[,command line]
    std::string dtb;
    std::string bios;
    std::string serial_out = "-";
    uint64_t max_insns = std::numeric_limits<uint64_t>::max();
    unsigned icount_shift = 0;
    uint64_t hash_every = kDefaultHashEvery;
    uint64_t checkpoint_every = kDefaultCheckpointEvery;
    uint64_t mem = uint64_t{128} << 20;
    std::optional<uint64_t> clock_base;
    bool no_embed = false;
    tools::VirtioOptions virtio;
};

// Guest exit codes pass through, capped below 64 so that they never collide with the tools'
// own statuses (64 and up).
int guest_status(int code)
{
    if (code < 0 || code > 63)
        return 63;
    return code;
}

// Statuses of runs that ended without a guest exit code, beside the ExitStatus ones.
constexpr int kGuestCrashed = 71;  // a triple fault, an exception loop
constexpr int kScriptFailed = 73;  // --serial-script: a fail pattern or a timeout

int exit_status(const RunOutcome& outcome)
{
    switch (outcome.kind) {
    case StopKind::GuestExit: return guest_status(outcome.exit_code);
    case StopKind::PowerOff:
    case StopKind::Reset:
    case StopKind::InsnLimit:
    case StopKind::ScriptPassed: return 0;
    case StopKind::Stuck:
    case StopKind::Unsupported: return static_cast<int>(ExitStatus::Internal);
    case StopKind::TripleFault:
    case StopKind::ExceptionLoop: return kGuestCrashed;
    case StopKind::ScriptFailed:
    case StopKind::ScriptTimeout: return kScriptFailed;
    case StopKind::InputError: return static_cast<int>(ExitStatus::IoError);
    case StopKind::Interrupted: return 128 + g_signal.load();
    }
    return static_cast<int>(ExitStatus::Internal);
}

void print_outcome(const RunOutcome& outcome, const RecordingWriter& writer, uint64_t events,
                   const CheckpointStats& checkpoints)
{
    std::fprintf(stderr, "icount: %llu\n", static_cast<unsigned long long>(outcome.icount));
    std::fprintf(stderr, "stop: %s", stop_kind_name(outcome.kind));
    if (outcome.kind == StopKind::GuestExit)
        std::fprintf(stderr, " (code %d)", outcome.exit_code);
    if (!outcome.detail.empty())
        std::fprintf(stderr, ": %s", outcome.detail.c_str());
    std::fprintf(stderr, "\nrecording: %llu events, %u chunks, %llu bytes\n", static_cast<unsigned long long>(events),
                 writer.chunks_written(), static_cast<unsigned long long>(writer.bytes_written()));
    if (checkpoints.checkpoints)
        std::fprintf(stderr, "checkpoints: %llu (%llu pages written, %llu distinct stored, %llu bytes before compression)\n",
                     static_cast<unsigned long long>(checkpoints.checkpoints),
                     static_cast<unsigned long long>(checkpoints.pages_written),
                     static_cast<unsigned long long>(checkpoints.pages_stored),
                     static_cast<unsigned long long>(checkpoints.payload_bytes));
}

// An input source, or none when no path is given. `option` names it in messages.
Result<std::unique_ptr<SerialSource>> open_input(const std::string& path, const std::string& option)
{
    if (path.empty())
        return std::unique_ptr<SerialSource>();
    return SerialSource::open(path, option + " input");
}

// What the command line asks for that no machine could do; the machine refuses the rest.
Result<Done> check_boot_options(const Options& o)
{
    bool pc = o.machine != "virt";
    if (o.kernel.empty() && o.bios.empty())
        return Error{ExitStatus::Usage, "--kernel is required (or, on -M virt, --bios)"};
    if (pc && !o.bios.empty())
        return Error{ExitStatus::Usage, "--bios: -M " + o.machine + " starts its kernel without firmware"};
    if (pc && !o.dtb.empty())
        return Error{ExitStatus::Usage, "--dtb: -M " + o.machine + " has no device tree"};
    if (!pc && !o.modules.empty())
        return Error{ExitStatus::Usage, "--module: Multiboot modules are for -M pc; -M virt takes one --initrd"};
    for (const std::string& m : o.modules)
        if (m.empty() || m[0] == ',')
            return Error{ExitStatus::Usage, "--module \"" + m + "\": expected FILE[,command line]"};
    return Done{};
}

Result<BootFile> read_boot_file(const std::string& path)
{
    Result<std::vector<uint8_t>> bytes = read_input_file(path);
    if (!bytes)
        return bytes.error();
    return BootFile{path, std::move(*bytes)};
}

// The files named on the command line, read. A module's command line is "FILE args", as QEMU
// builds it from -initrd "FILE args".
Result<BootImages> read_boot_images(const Options& o)
{
    BootImages images;
    images.append = o.append;
    auto read = [](const std::string& path, std::optional<BootFile>& into) -> Result<Done> {
        if (path.empty())
            return Done{};
        Result<BootFile> f = read_boot_file(path);
        if (!f)
            return f.error();
        into = std::move(*f);
        return Done{};
    };
    for (auto [path, into] : {std::pair{&o.kernel, &images.kernel}, {&o.initrd, &images.initrd}, {&o.dtb, &images.dtb},
                              {&o.bios, &images.bios}})
        if (Result<Done> r = read(*path, *into); !r)
            return r.error();
    for (const std::string& m : o.modules) {
        size_t comma = m.find(',');
        std::string path = m.substr(0, comma);
        Result<BootFile> f = read_boot_file(path);
        if (!f)
            return f.error();
        std::string command_line = comma == std::string::npos ? path : path + " " + m.substr(comma + 1);
        images.modules.push_back({std::move(*f), command_line});
    }
    return images;
}

// The boot files in the order the header's blobs hold them, and the run configuration's
// description of each; the device tree the machine placed goes last, always embedded.
void describe_boot_files(const Options& o, const BootImages& images, const std::vector<uint8_t>& placed_tree,
                         RecordingConfig& config, RecordingHeaderSpec& header)
{
    Embed embed = o.no_embed ? Embed::No : Embed::Yes;
    auto add = [&](BootRole role, const BootFile& f, const std::string& command_line) {
        config.files.push_back({role, f.name, command_line});
        header.blobs.push_back({f.name, f.bytes, embed});
    };
    if (images.kernel)
        add(BootRole::Kernel, *images.kernel, "");
    if (images.initrd)
        add(BootRole::Initrd, *images.initrd, "");
    for (const BootModule& m : images.modules)
        add(BootRole::Module, m.file, m.command_line);
    if (images.bios)
        add(BootRole::Bios, *images.bios, "");
    if (!placed_tree.empty()) {
        std::string name = o.dtb.empty() ? "device tree (generated)" : o.dtb + " (as placed)";
        config.files.push_back({BootRole::DeviceTree, name, ""});
        header.blobs.push_back({name, placed_tree, Embed::Yes});
    }
}

Result<int> record(const Options& o)
{
    // Everything that can be wrong with the inputs is found, and the machine is built and
    // loaded, before the output is created: a run that cannot start leaves no file, and does
    // not replace one that was there.
    if (Result<Done> ram = check_ram_size(o.machine, o.mem, ExitStatus::Usage); !ram)
        return Error{ExitStatus::Usage, "--mem: " + ram.error().message};
    if (Result<Done> options = check_boot_options(o); !options)
        return options.error();
    Result<BootImages> images = read_boot_images(o);
    if (!images)
        return images.error();
    if (o.serial_in == "-" && o.semihosting_in == "-")
        return Error{ExitStatus::Usage, "--serial-in and --semihosting-in cannot both read stdin"};
    Result<std::unique_ptr<SerialSource>> serial_in = open_input(o.serial_in, "--serial-in");
    if (!serial_in)
        return serial_in.error();
    std::optional<SerialScript> script;
    if (!o.serial_script.empty()) {
        Result<SerialScript> parsed = SerialScript::open(o.serial_script, {o.exit_on_success});
        if (!parsed)
            return parsed.error();
        script.emplace(std::move(*parsed));
    }
    Result<std::unique_ptr<SerialSource>> semihosting_in = open_input(o.semihosting_in, "--semihosting-in");
    if (!semihosting_in)
        return semihosting_in.error();
    if (o.machine != "virt" && o.virtio.rng)
        return Error{ExitStatus::Usage, "--rng needs -M virt"};
    if (o.machine == "isapc" && !o.virtio.netdev.empty())
        return Error{ExitStatus::Usage, "--netdev needs -M virt (virtio-net) or -M pc (RTL8139)"};
    if (o.machine == "isapc" && !o.virtio.drives.empty())
        return Error{ExitStatus::Usage, "--drive needs -M virt (virtio-blk) or -M pc (IDE)"};
    if (o.machine == "pc" && o.virtio.drives.size() > PcPci::kMaxDrives)
        return Error{ExitStatus::Usage, "-M pc takes at most 4 --drive options (IDE primary and secondary, master and slave)"};
    Result<tools::VirtioHost> virtio = tools::VirtioHost::open_for_record(o.virtio);
    if (!virtio)
        return virtio.error();
    Result<std::unique_ptr<SerialSink>> sink = SerialSink::open(o.serial_out);
    if (!sink)
        return sink.error();

    RecordingConfig config;
    config.machine = MachineConfig{o.machine, o.mem, o.icount_shift, {}};
    config.hash_every = o.hash_every;
    config.append = o.append;
    virtio->configure(config.machine);

    EventLog log(EventLog::Start::Deferred);
    RecordGateOptions gate_options;
    gate_options.console = semihosting_in->get();
    if (o.clock_base)
        gate_options.clock = VirtualHostClock{*o.clock_base * 1'000'000'000, o.icount_shift};
    gate_options.interrupted = &g_interrupted;
    RecordGate gate(log, gate_options);
    SerialSink& out = **sink;
    Result<std::unique_ptr<Machine>> machine = make_machine(config.machine, gate, [&out](uint8_t b) { out.put(b); });
    if (!machine)
        return machine.error();
    if (Result<Done> booted = (*machine)->boot(*images); !booted)
        return booted.error();
    std::vector<uint8_t> placed_tree = (*machine)->device_tree();
    RecordingHeaderSpec header;
    header.tool_version = tools::kToolVersion;
    describe_boot_files(o, *images, placed_tree, config, header);
    virtio->describe_images(config, header);
    header.payload = encode(config);
    if (script) {
        // The script acts at once on what it sees: the machine pauses at the next boundary, so
        // that a send is delivered, or a verdict ends the run, exactly there.
        Machine& m = **machine;
        script->on_change = [&m] { m.request_pause(); };
        (*machine)->set_output_observer([&s = *script](uint8_t b, uint64_t icount) { s.observe(b, icount); });
    }
    Result<RecordingWriter> writer = RecordingWriter::create(o.output, header);
    if (!writer)
        return writer.error();
    log.attach(*writer);

    RecorderOptions options;
    options.max_insns = o.max_insns;
    options.hash_every = o.hash_every;
    options.checkpoint_every = o.checkpoint_every;
    options.interrupted = &g_interrupted;
    std::vector<HostInput> inputs;
    if (*serial_in)
        inputs.push_back({InputKind::Serial, 0, serial_in->get()});
    if (script) {
        inputs.push_back({InputKind::Serial, 0, &*script});
        options.judge = &*script;
    }
    if (*semihosting_in)
        options.gate_sources.push_back(semihosting_in->get());
    virtio->attach(**machine, inputs);
    Recorder recorder(**machine, log, std::move(inputs), options);
    RunOutcome outcome = recorder.run();
    Result<Done> output_closed = out.close();
    if (log.error())
        return *log.error();
    if (Result<Done> finished = writer->finish(outcome.icount); !finished)
        return finished.error();
    if (!output_closed)
        return output_closed.error();
    if (Result<Done> kept = tools::write_overlays(o.virtio, **machine); !kept)
        return kept.error();
    print_outcome(outcome, *writer, log.events(), recorder.checkpoint_stats());
    return exit_status(outcome);
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Runs a guest and records everything non-deterministic it receives (serial input,\n"
                 "host clock reads, semihosting console input), each stamped with its instruction\n"
                 "count, plus periodic state hashes and checkpoints, into one recording file that\n"
                 "rr-replay re-executes anywhere. The boot files are embedded unless --no-embed; the device\n"
                 "tree the guest received always is.\n"
                 "Guest serial output goes to stdout unless --serial-out says otherwise; run details\n"
                 "(final icount, stop reason) go to stderr.\n"
                 "Exit status: the guest's exit code (capped at 63: semihosting SYS_EXIT on virt,\n"
                 "isa-debug-exit's (value << 1) | 1 on pc); 0 after power-off, reset, --max-insns or a\n"
                 "--serial-script that passed with --exit-on-success; 64 usage (also a boot file the machine\n"
                 "cannot use); 65 malformed guest image (or one no loader of the machine takes);\n"
                 "66 missing input; 70 internal error, unsupported guest feature or a guest stuck waiting\n"
                 "with nothing to wake it; 71 a crashed guest (triple fault, exception loop); 73 a\n"
                 "--serial-script expectation failed or timed out; 74 host I/O error (an input that\n"
                 "fails, output that cannot be written); 130/143 after SIGINT/SIGTERM, which end the\n"
                 "recording properly.",
                 "rr-record"};
    Options o;
    app.add_option("-M,--machine", o.machine, "Machine to emulate")
        ->check(CLI::IsMember(machine_names()))
        ->capture_default_str();
    app.add_option("--kernel", o.kernel,
                   "Guest kernel, loaded as QEMU's -kernel does and told apart by content. virt: an AArch64 ELF, "
                   "an arm64 Linux Image or a raw image (either may be gzip-compressed); pc: a Linux bzImage or a "
                   "Multiboot kernel (ELF or a.out kludge)");
    app.add_option("--initrd", o.initrd,
                   "Initial ramdisk, as QEMU's -initrd: for Linux, placed where QEMU places it; for a Multiboot "
                   "kernel, its first module");
    app.add_option("--module", o.modules,
                   "-M pc, Multiboot: a module FILE[,command line], after the --initrd (repeatable); the kernel "
                   "sees \"FILE command line\" as its string, as with QEMU's -initrd \"FILE args\"");
    app.add_option("--dtb", o.dtb,
                   "-M virt: a device tree blob to pass instead of the generated one (its /memory, bootargs and "
                   "initrd are set as QEMU sets them)");
    app.add_option("--bios", o.bios,
                   "-M virt: firmware (up to 64 MiB) executed in place from flash bank 0 at address 0, the "
                   "device tree at the base of RAM; flash bank 1 is writable and lives only in the machine's state");
    app.add_option("-o,--output", o.output, "Recording file to write (*.rr)")->required();
    CLI::Option* serial_in_option =
        app.add_option("--serial-in", o.serial_in,
                       "UART input: a file (fed as fast as the guest takes it, once it reads its UART), or - "
                       "for stdin (a pipe or the terminal, live)");
    CLI::Option* script_option = app.add_option(
        "--serial-script", o.serial_script,
        "Drive the UART from a script that waits for the guest's output (`expect \"PATTERN\"`) and "
        "types lines (`send \"TEXT\"`); see `Serial scripts` in the README. A fail pattern or a "
        "timeout ends the run (exit 73); the bytes sent are recorded like any serial input")
        ->excludes(serial_in_option);
    app.add_flag("--exit-on-success", o.exit_on_success,
                 "With --serial-script: end the run (exit 0) once every line of the script has passed")
        ->needs(script_option);
    app.add_option("--semihosting-in", o.semihosting_in,
                   "Semihosting console input (SYS_READC): a file, or - for stdin; without it SYS_READC "
                   "reads end of input (-1)");
    app.add_option("--serial-out", o.serial_out, "Guest serial output: a file, or - for stdout")->capture_default_str();
    app.add_option("--max-insns", o.max_insns, "Stop after this many guest instructions")->check(tools::count());
    app.add_option("--icount-shift", o.icount_shift, "Virtual nanoseconds per instruction, as 2^N (QEMU's shift)")
        ->check(CLI::Range(0u, 10u))
        ->capture_default_str();
    app.add_option("--hash-every", o.hash_every,
                   "Record a state hash every N instructions (0: only at the end); rr-replay checks each")
        ->check(tools::count())
        ->capture_default_str();
    app.add_option("--checkpoint-every", o.checkpoint_every,
                   "Store a checkpoint every N instructions (0: none): the RAM pages written since the "
                   "previous one, each distinct page once, and the machine state. rr-replay --seek and "
                   "rr-bisect start from the nearest one")
        ->check(tools::count())
        ->capture_default_str();
    app.add_option("--clock-base", o.clock_base,
                   "Host clocks the guest reads (the RTC's start, semihosting TIME, CLOCK, ELAPSED) follow "
                   "virtual time from this Unix time in seconds instead of the host's clocks, so that two "
                   "recordings of the same guest and input are the same run")
        ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 33));
    app.add_option("--mem", o.mem, "Guest RAM size in bytes (suffixes K, M, G)")
        ->transform(CLI::AsSizeValue(false))
        ->capture_default_str();
    app.add_option("--append", o.append,
                   "Kernel command line, as QEMU's -append (virt: /chosen/bootargs; pc Multiboot: after the "
                   "kernel's path; pc bzImage: the Linux command line)");
    app.add_flag("--no-embed", o.no_embed,
                 "Store only the boot files' paths, sizes and hashes; rr-replay then needs the same files");
    tools::add_virtio_record_options(app, o.virtio);
    catch_interrupts();
    return tools::run_tool(app, argc, argv, [&] { return record(o); });
}
