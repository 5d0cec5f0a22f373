// rr-bisect --until: the first icount at which an expression over the machine state holds,
// assuming that once true it stays true. A first replay probes every `step` instructions and
// finds the step in which the expression turns true; a second replay runs to the start of
// that step and goes on one instruction at a time. With `linear`, every instruction is probed
// from the start.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "core/result.h"
#include "replay/expr.h"
#include "replay/replay_session.h"

namespace emu {

struct BisectResult {
    std::optional<uint64_t> first_icount;  // nothing: the expression never held
    uint64_t pc = 0;                       // at first_icount (or where the run ended)
    uint64_t end_icount = 0;               // how far the recorded run goes
    uint64_t probes = 0;                   // expression evaluations
};

// `open` builds a fresh replay of the recording each time it is called.
Result<BisectResult> bisect_until(const std::function<Result<std::unique_ptr<ReplaySession>>()>& open,
                                  const Expr& expr, uint64_t step, bool linear);

}  // namespace emu
