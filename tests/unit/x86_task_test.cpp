// Task switches, call gates and the TSS's I/O permission bitmap, with the state the Intel SDM
// vol. 3A describes: 7.3 (task switching: what is saved and loaded, the busy bits, the back
// link and NT for CALL, JMP, INT through a task gate and IRET), 5.8 (call gates: the stack
// switch with parameter copying, RETF back to the outer level) and vol. 1 19.5.2 (the I/O
// permission bitmap, checked for every port an access covers, with the bits beyond the TSS
// limit counting as set).
#include <catch2/catch.hpp>

#include "x86_test_board.h"

using namespace emu;
using namespace emu::test;
using B = X86TestBoard;

namespace {

// A second task: its TSS at kTss2, GDT entry 6 (selector 0x30), available.
constexpr uint32_t kTss2 = 0x4200;
constexpr uint16_t kTss2Sel = 0x30;
constexpr uint32_t kTask2Code = 0x20000;
constexpr uint32_t kTask2Stack = 0x70000;
constexpr uint32_t kTask2Eflags = 0x93;  // SF AF CF and the reserved bit 1
constexpr uint32_t kTask2Cr3 = 0x5000;  // not loaded: paging is off

// 32-bit TSS field offsets (SDM vol. 3A, figure 7-2).
enum TssField : uint32_t {
    kLink = 0x00, kCr3 = 0x1C, kEip = 0x20, kEflags = 0x24, kEax = 0x28, kEsp = 0x38, kEs = 0x48, kCs = 0x4C,
    kSs = 0x50, kDs = 0x54, kFs = 0x58, kGs = 0x5C, kLdt = 0x60, kIoBase = 0x66,
};

void add_task2(B& b)
{
    b.set_descriptor(6, kTss2, 0x67, 0x89, 0);
    b.write32(kTss2 + kCr3, kTask2Cr3);
    b.write32(kTss2 + kEip, kTask2Code);
    b.write32(kTss2 + kEflags, kTask2Eflags);
    for (unsigned i = 0; i < 8; ++i)
        b.write32(kTss2 + kEax + 4 * i, i == x86::kEsp ? kTask2Stack : 0xA0 + i);
    b.write32(kTss2 + kCs, B::kCode0);
    for (uint32_t f : {kEs, kSs, kDs, kFs, kGs})
        b.write32(kTss2 + f, B::kData0);
    b.write32(kTss2 + kLdt, 0);
    // The outgoing task's registers.
    for (unsigned i = 0; i < 8; ++i)
        if (i != x86::kEsp)
            b.cpu.s.r[i] = 1 + i;
    b.cpu.s.eflags = 0x46;  // ZF PF
}

uint8_t access_byte(B& b, unsigned index) { return static_cast<uint8_t>(b.descriptor(index) >> 40); }

void check_in_task2(B& b)
{
    CHECK(b.cpu.s.eip == kTask2Code);
    for (unsigned i = 0; i < 8; ++i)
        CHECK(b.cpu.s.r[i] == (i == x86::kEsp ? kTask2Stack : 0xA0 + i));
    CHECK(b.cpu.s.tr.selector == kTss2Sel);
    // "If paging is not enabled, a PDBR value is read from the new task's TSS, but it is not
    // loaded into CR3" (SDM vol. 3A, 7.3).
    CHECK(b.cpu.s.cr3 == 0);
    CHECK((b.cpu.s.cr0 & x86::kCr0TS) != 0);  // set by every task switch
    CHECK(access_byte(b, 6) == 0x8B);         // the new task is busy
}

// The outgoing task's state in its TSS.
void check_saved_task1(B& b, uint32_t eip)
{
    CHECK(b.read32(B::kTss + kEip) == eip);
    CHECK(b.read32(B::kTss + kEflags) == 0x46);
    for (unsigned i = 0; i < 8; ++i)
        CHECK(b.read32(B::kTss + kEax + 4 * i) == (i == x86::kEsp ? B::kStack : 1 + i));
    CHECK(b.read16(B::kTss + kCs) == B::kCode0);
    CHECK(b.read16(B::kTss + kSs) == B::kData0);
}

}  // namespace

