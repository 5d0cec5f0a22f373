// rr-bisect: finds the first icount at which a recorded run goes wrong.
#include <CLI/CLI.hpp>

#include "replay/summary_recording.h"
#include "tools/common/cli.h"

using namespace emu;

int main(int argc, char** argv)
{
    CLI::App app{"Searches a recording for the first instruction count at which the guest state goes\n"
                 "wrong, using the recording's checkpoints.\n"
                 "Exit status: 64 usage; 65 corrupt, truncated or unsupported recording (today every\n"
                 "recording: format version 0 has no checkpoints); 66 missing file.",
                 "rr-bisect"};
    std::string recording;
    app.add_option("recording", recording, "Recording file (*.rr)")->required();
    return tools::run_tool(app, argc, argv, [&]() -> Result<int> {
        Result<SummaryRecording> rec = read_summary_recording(recording);
        if (!rec)
            return rec.error();
        return Error{ExitStatus::BadRecording,
                     recording + ": format version " + std::to_string(rec->format_version) +
                         " holds no checkpoints; bisection needs a recording with checkpoints"};
    });
}
