// The machine's state, component by component, in one self-describing serialization used both
// ways: each component has one serialize(StateArchive&) that names its fields in order, and the
// same function saves (StateWriter) and restores (StateReader). A field a component forgets is
// missing from both directions at once, and the round-trip tests see it.
//
// Wire format (little-endian): per component a section, 'S' str(name) u32(version); per field
// 'F' str(name) u8(type) value, where type 1, 2, 4 or 8 is an unsigned integer of that many
// bytes and type 0x10 is u32 length + bytes. A reader can list any snapshot without knowing
// the components, and a loading component finds a renamed, retyped or missing field at once.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace emu {

// Where a checkpoint keeps 4 KiB pages of state apart from the rest, by content and once per
// recording (replay/run/checkpointer.h): a component with many pages (a disk overlay) stores
// their ids instead of their bytes when its archive has one.
class PageStore {
public:
    static constexpr size_t kPageBytes = 4096;
    virtual ~PageStore() = default;
    // Saving: the id of these kPageBytes bytes.
    virtual uint32_t put(const uint8_t* page) = 0;
    // Loading: the bytes of page `id`, or null when there is no such page.
    virtual const uint8_t* get(uint32_t id) const = 0;
};

class StateArchive {
public:
    virtual ~StateArchive() = default;

    // Pages go to (or come from) `store` instead of the archive's own bytes; see PageStore.
    void set_page_store(PageStore* store) { page_store_ = store; }
    PageStore* page_store() const { return page_store_; }

    bool loading() const { return loading_; }
    // Starts a component's section. Loading checks the name; the version read is returned so
    // that a component can read an older layout (and refuses one it does not know).
    virtual uint32_t section(std::string_view name, uint32_t version) = 0;

    template <class T>
    void field(std::string_view name, T& v)
    {
        static_assert(std::is_integral_v<T> || std::is_enum_v<T>);
        uint64_t raw = static_cast<uint64_t>(v);
        scalar(name, sizeof(T), raw);
        if (loading_)
            v = static_cast<T>(raw);
    }
    void field(std::string_view name, bool& v)
    {
        uint64_t raw = v;
        scalar(name, 1, raw);
        if (loading_)
            v = raw != 0;
    }
    // A bitset as its little-endian bytes, bit i in byte i / 8, moved 64 bits at a time (a
    // GIC's five 288-bit sets went bit by bit in every state hash). Loading starts from the
    // bitset's own bytes too, so that a read that fails leaves it as it was.
    template <size_t N>
    void field(std::string_view name, std::bitset<N>& b)
    {
        constexpr size_t kBytes = (N + 7) / 8;
        const std::bitset<N> low64(~0ull);
        std::vector<uint8_t> bytes(kBytes, 0);
        for (size_t at = 0; at < kBytes; at += 8) {
            uint64_t word = ((b >> (8 * at)) & low64).to_ullong();
            for (size_t i = 0; i < 8 && at + i < kBytes; i++)
                bytes[at + i] = static_cast<uint8_t>(word >> (8 * i));
        }
        blob(name, bytes);
        if (!loading_ || bytes.size() != kBytes)
            return;
        b.reset();
        for (size_t at = 0; at < kBytes; at += 8) {
            uint64_t word = 0;
            for (size_t i = 0; i < 8 && at + i < kBytes; i++)
                word |= uint64_t{bytes[at + i]} << (8 * i);
            b |= std::bitset<N>(word) << (8 * at);
        }
    }
    // Variable-length bytes; loading replaces `v`.
    virtual void blob(std::string_view name, std::vector<uint8_t>& v) = 0;

    // Loading: the first mismatch, as "section pl011: expected field 'ris', found 'imsc'".
    const std::optional<std::string>& error() const { return error_; }
    // For a component that finds a snapshot it cannot take (a count that does not match its
    // own); only the first error is kept.
    virtual void fail(std::string why) = 0;

protected:
    explicit StateArchive(bool loading) : loading_(loading) {}
    virtual void scalar(std::string_view name, unsigned size, uint64_t& v) = 0;

    bool loading_;
    std::optional<std::string> error_;
    PageStore* page_store_ = nullptr;
};

class StateWriter final : public StateArchive {
public:
    StateWriter() : StateArchive(false) {}
    uint32_t section(std::string_view name, uint32_t version) override;
    void blob(std::string_view name, std::vector<uint8_t>& v) override;
    const std::vector<uint8_t>& bytes() const { return bytes_; }

private:
    void scalar(std::string_view name, unsigned size, uint64_t& v) override;
    void fail(std::string) override {}  // saving cannot fail
    void name(char tag, std::string_view n);
    void le(uint64_t v, unsigned n);
    uint8_t* append(size_t n);  // n more bytes at the end, to be written through the pointer
    std::vector<uint8_t> bytes_;
    std::string section_;
};

class StateReader final : public StateArchive {
public:
    explicit StateReader(std::span<const uint8_t> bytes) : StateArchive(true), b_(bytes) {}
    uint32_t section(std::string_view name, uint32_t version) override;
    void blob(std::string_view name, std::vector<uint8_t>& v) override;
    // After the last component: an error unless every byte was consumed.
    bool finish();

private:
    void scalar(std::string_view name, unsigned size, uint64_t& v) override;
    bool expect(char tag, std::string_view name, const char* what);
    bool le(uint64_t& v, unsigned n);
    void fail(std::string why) override;
    std::span<const uint8_t> b_;
    size_t pos_ = 0;
    std::string section_;
};

// Appends a component's saved state to `out`: what state hashes cover. Saving only reads the
// component, whose serialize() is non-const because the same function also loads.
template <class Component>
void append_state(std::vector<uint8_t>& out, const Component& c)
{
    StateWriter w;
    const_cast<Component&>(c).serialize(w);
    out.insert(out.end(), w.bytes().begin(), w.bytes().end());
}

// One field of a saved state, for comparing two states without knowing their components.
struct StateField {
    std::string section;
    std::string name;
    std::span<const uint8_t> value;  // into the saved bytes: the integer's bytes, or the blob's
};

// Every field of a saved state in order; nothing for bytes that do not parse.
std::optional<std::vector<StateField>> list_state_fields(std::span<const uint8_t> bytes);

// The first field where two saved states differ ("gicv2.pending: 0x4 vs 0x0", or for a blob
// "ram-map.hash_dirty_pages: 12 bytes vs 8 bytes, first difference at byte 4"), or nothing when
// they are equal.
std::optional<std::string> first_state_difference(std::span<const uint8_t> a, std::span<const uint8_t> b);

// xxh3-64 of bytes; with state_hash(), the CPU and device parts of a state hash.
uint64_t hash_state_bytes(const std::vector<uint8_t>& bytes);

template <class... Components>
uint64_t state_hash(const Components&... c)
{
    std::vector<uint8_t> bytes;
    (append_state(bytes, c), ...);
    return hash_state_bytes(bytes);
}

}  // namespace emu
