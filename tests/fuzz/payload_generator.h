// Event payloads for the fuzzers, made from the fuzzer's bytes with each payload's walk()
// (replay/format/event_payloads.h): well formed for their kind by construction, so that a fuzzed
// event stream gets past strict decoding and reaches the replayer's logic. Values are drawn
// small where small ones matter (idle rounds, counts) and anything at all elsewhere.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "replay/format/event_payloads.h"

namespace emu::fuzz {

class PayloadGenerator {
public:
    PayloadGenerator(const uint8_t* data, size_t size) : data_(data), size_(size) {}

    template <class T>
    void integer(std::string_view, T& v)
    {
        v = static_cast<T>(take(sizeof(T)));
    }
    template <class T>
    void signed_integer(std::string_view, T& v)
    {
        v = static_cast<T>(take(sizeof(T)));
    }
    template <class T>
    void varint(std::string_view, T& v, uint64_t max)
    {
        uint8_t b = static_cast<uint8_t>(take(1));
        uint64_t x = (b & 0x80) ? take(8) : b & 3;
        v = static_cast<T>(std::min(x, max));
    }
    void hash(std::string_view, uint64_t& v) { v = take(8); }
    template <class E>
    void enumeration(std::string_view, E& v)
    {
        for (unsigned id = static_cast<uint8_t>(take(1)), tries = 0; tries < 256; ++id, ++tries) {
            if (std::optional<E> e = EnumCodec<E>::from_id(static_cast<uint8_t>(id))) {
                v = *e;
                return;
            }
        }
    }
    void text_rest(std::string_view, std::vector<uint8_t>& v, size_t min)
    {
        v = bytes(size_ - pos_);
        if (v.size() < min)
            v.resize(min, 'x');
    }
    void blob_rest(std::string_view, std::vector<uint8_t>& v, size_t unit)
    {
        v = bytes(size_ - pos_);
        v.resize(unit * (1 + v.size() % 3), 0);
    }
    void blob(std::string_view, std::vector<uint8_t>& v) { v = bytes(take(1) % 64); }
    template <class T, class Each>
    void list(std::string_view, std::vector<T>& v, uint64_t max, Each&& each)
    {
        v.resize(std::min<uint64_t>(take(1) % 8, max));
        for (T& e : v)
            each(*this, e);
    }
    void ascending(std::string_view, uint64_t& v, uint64_t& next, uint64_t max)
    {
        v = std::min(next + take(1) % 4, max);
        next = v + 1;
    }
    template <class T>
    void nested(std::string_view, T& v)
    {
        walk(*this, v);
    }
    void check(bool, std::string_view) {}

private:
    // The next n bytes as a little-endian number; zeros once the input runs out.
    uint64_t take(size_t n)
    {
        uint64_t v = 0;
        for (size_t i = 0; i < n && pos_ < size_; ++i)
            v |= uint64_t{data_[pos_++]} << (8 * i);
        return v;
    }
    std::vector<uint8_t> bytes(size_t n)
    {
        n = std::min(n, size_ - pos_);
        std::vector<uint8_t> out(data_ + pos_, data_ + pos_ + n);
        pos_ += n;
        return out;
    }

    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

// A well-formed payload of type T from the bytes.
template <class T>
std::vector<uint8_t> generate_payload(const uint8_t* data, size_t size)
{
    T payload{};
    PayloadGenerator g(data, size);
    walk(g, payload);
    return encode(payload);
}

// The same for an event kind.
inline std::vector<uint8_t> generate_payload(EventKind kind, const uint8_t* data, size_t size)
{
    switch (kind) {
#define RR_EVENT(name, id, payload, cls) \
    case EventKind::name: return generate_payload<payload>(data, size);
#include "replay/format/events.inc"
#undef RR_EVENT
    }
    return {};
}

}  // namespace emu::fuzz
