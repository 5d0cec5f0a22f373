// A running hash of everything a guest has printed, so that state hashes cover output byte
// for byte without keeping it. Output is hashed in 4 KiB blocks, each seeded with the hash so
// far: the state is three small values, so a snapshot can carry it, and the result does not
// depend on when anyone asks for it.
#pragma once

#include <array>
#include <cstdint>

#include "core/state_archive.h"

namespace emu {

class OutputDigest {
public:
    void put(uint8_t b)
    {
        pending_[pending_size_++] = b;
        bytes_++;
        if (pending_size_ == pending_.size())
            absorb();
    }
    uint64_t bytes() const { return bytes_; }
    uint64_t hash() const;

    void serialize(StateArchive& a);

private:
    void absorb();

    uint64_t chained_ = 0;
    std::array<uint8_t, 4096> pending_{};
    size_t pending_size_ = 0;
    uint64_t bytes_ = 0;
};

}  // namespace emu
