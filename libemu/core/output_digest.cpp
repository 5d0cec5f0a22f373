#include "core/output_digest.h"

#include <xxhash.h>

namespace emu {

void OutputDigest::Free::operator()(XXH3_state_s* s) const { XXH3_freeState(s); }

OutputDigest::OutputDigest() : state_(XXH3_createState()) { XXH3_64bits_reset(state_.get()); }

OutputDigest::~OutputDigest() = default;

void OutputDigest::absorb()
{
    XXH3_64bits_update(state_.get(), pending_.data(), pending_size_);
    pending_size_ = 0;
}

uint64_t OutputDigest::hash()
{
    absorb();
    return XXH3_64bits_digest(state_.get());
}

}  // namespace emu
