// A main for libFuzzer targets in builds without libFuzzer (GCC, and the sanitizer build of
// ci/test.sh), so that ctest runs them: each file given is run as an input, then `--mutations N`
// inputs made from them by a fixed-seed generator (bytes flipped, inserted, deleted, inputs
// spliced), so the run is the same every time.
//   fuzz_replay [--mutations N] FILE...
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<uint8_t> mutate(std::vector<uint8_t> in, const std::vector<std::vector<uint8_t>>& seeds,
                            std::mt19937_64& rng)
{
    auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
    for (size_t edits = 1 + pick(8); edits > 0; --edits) {
        switch (pick(4)) {
        case 0:
            if (!in.empty())
                in[pick(in.size())] ^= static_cast<uint8_t>(1u << pick(8));
            break;
        case 1: in.insert(in.begin() + static_cast<ptrdiff_t>(pick(in.size() + 1)), static_cast<uint8_t>(rng())); break;
        case 2:
            if (!in.empty())
                in.erase(in.begin() + static_cast<ptrdiff_t>(pick(in.size())));
            break;
        case 3: {
            const std::vector<uint8_t>& other = seeds[pick(seeds.size())];
            size_t from = pick(other.size() + 1);
            in.insert(in.begin() + static_cast<ptrdiff_t>(pick(in.size() + 1)), other.begin() + static_cast<ptrdiff_t>(from),
                      other.end());
            break;
        }
        }
    }
    return in;
}

}  // namespace

int main(int argc, char** argv)
{
    unsigned long mutations = 0;
    std::vector<std::vector<uint8_t>> seeds;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--mutations") == 0 && i + 1 < argc) {
            mutations = std::strtoul(argv[++i], nullptr, 10);
            continue;
        }
        std::ifstream f(argv[i], std::ios::binary);
        if (!f) {
            std::fprintf(stderr, "fuzz_replay: cannot read %s\n", argv[i]);
            return 66;
        }
        seeds.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    }
    if (seeds.empty()) {
        std::fprintf(stderr, "usage: fuzz_replay [--mutations N] FILE...\n");
        return 64;
    }
    for (const std::vector<uint8_t>& s : seeds)
        LLVMFuzzerTestOneInput(s.data(), s.size());
    std::mt19937_64 rng(1);
    for (unsigned long i = 0; i < mutations; ++i) {
        std::vector<uint8_t> input = mutate(seeds[i % seeds.size()], seeds, rng);
        LLVMFuzzerTestOneInput(input.data(), input.size());
    }
    std::printf("fuzz_replay: %zu inputs and %lu mutations ran\n", seeds.size(), mutations);
    return 0;
}
