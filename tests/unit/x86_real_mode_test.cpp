// Real mode and 16-bit protected mode as the Intel SDM describes them: interrupts through the
// IVT (vol. 3A, 20.1.4: push FLAGS, CS and IP, clear IF, TF and AC) and the 16-bit IRET, segment
// limits in real mode (a data access beyond 64 KiB is #GP), the round trip from protected
// mode through a 16-bit code segment to real mode and back (9.9) with the descriptor caches
// keeping their limits across it ("big real mode": a real-mode segment load changes only the
// selector and base), and 16-bit interrupt gates in protected mode (6.12.1: a 16-bit frame).
#include <catch2/catch.hpp>

#include "x86_test_board.h"

using namespace emu;
using namespace emu::test;
using B = X86TestBoard;

namespace {

// Real mode with 64 KiB segments: CS:IP = cs:ip, SS:SP = 0x3000:0x1000, the data segments 0.
void enter_real_mode(B& b, uint16_t cs, uint16_t ip)
{
    b.cpu.s.cr0 &= ~x86::kCr0PE;
    for (unsigned i = 0; i < x86::kNumSegs; ++i)
        b.cpu.s.seg[i] = x86::Segment{0, 0, 0xFFFF, x86::kRealModeData};
    b.cpu.s.seg[x86::kCs] = x86::Segment{cs, uint32_t{cs} << 4, 0xFFFF, x86::kRealModeData};
    b.cpu.s.seg[x86::kSs] = x86::Segment{0x3000, 0x30000, 0xFFFF, x86::kRealModeData};
    b.cpu.s.r[x86::kEsp] = 0x1000;
    b.cpu.s.eip = ip;
    b.cpu.s.idtr = {0, 0x3FF};
}

// The 16-bit stack entry i from the top.
uint16_t stack16(B& b, unsigned i) { return b.read16(b.cpu.s.seg[x86::kSs].base + (b.cpu.s.r[x86::kEsp] & 0xFFFF) + 2 * i); }

}  // namespace

TEST_CASE("a real-mode INT goes through the IVT with a FLAGS, CS, IP frame; IRET returns", "[x86][real]")
{
    B b;
    enter_real_mode(b, 0x2000, 0x0100);
    b.cpu.s.eflags = 0x0602 | x86::kAC;  // IF, DF
    b.write32(4 * 0x21, 0x12340010);      // vector 0x21: 1234:0010
    b.code(0x20100, {0xCD, 0x21, 0xF4});  // int 0x21; hlt
    SECTION("the frame")
    {
        b.code(0x12350, {0xF4});
        REQUIRE(b.run_to_halt());
        CHECK(b.cpu.s.seg[x86::kCs].selector == 0x1234);
        CHECK(b.cpu.s.seg[x86::kCs].base == 0x12340);
        CHECK(b.cpu.s.eip == 0x11);
        CHECK(b.cpu.s.r[x86::kEsp] == 0x1000 - 6);
        CHECK(stack16(b, 0) == 0x0102);
        CHECK(stack16(b, 1) == 0x2000);
        CHECK(stack16(b, 2) == 0x0602);
        CHECK(b.cpu.s.eflags == (0x0402));  // IF and AC cleared, DF kept
    }
    SECTION("IRET")
    {
        b.code(0x12350, {0xCF});  // iret
        REQUIRE(b.run_to_halt());
        CHECK(b.cpu.s.seg[x86::kCs].selector == 0x2000);
        CHECK(b.cpu.s.eip == 0x0103);
        CHECK(b.cpu.s.r[x86::kEsp] == 0x1000);
        CHECK(b.cpu.s.eflags == 0x0602);  // FLAGS back; AC (above FLAGS) stays clear
    }
}

TEST_CASE("a real-mode data access beyond a 64 KiB limit is #GP through the IVT", "[x86][real]")
{
    B b;
    enter_real_mode(b, 0x0800, 0);
    b.write32(4 * x86::kExcGP, 0x09000000);  // 0900:0000
    b.code(0x9000, {0xF4});
    b.code(0x8000, {
        0x66, 0xBB, 0x00, 0x00, 0x09, 0x00,  // mov ebx, 0x90000
        0x67, 0xC6, 0x03, 0x5A,              // mov byte [ebx], 0x5a
    });
    REQUIRE(b.run_to_halt());
    CHECK(b.cpu.s.seg[x86::kCs].selector == 0x0900);
    CHECK(stack16(b, 0) == 6);  // the faulting instruction; no error code in real mode
    CHECK(stack16(b, 1) == 0x0800);
    CHECK(b.read8(0x90000) == 0);
}

