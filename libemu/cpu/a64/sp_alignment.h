// SP alignment checking (SCTLR_EL1.SA at EL1, SA0 at EL0; ARM ARM D1.8.2): a load or store
// whose base register is SP takes an SP alignment fault when SP is not a multiple of 16. The
// check wraps the handler of each such instruction when its block is built, so that no other
// access pays for it.
#pragma once

#include <cstdint>

#include "cpu/a64/op.h"

namespace emu::a64 {

// Whether the encoding is a load or store that checks SP alignment: the load/store class with
// SP (Rn = 31) as base, except the PC-relative literal loads and the prefetches.
bool checks_sp_alignment(uint32_t insn);

// Makes `op`, already built, check SP alignment before it runs its own handler.
void add_sp_alignment_check(Op& op);

}  // namespace emu::a64
