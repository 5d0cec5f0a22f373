// The i386 status flags: loops of flag writers followed by a branch or another reader, and
// the flags materialised for a PUSHF, so that lazy EFLAGS (cpu/x86/flags.h) shows what it
// saves and what a reader that needs the whole EFLAGS costs. Each is an endless loop on a
// bare i386 CPU (flat 32-bit protected mode, no devices); the bytes are beside the assembly.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "micro_x86_board.h"

namespace emu::bench {
namespace {

constexpr uint64_t kPerIteration = 1 << 17;

void run_guest(benchmark::State& state, X86BenchBoard& b) { run_x86_guest(state, b, kPerIteration); }

// CMP + Jcc, the pair the compiled guests are full of: the condition comes straight from the
// compare's operands.
void BM_X86CmpJcc(benchmark::State& state)
{
    X86BenchBoard b;
    b.load({
        0x40,              // loop: inc eax
        0x39, 0xd8,        //       cmp eax, ebx
        0x7c, 0x02,        //       jl   skip
        0x31, 0xc0,        //       xor eax, eax
        0x83, 0xc1, 0x01,  // skip: add ecx, 1
        0x85, 0xc9,        //       test ecx, ecx
        0x75, 0xf2,        //       jnz  loop
        0xeb, 0xf0,        //       jmp  loop
    });
    b.cpu.s.r[x86::kEbx] = 100;
    run_guest(state, b);
}
BENCHMARK(BM_X86CmpJcc);

// Arithmetic whose flags nobody reads: each writer overwrites the last one's.
void BM_X86DeadFlags(benchmark::State& state)
{
    X86BenchBoard b;
    b.load({
        0x01, 0xd8,        // loop: add eax, ebx
        0x29, 0xca,        //       sub edx, ecx
        0x31, 0xf7,        //       xor edi, esi
        0x21, 0xc6,        //       and esi, eax
        0x83, 0xc3, 0x03,  //       add ebx, 3
        0x09, 0xd1,        //       or  ecx, edx
        0xeb, 0xf1,        //       jmp loop
    });
    run_guest(state, b);
}
BENCHMARK(BM_X86DeadFlags);

// ADC/SBB chains and INC/DEC (which keep CF): readers of the lazy carry.
void BM_X86CarryChain(benchmark::State& state)
{
    X86BenchBoard b;
    b.load({
        0x01, 0xd8,  // loop: add eax, ebx
        0x11, 0xca,  //       adc edx, ecx
        0x47,        //       inc edi
        0x19, 0xf1,  //       sbb ecx, esi
        0x4e,        //       dec esi
        0x72, 0xf6,  //       jb  loop
        0xeb, 0xf4,  //       jmp loop
    });
    b.cpu.s.r[x86::kEbx] = 0x9E3779B9;
    run_guest(state, b);
}
BENCHMARK(BM_X86CarryChain);

// PUSHF after every compare: each one materialises the whole of EFLAGS.
void BM_X86Pushf(benchmark::State& state)
{
    X86BenchBoard b;
    b.load({
        0x39, 0xd8,  // loop: cmp eax, ebx
        0x9c,        //       pushf
        0x58,        //       pop eax
        0x43,        //       inc ebx
        0xeb, 0xf9,  //       jmp loop
    });
    run_guest(state, b);
}
BENCHMARK(BM_X86Pushf);

// CMP with a memory operand and a register-form MOV: the r/m forms the decoder specialises.
void BM_X86MemoryCompare(benchmark::State& state)
{
    X86BenchBoard b;
    b.load({
        0x8b, 0x04, 0x8e,  // loop: mov eax, [esi + ecx*4]
        0x3b, 0x46, 0x04,  //       cmp eax, [esi + 4]
        0x89, 0xc2,        //       mov edx, eax
        0x41,              //       inc ecx
        0x83, 0xe1, 0x0f,  //       and ecx, 15
        0x76, 0xf2,        //       jbe loop
        0xeb, 0xf0,        //       jmp loop
    });
    b.cpu.s.r[x86::kEsi] = kX86Data;
    run_guest(state, b);
}
BENCHMARK(BM_X86MemoryCompare);

}  // namespace
}  // namespace emu::bench
