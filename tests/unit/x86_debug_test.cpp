// The debug registers as the Intel SDM vol. 3B describes them (17.2, 17.3): DR7's enables,
// kinds (execute, write, read/write, I/O with CR4.DE) and lengths with the breakpoint address
// aligned down, the DR6 bits each condition sets, instruction breakpoints as faults and data
// and I/O breakpoints as traps, single-step, the RF flag in the frames the handler sees (17.3.1.1:
// pushed as 1 for faults other than instruction breakpoints and for traps inside a REP string
// instruction), DR7.GD, and DR4/DR5 as DR6/DR7 unless CR4.DE.
#include <catch2/catch.hpp>

#include <vector>

#include "x86_test_board.h"

using namespace emu;
using namespace emu::test;
using B = X86TestBoard;

namespace {

constexpr uint32_t kDbHandler = 0x3800;
constexpr uint32_t kData = 0x50000;
constexpr uint32_t kRF = 0x10000;

// The #DB handler records DR6, the frame's EIP and EFLAGS and counts the exceptions (at
// kRecord, leaving every register alone); it sets RF in the frame so that an instruction
// breakpoint lets its instruction run, and returns.
constexpr uint32_t kRecord = 0x51000;
void install_db_handler(B& b)
{
    b.code(kDbHandler, {
        0x50,                                            // push eax
        0x0F, 0x21, 0xF0,                                // mov eax, dr6
        0xA3, 0x00, 0x10, 0x05, 0x00,                    // mov [0x51000], eax
        0x8B, 0x44, 0x24, 0x04,                          // mov eax, [esp+4]
        0xA3, 0x04, 0x10, 0x05, 0x00,                    // mov [0x51004], eax
        0x8B, 0x44, 0x24, 0x0C,                          // mov eax, [esp+12]
        0xA3, 0x08, 0x10, 0x05, 0x00,                    // mov [0x51008], eax
        0xFF, 0x05, 0x0C, 0x10, 0x05, 0x00,              // inc dword [0x5100c]
        0x81, 0x4C, 0x24, 0x0C, 0x00, 0x00, 0x01, 0x00,  // or dword [esp+12], 0x10000
        0x58,                                            // pop eax
        0xCF,                                            // iretd
    });
    b.set_gate(x86::kExcDB, kDbHandler);
}
uint32_t dr6(B& b) { return b.read32(kRecord); }
uint32_t frame_eip(B& b) { return b.read32(kRecord + 4); }
uint32_t frame_eflags(B& b) { return b.read32(kRecord + 8); }
uint32_t count(B& b) { return b.read32(kRecord + 12); }

// MOV EAX, value; MOV DRn, EAX.
void set_dr(std::vector<uint8_t>& code, unsigned n, uint32_t value)
{
    code.insert(code.end(), {0xB8, static_cast<uint8_t>(value), static_cast<uint8_t>(value >> 8),
                             static_cast<uint8_t>(value >> 16), static_cast<uint8_t>(value >> 24), 0x0F, 0x23,
                             static_cast<uint8_t>(0xC0 | n << 3)});
}

// DR7 for breakpoint i: locally enabled, with its R/W and LEN fields, and the fixed bit 10.
uint32_t dr7(unsigned i, unsigned rw, unsigned len) { return 0x400 | 1u << (2 * i) | rw << (16 + 4 * i) | len << (18 + 4 * i); }
enum Rw : unsigned { kExec = 0, kWrite = 1, kIo = 2, kReadWrite = 3 };
enum Len : unsigned { kLen1 = 0, kLen2 = 1, kLen4 = 3 };

// Runs `setup` (debug register writes) then `body` then HLT; returns the body's address.
uint32_t run(B& b, std::vector<uint8_t> setup, const std::vector<uint8_t>& body)
{
    install_db_handler(b);
    uint32_t at = B::kCode + static_cast<uint32_t>(setup.size());
    setup.insert(setup.end(), body.begin(), body.end());
    setup.push_back(0xF4);
    b.code(B::kCode, setup);
    REQUIRE(b.run_to_halt());
    REQUIRE(b.halted_in_vector() == -1);
    return at;
}

}  // namespace

TEST_CASE("an instruction breakpoint is a fault before the instruction, passed once RF is set", "[x86][debug]")
{
    B b;
    std::vector<uint8_t> setup;
    uint32_t body_at = B::kCode + 2 * 8;
    set_dr(setup, 0, body_at + 1);
    set_dr(setup, 7, dr7(0, kExec, kLen1));
    uint32_t at = run(b, setup, {0x90, 0x90, 0x90});
    REQUIRE(at == body_at);
    CHECK(count(b) == 1);
    CHECK(frame_eip(b) == at + 1);  // the breakpoint's instruction, not yet run
    CHECK(dr6(b) == 0xFFFF0FF1);
    CHECK((frame_eflags(b) & kRF) == 0);  // RF pushed as it was
    CHECK((b.cpu.s.eflags & kRF) == 0);        // and cleared once the instruction ran
}