TEST_CASE("a JMP to a TSS switches tasks and clears the old task's busy bit", "[x86][task]")
{
    B b;
    add_task2(b);
    b.code(B::kCode, {0xEA, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00});  // jmp 0x30:0
    b.cpu.run(1);
    check_in_task2(b);
    CHECK(b.cpu.s.eflags == kTask2Eflags);  // NT stays clear: JMP nests nothing
    check_saved_task1(b, B::kCode + 7);
    CHECK(access_byte(b, 5) == 0x89);        // the old task is no longer busy
    CHECK(b.read16(kTss2 + kLink) == 0);     // and no back link is written
}

TEST_CASE("a CALL to a TSS nests the task and IRET returns from it", "[x86][task]")
{
    B b;
    add_task2(b);
    b.code(B::kCode, {0x9A, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00});  // call 0x30:0
    b.code(kTask2Code, {0xCF});                                    // iretd
    b.cpu.run(1);
    check_in_task2(b);
    CHECK(b.cpu.s.eflags == (kTask2Eflags | x86::kNT));
    CHECK(b.read16(kTss2 + kLink) == B::kTssSel);
    CHECK(access_byte(b, 5) == 0x8B);  // the calling task stays busy
    check_saved_task1(b, B::kCode + 7);

    b.cpu.run(1);  // IRET with NT: back through the link
    CHECK(b.cpu.s.eip == B::kCode + 7);
    CHECK(b.cpu.s.tr.selector == B::kTssSel);
    CHECK(b.cpu.s.eflags == 0x46);
    for (unsigned i = 0; i < 8; ++i)
        CHECK(b.cpu.s.r[i] == (i == x86::kEsp ? B::kStack : 1 + i));
    CHECK(access_byte(b, 6) == 0x89);  // the task left by IRET is no longer busy
    CHECK(access_byte(b, 5) == 0x8B);
    // The task left by IRET is saved with NT clear, after its IRET.
    CHECK(b.read32(kTss2 + kEflags) == kTask2Eflags);
    CHECK(b.read32(kTss2 + kEip) == kTask2Code + 1);
}

TEST_CASE("an INT through a task gate nests the task", "[x86][task]")
{
    B b;
    add_task2(b);
    b.write64(B::kIdt + 8 * 0x40, B::gate(kTss2Sel, 0, 0x85));  // task gate, DPL 0
    b.code(B::kCode, {0xCD, 0x40});                             // int 0x40
    b.cpu.run(1);
    check_in_task2(b);
    CHECK(b.cpu.s.eflags == (kTask2Eflags | x86::kNT));
    CHECK(b.read16(kTss2 + kLink) == B::kTssSel);
    check_saved_task1(b, B::kCode + 2);
}

TEST_CASE("an exception through a task gate pushes its error code on the new task's stack", "[x86][task]")
{
    B b;
    add_task2(b);
    b.write64(B::kIdt + 8 * x86::kExcGP, B::gate(kTss2Sel, 0, 0x85));
    b.cpu.s.r[x86::kEax] = 0x200;                         // beyond the GDT's limit
    b.code(B::kCode, {0x8E, 0xD8});                       // mov ds, ax: #GP(0x200)
    b.code(kTask2Code, {0xF4});
    REQUIRE(b.run_to_halt());
    CHECK(b.cpu.s.tr.selector == kTss2Sel);
    CHECK(b.cpu.s.eip == kTask2Code + 1);
    CHECK(b.cpu.s.r[x86::kEsp] == kTask2Stack - 4);
    CHECK(b.read32(kTask2Stack - 4) == 0x200);
    CHECK(b.read32(B::kTss + kEip) == B::kCode);  // the faulting instruction, to be restarted
}

