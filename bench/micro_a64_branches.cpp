// A64 branches in the shapes compiled code runs most: direct branches a trace goes on through
// (B has no op there), and an indirect branch through a jump table (a byte-code interpreter's
// switch: BR to a target that changes each time). With chaining on (argument 1) and off (0,
// plain blocks), as in micro_fast_path.cpp.
#include "micro_board.h"

namespace emu::bench {
namespace {

constexpr uint64_t kCode = BenchBoard::kRamBase;
constexpr uint64_t kData = BenchBoard::kRamBase + 0x10000;
constexpr uint64_t kPerIteration = 1 << 17;

// A loop of three straight pieces joined by B: with chaining on, one trace in which every B
// is left out, so a trip runs three ops and the loop's own B.
void BM_TraceThroughB(benchmark::State& state)
{
    BenchBoard b;
    b.cpu.set_chaining(state.range(0) != 0);
    b.load(kCode, {
        0x91000400,  // loop: add x0, x0, #1
        0x14000002,  //       b   1f
        0xd503201f,  //       nop
        0x91000421,  // 1:    add x1, x1, #1
        0x14000002,  //       b   2f
        0xd503201f,  //       nop
        0x91000442,  // 2:    add x2, x2, #1
        0x17fffff9,  //       b   loop
    });
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_TraceThroughB)->Arg(1)->Arg(0);

// A switch through a table of four cases, each returning to the loop with B: one BR per six
// instructions, its target different every time. The case is x0 & 3 with x0 counting up (a
// cycle a host predictor learns), or the top two bits of an LCG in x0 (argument 1: random, as
// a byte-code interpreter's next opcode mostly is), for the same number of guest instructions.
void BM_JumpTableSwitch(benchmark::State& state)
{
    BenchBoard b;
    b.cpu.set_chaining(state.range(0) != 0);
    const bool random = state.range(1) != 0;
    std::vector<uint32_t> code = random ? std::vector<uint32_t>{
                                              0x9b082400,  // loop: madd x0, x0, x8, x9
                                              0xd37efc01,  //       lsr  x1, x0, #62
                                          }
                                        : std::vector<uint32_t>{
                                              0x91000400,  // loop: add x0, x0, #1
                                              0x92400401,  //       and x1, x0, #3
                                          };
    code.insert(code.end(), {
                                0xf8617942,  //       ldr x2, [x10, x1, lsl #3]
                                0xd61f0040,  //       br  x2
                                0x91000463,  // c0:   add x3, x3, #1
                                0x17fffffb,  //       b   loop
                                0x91000484,  // c1:   add x4, x4, #1
                                0x17fffff9,  //       b   loop
                                0x910004a5,  // c2:   add x5, x5, #1
                                0x17fffff7,  //       b   loop
                                0x910004c6,  // c3:   add x6, x6, #1
                                0x17fffff5,  //       b   loop
                            });
    b.load(kCode, code);
    for (uint64_t k = 0; k < 4; k++) {
        uint64_t target = kCode + 16 + 8 * k;
        b.bus.write_bytes(kData + 8 * k, &target, 8);
    }
    b.cpu.s.r[8] = 6364136223846793005u;  // Knuth's MMIX LCG
    b.cpu.s.r[9] = 1442695040888963407u;
    b.cpu.s.r[10] = kData;
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_JumpTableSwitch)->ArgsProduct({{1, 0}, {0, 1}})->ArgNames({"chaining", "random"});

}  // namespace
}  // namespace emu::bench
