// The trace cache: lookup, building fresh blocks, and invalidation by stores into code pages.
#include <vector>

#include "exec/block_cache.h"
#include "micro_board.h"

namespace emu::bench {
namespace {

using Cache = BlockCache<a64::Op>;

constexpr uint64_t kCode = BenchBoard::kRamBase;
constexpr uint64_t kForever = uint64_t{1} << 62;

Cache::BlockT* add_block(Cache& cache, PhysAddr pc)
{
    Cache::BlockT* b = cache.allocate(2);
    b->pc = pc;
    b->n_insns = 1;
    b->n_bytes = 4;
    cache.insert(b, 2);
    return b;
}

enum class Lookup { JumpCacheHit, MapHit, Miss };

// Finds cycle over 4096 keys: adjacent words (each in its own jump-cache slot), words 64 KiB
// apart (all in one slot, so every find falls through to the hash map), or absent keys.
void BM_CacheFind(benchmark::State& state, Lookup kind)
{
    constexpr unsigned kKeys = 4096;
    Cache cache;
    std::vector<PhysAddr> keys;
    for (unsigned i = 0; i < kKeys; i++) {
        PhysAddr pc = kind == Lookup::MapHit ? kCode + (PhysAddr{i} << 16) : kCode + 4 * PhysAddr{i};
        if (kind != Lookup::Miss)
            add_block(cache, pc);
        keys.push_back(pc);
    }
    unsigned i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(cache.find(keys[i]));
        i = (i + 97) % kKeys;  // a stride, so that neighbouring finds hit different lines
    }
    state.counters["lookups"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_CacheFind, jump_cache_hit, Lookup::JumpCacheHit);
BENCHMARK_CAPTURE(BM_CacheFind, map_hit, Lookup::MapHit);
BENCHMARK_CAPTURE(BM_CacheFind, miss, Lookup::Miss);

// A page of straight-line code in an eight-instruction mix, cut into blocks of kMaxBlockInsns,
// ending in a branch back to its start. `fresh`: rewrite the page before each pass, so every
// instruction is decoded again before it runs; otherwise every pass runs from the cache.
void BM_BlockBuild(benchmark::State& state, bool fresh)
{
    const std::vector<uint32_t> mix = {
        0x91000400,  // add  x0, x0, #1
        0xf1000421,  // subs x1, x1, #1
        0x92400403,  // and  x3, x0, #3
        0xf9400142,  // ldr  x2, [x10]
        0xf9000162,  // str  x2, [x11]
        0xa9411544,  // ldp  x4, x5, [x10, #16]
        0xa9011564,  // stp  x4, x5, [x11, #16]
        0xd282000c,  // mov  x12, #4096
    };
    std::vector<uint32_t> code;
    while (code.size() + mix.size() < kPageSize / 4)
        code.insert(code.end(), mix.begin(), mix.end());
    uint32_t back = static_cast<uint32_t>(-static_cast<int32_t>(code.size())) & 0x3FFFFFF;
    code.push_back(0x14000000 | back);  // b start
    BenchBoard b;
    b.load(kCode, code);
    b.cpu.s.r[10] = kCode + 0x10000;
    b.cpu.s.r[11] = kCode + 0x20000;

    uint64_t start = b.cpu.icount();
    for (auto _ : state) {
        if (fresh)
            b.bus.write_bytes(kCode, code.data(), 4);
        if (b.cpu.run(code.size()) != RunEnd::Budget || b.cpu.s.pc != kCode) {
            state.SkipWithError(("guest left the page: " + b.cpu.stop()->detail).c_str());
            return;
        }
    }
    state.counters["insns"] = benchmark::Counter(static_cast<double>(b.cpu.icount() - start), benchmark::Counter::kIsRate);
    state.counters["flushes"] = static_cast<double>(b.cpu.cache().flushes());
}
BENCHMARK_CAPTURE(BM_BlockBuild, fresh, true);
BENCHMARK_CAPTURE(BM_BlockBuild, cached, false);

enum class StoreTarget { DataPage, OtherCodePage, SameCodePage };

// A loop that stores a word and calls a one-instruction function on the next page. The store
// goes to a page without code (the fast path), to the function's own word (rewriting it with
// itself: the function's block dies and is rebuilt on every call), or next to the loop's own
// code (the running block dies, as with a global variable sharing a page with code).
void BM_CodePageStore(benchmark::State& state, StoreTarget target)
{
    BenchBoard b;
    b.load(kCode, {
        0xb9000165,  // loop: str  w5, [x11]
        0x940003ff,  //       bl   func            (func = loop + 0x1000)
        0xf1000421,  //       subs x1, x1, #1
        0x54ffffa1,  //       b.ne loop
    });
    b.load(kCode + 0x1000, {
        0xd65f03c0,  // func: ret
    });
    b.cpu.s.r[1] = kForever;
    b.cpu.s.r[5] = 0xd65f03c0;
    switch (target) {
    case StoreTarget::DataPage: b.cpu.s.r[11] = kCode + 0x8000; break;
    case StoreTarget::OtherCodePage: b.cpu.s.r[11] = kCode + 0x1000; break;
    case StoreTarget::SameCodePage: b.cpu.s.r[11] = kCode + 0x800; break;
    }
    uint64_t before = b.cpu.cache().invalidations();
    run_guest(state, b, 1 << 14);
    state.counters["invalidations"] =
        benchmark::Counter(static_cast<double>(b.cpu.cache().invalidations() - before), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_CodePageStore, data_page, StoreTarget::DataPage);
BENCHMARK_CAPTURE(BM_CodePageStore, other_code_page, StoreTarget::OtherCodePage);
BENCHMARK_CAPTURE(BM_CodePageStore, same_code_page, StoreTarget::SameCodePage);

}  // namespace
}  // namespace emu::bench
