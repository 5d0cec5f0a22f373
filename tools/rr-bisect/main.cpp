// rr-bisect: finds the first icount at which a recorded run goes wrong.
#include <CLI/CLI.hpp>

#include "replay/recording_reader.h"
#include "tools/common/cli.h"

using namespace emu;

int main(int argc, char** argv)
{
    CLI::App app{"Searches a recording for the first instruction count at which the guest state goes\n"
                 "wrong, using the recording's checkpoints.\n"
                 "Exit status: 64 usage; 65 corrupt, truncated or unsupported recording, or one without\n"
                 "checkpoints (rr-record does not write checkpoints yet); 66 missing file.",
                 "rr-bisect"};
    std::string recording;
    app.add_option("recording", recording, "Recording file (*.rr)")->required();
    return tools::run_tool(app, argc, argv, [&]() -> Result<int> {
        Result<RecordingReader> reader = RecordingReader::open(recording);
        if (!reader)
            return reader.error();
        uint64_t checkpoints = 0;
        RecordingEvent ev;
        for (;;) {
            Result<bool> more = reader->next(ev);
            if (!more)
                return more.error();
            if (!*more)
                break;
            checkpoints += ev.kind == EventKind::Checkpoint;
        }
        if (!reader->end().complete)
            return Error{ExitStatus::BadRecording, recording + ": " + reader->end().message};
        if (checkpoints == 0)
            return Error{ExitStatus::BadRecording,
                         recording + ": holds no checkpoints; bisection needs a recording with checkpoints"};
        return Error{ExitStatus::Internal, recording + ": bisection over checkpoints is not implemented yet"};
    });
}