TEST_CASE("a write breakpoint traps after a write to any byte of its aligned range", "[x86][debug]")
{
    B b;
    std::vector<uint8_t> setup;
    set_dr(setup, 1, kData + 2);  // aligned down to kData for a 4-byte breakpoint
    set_dr(setup, 7, dr7(1, kWrite, kLen4));
    b.write32(kData, 0x11223344);
    uint32_t at = run(b, setup, {
        0xA1, 0x00, 0x00, 0x05, 0x00,  // mov eax, [0x50000]: a read, no hit
        0xA2, 0x04, 0x00, 0x05, 0x00,  // mov [0x50004], al: outside
        0xA2, 0x03, 0x00, 0x05, 0x00,  // mov [0x50003], al: hit
        0x90,
    });
    CHECK(count(b) == 1);
    CHECK(frame_eip(b) == at + 15);  // a trap: after the write
    CHECK(dr6(b) == 0xFFFF0FF2);
    CHECK(b.read8(kData + 3) == 0x44);
    CHECK(b.read8(kData + 4) == 0x44);
}

TEST_CASE("a read/write breakpoint traps on a read that overlaps it; several hits set several B bits",
          "[x86][debug]")
{
    SECTION("a read overlapping a 2-byte breakpoint")
    {
        B b;
        std::vector<uint8_t> setup;
        set_dr(setup, 2, kData);
        set_dr(setup, 7, dr7(2, kReadWrite, kLen2));
        run(b, setup, {
            0xA0, 0x02, 0x00, 0x05, 0x00,  // mov al, [0x50002]: outside
            0xA1, 0xFE, 0xFF, 0x04, 0x00,  // mov eax, [0x4fffe]: bytes 4fffe-50001
        });
        CHECK(count(b) == 1);
        CHECK(dr6(b) == 0xFFFF0FF4);
    }
    SECTION("one write hitting two breakpoints")
    {
        B b;
        std::vector<uint8_t> setup;
        set_dr(setup, 0, kData);
        set_dr(setup, 3, kData + 1);
        set_dr(setup, 7, dr7(0, kReadWrite, kLen1) | dr7(3, kWrite, kLen1));
        run(b, setup, {0xA3, 0x00, 0x00, 0x05, 0x00});  // mov [0x50000], eax
        CHECK(count(b) == 1);
        CHECK(dr6(b) == 0xFFFF0FF9);
    }
}

TEST_CASE("a data breakpoint inside REP MOVS traps between iterations with RF pushed set", "[x86][debug]")
{
    B b;
    std::vector<uint8_t> setup;
    set_dr(setup, 0, kData + 3);
    set_dr(setup, 7, dr7(0, kWrite, kLen1));
    b.cpu.s.r[x86::kEsi] = kData + 0x100;
    b.cpu.s.r[x86::kEdi] = kData;
    b.cpu.s.r[x86::kEcx] = 8;
    for (unsigned i = 0; i < 8; ++i)
        b.write8(kData + 0x100 + i, static_cast<uint8_t>(0x10 + i));
    uint32_t at = run(b, setup, {0xF3, 0xA4});  // rep movsb
    CHECK(count(b) == 1);
    CHECK(frame_eip(b) == at);  // the REP instruction, to be resumed
    CHECK((frame_eflags(b) & kRF) != 0);
    CHECK(b.cpu.s.r[x86::kEcx] == 0);
    CHECK(b.read8(kData + 7) == 0x17);
}

TEST_CASE("single-step traps after each instruction run with TF set, with BS", "[x86][debug]")
{
    B b;
    uint32_t at = run(b, {}, {
        0x9C,                                      // pushfd
        0x81, 0x0C, 0x24, 0x00, 0x01, 0x00, 0x00,  // or dword [esp], 0x100
        0x9D,                                      // popfd: TF from here on
        0x90, 0x90,                                // two traps
        0x9C,                                      // pushfd: a trap
        0x81, 0x24, 0x24, 0xFF, 0xFE, 0xFF, 0xFF,  // and dword [esp], ~0x100: a trap
        0x9D,                                      // popfd: TF was set when it began: a trap
    });
    CHECK(count(b) == 5);
    CHECK(frame_eip(b) == at + 20);  // after the last POPFD
    CHECK(dr6(b) == 0xFFFF4FF0);
}

