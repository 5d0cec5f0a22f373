// A64 dp_reg handlers and builders.
#include "cpu/a64/cpu.h"
#include "cpu/a64/fields.h"

namespace emu::a64 {
}  // namespace emu::a64