TEST_CASE("protected mode to real mode and back keeps the 4 GiB data limits (big real mode)", "[x86][real]")
{
    B b;
    b.set_descriptor(8, 0, 0xFFFF, 0x9B, 0);  // 0x40: 16-bit code, base 0, 64 KiB
    b.code(B::kCode, {0xEA, 0x00, 0x80, 0x00, 0x00, 0x40, 0x00});  // jmp 0x40:0x8000
    b.code(0x8000, {
        // 16-bit protected mode
        0x0F, 0x20, 0xC0,              // mov eax, cr0
        0x24, 0xFE,                    // and al, 0xfe
        0x0F, 0x22, 0xC0,              // mov cr0, eax
        0xEA, 0x10, 0x80, 0x00, 0x00,  // jmp 0000:8010
    });
    b.code(0x8010, {
        // real mode, DS still the flat 4 GiB segment
        0x66, 0xBB, 0x00, 0x00, 0x09, 0x00,             // mov ebx, 0x90000
        0x67, 0xC6, 0x03, 0x5A,                         // mov byte [ebx], 0x5a
        0x31, 0xC0,                                     // xor ax, ax
        0x8E, 0xD8,                                     // mov ds, ax: base 0, the limit stays
        0x67, 0xC6, 0x43, 0x01, 0xA5,                   // mov byte [ebx+1], 0xa5
        0x0F, 0x20, 0xC0,                               // mov eax, cr0
        0x0C, 0x01,                                     // or al, 1
        0x0F, 0x22, 0xC0,                               // mov cr0, eax
        0x66, 0xEA, 0x40, 0x80, 0x00, 0x00, 0x08, 0x00,  // jmp dword 0x08:0x8040
    });
    b.code(0x8040, {0xF4});
    REQUIRE(b.run_to_halt());
    CHECK(b.halted_in_vector() == -1);
    CHECK(b.cpu.s.eip == 0x8041);
    CHECK(b.cpu.s.seg[x86::kCs].selector == B::kCode0);
    CHECK((b.cpu.s.cr0 & x86::kCr0PE) != 0);
    CHECK(b.read8(0x90000) == 0x5A);
    CHECK(b.read8(0x90001) == 0xA5);
    CHECK(b.cpu.s.seg[x86::kDs].limit == 0xFFFFFFFF);
}

TEST_CASE("a 16-bit interrupt gate pushes a 16-bit frame, which a 16-bit IRET pops", "[x86][pm16]")
{
    B b;
    b.set_descriptor(8, 0, 0xFFFF, 0x9B, 0);  // 0x40: 16-bit code
    b.write64(B::kIdt + 8 * 0x30, B::gate(0x40, 0x9000, 0x86));  // 16-bit interrupt gate
    b.write64(B::kIdt + 8 * 0x31, B::gate(0x40, 0x9000, 0x87));  // 16-bit trap gate
    b.code(B::kCode, {0xEA, 0x00, 0x80, 0x00, 0x00, 0x40, 0x00});  // jmp 0x40:0x8000
    b.cpu.s.eflags |= x86::kIF;
    SECTION("interrupt gate: the frame")
    {
        b.code(0x8000, {0xCD, 0x30});  // int 0x30
        b.code(0x9000, {0xF4});
        REQUIRE(b.run_to_halt());
        CHECK(b.cpu.s.eip == 0x9001);
        CHECK(b.cpu.s.r[x86::kEsp] == B::kStack - 6);  // SS is a 32-bit stack: ESP
        CHECK(b.read16(B::kStack - 6) == 0x8002);
        CHECK(b.read16(B::kStack - 4) == 0x40);
        CHECK(b.read16(B::kStack - 2) == (0x0202));
        CHECK((b.cpu.s.eflags & x86::kIF) == 0);
    }
    SECTION("trap gate, then IRET")
    {
        b.code(0x8000, {0xCD, 0x31, 0xF4});  // int 0x31; hlt
        b.code(0x9000, {0xCF});              // iret (16-bit)
        REQUIRE(b.run_to_halt());
        CHECK(b.cpu.s.eip == 0x8003);
        CHECK(b.cpu.s.seg[x86::kCs].selector == 0x40);
        CHECK(b.cpu.s.r[x86::kEsp] == B::kStack);
        CHECK((b.cpu.s.eflags & x86::kIF) != 0);
    }
}
