// rr-replay: re-executes a recording with no live input and checks that it is the same run.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include "core/format.h"
#include "replay/search/expr.h"
#include "replay/search/machine_expr.h"
#include "replay/run/replay_session.h"
#include "tools/common/cli.h"
#include "tools/common/json.h"
#include "tools/common/junit.h"
#include "tools/common/serial_sink.h"
#include "tools/rr-replay/gdb_mode.h"
#include "tools/common/virtio_options.h"

using namespace emu;
using emu::tools::json_string;
using emu::tools::SerialSink;

namespace {

struct Options {
    std::string recording;
    std::string kernel;
    std::string serial_out;
    std::string junit;
    bool json = false;
    std::optional<uint64_t> seek;
    uint64_t steps = 0;
    std::vector<std::string> print;
    std::string gdb;
    bool gdb_allow_remote = false;
    tools::VirtioOptions virtio;
};

// Parses every --print expression before anything runs; a bad one is a usage error whose
// caret points at the offending column.
Result<std::vector<Expr>> parse_prints(const std::vector<std::string>& texts)
{
    std::vector<Expr> exprs;
    for (const std::string& t : texts) {
        ExprError detail;
        Result<Expr> e = Expr::parse(t, &detail);
        if (!e)
            return Error{ExitStatus::Usage, "--print: " + detail.line() + "\n" + detail.caret()};
        exprs.push_back(std::move(*e));
    }
    return exprs;
}

// --seek: the values of the --print expressions at the icount reached.
Result<int> print_values(const Options& o, Machine& m, const std::vector<Expr>& exprs)
{
    MachineExprContext ctx(m);
    std::string json = "{\"icount\":" + std::to_string(m.icount()) + ",\"pc\":" + json_string(hex(m.pc())) + ",\"values\":{";
    std::string text = "at icount " + std::to_string(m.icount()) + ", pc " + hex(m.pc()) + "\n";
    for (size_t i = 0; i < exprs.size(); ++i) {
        Result<uint64_t> v = exprs[i].eval(ctx);
        if (!v)
            return Error{ExitStatus::Usage, "--print: " + v.error().message};
        json += (i ? "," : "") + json_string(exprs[i].text()) + ":" + std::to_string(*v);
        text += "  " + exprs[i].text() + " = " + hex(*v) + " (" + std::to_string(*v) + ")\n";
    }
    std::fputs(o.json ? (json + "}}\n").c_str() : text.c_str(), stdout);
    return 0;
}

std::string exit_text(const RunOutcome& o)
{
    std::string s = stop_kind_name(o.kind);
    if (o.kind == StopKind::GuestExit)
        s += " (code " + std::to_string(o.exit_code) + ")";
    return s;
}

// The human report: one verdict line, then the details a debugging engineer needs.
std::string text_report(const ReplayReport& r)
{
    char line[256];
    std::string out;
    if (r.divergence) {
        const Divergence& d = *r.divergence;
        std::snprintf(line, sizeof line, "replay diverged at icount %" PRIu64 ", pc %s\n", d.icount, hex(d.pc).c_str());
        out += line;
        out += "  " + d.what + "\n";
        if (d.last_match) {
            std::snprintf(line, sizeof line, "  last matching state hash at icount %" PRIu64 "\n", *d.last_match);
            out += line;
        } else {
            out += "  no earlier state hash: the difference arose between the start and here\n";
        }
        if (!d.last_input.empty())
            out += "  last input delivered before it: " + d.last_input + "\n";
        for (const RegisterDiff& reg : d.registers) {
            std::snprintf(line, sizeof line, "  %-10s recorded %s  replay %s\n", reg.name.c_str(), hex(reg.recorded).c_str(),
                          hex(reg.replayed).c_str());
            out += line;
        }
        return out;
    }
    if (r.truncated) {
        std::snprintf(line, sizeof line,
                      "%s; the replay matched it up to there (%" PRIu64 " instructions, %" PRIu64 " state hashes)\n",
                      r.truncated->c_str(), r.outcome.icount, r.state_hashes);
        return line;
    }
    std::snprintf(line, sizeof line,
                  "replay ok: %" PRIu64 " instructions, %s, as recorded; %" PRIu64 " state hashes and %" PRIu64
                  " events matched\n",
                  r.outcome.icount, exit_text(r.outcome).c_str(), r.state_hashes, r.events);
    return line;
}

// `ended`: the replay reached the end of the run (a truncated one ran out of recording);
// `more`: further members of the object, each starting with a comma.
std::string json_report(const ReplayReport& r, bool ended, const std::string& more)
{
    std::string result = r.divergence ? "divergence" : r.truncated ? "truncated" : "ok";
    std::string exit = !ended ? "null"
                                   : "{\"reason\":" + json_string(stop_kind_name(r.outcome.kind)) +
                                         ",\"code\":" + std::to_string(r.outcome.exit_code) + "}";
    std::string s = "{\"result\":" + json_string(result) + ",\"icount\":" + std::to_string(r.outcome.icount) +
                    ",\"exit\":" + exit +
                    ",\"state_hashes_checked\":" + std::to_string(r.state_hashes) + ",\"events\":" + std::to_string(r.events);
    if (r.truncated)
        s += ",\"truncated\":" + json_string(*r.truncated);
    if (r.divergence) {
        const Divergence& d = *r.divergence;
        s += ",\"divergence\":{\"icount\":" + std::to_string(d.icount) + ",\"pc\":" + json_string(hex(d.pc)) +
             ",\"last_match\":" + (d.last_match ? std::to_string(*d.last_match) : std::string("null")) +
             ",\"last_input\":" + (d.last_input.empty() ? std::string("null") : json_string(d.last_input)) +
             ",\"what\":" + json_string(d.what) + ",\"registers\":[";
        for (size_t i = 0; i < d.registers.size(); ++i) {
            const RegisterDiff& reg = d.registers[i];
            s += (i ? "," : "") + std::string("{\"name\":") + json_string(reg.name) +
                 ",\"recorded\":" + json_string(hex(reg.recorded)) + ",\"replayed\":" + json_string(hex(reg.replayed)) + "}";
        }
        s += "]}";
    }
    return s + more + "}\n";
}

// How gdb ended the session, for the verdict.
std::string gdb_ending(const tools::GdbModeResult& g)
{
    std::string how;
    switch (g.end) {
    case debug::SessionEnd::Detached: how = "gdb detached"; break;
    case debug::SessionEnd::Killed: how = "gdb killed the session"; break;
    case debug::SessionEnd::Disconnected: how = "gdb went away"; break;
    }
    return how + " at icount " + std::to_string(g.icount);
}

// After the verdict is printed: the JUnit file if asked for, and the exit status.
Result<int> conclude(const Options& o, const ReplayReport& r, const std::string& text, double seconds)
{
    if (!o.junit.empty()) {
        tools::JunitCase c{o.recording, seconds, std::nullopt, text};
        if (r.divergence)
            c.failure = "replay diverged at icount " + std::to_string(r.divergence->icount) + ": " + r.divergence->what;
        else if (r.truncated)
            c.failure = *r.truncated;
        if (Result<Done> written = tools::write_junit(o.junit, "rr-replay", {c}); !written)
            return written.error();
    }
    if (r.divergence)
        return static_cast<int>(ExitStatus::Divergence);
    if (r.truncated) {
        std::fprintf(stderr, "rr-replay: %s: %s\n", o.recording.c_str(), r.truncated->c_str());
        return static_cast<int>(ExitStatus::BadRecording);
    }
    return 0;
}

// The verdict of a gdb session: the replay's as far as the session took it.
Result<int> gdb_verdict(const Options& o, const tools::GdbModeResult& g, double seconds)
{
    const CursorVerdict& v = g.verdict;
    if (v.failure && !v.divergence)
        return Error{ExitStatus::BadRecording, o.recording + ": " + *v.failure};
    ReplayReport r;
    if (v.end && !v.divergence) {
        r = *v.end;
    } else {
        r.outcome = RunOutcome{StopKind::InsnLimit, 0, v.furthest, ""};
        r.divergence = v.divergence;
        r.truncated = v.truncated;
    }
    r.state_hashes = v.state_hashes;
    bool whole = v.end || r.divergence || r.truncated;
    std::string text = whole ? text_report(r)
                             : "replay ok up to icount " + std::to_string(v.furthest) + " of " +
                                   std::to_string(g.recording_end) + ": the session ended before the replay reached "
                                   "the end of the recording; " + std::to_string(v.state_hashes) +
                                   " state hashes matched on the way\n";
    text += "  " + gdb_ending(g) + "\n";
    if (o.json) {
        std::string more = ",\"gdb\":{\"ended\":" +
                           json_string(g.end == debug::SessionEnd::Detached ? "detached"
                                       : g.end == debug::SessionEnd::Killed ? "killed"
                                                                             : "disconnected") +
                           ",\"icount\":" + std::to_string(g.icount) +
                           ",\"reached_end\":" + (v.end ? "true" : "false") + "}";
        std::fputs(json_report(r, v.end.has_value(), more).c_str(), stdout);
    } else {
        std::fputs(text.c_str(), stdout);
    }
    return conclude(o, r, text, seconds);
}

Result<int> replay_with_gdb(const Options& o, const std::vector<std::string>& drives,
                            std::unique_ptr<SerialSink>& sink)
{
    auto started = std::chrono::steady_clock::now();
    tools::GdbModeOptions g{o.recording, o.kernel, drives, o.gdb, o.gdb_allow_remote, o.seek, [&sink](uint8_t b) {
                                if (sink)
                                    sink->put(b);
                            }};
    Result<tools::GdbModeResult> served = tools::serve_gdb(g);
    if (sink)
        if (Result<Done> flushed = sink->close(); !flushed)
            return flushed.error();
    if (!served)
        return served.error();
    return gdb_verdict(o, *served, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

Result<int> replay(const Options& o)
{
    auto started = std::chrono::steady_clock::now();
    Result<std::vector<Expr>> exprs = parse_prints(o.print);
    if (!exprs)
        return exprs.error();
    std::unique_ptr<SerialSink> sink;
    if (!o.serial_out.empty()) {
        Result<std::unique_ptr<SerialSink>> opened = SerialSink::open(o.serial_out);
        if (!opened)
            return opened.error();
        sink = std::move(*opened);
    }
    Result<std::vector<std::string>> drives = tools::replay_drive_paths(o.virtio);
    if (!drives)
        return drives.error();
    if (!o.gdb.empty())
        return replay_with_gdb(o, *drives, sink);
    Result<std::unique_ptr<ReplaySession>> session = ReplaySession::open(
        o.recording, o.kernel,
        [&sink](uint8_t b) {
            if (sink)
                sink->put(b);
        },
        *drives);
    if (!session)
        return session.error();
    Machine& machine = (*session)->machine();

    MachineExprContext names(machine);
    for (const Expr& e : *exprs)
        if (Result<Done> ok = e.check(names); !ok)
            return Error{ExitStatus::Usage, "--print: " + ok.error().message};

    if (o.seek) {
        Result<CheckpointIndex> checkpoints = (*session)->scan_checkpoints(*o.seek);
        if (!checkpoints)
            return checkpoints.error();
        if (Result<Done> restored = (*session)->restore_nearest(*checkpoints, *o.seek); !restored)
            return restored.error();
    }
    Result<ReplayReport> report = (*session)->replayer().run_to(o.seek);
    if (sink)
        if (Result<Done> flushed = sink->close(); !flushed)
            return flushed.error();
    if (!report)
        return report.error();
    const ReplayReport& r = *report;
    if (Result<Done> kept = tools::write_overlays(o.virtio, machine); !kept)
        return kept.error();
    if (o.seek && r.reached_seek && !r.divergence) {
        Result<int> printed = print_values(o, machine, *exprs);
        // --steps: one instruction at a time from there, the values after each (a trace).
        for (uint64_t k = 1; printed && k <= o.steps; ++k) {
            Result<ReplayReport> step = (*session)->replayer().run_to(*o.seek + k);
            if (!step)
                return step.error();
            if (!step->reached_seek || step->divergence)
                break;
            printed = print_values(o, machine, *exprs);
        }
        return printed;
    }
    if (o.seek && !r.divergence && !r.truncated)
        return Error{ExitStatus::Usage, "--seek " + std::to_string(*o.seek) + ": the recorded run ends at icount " +
                                            std::to_string(r.outcome.icount)};

    std::string text = text_report(r);
    if (o.json)
        std::fputs(json_report(r, !r.truncated, "").c_str(), stdout);
    else
        std::fputs(text.c_str(), stdout);
    return conclude(o, r, text, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Re-executes a recording with no live input: every recorded input is delivered at its\n"
                 "instruction count, every state hash is checked, and the run must end where and how the\n"
                 "recording says. The first difference is reported with its icount, pc, what differed\n"
                 "and the registers that differ.\n"
                 "With --seek N it starts from the last checkpoint at or before N (or the start), replays\n"
                 "to exactly N instructions and prints the --print expressions there\n"
                 "(--json: {\"icount\":N,\"values\":{EXPR:value,...}}).\n"
                 "With --gdb PORT it waits for gdb there and lets it debug the replay forward and backward\n"
                 "(reverse-stepi, reverse-continue, breakpoints, watchpoints; see docs/gdb-stub.md);\n"
                 "when gdb detaches or kills the session, the verdict covers what the replay went through.\n"
                 "Exit status: 0 same run; 1 divergence; 64 usage, a bad --print expression or a --seek\n"
                 "past the end of the run; 65 corrupt, truncated (after replaying what is\n"
                 "there) or unsupported recording, or a --kernel that is not the recorded image;\n"
                 "66 missing file; 74 output I/O error (or, with --gdb, a port that cannot be listened on).\n"
                 "With --gdb the verdict covers what the session replayed: 0 unless it diverged (1) or\n"
                 "met a damaged or truncated recording (65).",
                 "rr-replay"};
    Options o;
    app.add_option("recording", o.recording, "Recording file (*.rr)")->required();
    app.add_option("--kernel", o.kernel,
                   "Guest image to use instead of the embedded one (or the stored path); it must be the "
                   "recorded image");
    app.add_option("--serial-out", o.serial_out, "Write the replayed guest's serial output to FILE, or - for stdout");
    app.add_flag("--json", o.json, "Print the verdict as one JSON object");
    app.add_option("--junit", o.junit, "Also write the verdict as JUnit XML to FILE");
    app.add_option("--seek", o.seek,
                   "Stop after exactly N instructions, replayed from the nearest checkpoint before (checking "
                   "everything on the way), and print the --print values; --serial-out gets the output from "
                   "that checkpoint on")
        ->check(tools::count());
    CLI::Option* print = app.add_option("--print", o.print,
                   "With --seek: an expression to evaluate there (repeatable), over registers (x0, pc, eax, ...), "
                   "icount and mem8/16/32/64[ADDR]; see docs/expressions.md")
        ->needs("--seek");
    CLI::Option* gdb = app.add_option("--gdb", o.gdb,
                   "Serve the replay to gdb on PORT (127.0.0.1) or HOST:PORT; port 0 picks a free one. Prints "
                   "where it listens on stderr, waits for gdb (target remote ...), starts at icount 0 or --seek N, "
                   "and ends when gdb detaches or kills the session")
        ->excludes(print);
    app.add_flag("--gdb-allow-remote", o.gdb_allow_remote,
                 "With --gdb: allow listening on a non-loopback address. Unsafe: whoever connects reads the "
                 "whole recording (memory, registers, inputs) and nothing authenticates them")
        ->needs(gdb);
    app.add_option("--steps", o.steps,
                   "With --seek: then replay K more instructions one at a time and print the --print values "
                   "after each (an instruction trace)")
        ->check(tools::count())
        ->needs("--seek")
        ->excludes(gdb);
    tools::add_virtio_replay_options(app, o.virtio);
    return tools::run_tool(app, argc, argv, [&] { return replay(o); });
}
