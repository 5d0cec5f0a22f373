// rr-bisect: finds the first icount at which a recorded run goes wrong.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

#include "core/format.h"
#include "replay/bisect.h"
#include "tools/common/cli.h"
#include "tools/common/json.h"
#include "tools/common/junit.h"

using namespace emu;
using emu::tools::json_string;

namespace {

struct Options {
    std::string recording;
    std::string kernel;
    std::string until;
    uint64_t step = 1u << 20;
    bool linear = false;
    bool json = false;
    std::string junit;
};

Result<int> bisect(const Options& o)
{
    auto started = std::chrono::steady_clock::now();
    ExprError detail;
    Result<Expr> expr = Expr::parse(o.until, &detail);
    if (!expr)
        return Error{ExitStatus::Usage, "--until: " + detail.line() + "\n" + detail.caret()};
    auto open = [&] { return ReplaySession::open(o.recording, o.kernel, [](uint8_t) {}); };
    Result<BisectResult> r = bisect_until(open, *expr, o.step, o.linear);
    if (!r)
        return r.error();

    std::string text;
    if (r->first_icount)
        text = "first icount where '" + o.until + "' holds: " + std::to_string(*r->first_icount) + " (pc " + hex(r->pc) +
               ")\n";
    else
        text = "'" + o.until + "' never holds in the recorded run (" + std::to_string(r->end_icount) +
               " instructions)\n";
    if (o.json) {
        std::printf("{\"expression\":%s,\"first_icount\":%s,\"pc\":%s,\"end_icount\":%llu,\"probes\":%llu}\n",
                    json_string(o.until).c_str(),
                    r->first_icount ? std::to_string(*r->first_icount).c_str() : "null",
                    r->first_icount ? json_string(hex(r->pc)).c_str() : "null",
                    static_cast<unsigned long long>(r->end_icount), static_cast<unsigned long long>(r->probes));
    } else {
        std::fputs(text.c_str(), stdout);
    }
    if (!o.junit.empty()) {
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        tools::JunitCase c{o.recording + ": " + o.until, seconds, std::nullopt, text};
        if (!r->first_icount)
            c.failure = "the condition never holds";
        if (Result<Done> written = tools::write_junit(o.junit, "rr-bisect", {c}); !written)
            return written.error();
    }
    return r->first_icount ? 0 : static_cast<int>(ExitStatus::Divergence);
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Searches a recording for the first instruction count at which a condition on the\n"
                 "guest state holds. The condition is an expression over registers, icount and guest\n"
                 "memory (docs/expressions.md) and is assumed to stay true once it holds: the search\n"
                 "probes every --step instructions in one replay, then replays to the start of the\n"
                 "step where it turned true and checks every instruction. --linear checks every\n"
                 "instruction from the start, for conditions that may turn false again.\n"
                 "Exit status: 0 found; 1 never holds (or the replay diverged from the recording);\n"
                 "64 usage or a bad expression; 65 corrupt, truncated or unsupported recording;\n"
                 "66 missing file; 74 output I/O error.",
                 "rr-bisect"};
    Options o;
    app.add_option("recording", o.recording, "Recording file (*.rr)")->required();
    app.add_option("--until", o.until, "The condition, e.g. 'x0 == 0x1234 && mem32[0x40001000] != 0'")->required();
    app.add_option("--step", o.step, "Instructions between probes of the first pass")
        ->check(CLI::Range(uint64_t{1}, UINT64_MAX))
        ->capture_default_str();
    app.add_flag("--linear", o.linear, "Check every instruction from the start");
    app.add_option("--kernel", o.kernel, "Guest image to use instead of the embedded one (must be the recorded image)");
    app.add_flag("--json", o.json, "Print one JSON object: expression, first_icount, pc, end_icount, probes");
    app.add_option("--junit", o.junit, "Also write the result as JUnit XML to FILE");
    return tools::run_tool(app, argc, argv, [&] { return bisect(o); });
}
