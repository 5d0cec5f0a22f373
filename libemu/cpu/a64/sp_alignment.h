// SP alignment checking (SCTLR_EL1.SA at EL1, SA0 at EL0; ARM ARM D1.8.2): a load or store
// whose base register is SP takes an SP alignment fault when SP is not a multiple of 16. The
// check wraps the handler of each such instruction when its block is built, so that no other
// access pays for it; the integer loads and stores (loadstore.cpp) have SP-based handlers that
// check it themselves.
#pragma once

#include <cstdint>

#include "cpu/a64/op.h"

namespace emu::a64 {

// Whether the encoding is a load or store that checks SP alignment: the load/store class with
// SP (Rn = 31) as base, except the PC-relative literal loads and the prefetches.
bool checks_sp_alignment(uint32_t insn);

// Makes `op`, already built, check SP alignment before it runs its own handler, unless its
// handler does (its Op::inner is kChecksSpItself).
void add_sp_alignment_check(Op& op);
constexpr uint16_t kChecksSpItself = 0xFFFF;

// The rest of a check that found SP misaligned: the SP alignment fault when checking is on,
// else `unchecked`, the same instruction's handler without the check.
[[gnu::cold]] const Op* sp_misaligned(Cpu& c, const Op* op, Handler unchecked);

}  // namespace emu::a64
