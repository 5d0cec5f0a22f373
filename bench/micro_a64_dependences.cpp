// What an op costs in time beside its host instructions. The same ADDs as one dependence chain
// and as eight independent ones: an ADD that needs the one before waits for that handler's
// store of the register to reach its load, so the gap between the two is what the register
// file in memory adds when guest code is a chain. A run of loads: about three times an ADD's
// host instructions per op, so the gap to the ADDs is what those instructions cost, and what
// is left is the dispatch (one indirect jump per op). With chaining on, as guests run.
#include "micro_board.h"

namespace emu::bench {
namespace {

constexpr uint64_t kCode = BenchBoard::kRamBase;
constexpr uint64_t kPerIteration = 1 << 17;

// 15 ADDs and the loop's B: x0 += 1 fifteen times, or x0..x7 += 1 in turn.
void BM_AddChain(benchmark::State& state)
{
    const bool dependent = state.range(0) != 0;
    BenchBoard b;
    std::vector<uint32_t> code;
    for (uint32_t i = 0; i < 15; i++) {
        uint32_t r = dependent ? 0 : i % 8;
        code.push_back(0x91000400 | r << 5 | r);  // add xr, xr, #1
    }
    code.push_back(0x17fffff1);  // b loop
    b.load(kCode, code);
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_AddChain)->Arg(1)->Arg(0)->ArgName("dependent");

// 15 loads of x1..x7 from [x10] and the loop's B: about three times the host instructions of
// an ADD per op, and no chain through the register file.
void BM_LoadRun(benchmark::State& state)
{
    BenchBoard b;
    std::vector<uint32_t> code;
    for (uint32_t i = 0; i < 15; i++)
        code.push_back(0xf9400140 | (1 + i % 7));  // ldr xr, [x10]
    code.push_back(0x17fffff1);  // b loop
    b.load(kCode, code);
    b.cpu.s.r[10] = kCode;
    run_guest(state, b, kPerIteration);
}
BENCHMARK(BM_LoadRun);

}  // namespace
}  // namespace emu::bench
