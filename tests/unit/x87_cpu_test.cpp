// The x87 as the i386 CPU runs it, against the Intel SDM: #MF and the FERR#/IGNNE# path
// (vol. 1, 8.7 and D.2: an unmasked exception is reported at the next waiting FPU instruction,
// as #MF with CR0.NE = 1, else through FERR# with the instruction held until IGNNE#), #NM from
// CR0.EM/MP/TS (vol. 3A, table 2-2), stack overflow and underflow (8.5.1.1), and the FNSTENV
// and FNSAVE memory images (8.1.10, figures 8-9 and 8-10).
#include <catch2/catch.hpp>

#include "dev/pc_system_ports.h"
#include "x86_test_board.h"

using namespace emu;
using namespace emu::test;
using B = X86TestBoard;
using x86::Float80;

namespace {

constexpr uint32_t kCw = 0x50000;     // a control word for FLDCW
constexpr uint32_t kImage = 0x50100;  // FNSTENV / FNSAVE
constexpr Float80 kOne{0x8000000000000000ull, 0x3FFF};
constexpr Float80 kIndefinite{0xC000000000000000ull, 0xFFFF};

// FNINIT; FLDCW [kCw]; FLD1; FLDZ; FDIVP: 1/0 with ZE unmasked leaves ES pending; FNSTSW AX;
// then FLD1 at kCode + 16, a waiting instruction.
void divide_by_zero(B& b, std::initializer_list<uint8_t> after)
{
    b.write16(kCw, 0x037B);
    b.code(B::kCode, {
        0xDB, 0xE3,                          // fninit
        0xD9, 0x2D, 0x00, 0x00, 0x05, 0x00,  // fldcw [0x50000]
        0xD9, 0xE8,                          // fld1
        0xD9, 0xEE,                          // fldz
        0xDE, 0xF9,                          // fdivp st(1), st
        0xDF, 0xE0,                          // fnstsw ax: does not wait
        0xD9, 0xE8,                          // fld1: waits
    });
    b.code(B::kCode + 18, after);
}

}  // namespace

TEST_CASE("with CR0.NE an unmasked x87 exception is #MF at the next waiting FPU instruction", "[x87][x86]")
{
    B b;
    b.cpu.s.cr0 |= x86::kCr0NE;
    divide_by_zero(b, {0xF4});
    REQUIRE(b.run_to_halt());
    CHECK(b.halted_in_vector() == x86::kExcMF);
    CHECK(b.frame(0) == B::kCode + 16);  // the waiting instruction, not the FDIVP
    // The FDIVP left its operands (an unmasked zero divide stores nothing and pops nothing):
    // TOP = 6, ZE, ES and B.
    CHECK((b.cpu.s.r[x86::kEax] & 0xFFFF) == 0xB084);
    CHECK(b.cpu.s.fpu.top() == 6);
    CHECK(b.cpu.s.fpu.st(1) == kOne);
}

TEST_CASE("without CR0.NE the waiting instruction raises FERR# and waits; IRQ 13 and port 0xF0 release it",
          "[x87][x86]")
{
    B b;
    REQUIRE((b.cpu.s.cr0 & x86::kCr0NE) == 0);
    bool ferr = false;
    unsigned edges = 0;
    b.cpu.fpu_error = [&](bool level) {
        edges += level != ferr;
        ferr = level;
    };
    divide_by_zero(b, {0xDB, 0xE2, 0xF4});  // fnclex; hlt
    SECTION("nothing answers FERR#: the instruction waits")
    {
        CHECK(b.cpu.run(1000) == RunEnd::Idle);
        CHECK(b.cpu.s.eip == B::kCode + 16);  // held before the FLD1
        CHECK(b.cpu.icount() == 6);
        CHECK(ferr);
        CHECK(b.cpu.run(1000) == RunEnd::Idle);
        CHECK(b.cpu.s.eip == B::kCode + 16);
    }
    SECTION("a PC's wiring: FERR# is IRQ 13, whose handler writes port 0xF0 (IGNNE#)")
    {
        FpuErrorPort port;
        b.io.add(FpuErrorPort::kPort, 1, &port, "fpu error");
        port.irq = [&](bool level) { b.cpu.set_intr(level); };
        port.assert_ignne = [&] { b.cpu.assert_ignne(); };
        b.cpu.acknowledge = [] { return uint8_t{0x2D}; };
        b.cpu.fpu_error = [&](bool level) {
            edges += level != ferr;
            ferr = level;
            port.set_ferr(level);
        };
        constexpr uint32_t kIrq13 = 0x3A00;
        b.code(kIrq13, {
            0x8B, 0x04, 0x24,              // mov eax, [esp]
            0xA3, 0x00, 0x10, 0x05, 0x00,  // mov [0x51000], eax
            0xE6, 0xF0,                    // out 0xf0, al
            0xCF,                          // iretd
        });
        b.set_gate(0x2D, kIrq13);
        b.cpu.s.eflags |= x86::kIF;
        REQUIRE(b.run_to_halt());
        CHECK(b.read32(0x51000) == B::kCode + 16);  // IRQ 13 interrupted the held FLD1
        CHECK(b.cpu.s.eip == B::kCode + 21);        // which then ran, and FNCLEX, and HLT
        CHECK(b.cpu.s.fpu.top() == 5);
        CHECK(!ferr);  // FERR# follows ES
        CHECK(edges == 2);
    }
}

