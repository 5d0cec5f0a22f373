// The EL1 system registers of a Cortex-A57 beyond the core set in sysregs.cpp: cache
// identification (CLIDR, CCSIDR through CSSELR, AIDR), the rest of the ID space, and the
// debug registers an OS initialises (the OS lock, breakpoint and watchpoint registers), with
// the values and behaviour of QEMU's cortex-a57.
#pragma once

#include <cstdint>
#include <optional>

#include "cpu/a64/cpu.h"

namespace emu::a64 {

// Accesses at EL1 (EL0 never reaches these). std::nullopt: the key is not one of these
// registers.
std::optional<Cpu::SysregAccess> a57_sysreg_read(const SysRegs& r, uint32_t key, uint64_t& value);
std::optional<Cpu::SysregAccess> a57_sysreg_write(SysRegs& r, uint32_t key, uint64_t value);

}  // namespace emu::a64
