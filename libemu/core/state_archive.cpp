#include "core/state_archive.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <xxhash.h>

namespace emu {

namespace {
constexpr uint8_t kBlobType = 0x10;
constexpr size_t kMaxName = 255;
}  // namespace

uint8_t* StateWriter::append(size_t n)
{
    size_t at = bytes_.size();
    bytes_.resize(at + n);
    return bytes_.data() + at;
}

void StateWriter::le(uint64_t v, unsigned n)
{
    uint8_t* out = append(n);
    for (unsigned i = 0; i < n; ++i)
        out[i] = static_cast<uint8_t>(v >> (8 * i));
}

void StateWriter::name(char tag, std::string_view n)
{
    size_t len = std::min(n.size(), kMaxName);
    uint8_t* out = append(2 + len);
    out[0] = static_cast<uint8_t>(tag);
    out[1] = static_cast<uint8_t>(len);
    std::memcpy(out + 2, n.data(), len);
}

uint32_t StateWriter::section(std::string_view n, uint32_t version)
{
    section_ = n;
    name('S', n);
    le(version, 4);
    return version;
}

void StateWriter::scalar(std::string_view n, unsigned size, uint64_t& v)
{
    name('F', n);
    le(size, 1);
    le(v, size);
}

void StateWriter::blob(std::string_view n, std::vector<uint8_t>& v)
{
    name('F', n);
    le(kBlobType, 1);
    le(v.size(), 4);
    bytes_.insert(bytes_.end(), v.begin(), v.end());
}

void StateReader::fail(std::string why)
{
    if (!error_)
        error_ = "section " + (section_.empty() ? std::string("(none)") : section_) + ": " + why;
}

bool StateReader::le(uint64_t& v, unsigned n)
{
    if (b_.size() - pos_ < n) {
        fail("truncated");
        return false;
    }
    v = 0;
    for (unsigned i = 0; i < n; ++i)
        v |= uint64_t{b_[pos_ + i]} << (8 * i);
    pos_ += n;
    return true;
}

bool StateReader::expect(char tag, std::string_view n, const char* what)
{
    if (error_)
        return false;
    if (b_.size() - pos_ < 2) {
        fail(std::string("truncated before ") + what + " '" + std::string(n) + "'");
        return false;
    }
    char got_tag = static_cast<char>(b_[pos_]);
    size_t len = b_[pos_ + 1];
    if (b_.size() - pos_ - 2 < len) {
        fail("truncated name");
        return false;
    }
    std::string_view got(reinterpret_cast<const char*>(b_.data() + pos_ + 2), len);
    if (got_tag != tag || got != n) {
        fail(std::string("expected ") + what + " '" + std::string(n) + "', found " +
             (got_tag == 'S' ? "section '" : got_tag == 'F' ? "field '" : "garbage '") + std::string(got) + "'");
        return false;
    }
    pos_ += 2 + len;
    return true;
}

uint32_t StateReader::section(std::string_view n, uint32_t version)
{
    if (!expect('S', n, "section"))
        return version;
    section_ = n;
    uint64_t v = 0;
    le(v, 4);
    if (v > version)
        fail("version " + std::to_string(v) + " is newer than this build reads (" + std::to_string(version) + ")");
    return static_cast<uint32_t>(v);
}

void StateReader::scalar(std::string_view n, unsigned size, uint64_t& v)
{
    if (!expect('F', n, "field"))
        return;
    uint64_t type = 0;
    if (!le(type, 1))
        return;
    if (type != size) {
        fail("field '" + std::string(n) + "' has " + std::to_string(type) + " bytes, expected " + std::to_string(size));
        return;
    }
    le(v, size);
}

void StateReader::blob(std::string_view n, std::vector<uint8_t>& v)
{
    if (!expect('F', n, "field"))
        return;
    uint64_t type = 0, len = 0;
    if (!le(type, 1) || type != kBlobType) {
        fail("field '" + std::string(n) + "' is not a byte string");
        return;
    }
    if (!le(len, 4))
        return;
    if (b_.size() - pos_ < len) {
        fail("field '" + std::string(n) + "' truncated");
        return;
    }
    v.assign(b_.begin() + static_cast<std::ptrdiff_t>(pos_), b_.begin() + static_cast<std::ptrdiff_t>(pos_ + len));
    pos_ += len;
}

uint64_t hash_state_bytes(const std::vector<uint8_t>& bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

bool StateReader::finish()
{
    if (!error_ && pos_ != b_.size())
        fail(std::to_string(b_.size() - pos_) + " bytes left over after the last component");
    return !error_;
}

std::optional<std::vector<StateField>> list_state_fields(std::span<const uint8_t> b)
{
    std::vector<StateField> out;
    std::string section;
    size_t pos = 0;
    auto take = [&](size_t n) -> std::optional<std::span<const uint8_t>> {
        if (b.size() - pos < n)
            return std::nullopt;
        std::span<const uint8_t> s = b.subspan(pos, n);
        pos += n;
        return s;
    };
    while (pos < b.size()) {
        std::optional<std::span<const uint8_t>> head = take(2);
        if (!head)
            return std::nullopt;
        char tag = static_cast<char>((*head)[0]);
        std::optional<std::span<const uint8_t>> name = take((*head)[1]);
        if (!name)
            return std::nullopt;
        std::string n(name->begin(), name->end());
        if (tag == 'S') {
            if (!take(4))
                return std::nullopt;
            section = n;
            continue;
        }
        std::optional<std::span<const uint8_t>> type = take(1);
        if (tag != 'F' || !type)
            return std::nullopt;
        size_t size = (*type)[0];
        if (size == kBlobType) {
            std::optional<std::span<const uint8_t>> length = take(4);
            if (!length)
                return std::nullopt;
            size = (*length)[0] | (*length)[1] << 8 | (*length)[2] << 16 | size_t{(*length)[3]} << 24;
        }
        std::optional<std::span<const uint8_t>> value = take(size);
        if (!value)
            return std::nullopt;
        out.push_back({section, n, *value});
    }
    return out;
}

namespace {

std::string value_text(std::span<const uint8_t> v)
{
    if (v.size() > 8)
        return std::to_string(v.size()) + " bytes";
    uint64_t x = 0;
    for (size_t i = 0; i < v.size(); ++i)
        x |= uint64_t{v[i]} << (8 * i);
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(x));
    return buf;
}

}  // namespace

std::optional<std::string> first_state_difference(std::span<const uint8_t> a, std::span<const uint8_t> b)
{
    if (a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin()))
        return std::nullopt;
    std::optional<std::vector<StateField>> fa = list_state_fields(a), fb = list_state_fields(b);
    if (!fa || !fb)
        return "the saved states differ and do not parse";
    for (size_t i = 0; i < fa->size() && i < fb->size(); ++i) {
        const StateField &x = (*fa)[i], &y = (*fb)[i];
        std::string where = x.section + "." + x.name;
        if (x.section != y.section || x.name != y.name)
            return "the states have different layouts (" + where + " vs " + y.section + "." + y.name + ")";
        if (x.value.size() == y.value.size() && std::equal(x.value.begin(), x.value.end(), y.value.begin()))
            continue;
        if (x.value.size() <= 8 && y.value.size() <= 8)
            return where + ": " + value_text(x.value) + " vs " + value_text(y.value);
        size_t at = 0;
        while (at < x.value.size() && at < y.value.size() && x.value[at] == y.value[at])
            ++at;
        return where + ": " + value_text(x.value) + " vs " + value_text(y.value) + ", first difference at byte " +
               std::to_string(at);
    }
    return "the states have different numbers of fields";
}

}  // namespace emu
