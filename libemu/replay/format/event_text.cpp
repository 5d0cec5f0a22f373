#include "replay/format/event_text.h"

#include <cstdio>
#include <optional>
#include <string_view>
#include <vector>

#include "replay/format/event_payloads.h"

namespace emu {

namespace {

// Bytes of data shown in a text description; JSON always carries all of them.
constexpr size_t kTextDataBytes = 64;

std::string hex64(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string num(uint64_t v) { return std::to_string(v); }
std::string num(int64_t v) { return std::to_string(v); }

std::string hex_bytes(std::span<const uint8_t> b, const char* sep)
{
    std::string out;
    char buf[4];
    for (size_t i = 0; i < b.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%02x", b[i]);
        if (i)
            out += sep;
        out += buf;
    }
    return out;
}

// A C-style quoted string of the bytes: printable ASCII as is, the rest escaped, cut after
// kTextDataBytes with "..." so one event stays one line.
std::string quoted(std::span<const uint8_t> b)
{
    std::string out = "\"";
    size_t n = b.size() < kTextDataBytes ? b.size() : kTextDataBytes;
    for (size_t i = 0; i < n; ++i) {
        uint8_t c = b[i];
        switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                out += static_cast<char>(c);
            } else {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", c);
                out += buf;
            }
        }
    }
    out += "\"";
    if (n < b.size())
        out += "...";
    return out;
}

// A JSON string of arbitrary bytes, each byte taken as the code point of the same value, so
// the result is valid JSON (ASCII only) and loses nothing.
std::string json_bytes_string(std::span<const uint8_t> b)
{
    std::string out = "\"";
    for (uint8_t c : b) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                out += static_cast<char>(c);
            } else {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            }
        }
    }
    return out + "\"";
}

