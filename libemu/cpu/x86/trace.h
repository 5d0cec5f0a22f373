// Traces: an i386 block does not have to end at a direct branch. While the instruction a
// 32-bit JMP, CALL or Jcc rel most likely goes to is in the page the block started in, the
// block goes on there (Cpu::build_block), so a loop, or an interpreter's dispatch jumping back
// to its top, runs without going back to the run loop or following a link. Which way it goes
// on: always for JMP and CALL; for a Jcc to its target when that lies behind (a loop closing)
// or when the instructions it skips return, else to the next instruction. The other way out is
// a side exit, which retires the branch and chains like an indirect branch.
//
// Only in 32-bit code with a 4 GiB CS limit (no IP wrap, no limit check): the same rule as
// Cpu::link_allowed(), so that a trace reaches the same instructions wherever the block runs.
// Every instruction of a trace is in its first page, so invalidation stays per page; offsets
// from the first instruction (Op::off) may be negative. A trace is an ordinary block: at most
// 64 instructions, in the block cache's arena (64 MiB, flushed whole when full), so it needs
// no memory of its own.
#pragma once

#include <cstdint>
#include <optional>

#include "cpu/x86/op.h"

namespace emu::x86 {

// How a direct branch runs: ending its block, or inside a trace going on to its target or to
// the next instruction.
enum class Way : uint8_t { EndsBlock, FollowTaken, FollowNext };

// What a forward Jcc skips, as far as the builder looks (kSkipLookahead instructions, up to
// the target): a path that returns (RET) is most likely an early exit or an error path, so
// the trace follows the branch instead (Ball and Larus's return heuristic).
enum class SkippedPath { Ordinary, Returns };
constexpr unsigned kSkipLookahead = 8;

// How a trace may go on after the direct branch `op`: the offset from the block's first
// instruction of the trace's next one, the way, and the branch's handler for running inside
// the trace, or null for a JMP, which has nothing left to do there: it leaves no op, the op
// before it runs on into its target's, and the ops after it keep counting it in their idx
// (Op::idx, the instruction's place in icount), so a block may have fewer ops than
// instructions.
struct TraceStep {
    int32_t next_off;
    Way way;
    Handler in_trace;
};

namespace handlers {

// Whether h is a near RET (with or without an immediate).
bool is_return(Handler h);
// The trace step for `op`, a direct branch as it ends its block (is_direct_branch), or nothing
// when it is another instruction (insns_control.cpp).
std::optional<TraceStep> trace_step(const Op& op, SkippedPath skipped);

}  // namespace handlers

}  // namespace emu::x86
