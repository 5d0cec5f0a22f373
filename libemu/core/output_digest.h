// A running xxh3-64 over everything a guest has printed, so that state hashes cover output
// byte for byte without keeping it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

struct XXH3_state_s;

namespace emu {

class OutputDigest {
public:
    OutputDigest();
    ~OutputDigest();
    OutputDigest(const OutputDigest&) = delete;
    OutputDigest& operator=(const OutputDigest&) = delete;

    void put(uint8_t b)
    {
        pending_[pending_size_++] = b;
        bytes_++;
        if (pending_size_ == pending_.size())
            absorb();
    }
    uint64_t bytes() const { return bytes_; }
    uint64_t hash();

private:
    void absorb();

    struct Free {
        void operator()(XXH3_state_s* s) const;
    };
    std::unique_ptr<XXH3_state_s, Free> state_;
    std::array<uint8_t, 4096> pending_{};
    size_t pending_size_ = 0;
    uint64_t bytes_ = 0;
};

}  // namespace emu
