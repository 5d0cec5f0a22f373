#include "core/output_digest.h"

#include <algorithm>
#include <vector>

#include <xxhash.h>

namespace emu {

void OutputDigest::absorb()
{
    chained_ = XXH3_64bits_withSeed(pending_.data(), pending_size_, chained_);
    pending_size_ = 0;
}

uint64_t OutputDigest::hash() const { return XXH3_64bits_withSeed(pending_.data(), pending_size_, chained_); }

void OutputDigest::serialize(StateArchive& a)
{
    a.section("output", 1);
    a.field("bytes", bytes_);
    a.field("chained", chained_);
    std::vector<uint8_t> pending(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pending_size_));
    a.blob("pending", pending);
    if (a.loading()) {
        pending_size_ = std::min(pending.size(), pending_.size() - 1);
        std::copy_n(pending.begin(), pending_size_, pending_.begin());
    }
}

}  // namespace emu
