// A scripted conversation with a guest's serial console, as test frameworks for emulated boards
// drive guest shells: wait for a line of output, type a line. A script is a text file of lines
//
//     expect "PATTERN" [fail "PATTERN"] [timeout COUNT]
//     send "TEXT"
//     fail "PATTERN"          from here on, this output fails the run whatever is expected
//     timeout COUNT           from here on, each expect waits at most COUNT instructions
//     # a comment (blank lines too are ignored)
//
// A PATTERN is one or more literal texts separated by `|`; it matches as soon as the guest's
// output since the previous expectation matched contains any of them. Inside quotes `\n`,
// `\r`, `\t`, `\0`, `\\`, `\"`, `\|` (a literal bar in a pattern) and `\xHH` are escapes. COUNT
// is a number of instructions with an optional K, M or G suffix (powers of 1000).
//
// Each `send` is handed over once everything before it matched. The script is a host input
// (its sends reach the UART through the input gate and are recorded like any serial input, so
// a replay needs no script) and it judges the run: it ends it when a fail pattern appears
// ("script-failed"), when an expectation waits past its timeout ("script-timeout"), or, when
// asked to, once every line has passed ("script-passed").
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/stop_kind.h"
#include "host/host_source.h"
#include "host/run_judge.h"

namespace emu {

class SerialScript final : public HostSource, public RunJudge {
public:
    struct Options {
        bool exit_on_success = false;
    };

    // Errors: NoInput for an unreadable file, Usage ("FILE:LINE: why") for a bad script.
    static Result<SerialScript> open(const std::string& path, Options options);
    static Result<SerialScript> parse(const std::string& text, const std::string& name, Options options);

    // Every byte the guest prints, with the icount of the instruction that printed it.
    void observe(uint8_t byte, uint64_t icount);
    // Called when the script has just decided something the run must act on at once: a send
    // became due, or a verdict was reached. (A recorder pauses the machine there.)
    std::function<void()> on_change;
    // The icount by which the current expectation must have matched, if it has a timeout.
    std::optional<uint64_t> deadline() const override;
    // Whether the run ends at `icount`: the detail says which line, which pattern and where.
    std::optional<Verdict> verdict(uint64_t icount) override;

    // The bytes of the sends that are due. Nothing else will come until the guest prints
    // what the script waits for, so with none due the input counts as exhausted: a guest that
    // idles then, with nothing to wake it, is stuck.
    size_t take(uint8_t* out, size_t max) override;
    bool ready() override { return !pending_.empty(); }
    bool exhausted() override { return pending_.empty(); }
    void wait(std::chrono::milliseconds) override {}  // a script never waits on the host
    std::string error() override { return {}; }

    struct Step {
        enum class Kind { Expect, Send, Fail } kind = Kind::Send;
        std::vector<std::string> patterns;       // Expect: alternatives; Fail: the patterns
        std::vector<std::string> fail_patterns;  // Expect: its own
        std::optional<uint64_t> timeout;         // Expect: instructions
        std::string text;                        // Send
        unsigned line = 0;
    };

private:
    SerialScript(std::string name, std::vector<Step> steps, Options options);
    // Moves past satisfied steps: queues sends, starts the next expectation.
    void advance(uint64_t icount);
    void conclude(Verdict v);
    std::string where(const Step& s) const;

    std::string name_;
    std::vector<Step> steps_;
    Options options_;
    size_t next_ = 0;                // the step being waited on
    std::string pending_;            // bytes sent but not yet taken by the UART
    std::string output_;             // output since the last match, as much as patterns need
    size_t keep_ = 1;                // bytes of output_ worth keeping: the longest pattern
    uint64_t expect_started_ = 0;    // icount when the current expectation began waiting
    std::vector<std::string> standing_fails_;
    std::optional<Verdict> verdict_;
};

}  // namespace emu
