// `monitor` commands (gdb's qRcmd): the replay's own controls, parsed here and carried out
// through the DebugTarget.
//   replay_info               icount, place in the recording, nearest checkpoints, last stop
//   replay_break N            stop when a resume reaches icount N, in either direction
//   replay_delete_break [N]   remove that icount breakpoint, or all of them
//   replay_seek N             go to icount N
//   checkpoints               the icounts the replay restores from
//   help
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "debug/breakpoint_table.h"
#include "debug/debug_target.h"
#include "debug/target_description.h"

namespace emu::debug {

struct MonitorContext {
    DebugTarget& target;
    const TargetDescription& description;
    BreakpointTable& breakpoints;
    // The last resume's stop; replay_seek clears it.
    std::optional<StopEvent>& last_stop;
};

struct MonitorResult {
    bool ok = true;
    std::string output;  // lines, each ending in '\n'
};

MonitorResult run_monitor_command(std::string_view command, MonitorContext& context);

// One line saying why the target stopped, for replay_info.
std::string describe_stop(const StopEvent& event);

}  // namespace emu::debug
