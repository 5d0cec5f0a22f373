#include "core/state_archive.h"

#include <xxhash.h>

namespace emu {

namespace {
constexpr uint8_t kBlobType = 0x10;
constexpr size_t kMaxName = 255;
}  // namespace

void StateWriter::le(uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; ++i)
        bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void StateWriter::name(char tag, std::string_view n)
{
    bytes_.push_back(static_cast<uint8_t>(tag));
    bytes_.push_back(static_cast<uint8_t>(std::min(n.size(), kMaxName)));
    bytes_.insert(bytes_.end(), n.begin(), n.begin() + static_cast<std::ptrdiff_t>(std::min(n.size(), kMaxName)));
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
    bytes_.push_back(static_cast<uint8_t>(size));
    le(v, size);
}

void StateWriter::blob(std::string_view n, std::vector<uint8_t>& v)
{
    name('F', n);
    bytes_.push_back(kBlobType);
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

}  // namespace emu
