// rr-bisect: finds the first icount at which a recorded run goes wrong.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "core/format.h"
#include "replay/search/bisect_runs.h"
#include "replay/search/divergence_search.h"
#include "replay/search/machine_expr.h"
#include "tools/common/cli.h"
#include "tools/common/json.h"
#include "tools/common/junit.h"
#include "tools/rr-bisect/where.h"

using namespace emu;
using emu::bisect::Where;
using emu::tools::json_string;

namespace {

// Recorded events shown before the icount found.
constexpr size_t kEventsShown = 5;

struct Options {
    std::string recording;
    std::string kernel;
    std::string until;
    std::string against;
    bool divergence = false;
    bool linear = false;
    unsigned jobs = 1;
    bool json = false;
    std::string junit;
    bool allow_truncated = false;
};

// The unfinished recordings a search went over (with --allow-truncated), for the report.
struct Truncations {
    std::vector<std::string> lines;  // "run.rr: recording truncated after chunk N (icount M)"
    std::optional<uint64_t> last_complete_icount;  // of the first such recording
};

// One line on stderr, rewritten in place, while a terminal watches.
class Progress {
public:
    Progress() : on_(isatty(STDERR_FILENO) != 0) {}
    ~Progress() { clear(); }
    void show(const std::string& line)
    {
        if (!on_)
            return;
        auto now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::milliseconds(100))
            return;
        last_ = now;
        std::fprintf(stderr, "\r\033[K%s", line.c_str());
        shown_ = true;
    }
    void clear()
    {
        if (shown_)
            std::fputs("\r\033[K", stderr);
        shown_ = false;
    }

private:
    bool on_;
    bool shown_ = false;
    std::chrono::steady_clock::time_point last_{};
};

std::string progress_line(const SearchProgress& p)
{
    return "rr-bisect: " + (p.level == 0 ? std::string("checkpoints") : "level " + std::to_string(p.level)) +
           ", icount " + std::to_string(p.low) + ".." + std::to_string(p.high) + ", " + std::to_string(p.probes) +
           " probes";
}

// A replay per job of one recording, sharing one read of its checkpoints. An unfinished
// recording (a killed recorder) is refused, since a search over it would pass for one over
// the whole run, unless the user asked for its prefix; then it is noted in `truncations`.
Result<std::vector<SearchReplay>> open_replays(const std::string& path, const std::string& kernel, unsigned jobs,
                                               bool allow_truncated, Truncations& truncations)
{
    std::vector<SearchReplay> out;
    std::shared_ptr<const CheckpointIndex> index;
    for (unsigned j = 0; j < jobs; ++j) {
        Result<std::unique_ptr<ReplaySession>> s = ReplaySession::open(path, kernel, [](uint8_t) {});
        if (!s)
            return s.error();
        if (!index) {
            Result<CheckpointIndex> scanned = (*s)->scan_checkpoints();
            if (!scanned)
                return scanned.error();
            if (const std::optional<std::string>& cut = scanned->truncation()) {
                if (!allow_truncated)
                    return Error{ExitStatus::BadRecording,
                                 path + ": " + *cut + " (--allow-truncated searches the recorded prefix)"};
                std::string line = path + ": " + *cut;
                if (std::find(truncations.lines.begin(), truncations.lines.end(), line) == truncations.lines.end())
                    truncations.lines.push_back(line);
                if (!truncations.last_complete_icount)
                    truncations.last_complete_icount = scanned->last_icount();
            }
            index = std::make_shared<const CheckpointIndex>(std::move(*scanned));
        }
        out.emplace_back(std::move(*s), index);
    }
    return out;
}

struct Verdict {
    std::optional<uint64_t> first_icount;
    std::string headline;     // one line
    std::string details;      // more lines
    std::string json_fields;  // JSON members without braces
};

std::string stats_json(uint64_t end, uint64_t probes, uint64_t replayed)
{
    return ",\"end_icount\":" + std::to_string(end) + ",\"probes\":" + std::to_string(probes) +
           ",\"replayed_insns\":" + std::to_string(replayed);
}

