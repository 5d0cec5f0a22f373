// Traces: a block does not have to end at a direct branch. While the instruction a branch
// most likely goes to is in the page the block started in, the block goes on there
// (build_block in cpu.cpp), so a loop or a call within a page runs without going back to the
// run loop or following a link. Which way it goes on: always for B and BL; for a conditional
// branch (B.cond, CBZ/CBNZ, TBZ/TBNZ) to the target when it lies behind (a loop closing) or
// when the instructions it skips return, else to the next instruction. The other way out is a
// side exit, which retires the branch and chains like an indirect branch. Invalidation stays
// per page: every instruction of a block is in its first page. A trace is an ordinary block: at most 128 instructions, in the
// block cache's arena (64 MiB, flushed whole when full), so it needs no memory of its own.
#pragma once

#include <cstdint>
#include <optional>

#include "cpu/a64/op.h"

namespace emu::a64 {

// How a trace may go on after a direct branch: the byte offset from the branch to the next
// instruction of the trace, and the branch's handler for running inside it; none for B,
// which only steps, so the builder leaves it out of the block's ops: the next op's idx (its
// icount) still counts it, and its pos gives its own pc. A block then has up to n_insns ops
// before its terminator.
struct TraceStep {
    int64_t offset;
    Handler in_trace;
};

// What a forward conditional branch skips, as far as the builder looks (kSkipLookahead
// instructions, up to the target): a path that returns (RET, ERET) is most likely an early
// exit or an error path, so the trace follows the branch instead (Ball and Larus's return
// heuristic).
enum class SkippedPath { Ordinary, Returns };
constexpr unsigned kSkipLookahead = 8;
bool returns(uint32_t insn);

// The trace step for the op just built, or nothing when it is not a direct branch.
std::optional<TraceStep> trace_step(const Op& op, SkippedPath skipped);

// Compare and branch as one op (the commonest pair in compiled code): when `compare` is a
// CMP (immediate, or register unshifted) and `branch`, the op after it, a B.cond
// in its final form (ending the block or inside a trace), `compare` takes on both. The
// branch's op keeps its place, so that pcs, icounts and a block cut between the two stay
// right.
void fuse_compare_and_branch(Op& compare, const Op& branch);

}  // namespace emu::a64
