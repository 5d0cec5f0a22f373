// The two guest architectures and their gdb register numbers, as enums expanded from the
// register lists (aarch64_registers.inc, i386_registers.inc): a target switches over them to
// read a register, and -Werror=switch reports one it forgot.
#pragma once

namespace emu::debug {

enum class Arch { AArch64, I386 };

#define RR_GDB_FEATURE(name, types)
#define RR_GDB_REG(name, bits, type, group) name,

enum class A64Reg : unsigned {
#include "debug/aarch64_registers.inc"
};

enum class I386Reg : unsigned {
#include "debug/i386_registers.inc"
};

#undef RR_GDB_REG
#undef RR_GDB_FEATURE

}  // namespace emu::debug