TEST_CASE("DR7.GD makes a MOV DRn a #DB fault with BD, GD cleared for the handler", "[x86][debug]")
{
    B b;
    constexpr uint32_t kHandler = 0x3900;
    b.code(kHandler, {
        0x0F, 0x21, 0xF6,        // mov esi, dr6
        0x0F, 0x21, 0xF9,        // mov ecx, dr7 (GD is clear now)
        0x8B, 0x3C, 0x24,        // mov edi, [esp]
        0x8B, 0x54, 0x24, 0x08,  // mov edx, [esp+8]
        0x43,                    // inc ebx
        0x83, 0x04, 0x24, 0x03,  // add dword [esp], 3: past the MOV DR
        0xCF,                    // iretd
    });
    b.set_gate(x86::kExcDB, kHandler);
    std::vector<uint8_t> code;
    set_dr(code, 7, 0x2400);
    uint32_t at = B::kCode + static_cast<uint32_t>(code.size());
    code.insert(code.end(), {0x0F, 0x21, 0xC0, 0xF4});  // mov eax, dr0; hlt
    b.code(B::kCode, code);
    REQUIRE(b.run_to_halt());
    REQUIRE(b.halted_in_vector() == -1);
    CHECK(b.cpu.s.r[x86::kEbx] == 1);
    CHECK(b.cpu.s.r[x86::kEdi] == at);
    CHECK(b.cpu.s.r[x86::kEsi] == 0xFFFF2FF0);
    CHECK(b.cpu.s.r[x86::kEcx] == 0x400);
    CHECK((b.cpu.s.r[x86::kEdx] & kRF) != 0);  // a fault other than an instruction breakpoint
}

TEST_CASE("DR4 and DR5 are DR6 and DR7 without CR4.DE and #UD with it", "[x86][debug]")
{
    SECTION("aliases")
    {
        B b;
        b.cpu.s.r[x86::kEax] = 0x401 | 0xFFFF0000;  // R/W and LEN set: no breakpoint address hit below
        b.code(B::kCode, {
            0x0F, 0x23, 0xE8,  // mov dr5, eax
            0x0F, 0x21, 0xF9,  // mov ecx, dr7
            0x0F, 0x21, 0xE2,  // mov edx, dr4
            0xF4,
        });
        b.cpu.s.dr[0] = 0xFFFFF000;
        REQUIRE(b.run_to_halt());
        CHECK(b.cpu.s.r[x86::kEcx] == (0x401 | 0xFFFF0000));
        CHECK(b.cpu.s.r[x86::kEdx] == 0xFFFF0FF0);
    }
    SECTION("CR4.DE")
    {
        B b;
        b.cpu.s.cr4 = x86::kCr4DE;
        b.code(B::kCode, {0x0F, 0x21, 0xE9});  // mov ecx, dr5
        REQUIRE(b.run_to_halt());
        CHECK(b.halted_in_vector() == x86::kExcUD);
        CHECK(b.frame(0) == B::kCode);
    }
}

TEST_CASE("an I/O breakpoint (CR4.DE) traps after IN or OUT on its port", "[x86][debug]")
{
    B b;
    b.cpu.s.cr4 = x86::kCr4DE;
    std::vector<uint8_t> setup;
    set_dr(setup, 1, 0x80);
    set_dr(setup, 7, dr7(1, kIo, kLen1));
    uint32_t at = run(b, setup, {
        0xE6, 0x81,  // out 0x81, al: no hit
        0xE6, 0x80,  // out 0x80, al
        0xE4, 0x80,  // in al, 0x80
    });
    CHECK(count(b) == 2);
    CHECK(frame_eip(b) == at + 6);
    CHECK(dr6(b) == 0xFFFF0FF2);
}

TEST_CASE("the RF pushed for faults, software interrupts and instruction breakpoints", "[x86][debug]")
{
    SECTION("a #GP pushes RF = 1")
    {
        B b;
        b.cpu.s.r[x86::kEax] = 0x200;
        b.code(B::kCode, {0x8E, 0xD8});  // mov ds, ax
        REQUIRE(b.run_to_halt());
        REQUIRE(b.halted_in_vector() == x86::kExcGP);
        CHECK((b.frame(3) & kRF) != 0);
    }
    SECTION("INT3 pushes RF = 0")
    {
        B b;
        b.code(B::kCode, {0xCC});
        REQUIRE(b.run_to_halt());
        REQUIRE(b.halted_in_vector() == x86::kExcBP);
        CHECK((b.frame(2) & kRF) == 0);
    }
}
