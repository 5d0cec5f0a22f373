// Disassembly for failure reports, from the cross binutils' objdump when it is installed.
// Only failing cases are disassembled, so starting a process per call costs nothing that
// matters.
#pragma once

#include <cstdint>
#include <string>

namespace emu::test {

// "ldadd x2, x0, [x1]" for the instruction at `pc` (branch targets come out absolute), or a
// note saying why there is none.
std::string disassemble_a64(uint32_t insn, uint64_t pc);

}  // namespace emu::test
