// disassemble_one, the text rr-bisect prints for the instruction that ran last: Capstone's
// AArch64 decoder for `virt`, its 32-bit x86 decoder for `pc`, and "" for what does not decode.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>

#include "tools/common/disassemble.h"

using emu::tools::disassemble_one;

namespace {

constexpr uint64_t kPc = 0x40000000;

// AArch64 instructions are little-endian 32-bit words.
std::array<uint8_t, 4> a64_word(uint32_t insn)
{
    return {uint8_t(insn), uint8_t(insn >> 8), uint8_t(insn >> 16), uint8_t(insn >> 24)};
}

}  // namespace

TEST_CASE("AArch64 words and i386 bytes disassemble as the assembler writes them", "[tools][disassemble]")
{
#ifndef RR_HAVE_CAPSTONE
    SUCCEED("built without Capstone: disassemble_one always returns \"\"");
    return;
#endif
    CHECK(disassemble_one("virt", kPc, a64_word(0x91000400)) == "add x0, x0, #1");
    // B with imm26 = 2: the target is pc + 8, so the text shows that the pc is used.
    CHECK(disassemble_one("virt", kPc, a64_word(0x14000002)) == "b #0x40000008");

    const std::array<uint8_t, 5> mov_eax_1{0xb8, 0x01, 0x00, 0x00, 0x00};
    CHECK(disassemble_one("pc", 0x1000, mov_eax_1) == "mov eax, 1");
    // Only the first instruction of the bytes is decoded: `inc eax` then `ret`.
    const std::array<uint8_t, 2> inc_ret{0x40, 0xc3};
    CHECK(disassemble_one("pc", 0x1000, inc_ret) == "inc eax");
}

TEST_CASE("bytes that do not decode and unknown machines give an empty string", "[tools][disassemble]")
{
    const std::array<uint8_t, 2> half_word{0x00, 0x04};
    CHECK(disassemble_one("virt", kPc, half_word).empty());
    const std::array<uint8_t, 1> truncated_mov{0xb8};
    CHECK(disassemble_one("pc", 0x1000, truncated_mov).empty());
    CHECK(disassemble_one("riscv", kPc, a64_word(0x91000400)).empty());
}
