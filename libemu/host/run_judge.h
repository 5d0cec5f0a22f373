// Something on the host side that may end a recorded run from outside the guest, such as a
// serial script whose expectations fail, time out or all pass. The recorder asks it at every
// instruction boundary it sees, and never lets a slice run past its deadline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/stop_kind.h"

namespace emu {

struct Verdict {
    StopKind kind = StopKind::ScriptPassed;
    std::string detail;
};

class RunJudge {
public:
    virtual ~RunJudge() = default;
    // The icount at which the judge must be asked even if nothing else happens (a timeout).
    virtual std::optional<uint64_t> deadline() const = 0;
    // Whether the run ends at this boundary, and how.
    virtual std::optional<Verdict> verdict(uint64_t icount) = 0;
};

}  // namespace emu
