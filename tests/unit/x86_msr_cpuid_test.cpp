// MSRs and CPUID bits a kernel reads early, against what QEMU 7.2's qemu32 answers (observed
// with a guest under qemu-system-i386): IA32_BIOS_SIGN_ID (0x8B) reads microcode revision 1 in
// its high half and takes writes; CPUID leaf 1 sets the hypervisor bit (ECX bit 31).
#include <catch2/catch.hpp>

#include "x86_test_board.h"

using namespace emu;
using namespace emu::test;
using B = X86TestBoard;

TEST_CASE("IA32_BIOS_SIGN_ID: WRMSR of 0, CPUID, RDMSR gives revision 1 in EDX", "[x86][msr]")
{
    B b;
    // MOV ECX, 0x8B; XOR EAX, EAX; XOR EDX, EDX; WRMSR; MOV EAX, 1; CPUID; MOV ECX, 0x8B;
    // MOV EAX, -1; RDMSR; HLT
    b.code(B::kCode, {0xB9, 0x8B, 0, 0, 0, 0x31, 0xC0, 0x31, 0xD2, 0x0F, 0x30, 0xB8, 1, 0, 0, 0, 0x0F, 0xA2,
                      0xB9, 0x8B, 0, 0, 0, 0xB8, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x32, 0xF4});
    REQUIRE(b.run_to_halt());
    CHECK(b.halted_in_vector() == -1);
    CHECK(b.cpu.s.r[x86::kEdx] == 1);
    CHECK(b.cpu.s.r[x86::kEax] == 0);
}

TEST_CASE("CPUID leaf 1 reports the hypervisor bit in ECX", "[x86][msr]")
{
    B b;
    b.code(B::kCode, {0xB8, 1, 0, 0, 0, 0x0F, 0xA2, 0xF4});  // MOV EAX, 1; CPUID; HLT
    REQUIRE(b.run_to_halt());
    CHECK(b.cpu.s.r[x86::kEcx] == 0x80000000u);
    CHECK(b.cpu.s.r[x86::kEax] == 0x663);
}