// The search over one run per job.
template <class Run>
Result<SearchResult> search(const std::vector<std::unique_ptr<Run>>& runs, const Options& o, Progress& progress)
{
    std::vector<SearchRun*> jobs;
    for (const std::unique_ptr<Run>& r : runs)
        jobs.push_back(r.get());
    SearchOptions options;
    options.linear = o.linear;
    options.progress = [&](const SearchProgress& p) { progress.show(progress_line(p)); };
    Result<SearchResult> r = search_first(jobs, options);
    progress.clear();
    return r;
}

// The pc before and at `first`, the instruction between, and the events up to it.
template <class Run>
Result<Where> describe_found(Run& run, const std::string& recording, const std::string& machine_name, uint64_t first)
{
    Where w;
    w.icount = first;
    if (first > 0) {
        if (Result<bool> there = seek_run(run, first - 1); !there)
            return there.error();
        w.has_last = true;
        w.last_pc = run.machine().pc();
        w.last_instruction = bisect::instruction_at(run.machine(), machine_name, w.last_pc);
        if (Result<bool> on = run.advance(first); !on)
            return on.error();
    } else if (Result<bool> there = seek_run(run, 0); !there) {
        return there.error();
    }
    w.pc = run.machine().pc();
    if (Result<Done> events = bisect::add_events_before(recording, first, kEventsShown, w); !events)
        return events.error();
    return w;
}

Result<Verdict> bisect_until(const Options& o, Progress& progress, Truncations& cut)
{
    ExprError detail;
    Result<Expr> expr = Expr::parse(o.until, &detail);
    if (!expr)
        return Error{ExitStatus::Usage, "--until: " + detail.line() + "\n" + detail.caret()};
    Result<std::vector<SearchReplay>> replays = open_replays(o.recording, o.kernel, o.jobs, o.allow_truncated, cut);
    if (!replays)
        return replays.error();
    MachineExprContext names(replays->front().session().machine());
    if (Result<Done> ok = expr->check(names); !ok)
        return Error{ExitStatus::Usage, "--until: " + ok.error().message};
    std::string machine_name = replays->front().session().config().machine.machine;
    std::vector<std::unique_ptr<UntilRun>> runs;
    for (SearchReplay& r : *replays)
        runs.push_back(std::make_unique<UntilRun>(std::move(r), *expr));
    Result<SearchResult> r = search(runs, o, progress);
    if (!r)
        return r.error();
    Verdict v;
    v.first_icount = r->first_icount;
    v.json_fields = "\"mode\":\"until\",\"expression\":" + json_string(o.until) + ",\"first_icount\":" +
                    (r->first_icount ? std::to_string(*r->first_icount) : "null");
    std::string stats = stats_json(runs.front()->end_icount(), r->probes, r->replayed);
    if (!r->first_icount) {
        v.headline = "'" + o.until + "' never holds in the recorded run (" + std::to_string(r->end_icount) +
                     " instructions)";
        v.json_fields += ",\"pc\":null" + stats;
        return v;
    }
    Result<Where> w = describe_found(*runs.front(), o.recording, machine_name, *r->first_icount);
    if (!w)
        return w.error();
    v.headline = "first icount where '" + o.until + "' holds: " + std::to_string(*r->first_icount);
    v.details = bisect::where_text(*w) + "  " + std::to_string(r->probes) + " probes, " +
                std::to_string(r->replayed) + " instructions replayed\n";
    v.json_fields += "," + bisect::where_json(*w) + stats;
    return v;
}

