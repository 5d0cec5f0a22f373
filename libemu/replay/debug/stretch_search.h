// Where, in a stretch of a replay, a condition on the machine first holds: the search rr-bisect
// makes (replay/search/bisect_search.h), over [from, to] of a ReplayCursor. It replays the
// stretch from `from` in levels of probes, so it costs a few replays of the stretch, and finds
// the first icount where the condition holds provided that, once it holds, it keeps holding
// (else one where it holds after a probe where it does not).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "core/result.h"
#include "replay/debug/replay_cursor.h"

namespace emu {

// `holds` is false at `from` and evaluated where the cursor is. Nothing: it holds nowhere up to
// `to`. The cursor is left anywhere in the stretch.
Result<std::optional<uint64_t>> first_holding(ReplayCursor& cursor, uint64_t from, uint64_t to,
                                              const std::function<bool()>& holds);

}  // namespace emu