TEST_CASE("a JMP to a busy TSS is #GP with the TSS selector", "[x86][task]")
{
    B b;
    b.code(B::kCode, {0xEA, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00});  // jmp 0x28:0, the running task
    REQUIRE(b.run_to_halt());
    CHECK(b.halted_in_vector() == x86::kExcGP);
    CHECK(b.frame(0) == B::kTssSel);
    CHECK(b.frame(1) == B::kCode);
}

TEST_CASE("a far CALL through a call gate to ring 0 switches stacks and copies the parameters", "[x86][gate]")
{
    B b;
    constexpr uint32_t kTarget = 0x30000, kUserStack = 0x60000;
    b.write64(B::kGdt + 8 * 7, B::gate(B::kCode0, kTarget, 0xEC, 2));  // 32-bit call gate, DPL 3, 2 dwords
    b.enter_ring3();
    b.cpu.s.r[x86::kEsp] = kUserStack;
    b.code(B::kCode, {
        0x68, 0x22, 0x22, 0x22, 0x22,              // push 0x22222222
        0x68, 0x11, 0x11, 0x11, 0x11,              // push 0x11111111
        0x9A, 0x00, 0x00, 0x00, 0x00, 0x3B, 0x00,  // call 0x3B:0 (the offset is the gate's)
    });
    b.code(kTarget, {0xCA, 0x08, 0x00});  // retf 8
    b.cpu.run(3);
    CHECK(b.cpu.s.cpl == 0);
    CHECK(b.cpu.s.eip == kTarget);
    CHECK(b.cpu.s.seg[x86::kCs].selector == B::kCode0);
    // The ring-0 stack from the TSS, holding (from the top) the return address, the caller's
    // CS, the two parameters in their order, the caller's ESP and SS.
    CHECK(b.cpu.s.seg[x86::kSs].selector == B::kData0);
    REQUIRE(b.cpu.s.r[x86::kEsp] == B::kStack - 24);
    CHECK(b.frame(0) == B::kCode + 17);
    CHECK(b.frame(1) == B::kCode3);
    CHECK(b.frame(2) == 0x11111111);
    CHECK(b.frame(3) == 0x22222222);
    CHECK(b.frame(4) == kUserStack - 8);
    CHECK(b.frame(5) == B::kData3);

    b.cpu.run(1);  // RETF 8: back to ring 3, dropping the parameters from the caller's stack
    CHECK(b.cpu.s.cpl == 3);
    CHECK(b.cpu.s.eip == B::kCode + 17);
    CHECK(b.cpu.s.seg[x86::kCs].selector == B::kCode3);
    CHECK(b.cpu.s.seg[x86::kSs].selector == B::kData3);
    CHECK(b.cpu.s.r[x86::kEsp] == kUserStack);
    CHECK(b.cpu.s.seg[x86::kDs].selector == B::kData3);  // DPL 3: kept
}

TEST_CASE("a call gate more privileged than the caller is #GP with the gate's selector", "[x86][gate]")
{
    B b;
    b.write64(B::kGdt + 8 * 7, B::gate(B::kCode0, 0x30000, 0x8C, 0));  // DPL 0
    b.enter_ring3();
    b.cpu.s.r[x86::kEsp] = 0x60000;
    b.code(B::kCode, {0x9A, 0x00, 0x00, 0x00, 0x00, 0x3B, 0x00});
    REQUIRE(b.run_to_halt());
    CHECK(b.halted_in_vector() == x86::kExcGP);
    CHECK(b.frame(0) == 0x38);
    CHECK(b.frame(1) == B::kCode);
}

