// Which faulting instructions count as executed. QEMU (7.2, icount mode) raises the faults that
// the encoding, CPL and IOPL alone decide (#UD, the CPL 0 and IOPL checks, #NM) from its
// translation of the instruction, after counting it; faults found while the instruction runs
// (memory, segment loads, #DE) restore the count, so those instructions do not count. Guests
// compared with QEMU by instruction count depend on the difference (guests/i386/pm16 takes a
// #GP on CLI at CPL 3). Each case runs one faulting instruction and the HLT of its handler.
#include <catch2/catch.hpp>

#include "x86_test_board.h"

using namespace emu;
using namespace emu::test;
using B = X86TestBoard;

namespace {

// Runs the code at kCode to the HLT of an exception handler; the instructions retired.
uint64_t run_to_handler(B& b, int vector)
{
    REQUIRE(b.run_to_halt());
    CHECK(b.halted_in_vector() == vector);
    return b.cpu.icount();
}

}  // namespace

TEST_CASE("CLI and HLT at CPL 3 and MOV to CR0 at CPL 3 count as executed, their #GP points at them",
          "[x86][fault]")
{
    for (std::vector<uint8_t> insn : {std::vector<uint8_t>{0xFA}, {0xF4}, {0x0F, 0x22, 0xC0}}) {
        B b;
        b.enter_ring3();
        b.code(B::kCode, insn);
        CHECK(run_to_handler(b, x86::kExcGP) == 2);  // the instruction and the handler's HLT
        CHECK(b.frame(1) == B::kCode);               // error code, then EIP
    }
}

TEST_CASE("UD2, MOV to CR1 and #NM count as executed", "[x86][fault]")
{
    SECTION("UD2")
    {
        B b;
        b.code(B::kCode, {0x0F, 0x0B});
        CHECK(run_to_handler(b, x86::kExcUD) == 2);
        CHECK(b.frame(0) == B::kCode);
    }
    SECTION("MOV to CR1")
    {
        B b;
        b.code(B::kCode, {0x0F, 0x22, 0xC8});
        CHECK(run_to_handler(b, x86::kExcUD) == 2);
    }
    SECTION("FLD1 with CR0.TS")
    {
        B b;
        b.cpu.s.cr0 |= x86::kCr0TS;
        b.code(B::kCode, {0xD9, 0xE8});
        CHECK(run_to_handler(b, x86::kExcNM) == 2);
        CHECK(b.frame(0) == B::kCode);
    }
}

TEST_CASE("a #DE, a segment load's #GP and a segment limit #GP do not count the instruction", "[x86][fault]")
{
    SECTION("DIV by zero")
    {
        B b;
        b.code(B::kCode, {0x31, 0xC9, 0xF7, 0xF1});  // XOR ECX, ECX; DIV ECX
        CHECK(run_to_handler(b, x86::kExcDE) == 2);   // the XOR and the HLT
        CHECK(b.frame(0) == B::kCode + 2);
    }
    SECTION("a ring-0 data segment loaded at CPL 3")
    {
        B b;
        b.enter_ring3();
        b.code(B::kCode, {0x66, 0xB8, 0x10, 0x00, 0x8E, 0xD8});  // MOV AX, 0x10; MOV DS, AX
        CHECK(run_to_handler(b, x86::kExcGP) == 2);
        CHECK(b.frame(0) == 0x10);
    }
    SECTION("a write beyond DS's limit")
    {
        B b;
        b.set_descriptor(6, 0, 0xFF, 0x93, 0x4);  // 256-byte data segment
        b.cpu.s.seg[x86::kDs] = x86::segment_from_descriptor(b.descriptor(6), 0x30);
        b.code(B::kCode, {0xC6, 0x05, 0x00, 0x10, 0x00, 0x00, 0x01});  // MOV BYTE [0x1000], 1
        CHECK(run_to_handler(b, x86::kExcGP) == 1);
    }
}