Result<Verdict> bisect_against(const Options& o, Progress& progress, Truncations& cut)
{
    Result<std::vector<SearchReplay>> a = open_replays(o.recording, o.kernel, o.jobs, o.allow_truncated, cut);
    if (!a)
        return a.error();
    Result<std::vector<SearchReplay>> b = open_replays(o.against, "", o.jobs, o.allow_truncated, cut);
    if (!b)
        return b.error();
    const MachineConfig& ca = a->front().session().config().machine;
    const MachineConfig& cb = b->front().session().config().machine;
    if (ca.machine != cb.machine || ca.ram_size != cb.ram_size || ca.icount_shift != cb.icount_shift)
        return Error{ExitStatus::Usage, "--against: the recordings are of different machines (" + ca.machine + ", " +
                                            std::to_string(ca.ram_size >> 20) + " MiB, shift " +
                                            std::to_string(ca.icount_shift) + " vs " + cb.machine + ", " +
                                            std::to_string(cb.ram_size >> 20) + " MiB, shift " +
                                            std::to_string(cb.icount_shift) + ")"};
    std::vector<std::unique_ptr<AgainstRun>> runs;
    for (unsigned j = 0; j < o.jobs; ++j)
        runs.push_back(std::make_unique<AgainstRun>(std::move((*a)[j]), std::move((*b)[j])));
    Result<SearchResult> r = search(runs, o, progress);
    if (!r)
        return r.error();
    Verdict v;
    v.first_icount = r->first_icount;
    v.json_fields = "\"mode\":\"against\",\"other\":" + json_string(o.against) + ",\"first_icount\":" +
                    (r->first_icount ? std::to_string(*r->first_icount) : "null");
    std::string stats = stats_json(runs.front()->end_icount(), r->probes, r->replayed);
    if (!r->first_icount) {
        v.headline = "the two runs never differ (" + std::to_string(r->end_icount) + " instructions)";
        v.json_fields += ",\"pc\":null,\"difference\":null" + stats;
        return v;
    }
    AgainstRun& run = *runs.front();
    Result<Where> w = describe_found(run, o.recording, ca.machine, *r->first_icount);
    if (!w)
        return w.error();
    if (Result<bool> differs = run.holds(); !differs)
        return differs.error();
    v.headline = "first icount where the runs differ: " + std::to_string(*r->first_icount);
    v.details = "  difference: " + run.difference() + " (" + o.recording + " vs " + o.against + ")\n" +
                bisect::where_text(*w) + "  " + std::to_string(r->probes) + " probes, " +
                std::to_string(r->replayed) + " instructions replayed in each run\n";
    v.json_fields += ",\"difference\":" + json_string(run.difference()) + "," + bisect::where_json(*w) + stats;
    return v;
}

// Where two replays of the recording first disagree, up to `end`, or nothing.
struct Disagreement {
    uint64_t icount = 0;
    uint64_t pc = 0;
    std::string difference;
};

// A state hash shows a departure only where it is taken. Two replays of the recording in
// lockstep up to it tell the causes apart: if they disagree, the emulator is not deterministic
// and the first icount where they do is the departure, exactly; if they agree, the departure
// is deterministic (another build of the emulator, or an altered recording), and the recording
// holds nothing finer than its state hashes to place it by.
Result<std::optional<Disagreement>> replays_disagree(const Options& o, uint64_t end, Progress& progress,
                                                    Truncations& cut)
{
    Result<std::vector<SearchReplay>> a = open_replays(o.recording, o.kernel, o.jobs, o.allow_truncated, cut);
    if (!a)
        return a.error();
    Result<std::vector<SearchReplay>> b = open_replays(o.recording, o.kernel, o.jobs, o.allow_truncated, cut);
    if (!b)
        return b.error();
    std::vector<std::unique_ptr<AgainstRun>> pairs;
    std::vector<std::unique_ptr<LimitedRun>> runs;
    for (unsigned j = 0; j < o.jobs; ++j) {
        pairs.push_back(std::make_unique<AgainstRun>(std::move((*a)[j]), std::move((*b)[j])));
        runs.push_back(std::make_unique<LimitedRun>(*pairs.back(), end));
    }
    Result<SearchResult> r = search(runs, Options{}, progress);
    if (!r)
        return r.error();
    if (!r->first_icount)
        return std::optional<Disagreement>();
    if (Result<bool> there = seek_run(*runs.front(), *r->first_icount); !there)
        return there.error();
    if (Result<bool> differs = runs.front()->holds(); !differs)
        return differs.error();
    return std::optional<Disagreement>(
        Disagreement{*r->first_icount, pairs.front()->machine().pc(), pairs.front()->difference()});
}