std::string json_text(const std::string& s)
{
    return json_bytes_string(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

std::string json_hex(uint64_t v)
{
    char buf[28];
    std::snprintf(buf, sizeof buf, "\"0x%016llx\"", static_cast<unsigned long long>(v));
    return buf;
}

// "3 bytes \"ab\\n\"": the size and the bytes as text.
std::string data_text(std::span<const uint8_t> b)
{
    return num(uint64_t{b.size()}) + (b.size() == 1 ? " byte " : " bytes ") + quoted(b);
}

EventDescription malformed(std::span<const uint8_t> p)
{
    constexpr size_t kShown = 32;
    std::string shown = hex_bytes(p.first(p.size() < kShown ? p.size() : kShown), " ");
    std::string text = "malformed payload (" + num(uint64_t{p.size()}) + (p.size() == 1 ? " byte" : " bytes");
    if (!p.empty())
        text += ": " + shown + (p.size() > kShown ? " ..." : "");
    text += ")";
    return {false, text, "\"malformed\":true,\"payload_hex\":\"" + hex_bytes(p, "") + "\""};
}

// Prints a payload as its walk() names it: "name=value" items for people, members for JSON,
// or only one of the two (a listing of thousands of state hashes wants no JSON of their
// register lists).
class Describer {
public:
    enum class Want { Both, Text, Json };
    explicit Describer(Want want = Want::Both) : want_(want) {}

    template <class T>
    void integer(std::string_view name, const T& v)
    {
        item(name, num(uint64_t{v}), num(uint64_t{v}));
    }
    template <class T>
    void signed_integer(std::string_view name, const T& v)
    {
        item(name, num(int64_t{v}), num(int64_t{v}));
    }
    template <class T>
    void varint(std::string_view name, const T& v, uint64_t)
    {
        integer(name, v);
    }
    void hash(std::string_view name, const uint64_t& v) { item(name, hex64(v), json_hex(v)); }
    template <class E>
    void enumeration(std::string_view name, const E& v)
    {
        std::string n = EnumCodec<E>::name(v);
        item(name, n, json_text(n));
    }
    void text_rest(std::string_view name, const std::vector<uint8_t>& v, size_t)
    {
        std::string key(name);
        item(name, data_text(v), json_bytes_string(v));
        json_member(key + "_hex", "\"" + hex_bytes(v, "") + "\"");
        json_member(key + "_length", num(uint64_t{v.size()}));
    }
    void blob_rest(std::string_view name, const std::vector<uint8_t>& v, size_t) { blob(name, v); }
    void blob(std::string_view name, const std::vector<uint8_t>& v)
    {
        text_item(name, num(uint64_t{v.size()}) + (v.size() == 1 ? " byte" : " bytes"));
        json_member(std::string(name) + "_bytes", num(uint64_t{v.size()}));
    }
    template <class T, class Each>
    void list(std::string_view name, std::vector<T>& v, uint64_t, Each&& each)
    {
        // Text gives the count; JSON every element (unnamed ones as values, others as objects).
        text_item(name, num(uint64_t{v.size()}) + (v.size() == 1 ? " entry" : " entries"));
        if (want_ == Want::Text)
            return;
        std::string array = "[";
        for (size_t i = 0; i < v.size(); ++i) {
            Describer element;
            each(element, v[i]);
            array += (i ? "," : "") + element.json_value();
        }
        json_member(std::string(name), array + "]");
    }
    void ascending(std::string_view name, const uint64_t& v, uint64_t&, uint64_t) { integer(name, v); }
    template <class T>
    void nested(std::string_view name, T& v)
    {
        Describer inner(want_);
        walk(inner, v);
        text_item(name, "{" + inner.text_ + "}");
        json_member(std::string(name), "{" + inner.json_ + "}");
    }
    void check(bool, std::string_view) {}

    EventDescription description() const { return {true, text_, json_}; }

private:
    void item(std::string_view name, const std::string& text, const std::string& json)
    {
        text_item(name, text);
        json_member(std::string(name), json);
    }
    void text_item(std::string_view name, const std::string& text)
    {
        if (want_ == Want::Json)
            return;
        text_ += (text_.empty() ? "" : ", ") + (name.empty() ? text : std::string(name) + "=" + text);
    }
    void json_member(const std::string& name, const std::string& json)
    {
        if (want_ == Want::Text)
            return;
        if (name.empty())
            value_ = json;
        else
            json_ += (json_.empty() ? "" : ",") + json_text(name) + ":" + json;
    }
    // An element of a list: an unnamed field is the value itself, named ones an object.
    std::string json_value() const { return json_.empty() ? value_ : "{" + json_ + "}"; }

    Want want_;
    std::string text_;
    std::string json_;
    std::string value_;
};

template <class T>
EventDescription describe(std::span<const uint8_t> p, Describer::Want want)
{
    std::optional<T> decoded = decode<T>(p);
    if (!decoded)
        return malformed(p);
    Describer d(want);
    walk(d, *decoded);
    return d.description();
}

EventDescription describe_as(EventKind kind, std::span<const uint8_t> p, Describer::Want want)
{
    switch (kind) {
#define RR_EVENT(name, id, payload, cls) \
    case EventKind::name: return describe<payload>(p, want);
#include "replay/format/events.inc"
#undef RR_EVENT
    }
    return malformed(p);
}

}  // namespace

EventDescription describe_event_payload(EventKind kind, std::span<const uint8_t> p)
{
    return describe_as(kind, p, Describer::Want::Both);
}

bool event_payload_well_formed(EventKind kind, std::span<const uint8_t> p)
{
    switch (kind) {
#define RR_EVENT(name, id, payload, cls) \
    case EventKind::name: return decode<payload>(p).has_value();
#include "replay/format/events.inc"
#undef RR_EVENT
    }
    return false;
}

std::string event_line(uint64_t icount, EventKind kind, std::span<const uint8_t> payload)
{
    char head[64];
    std::snprintf(head, sizeof head, "%12llu  %-16s  ", static_cast<unsigned long long>(icount), event_kind_name(kind));
    return head + describe_as(kind, payload, Describer::Want::Text).text;
}

std::string event_json(uint64_t icount, EventKind kind, std::span<const uint8_t> payload)
{
    std::string members = describe_as(kind, payload, Describer::Want::Json).json;
    return "{\"icount\":" + num(icount) + ",\"kind\":" + json_text(event_kind_name(kind)) +
           (members.empty() ? "" : ",") + members + "}";
}

}  // namespace emu
