// The i386 fast path: block exits through direct links, flat-segment loads and stores (and
// the same through a DS with a base), shifts, REP and bare string instructions, a fused byte
// compare, LEA and IMUL, byte registers, a jump table. Each benchmark runs
// with chaining on (argument 1) and off (0), so the two figures sit side by side. Each is an
// endless loop on a bare i386 CPU (flat 32-bit protected mode, paging off, no devices); the
// bytes are beside the assembly.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "micro_x86_board.h"

namespace emu::bench {
namespace {

constexpr uint64_t kPerIteration = 1 << 17;

void run_guest(benchmark::State& state, X86BenchBoard& b) { run_x86_guest(state, b, kPerIteration); }

// Sixteen two-instruction blocks, each jumping to the next (the last back to the first): one
// direct exit per two instructions.
void BM_X86DirectJumpRing(benchmark::State& state)
{
    X86BenchBoard b(state.range(0) != 0);
    std::vector<uint8_t> code;
    for (unsigned i = 0; i < 16; i++) {
        code.push_back(0x40);  // inc eax
        code.push_back(0xEB);  // jmp next (the last: jmp first)
        code.push_back(i < 15 ? 0x00 : static_cast<uint8_t>(-16 * 3));
    }
    b.load(code);
    run_guest(state, b);
}
BENCHMARK(BM_X86DirectJumpRing)->Arg(1)->Arg(0);

// A loop cut by a conditional branch both ways in turn (EAX & 1): taken and not-taken exits
// alternate, and the loop's end falls through into its head.
void BM_X86ConditionalDiamond(benchmark::State& state)
{
    X86BenchBoard b(state.range(0) != 0);
    b.load({
        0x40,        // loop: inc  eax
        0xA8, 0x01,  //       test al, 1
        0x75, 0x01,  //       jnz  odd
        0x43,        //       inc  ebx
        0x41,        // odd:  inc  ecx
        0xEB, 0xF7,  //       jmp  loop
    });
    run_guest(state, b);
}
BENCHMARK(BM_X86ConditionalDiamond)->Arg(1)->Arg(0);

// Loads, stores, a byte load with zero extension and shifts through DS: the hit paths of
// Cpu::read/write and the shift handlers. With DS flat (base 0, 4 GiB) the accesses take the
// flat-segment path; with DS's base moved they take the checked segment path.
void load_store_shift(benchmark::State& state, uint32_t ds_base)
{
    X86BenchBoard b(state.range(0) != 0);
    b.load({
        0x8B, 0x04, 0x8E,        // loop: mov   eax, [esi + ecx*4]
        0xC1, 0xE0, 0x03,        //       shl   eax, 3
        0x0F, 0xB6, 0x56, 0x07,  //       movzx edx, byte [esi + 7]
        0xC1, 0xEA, 0x01,        //       shr   edx, 1
        0x01, 0xD0,              //       add   eax, edx
        0x89, 0x44, 0x8E, 0x40,  //       mov   [esi + ecx*4 + 0x40], eax
        0x88, 0x46, 0x03,        //       mov   [esi + 3], al
        0x41,                    //       inc   ecx
        0x83, 0xE1, 0x0F,        //       and   ecx, 15
        0xEB, 0xE4,              //       jmp   loop
    });
    b.cpu.s.r[x86::kEsi] = kX86Data;
    b.cpu.s.seg[x86::kDs].base = ds_base;
    run_guest(state, b);
}
void BM_X86LoadStoreShift(benchmark::State& state) { load_store_shift(state, 0); }
BENCHMARK(BM_X86LoadStoreShift)->Arg(1)->Arg(0);
void BM_X86LoadStoreShiftDsBase(benchmark::State& state) { load_store_shift(state, 0x10000); }
BENCHMARK(BM_X86LoadStoreShiftDsBase)->Arg(1)->Arg(0);

// REP MOVSB of 64 bytes: each iteration one instruction, going round in its handler while the
// budget allows.
void BM_X86RepMovsb(benchmark::State& state)
{
    X86BenchBoard b(state.range(0) != 0);
    b.load({
        0xB9, 0x40, 0x00, 0x00, 0x00,  // loop: mov ecx, 64
        0xBE, 0x00, 0x80, 0x00, 0x00,  //       mov esi, 0x8000
        0xBF, 0x00, 0x90, 0x00, 0x00,  //       mov edi, 0x9000
        0xF3, 0xA4,                    //       rep movsb
        0xEB, 0xED,                    //       jmp loop
    });
    run_guest(state, b);
}
BENCHMARK(BM_X86RepMovsb)->Arg(1)->Arg(0);

// A byte copy loop as GCC compiles memcpy's tail: a bare MOVSB (no REP) between register moves
// and a CMP/JNE, 64 bytes a round.
void BM_X86MovsbLoop(benchmark::State& state)
{
    X86BenchBoard b(state.range(0) != 0);
    b.load({
        0xB8, 0x00, 0x80, 0x00, 0x00,  // outer: mov eax, 0x8000
        0xBF, 0x00, 0x90, 0x00, 0x00,  //        mov edi, 0x9000
        0xBA, 0x40, 0x90, 0x00, 0x00,  //        mov edx, 0x9040
        0x89, 0xC6,                    // inner: mov esi, eax
        0xA4,                          //        movsb
        0x39, 0xD7,                    //        cmp edi, edx
        0x89, 0xF0,                    //        mov eax, esi
        0x75, 0xF7,                    //        jne inner
        0xEB, 0xE6,                    //        jmp outer
    });
    run_guest(state, b);
}
BENCHMARK(BM_X86MovsbLoop)->Arg(1)->Arg(0);

// CMP AL, imm8 fused with its JA (a switch's range check), then LEA with base and index and a
// three-operand IMUL: the per-form variants of both.
void BM_X86ByteCompareLeaImul(benchmark::State& state)
{
    X86BenchBoard b(state.range(0) != 0);
    b.load({
        0x40,                    // loop: inc  eax
        0x3C, 0x80,              //       cmp  al, 0x80
        0x77, 0x01,              //       ja   skip
        0x43,                    //       inc  ebx
        0x8D, 0x4C, 0x4B, 0x04,  // skip: lea  ecx, [ebx + ecx*2 + 4]
        0x6B, 0xD1, 0x03,        //       imul edx, ecx, 3
        0xEB, 0xF1,              //       jmp  loop
    });
    run_guest(state, b);
}
BENCHMARK(BM_X86ByteCompareLeaImul)->Arg(1)->Arg(0);

// Byte registers, high and low, as a byte-wise checksum or a table-driven decoder uses them:
// each operand's byte offset in the register file comes from the decoder (Op::reg8, Op::rm8).
void BM_X86ByteRegisters(benchmark::State& state)
{
    X86BenchBoard b(state.range(0) != 0);
    b.load({
        0x30, 0xE0,        // loop: xor  al, ah
        0x00, 0xC7,        //       add  bh, al
        0x88, 0xFA,        //       mov  dl, bh
        0x28, 0xF1,        //       sub  cl, dh
        0x8A, 0x46, 0x05,  //       mov  al, [esi + 5]
        0x88, 0x66, 0x06,  //       mov  [esi + 6], ah
        0xFE, 0xC4,        //       inc  ah
        0xEB, 0xEE,        //       jmp  loop
    });
    b.cpu.s.r[x86::kEsi] = kX86Data;
    run_guest(state, b);
}
BENCHMARK(BM_X86ByteRegisters)->Arg(1)->Arg(0);

// A switch compiled to a jump table: IMUL from memory, then JMP [ECX*4 + table] to one of four
// cases, each back to the top. The memory forms of both try a flat-segment hit alone.
void BM_X86JumpTable(benchmark::State& state)
{
    X86BenchBoard b(state.range(0) != 0);
    b.load({
        0x41,                                      // 1000 loop: inc  ecx
        0x83, 0xE1, 0x03,                          // 1001       and  ecx, 3
        0x0F, 0xAF, 0x06,                          // 1004       imul eax, [esi]
        0xFF, 0x24, 0x8D, 0x00, 0x80, 0x00, 0x00,  // 1007       jmp  [ecx*4 + 0x8000]
        0x43, 0xEB, 0xEF,                          // 100e case: inc  ebx; jmp loop
        0x42, 0xEB, 0xEC,                          // 1011 case: inc  edx; jmp loop
        0x47, 0xEB, 0xE9,                          // 1014 case: inc  edi; jmp loop
        0x45, 0xEB, 0xE6,                          // 1017 case: inc  ebp; jmp loop
    });
    auto put32 = [&](uint32_t at, uint32_t v) { b.bus.write_bytes(at, &v, 4); };
    for (uint32_t i = 0; i < 4; i++)
        put32(kX86Data + 4 * i, kX86Code + 0x0E + 3 * i);  // the table
    put32(kX86Data + 0x10, 3);
    b.cpu.s.r[x86::kEsi] = kX86Data + 0x10;
    run_guest(state, b);
}
BENCHMARK(BM_X86JumpTable)->Arg(1)->Arg(0);

}  // namespace
}  // namespace emu::bench