Result<Verdict> bisect_divergence(const Options& o, Progress& progress, Truncations& cut)
{
    Result<std::vector<SearchReplay>> replays = open_replays(o.recording, o.kernel, o.jobs, o.allow_truncated, cut);
    if (!replays)
        return replays.error();
    std::vector<SearchReplay*> jobs;
    for (SearchReplay& r : *replays)
        jobs.push_back(&r);
    Result<DivergenceSearchResult> r = find_divergence(jobs, [&](size_t done, size_t all) {
        progress.show("rr-bisect: " + std::to_string(done) + " of " + std::to_string(all) + " stretches replayed");
    });
    if (!r)
        return r.error();
    progress.clear();
    Verdict v;
    std::string stats = ",\"stretches\":" + std::to_string(r->stretches) + ",\"state_hashes\":" +
                        std::to_string(r->state_hashes) + ",\"end_icount\":" + std::to_string(r->end_icount);
    if (!r->first) {
        v.headline = "the replay matches the recording throughout (" + std::to_string(r->end_icount) +
                     " instructions, " + std::to_string(r->state_hashes) + " state hashes)";
        v.json_fields = "\"mode\":\"divergence\",\"first_icount\":null,\"pc\":null" + stats;
        return v;
    }
    const Divergence& d = *r->first;
    uint64_t window_start = d.last_match.value_or(r->stretch_start);
    std::optional<Disagreement> nondeterminism;
    if (d.at_state_hash) {
        Result<std::optional<Disagreement>> two = replays_disagree(o, d.icount, progress, cut);
        if (!two)
            return two.error();
        nondeterminism = *two;
    }
    v.first_icount = nondeterminism ? nondeterminism->icount : d.icount;
    v.headline = "the replay departs from the recording at icount " + std::to_string(*v.first_icount) + ": " +
                 (nondeterminism ? "two replays of it disagree there (" + nondeterminism->difference +
                                       "): the emulator is not deterministic"
                                 : d.what);
    if (nondeterminism)
        v.details = "  the recording's state hash at icount " + std::to_string(d.icount) + " differs: " + d.what + "\n";
    else if (d.at_state_hash)
        v.details = "  two replays agree up to it: the departure is deterministic (another emulator build, or an\n"
                    "  altered recording) and shows first in this state hash; the last one that matched is at\n"
                    "  icount " + std::to_string(window_start) + ", and the recording holds nothing finer in between\n";
    v.details += "  pc " + hex(d.pc) + " at icount " + std::to_string(d.icount) + "\n";
    v.details += "  last matching state hash: " +
                 (d.last_match ? "icount " + std::to_string(*d.last_match) : std::string("none")) + "\n";
    if (!d.last_input.empty())
        v.details += "  last input delivered: " + d.last_input + "\n";
    std::string regs;
    for (const RegisterDiff& rd : d.registers) {
        v.details += "  " + rd.name + ": recorded " + hex(rd.recorded) + ", replayed " + hex(rd.replayed) + "\n";
        regs += (regs.empty() ? "" : ",") + std::string("{\"name\":") + json_string(rd.name) +
                ",\"recorded\":" + json_string(hex(rd.recorded)) + ",\"replayed\":" + json_string(hex(rd.replayed)) + "}";
    }
    Where w;
    w.icount = *v.first_icount;
    w.pc = nondeterminism ? nondeterminism->pc : d.pc;
    if (Result<Done> events = bisect::add_events_before(o.recording, w.icount, kEventsShown, w); !events)
        return events.error();
    for (const std::string& e : w.events_text)
        v.details += (&e == &w.events_text.front() ? "  last recorded inputs up to it:\n    " : "    ") + e + "\n";
    v.json_fields = "\"mode\":\"divergence\",\"first_icount\":" + std::to_string(*v.first_icount) + "," +
                    bisect::where_json(w) + ",\"what\":" + json_string(d.what) + ",\"noticed_at\":" +
                    std::to_string(d.icount) + ",\"last_match\":" + (d.last_match ? std::to_string(*d.last_match) : "null") +
                    ",\"deterministic\":" + (nondeterminism ? "false" : "true") + ",\"nondeterminism\":" +
                    (nondeterminism ? json_string(nondeterminism->difference) : "null") + ",\"registers\":[" + regs + "]" +
                    stats;
    return v;
}