namespace {

// The I/O bitmap: at TSS offset 0x68, 128 bytes for ports 0-0x3FF, then the 0xFF byte the SDM
// asks for; the TSS limit ends there. Port 0x80's bit is set. `io` runs at ring 3, IOPL 0,
// followed by INT3 (whose gate ring 3 may use): the vector the CPU ends in is 3 when the
// access was allowed, 13 when it was not.
int io_vector(std::initializer_list<uint8_t> io, uint32_t edx = 0, uint32_t eflags_iopl = 0, bool ring3 = true,
              uint16_t map_base = 0x68)
{
    B b;
    b.set_descriptor(5, B::kTss, 0x68 + 0x80, 0x8B, 0);
    b.cpu.s.tr = x86::segment_from_descriptor(b.descriptor(5), B::kTssSel);
    b.write16(B::kTss + 0x66, map_base);
    b.write8(B::kTss + 0x68 + 0x80 / 8, 0x01);
    b.write8(B::kTss + 0x68 + 0x80, 0xFF);
    b.set_gate(x86::kExcBP, B::kHandlers + 4 * x86::kExcBP, 0xEE);
    if (ring3)
        b.enter_ring3();
    b.cpu.s.eflags |= eflags_iopl << 12;
    b.cpu.s.r[x86::kEdx] = edx;
    b.cpu.s.r[x86::kEsi] = 0x50000;
    b.cpu.s.r[x86::kEdi] = 0x50000;
    b.cpu.s.r[x86::kEsp] = 0x60000;
    b.code(B::kCode, io);
    b.write8(B::kCode + static_cast<uint32_t>(io.size()), 0xCC);  // int3
    if (!b.run_to_halt())
        return -1;
    int v = b.halted_in_vector();
    if (v == x86::kExcGP && (b.frame(0) != 0 || b.frame(1) != B::kCode))
        return -2;  // #GP, but not the access's #GP(0)
    return v;
}

}  // namespace

TEST_CASE("IN and OUT at CPL > IOPL check every accessed port in the TSS's I/O bitmap", "[x86][io]")
{
    CHECK(io_vector({0xE4, 0x70}) == x86::kExcBP);        // in al, 0x70
    CHECK(io_vector({0xE4, 0x80}) == x86::kExcGP);        // in al, 0x80
    CHECK(io_vector({0xE6, 0x81}) == x86::kExcBP);        // out 0x81, al
    CHECK(io_vector({0x66, 0xE5, 0x7E}) == x86::kExcBP);  // in ax, 0x7E: ports 7E-7F
    CHECK(io_vector({0x66, 0xE5, 0x7F}) == x86::kExcGP);  // in ax, 0x7F: ports 7F-80
    CHECK(io_vector({0xE5, 0x7D}) == x86::kExcGP);        // in eax, 0x7D: ports 7D-80
    CHECK(io_vector({0xE5, 0x81}) == x86::kExcBP);        // in eax, 0x81: ports 81-84
    CHECK(io_vector({0xEC}, 0x3FF) == x86::kExcBP);       // in al, dx
    // Ports 0x3FF-0x400: the second bit is in the terminating 0xFF byte.
    CHECK(io_vector({0x66, 0xED}, 0x3FF) == x86::kExcGP);
    CHECK(io_vector({0xEC}, 0x400) == x86::kExcGP);
    CHECK(io_vector({0xEC}, 0x500) == x86::kExcGP);  // beyond the TSS limit
}

TEST_CASE("INS and OUTS check the I/O bitmap too", "[x86][io]")
{
    CHECK(io_vector({0x6C}, 0x80) == x86::kExcGP);  // insb
    CHECK(io_vector({0x6C}, 0x70) == x86::kExcBP);
    CHECK(io_vector({0x6E}, 0x80) == x86::kExcGP);  // outsb
    CHECK(io_vector({0x6E}, 0x70) == x86::kExcBP);
}

TEST_CASE("the I/O bitmap is not consulted at CPL <= IOPL, and a map beyond the limit denies all", "[x86][io]")
{
    CHECK(io_vector({0xE4, 0x80}, 0, 3) == x86::kExcBP);            // IOPL 3
    CHECK(io_vector({0xE4, 0x80}, 0, 0, false) == x86::kExcBP);     // CPL 0
    CHECK(io_vector({0xE4, 0x70}, 0, 0, true, 0xF0) == x86::kExcGP);  // map base past the limit
}
