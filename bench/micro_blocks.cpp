// The dispatch loop and common block shapes, each an endless guest loop run from the trace
// cache. Encodings come from aarch64-linux-gnu-as; the assembly is beside each word.
#include "micro_board.h"

namespace emu::bench {
namespace {

constexpr uint64_t kCode = BenchBoard::kRamBase;
constexpr uint64_t kSrc = BenchBoard::kRamBase + 0x10000;
constexpr uint64_t kDst = BenchBoard::kRamBase + 0x20000;
constexpr uint64_t kForever = uint64_t{1} << 62;  // loop counter that never reaches zero
constexpr uint64_t kPerIteration = 1 << 17;

// One three-instruction block branching to itself: the cost of dispatch per instruction
// and of the run loop's between-block work per block.
void BM_DispatchTightLoop(benchmark::State& state)
{
    BenchBoard b;
    b.load(kCode, {
        0x91000400,  // loop: add  x0, x0, #1
        0xf1000421,  //       subs x1, x1, #1
        0x54ffffc1,  //       b.ne loop
    });
    b.cpu.s.r[1] = kForever;
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_DispatchTightLoop);

void BM_LoadStoreBlock(benchmark::State& state)
{
    BenchBoard b;
    b.load(kCode, {
        0xf9400142,  // loop: ldr  x2, [x10]
        0xf9400543,  //       ldr  x3, [x10, #8]
        0xf9000162,  //       str  x2, [x11]
        0xf9000563,  //       str  x3, [x11, #8]
        0xa9411544,  //       ldp  x4, x5, [x10, #16]
        0xa9011564,  //       stp  x4, x5, [x11, #16]
        0xb9402146,  //       ldr  w6, [x10, #32]
        0xb9002166,  //       str  w6, [x11, #32]
        0xf1000421,  //       subs x1, x1, #1
        0x54fffee1,  //       b.ne loop
    });
    b.cpu.s.r[1] = kForever;
    b.cpu.s.r[10] = kSrc;
    b.cpu.s.r[11] = kDst;
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_LoadStoreBlock);

// Copies 4 KiB 16 bytes at a time with post-indexed pairs, then starts over.
void BM_MemcpyLoop(benchmark::State& state)
{
    BenchBoard b;
    b.load(kCode, {
        0xa8c10d42,  // loop: ldp  x2, x3, [x10], #16
        0xa8810d62,  //       stp  x2, x3, [x11], #16
        0xf100418c,  //       subs x12, x12, #16
        0x54ffffa1,  //       b.ne loop
        0xd140054a,  //       sub  x10, x10, #1, lsl #12
        0xd140056b,  //       sub  x11, x11, #1, lsl #12
        0xd282000c,  //       mov  x12, #4096
        0x17fffff9,  //       b    loop
    });
    b.cpu.s.r[10] = kSrc;
    b.cpu.s.r[11] = kDst;
    b.cpu.s.r[12] = 4096;
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_MemcpyLoop);

// A switch on x0 & 3 as a chain of compares: blocks of two to four instructions, every one
// ending in a conditional branch.
void BM_CompareBranchChain(benchmark::State& state)
{
    BenchBoard b;
    b.load(kCode, {
        0x91000400,  // loop: add  x0, x0, #1
        0x92400403,  //       and  x3, x0, #3
        0xf100007f,  //       cmp  x3, #0
        0x54ffffa0,  //       b.eq loop
        0xf100047f,  //       cmp  x3, #1
        0x54ffff60,  //       b.eq loop
        0xf100087f,  //       cmp  x3, #2
        0x54ffff20,  //       b.eq loop
        0xb5ffff03,  //       cbnz x3, loop
    });
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_CompareBranchChain);

void BM_CallReturn(benchmark::State& state)
{
    BenchBoard b;
    b.load(kCode, {
        0x94000003,  // loop: bl   func
        0xf1000421,  //       subs x1, x1, #1
        0x54ffffc1,  //       b.ne loop
        0x91000400,  // func: add  x0, x0, #1
        0xd65f03c0,  //       ret
    });
    b.cpu.s.r[1] = kForever;
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_CallReturn);

}  // namespace
}  // namespace emu::bench
