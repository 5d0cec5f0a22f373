// The stop reply gdb receives after `?` and after every resume: `T` with the signal (SIGTRAP,
// or SIGINT after Ctrl-C), why the target stopped (swbreak, hwbreak, watch/rwatch/awatch with
// the watchpoint's address, replaylog at the edges of the recording), the thread, and the
// registers gdb needs first (frame pointer, stack pointer, pc) so that it does not ask.
#pragma once

#include <string>

#include "debug/breakpoint_table.h"
#include "debug/debug_target.h"
#include "debug/target_description.h"

namespace emu::debug {

// GDB's signal numbers (its own numbering, the same as Linux for these).
constexpr unsigned kSigInt = 2;
constexpr unsigned kSigTrap = 5;

// The one thread gdb sees.
constexpr uint64_t kThreadId = 1;

std::string stop_reply(const StopEvent& event, const BreakpointTable& breakpoints,
                       const TargetDescription& description, DebugTarget& target);

// The current pc as the target description sizes it (0 if the target lacks it).
uint64_t read_pc(const TargetDescription& description, DebugTarget& target);

}  // namespace emu::debug
