// What every tool's main does around its work: parse the command line (usage errors exit 64
// with CLI11's message), run, turn an Error into one line on stderr and its exit status, and
// make sure what was written to stdout really arrived (74 when it did not).
#pragma once

#include <CLI/CLI.hpp>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>

#include "core/result.h"

namespace emu::tools {

// For unsigned counts (instructions, icounts): CLI11 would take "-5" and wrap it into a huge
// value, and saturate a number past 2^64 - 1, so the text must be digits that fit in 64 bits.
inline CLI::Validator count()
{
    return CLI::Validator(
        [](std::string& s) -> std::string {
            bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
            if (!digits)
                return "expected a whole number, got '" + s + "'";
            uint64_t v;
            if (std::from_chars(s.data(), s.data() + s.size(), v).ec != std::errc())
                return "'" + s + "' is larger than 18446744073709551615";
            return "";
        },
        "COUNT");
}

// stdout is a report stream: a write error there (a full disk, a closed pipe) loses the
// report, so it fails the run whatever the work itself concluded.
inline bool stdout_written(const char* tool)
{
    errno = 0;
    if (std::fflush(stdout) == 0 && !std::ferror(stdout))
        return true;
    std::fprintf(stderr, "%s: standard output: write error: %s\n", tool, errno ? std::strerror(errno) : "unknown error");
    return false;
}

template <class Work>
int run_tool(CLI::App& app, int argc, char** argv, Work&& work)
{
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        int status = app.exit(e);
        return stdout_written(app.get_name().c_str()) ? status : static_cast<int>(ExitStatus::IoError);
    } catch (const CLI::CallForAllHelp& e) {
        int status = app.exit(e);
        return stdout_written(app.get_name().c_str()) ? status : static_cast<int>(ExitStatus::IoError);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "%s: %s (run with --help for the options)\n", app.get_name().c_str(), e.what());
        return static_cast<int>(ExitStatus::Usage);
    }
    int status;
    try {
        Result<int> r = work();
        if (r) {
            status = r.value();
        } else {
            std::fprintf(stderr, "%s: %s\n", app.get_name().c_str(), r.error().message.c_str());
            status = static_cast<int>(r.error().status);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: internal error: %s\n", app.get_name().c_str(), e.what());
        status = static_cast<int>(ExitStatus::Internal);
    }
    if (!stdout_written(app.get_name().c_str()))
        return static_cast<int>(ExitStatus::IoError);
    return status;
}

}  // namespace emu::tools
