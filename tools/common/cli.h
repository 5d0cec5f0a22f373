// What every tool's main does around its work: parse the command line (usage errors exit 64
// with CLI11's message), run, and turn an Error into one line on stderr and its exit status.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "core/result.h"

namespace emu::tools {

// For unsigned counts (instructions, icounts): CLI11 would take "-5" and wrap it into a huge
// value, so the text must be digits.
inline CLI::Validator count()
{
    return CLI::Validator(
        [](std::string& s) -> std::string {
            bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
            return digits ? "" : "expected a whole number, got '" + s + "'";
        },
        "COUNT");
}

template <class Work>
int run_tool(CLI::App& app, int argc, char** argv, Work&& work)
{
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "%s: %s (run with --help for the options)\n", app.get_name().c_str(), e.what());
        return static_cast<int>(ExitStatus::Usage);
    }
    try {
        Result<int> r = work();
        if (!r) {
            std::fprintf(stderr, "%s: %s\n", app.get_name().c_str(), r.error().message.c_str());
            return static_cast<int>(r.error().status);
        }
        return r.value();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: internal error: %s\n", app.get_name().c_str(), e.what());
        return static_cast<int>(ExitStatus::Internal);
    }
}

}  // namespace emu::tools