Result<int> run_bisect(const Options& o)
{
    auto started = std::chrono::steady_clock::now();
    if ((!o.until.empty()) + (!o.against.empty()) + o.divergence != 1)
        return Error{ExitStatus::Usage, "give exactly one of --until, --against and --divergence"};
    Progress progress;
    Truncations cut;
    Result<Verdict> v = !o.until.empty()   ? bisect_until(o, progress, cut)
                        : o.divergence     ? bisect_divergence(o, progress, cut)
                                           : bisect_against(o, progress, cut);
    if (!v)
        return v.error();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::string text = v->headline + "\n" + v->details;
    for (const std::string& line : cut.lines)
        text += "  searched a truncated recording up to its end: " + line + "\n";
    if (o.json) {
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.3f", seconds);
        std::string truncated = cut.lines.empty() ? ",\"truncated\":false"
                                                  : ",\"truncated\":true,\"last_complete_icount\":" +
                                                        std::to_string(*cut.last_complete_icount);
        std::printf("{%s%s,\"seconds\":%s}\n", v->json_fields.c_str(), truncated.c_str(), secs);
    } else {
        std::fputs(text.c_str(), stdout);
    }
    if (!o.junit.empty()) {
        std::string what = !o.until.empty() ? o.until : o.divergence ? "divergence" : "against " + o.against;
        tools::JunitCase c{o.recording + ": " + what, seconds, std::nullopt, text};
        if (!v->first_icount)
            c.failure = v->headline;
        if (Result<Done> written = tools::write_junit(o.junit, "rr-bisect", {c}); !written)
            return written.error();
    }
    return v->first_icount ? 0 : static_cast<int>(ExitStatus::Divergence);
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Finds the first instruction count at which a recorded run goes wrong, in one of three ways:\n"
                 "  --until EXPR       the first icount where a condition on the guest state holds: an\n"
                 "                     expression over registers, icount and guest memory\n"
                 "                     (docs/expressions.md), assumed to stay true once it holds\n"
                 "  --against OTHER    the first icount where this run and another recording of the same\n"
                 "                     guest and inputs differ in machine state (registers, devices,\n"
                 "                     output, RAM either guest wrote), assumed to stay different\n"
                 "  --divergence       the first icount where the replay departs from the recording (a\n"
                 "                     state hash or a recorded event that does not match); at a state\n"
                 "                     hash, two replays in lockstep tell a non-deterministic emulator\n"
                 "                     (the icount where they disagree) from a deterministic departure\n"
                 "The search restores the recordings' checkpoints instead of replaying from the start, then\n"
                 "narrows the interval found down to one instruction. --linear instead checks every\n"
                 "instruction from the start, for conditions that may turn false again. The report gives\n"
                 "the icount, the pc, the instruction that ran last (disassembled with Capstone) and the\n"
                 "recorded inputs just before it.\n"
                 "Exit status: 0 found; 1 never found (or a replay diverged from its recording during\n"
                 "--until or --against); 64 usage or a bad expression; 65 corrupt, truncated (unless\n"
                 "--allow-truncated) or unsupported recording; 66 missing file; 74 output I/O error.",
                 "rr-bisect"};
    Options o;
    app.add_option("recording", o.recording, "Recording file (*.rr)")->required();
    app.add_option("--until", o.until, "The condition, e.g. 'x0 == 0x1234 && mem32[0x40001000] != 0'");
    app.add_option("--against", o.against, "A second recording to compare with, e.g. of another build of the guest");
    app.add_flag("--divergence", o.divergence, "Find where the replay departs from the recording");
    app.add_flag("--linear", o.linear, "Check every instruction from the start (--until, --against)");
    app.add_option("--jobs", o.jobs,
                   "Replays run at once: --divergence checks that many stretches between checkpoints in "
                   "parallel; --until and --against share each level's probes out")
        ->check(CLI::Range(1u, 64u))
        ->capture_default_str();
    app.add_option("--kernel", o.kernel, "Guest image to use instead of the embedded one (must be the recorded image)");
    app.add_flag("--json", o.json,
                 "Print one JSON object: mode, first_icount, pc, last_pc, last_instruction, last_events and "
                 "the search's figures");
    app.add_option("--junit", o.junit, "Also write the result as JUnit XML to FILE");
    app.add_flag("--allow-truncated", o.allow_truncated,
                 "Search an unfinished recording (its recorder was killed) up to where it ends, instead of "
                 "refusing it; the report says so");
    return tools::run_tool(app, argc, argv, [&] { return run_bisect(o); });
}
