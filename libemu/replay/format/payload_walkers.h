// The two walkers that put payloads into recordings and take them out again
// (event_payloads.h lists the primitives). Decoding is strict: a payload that is short, long
// or out of range fails, never a guess.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "replay/format/event_payloads.h"
#include "replay/format/recording_format.h"

namespace emu {

class PayloadEncoder {
public:
    template <class T>
    void integer(std::string_view, const T& v)
    {
        static_assert(std::is_unsigned_v<T>);
        for (size_t i = 0; i < sizeof(T); ++i)
            w_.u8(static_cast<uint8_t>(uint64_t{v} >> (8 * i)));
    }
    template <class T>
    void signed_integer(std::string_view name, const T& v)
    {
        integer(name, static_cast<std::make_unsigned_t<T>>(v));
    }
    template <class T>
    void varint(std::string_view, const T& v, uint64_t)
    {
        w_.varint(v);
    }
    void hash(std::string_view name, const uint64_t& v) { integer(name, v); }
    template <class E>
    void enumeration(std::string_view, const E& v)
    {
        w_.u8(static_cast<uint8_t>(v));
    }
    void text_rest(std::string_view, const std::vector<uint8_t>& v, size_t) { w_.raw(v); }
    void blob_rest(std::string_view, const std::vector<uint8_t>& v, size_t) { w_.raw(v); }
    void blob(std::string_view, const std::vector<uint8_t>& v)
    {
        w_.varint(v.size());
        w_.raw(v);
    }
    template <class T, class Each>
    void list(std::string_view, std::vector<T>& v, uint64_t, Each&& each)
    {
        w_.varint(v.size());
        for (T& e : v)
            each(*this, e);
    }
    void ascending(std::string_view, const uint64_t& v, uint64_t& next, uint64_t)
    {
        w_.varint(v - next);
        next = v + 1;
    }
    template <class T>
    void nested(std::string_view, T& v)
    {
        walk(*this, v);
    }
    void check(bool, std::string_view) {}

    std::vector<uint8_t> take() { return std::move(w_.bytes); }

private:
    ByteWriter w_;
};

class PayloadDecoder {
public:
    explicit PayloadDecoder(std::span<const uint8_t> p) : r_(p) {}

    template <class T>
    void integer(std::string_view, T& v)
    {
        static_assert(std::is_unsigned_v<T>);
        uint64_t x = 0;
        for (size_t i = 0; i < sizeof(T) && ok_; ++i) {
            uint8_t b;
            ok_ = r_.u8(b);
            x |= uint64_t{b} << (8 * i);
        }
        v = static_cast<T>(x);
    }
    template <class T>
    void signed_integer(std::string_view name, T& v)
    {
        std::make_unsigned_t<T> u{};
        integer(name, u);
        v = static_cast<T>(u);
    }
    template <class T>
    void varint(std::string_view, T& v, uint64_t max)
    {
        uint64_t x = 0;
        ok_ = ok_ && r_.varint(x) && x <= max;
        v = static_cast<T>(x);
    }
    void hash(std::string_view name, uint64_t& v) { integer(name, v); }
    template <class E>
    void enumeration(std::string_view, E& v)
    {
        uint8_t id = 0;
        ok_ = ok_ && r_.u8(id);
        std::optional<E> e = ok_ ? EnumCodec<E>::from_id(id) : std::nullopt;
        ok_ = ok_ && e.has_value();
        if (e)
            v = *e;
    }
    void text_rest(std::string_view, std::vector<uint8_t>& v, size_t min)
    {
        ok_ = ok_ && r_.remaining() >= min;
        rest(v);
    }
    void blob_rest(std::string_view, std::vector<uint8_t>& v, size_t unit)
    {
        ok_ = ok_ && r_.remaining() > 0 && r_.remaining() % unit == 0;
        rest(v);
    }
    void blob(std::string_view, std::vector<uint8_t>& v)
    {
        uint64_t n = 0;
        std::span<const uint8_t> b;
        ok_ = ok_ && r_.varint(n) && r_.bytes(n, b);
        if (ok_)
            v.assign(b.begin(), b.end());
    }
    template <class T, class Each>
    void list(std::string_view, std::vector<T>& v, uint64_t max, Each&& each)
    {
        uint64_t n = 0;
        // Every element takes at least one byte: a count past what is left cannot be right,
        // and is never allocated.
        ok_ = ok_ && r_.varint(n) && n <= max && n <= r_.remaining();
        if (!ok_)
            return;
        v.resize(n);
        for (T& e : v) {
            if (!ok_)
                return;
            each(*this, e);
        }
    }
    void ascending(std::string_view, uint64_t& v, uint64_t& next, uint64_t max)
    {
        uint64_t delta = 0;
        ok_ = ok_ && r_.varint(delta) && next <= max && delta <= max - next;
        v = next + delta;
        next = v + 1;
    }
    template <class T>
    void nested(std::string_view, T& v)
    {
        walk(*this, v);
    }
    void check(bool holds, std::string_view) { ok_ = ok_ && holds; }

    // Everything was read, and nothing was left over.
    bool finished() const { return ok_ && r_.remaining() == 0; }

private:
    void rest(std::vector<uint8_t>& v)
    {
        std::span<const uint8_t> b;
        if (ok_ && r_.bytes(r_.remaining(), b))
            v.assign(b.begin(), b.end());
    }

    ByteReader r_;
    bool ok_ = true;
};

}  // namespace emu
