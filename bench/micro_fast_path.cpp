// The engine's fast path against the plain loop (Cpu::set_chaining(false)): block exits
// through direct links, traces through branches within a page, compare and branch as one op,
// the flags, the load/store hit paths and SP-based accesses. Each benchmark runs with chaining
// on (argument 1) and off (0, plain blocks: no traces, no fused ops), so the two figures sit
// side by side.
#include "micro_board.h"

namespace emu::bench {
namespace {

constexpr uint64_t kCode = BenchBoard::kRamBase;
constexpr uint64_t kData = BenchBoard::kRamBase + 0x10000;
constexpr uint64_t kPerIteration = 1 << 17;

// Sixteen two-instruction blocks, each branching to the next (the last back to the first):
// one direct exit per two instructions.
void BM_DirectBranchRing(benchmark::State& state)
{
    BenchBoard b;
    b.cpu.set_chaining(state.range(0) != 0);
    std::vector<uint32_t> code;
    for (unsigned i = 0; i < 16; i++) {
        code.push_back(0x91000400);  // add x0, x0, #1
        code.push_back(i < 15 ? 0x14000001 : 0x17ffffe1);  // b next (the last: b first)
    }
    b.load(kCode, code);
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_DirectBranchRing)->Arg(1)->Arg(0);

// A loop whose body is cut by a conditional branch both ways in turn (x0 & 1): taken and
// not-taken exits alternate.
void BM_ConditionalDiamond(benchmark::State& state)
{
    BenchBoard b;
    b.cpu.set_chaining(state.range(0) != 0);
    b.load(kCode, {
        0x91000400,  // loop: add  x0, x0, #1
        0x37000040,  //       tbnz w0, #0, odd
        0x91000421,  //       add  x1, x1, #1
        0x91000442,  // odd:  add  x2, x2, #2
        0x17fffffc,  //       b    loop
    });
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_ConditionalDiamond)->Arg(1)->Arg(0);

// A byte-code interpreter's inner loop: byte loads, a word load indexed by a register, a store,
// in a counted loop.
void BM_ByteLoadLoop(benchmark::State& state)
{
    BenchBoard b;
    b.cpu.set_chaining(state.range(0) != 0);
    b.load(kCode, {
        0x38401542,  // loop: ldrb w2, [x10], #1
        0xb8627963,  //       ldr  w3, [x11, x2, lsl #2]
        0x0b030084,  //       add  w4, w4, w3
        0xb8227964,  //       str  w4, [x11, x2, lsl #2]
        0xf100058c,  //       subs x12, x12, #1
        0x54ffff61,  //       b.ne loop
        0xd140054a,  //       sub  x10, x10, #1, lsl #12
        0xd282000c,  //       mov  x12, #4096
        0x17fffff8,  //       b    loop
    });
    b.cpu.s.r[10] = kData;
    b.cpu.s.r[11] = kData + 0x1000;
    b.cpu.s.r[12] = 4096;
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_ByteLoadLoop)->Arg(1)->Arg(0);

// A counted loop closed by CMP and B.NE, as compiled C loops end: a trace unrolls it, and
// the compare and the branch run as one op.
void BM_CompareBranchLoop(benchmark::State& state)
{
    BenchBoard b;
    b.cpu.set_chaining(state.range(0) != 0);
    b.load(kCode, {
        0x91000400,  // loop: add  x0, x0, #1
        0x8b000021,  //       add  x1, x1, x0
        0xeb02001f,  //       cmp  x0, x2
        0x54ffffa1,  //       b.ne loop
        0xd2800000,  //       mov  x0, #0
        0x17fffffb,  //       b    loop
    });
    b.cpu.s.r[2] = 1000;
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_CompareBranchLoop)->Arg(1)->Arg(0);

// Flag setters and readers other than B.cond: ADDS, ADC, CCMP, CSEL, CSINC, in a loop.
void BM_FlagReaders(benchmark::State& state)
{
    BenchBoard b;
    b.cpu.set_chaining(state.range(0) != 0);
    b.load(kCode, {
        0xab030042,  // loop: adds  x2, x2, x3
        0x9a1f0084,  //       adc   x4, x4, xzr
        0xfa451040,  //       ccmp  x2, x5, #0, ne
        0x9a853046,  //       csel  x6, x2, x5, lo
        0x9a8704e7,  //       csinc x7, x7, x7, eq
        0x17fffffb,  //       b     loop
    });
    b.cpu.s.r[3] = 0x9E3779B97F4A7C15;
    b.cpu.s.r[5] = 0x8000000000000000;
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_FlagReaders)->Arg(1)->Arg(0);

// A function's frame: SP-based pairs and words (each checks SP alignment in its own handler)
// and a register move, in a loop.
void BM_StackFrame(benchmark::State& state)
{
    BenchBoard b;
    b.cpu.set_chaining(state.range(0) != 0);
    b.load(kCode, {
        0xa9bf7bfd,  // loop: stp x29, x30, [sp, #-16]!
        0xb90007e0,  //       str w0, [sp, #4]
        0xb94007e1,  //       ldr w1, [sp, #4]
        0x2a0103e2,  //       mov w2, w1
        0x11000440,  //       add w0, w2, #1
        0xa8c17bfd,  //       ldp x29, x30, [sp], #16
        0x17fffffa,  //       b   loop
    });
    b.cpu.s.r[a64::kSp] = kData + 0x1000;
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_StackFrame)->Arg(1)->Arg(0);

}  // namespace
}  // namespace emu::bench
