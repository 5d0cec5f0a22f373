#include "replay/bisect.h"

#include "replay/machine_expr.h"

namespace emu {

namespace {

// Replays to `icount`; an error for a replay that departs from the recording (the search
// would be over a run that is not the recorded one) or a damaged file.
Result<bool> advance(ReplaySession& s, uint64_t icount)
{
    Result<ReplayReport> r = s.replayer().run_to(icount);
    if (!r)
        return r.error();
    if (r->divergence)
        return Error{ExitStatus::Divergence, "the replay diverged at icount " + std::to_string(r->divergence->icount) +
                                                 ": " + r->divergence->what};
    return r->reached_seek;  // false: the run ended before icount
}

Result<bool> holds(ReplaySession& s, const Expr& expr, BisectResult& out)
{
    out.probes++;
    MachineExprContext ctx(s.machine());
    Result<uint64_t> v = expr.eval(ctx);
    if (!v)
        return v.error();
    return *v != 0;
}

// From the session's current icount, one instruction at a time up to `last`.
Result<BisectResult> scan(ReplaySession& s, const Expr& expr, uint64_t last, BisectResult out)
{
    for (;;) {
        Result<bool> h = holds(s, expr, out);
        if (!h)
            return h.error();
        if (*h) {
            out.first_icount = s.machine().icount();
            out.pc = s.machine().pc();
            return out;
        }
        uint64_t now = s.machine().icount();
        if (now >= last)
            break;
        Result<bool> moved = advance(s, now + 1);
        if (!moved)
            return moved.error();
        if (!*moved)
            break;
    }
    out.end_icount = std::max(out.end_icount, s.machine().icount());
    out.pc = s.machine().pc();
    return out;
}

}  // namespace

Result<BisectResult> bisect_until(const std::function<Result<std::unique_ptr<ReplaySession>>()>& open,
                                  const Expr& expr, uint64_t step, bool linear)
{
    Result<std::unique_ptr<ReplaySession>> first = open();
    if (!first)
        return first.error();
    ReplaySession& s = **first;
    MachineExprContext names(s.machine());
    if (Result<Done> ok = expr.check(names); !ok)
        return ok.error();
    BisectResult out;
    if (linear)
        return scan(s, expr, UINT64_MAX, out);

    // Coarse pass: the last probe where the expression was false, and the first where true.
    uint64_t low = 0;
    for (;;) {
        Result<bool> h = holds(s, expr, out);
        if (!h)
            return h.error();
        if (*h)
            break;
        low = s.machine().icount();
        Result<bool> moved = advance(s, low + step);
        if (!moved)
            return moved.error();
        if (!*moved) {
            // The run ended inside this step: the end state decides.
            out.end_icount = s.machine().icount();
            Result<bool> at_end = holds(s, expr, out);
            if (!at_end)
                return at_end.error();
            if (!*at_end) {
                out.pc = s.machine().pc();
                return out;
            }
            break;
        }
    }
    uint64_t high = s.machine().icount();
    out.end_icount = std::max(out.end_icount, high);
    if (high == 0) {
        out.first_icount = 0;
        out.pc = s.machine().pc();
        return out;
    }
    // Fine pass: a fresh replay to the last false probe, then every instruction.
    Result<std::unique_ptr<ReplaySession>> second = open();
    if (!second)
        return second.error();
    if (low > 0) {
        Result<bool> moved = advance(**second, low);
        if (!moved)
            return moved.error();
    }
    return scan(**second, expr, high, out);
}

}  // namespace emu