TEST_CASE("CR0.EM, MP and TS make FPU instructions and WAIT #NM as table 2-2 says", "[x87][x86]")
{
    struct Case {
        uint32_t cr0_bits;
        uint8_t insn0, insn1;  // FLD1, or WAIT + HLT
        int vector;            // -1: ran
    } cases[] = {
        {x86::kCr0EM, 0xD9, 0xE8, x86::kExcNM},
        {x86::kCr0TS, 0xD9, 0xE8, x86::kExcNM},
        {x86::kCr0TS | x86::kCr0MP, 0x9B, 0xF4, x86::kExcNM},
        {x86::kCr0TS, 0x9B, 0xF4, -1},
        {x86::kCr0EM | x86::kCr0MP, 0x9B, 0xF4, -1},
    };
    for (const Case& c : cases) {
        B b;
        b.cpu.s.cr0 |= c.cr0_bits;
        b.code(B::kCode, {c.insn0, c.insn1, 0xF4});
        REQUIRE(b.run_to_halt());
        CHECK(b.halted_in_vector() == c.vector);
        if (c.vector >= 0)
            CHECK(b.frame(0) == B::kCode);
    }
}

TEST_CASE("x87 stack overflow and underflow set IE and SF with C1 telling which", "[x87][x86]")
{
    SECTION("overflow, masked: the indefinite is pushed")
    {
        B b;
        std::vector<uint8_t> code = {0xDB, 0xE3};  // fninit
        for (unsigned i = 0; i < 9; ++i)
            code.insert(code.end(), {0xD9, 0xE8});  // fld1
        code.insert(code.end(), {0xDF, 0xE0, 0xF4});  // fnstsw ax; hlt
        b.code(B::kCode, code);
        REQUIRE(b.run_to_halt());
        CHECK((b.cpu.s.r[x86::kEax] & 0xFFFF) == 0x3A41);  // TOP 7, C1, SF, IE
        CHECK(b.cpu.s.fpu.st(0) == kIndefinite);
    }
    SECTION("overflow, unmasked: nothing is pushed")
    {
        B b;
        b.write16(kCw, 0x037E);
        std::vector<uint8_t> code = {0xDB, 0xE3, 0xD9, 0x2D, 0x00, 0x00, 0x05, 0x00};  // fninit; fldcw
        for (unsigned i = 0; i < 9; ++i)
            code.insert(code.end(), {0xD9, 0xE8});
        code.insert(code.end(), {0xDF, 0xE0, 0xF4});
        b.code(B::kCode, code);
        REQUIRE(b.run_to_halt());
        CHECK((b.cpu.s.r[x86::kEax] & 0xFFFF) == 0x82C1);  // B, ES, C1, SF, IE, TOP 0
        CHECK(b.cpu.s.fpu.st(0) == kOne);
    }
    SECTION("underflow, masked: an empty operand gives the indefinite, C1 clear")
    {
        B b;
        b.code(B::kCode, {
            0xDB, 0xE3,  // fninit
            0xD9, 0xE8,  // fld1
            0xD8, 0xC1,  // fadd st, st(1): ST(1) is empty
            0xDF, 0xE0,  // fnstsw ax
            0xF4,
        });
        REQUIRE(b.run_to_halt());
        CHECK((b.cpu.s.r[x86::kEax] & 0xFFFF) == 0x3841);
        CHECK(b.cpu.s.fpu.st(0) == kIndefinite);
    }
}

TEST_CASE("FNSTENV's 32-bit and 16-bit protected-mode images, and its masking", "[x87][x86]")
{
    std::initializer_list<uint8_t> prologue = {
        0xDB, 0xE3,                          // fninit
        0xD9, 0x2D, 0x00, 0x00, 0x05, 0x00,  // fldcw [0x50000]
        0xD9, 0xE8,                          // fld1: R7
        0xD9, 0xEE,                          // fldz: R6, at kCode + 10
    };
    SECTION("32-bit")
    {
        B b;
        b.write16(kCw, 0x0372);
        b.code(B::kCode, prologue);
        b.code(B::kCode + 12, {0xD9, 0x35, 0x00, 0x01, 0x05, 0x00, 0xF4});  // fnstenv [0x50100]
        REQUIRE(b.run_to_halt());
        CHECK((b.read32(kImage) & 0xFFFF) == 0x0372);
        CHECK((b.read32(kImage + 4) & 0xFFFF) == 0x3000);  // TOP 6
        // Tags, two bits per physical register from R0 up: R7 valid (00), R6 zero (01), the
        // others empty (11).
        CHECK((b.read32(kImage + 8) & 0xFFFF) == 0x1FFF);
        CHECK(b.read32(kImage + 12) == B::kCode + 10);
        // FCS, and FOP (FLDZ: D9 EE, the low 3 bits of the first byte and the second) above it.
        CHECK((b.read32(kImage + 16) & 0x07FFFFFF) == ((0x1EEu << 16) | B::kCode0));
        CHECK(b.cpu.s.fpu.cw == 0x037F);  // FNSTENV masks every exception
    }
    SECTION("16-bit (operand-size prefix)")
    {
        B b;
        b.write16(kCw, 0x037F);
        b.code(B::kCode, prologue);
        b.code(B::kCode + 12, {0x66, 0xD9, 0x35, 0x00, 0x01, 0x05, 0x00, 0xF4});
        REQUIRE(b.run_to_halt());
        CHECK(b.read16(kImage) == 0x037F);
        CHECK(b.read16(kImage + 2) == 0x3000);
        CHECK(b.read16(kImage + 4) == 0x1FFF);
        CHECK(b.read16(kImage + 6) == ((B::kCode + 10) & 0xFFFF));  // the IP offset
        CHECK(b.read16(kImage + 8) == B::kCode0);                   // and its selector
    }
}

TEST_CASE("FNSAVE stores the registers from ST(0) and reinitialises; FRSTOR loads them back", "[x87][x86]")
{
    B b;
    b.code(B::kCode, {
        0xDB, 0xE3,                          // fninit
        0xD9, 0xE8,                          // fld1
        0xD9, 0xEB,                          // fldpi
        0xDD, 0x35, 0x00, 0x01, 0x05, 0x00,  // fnsave [0x50100]
        0xDD, 0x25, 0x00, 0x01, 0x05, 0x00,  // frstor [0x50100]
        0xF4,
    });
    b.cpu.run(4);
    CHECK(b.cpu.s.fpu.cw == 0x037F);
    CHECK(b.cpu.s.fpu.empty == 0xFF);
    CHECK(b.cpu.s.fpu.top() == 0);
    // ST(0) (pi) at offset 28, ST(1) (1.0) at 38: 10 bytes each.
    CHECK(b.read64(kImage + 28) == 0xC90FDAA22168C235ull);
    CHECK(b.read16(kImage + 36) == 0x4000);
    CHECK(b.read64(kImage + 38) == 0x8000000000000000ull);
    CHECK(b.read16(kImage + 46) == 0x3FFF);
    REQUIRE(b.run_to_halt());
    CHECK(b.cpu.s.fpu.top() == 6);
    CHECK(b.cpu.s.fpu.st(1) == kOne);
    CHECK(b.cpu.s.fpu.empty == 0x3F);
}
