#include "replay/event_text.h"

#include <cstdio>
#include <optional>
#include <vector>

#include "machine/machine.h"
#include "replay/event_payloads.h"

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

// "3 bytes \"ab\\n\"" and the matching JSON members.
std::string data_text(std::span<const uint8_t> b)
{
    return num(uint64_t{b.size()}) + (b.size() == 1 ? " byte " : " bytes ") + quoted(b);
}

std::string data_json(std::span<const uint8_t> b)
{
    return "\"length\":" + num(uint64_t{b.size()}) + ",\"data\":" + json_bytes_string(b) + ",\"data_hex\":\"" +
           hex_bytes(b, "") + "\"";
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

EventDescription describe(const SerialInputEvent& e)
{
    return {true, "port " + num(uint64_t{e.port}) + ", round " + num(uint64_t{e.idle_round}) + ", " + data_text(e.bytes),
            "\"port\":" + num(uint64_t{e.port}) + ",\"round\":" + num(uint64_t{e.idle_round}) + "," + data_json(e.bytes)};
}

EventDescription describe(const ClockReadEvent& e)
{
    std::string clock = host_clock_name(e.clock);
    return {true, clock + " " + num(e.ns) + " ns", "\"clock\":" + json_text(clock) + ",\"ns\":" + num(e.ns)};
}

EventDescription describe(const SemihostingInputEvent& e)
{
    char op[16];
    std::snprintf(op, sizeof op, "0x%02x", e.operation);
    const char* name = semihosting_op_name(e.operation);
    std::string text = name ? std::string(name) + " (" + op + ")" : std::string("operation ") + op;
    text += ", result " + num(e.result);
    if (!e.bytes.empty())
        text += ", " + data_text(e.bytes);
    std::string json = "\"operation\":" + num(uint64_t{e.operation}) +
                       ",\"operation_name\":" + (name ? json_text(name) : std::string("null")) +
                       ",\"result\":" + num(e.result) + "," + data_json(e.bytes);
    return {true, text, json};
}

EventDescription describe(const InterruptLineEvent& e)
{
    std::string controller = e.controller == 0 ? "GIC" : "controller " + num(uint64_t{e.controller});
    return {true, controller + " line " + num(uint64_t{e.line}) + " level " + num(uint64_t{e.level}),
            "\"controller\":" + num(uint64_t{e.controller}) + ",\"line\":" + num(uint64_t{e.line}) +
                ",\"level\":" + num(uint64_t{e.level})};
}

EventDescription describe(const StateDigest& d)
{
    std::string text = "cpu=" + hex64(d.cpu) + ", ram=" + hex64(d.ram) + " (" + num(uint64_t{d.dirty_pages}) +
                       (d.dirty_pages == 1 ? " page" : " pages") + "), devices=" + hex64(d.devices) + ", output " +
                       num(d.output_bytes) + (d.output_bytes == 1 ? " byte " : " bytes ") + hex64(d.output) + ", " +
                       num(uint64_t{d.registers.size()}) + " registers";
    std::string json = "\"cpu\":" + json_hex(d.cpu) + ",\"ram\":" + json_hex(d.ram) +
                       ",\"dirty_pages\":" + num(uint64_t{d.dirty_pages}) + ",\"devices\":" + json_hex(d.devices) +
                       ",\"output_bytes\":" + num(d.output_bytes) + ",\"output\":" + json_hex(d.output) +
                       ",\"registers\":[";
    for (size_t i = 0; i < d.registers.size(); ++i) {
        if (i)
            json += ',';
        json += json_hex(d.registers[i]);
    }
    return {true, text, json + "]"};
}

EventDescription describe(const CheckpointEvent& c)
{
    std::string text = "checkpoint " + num(uint64_t{c.number}) + ", " + num(uint64_t{c.pages.size()}) +
                       (c.pages.size() == 1 ? " page" : " pages") + " written since the last, machine state " +
                       num(uint64_t{c.state.size()}) + " bytes";
    return {true, text,
            "\"number\":" + num(uint64_t{c.number}) + ",\"pages_written\":" + num(uint64_t{c.pages.size()}) +
                ",\"state_bytes\":" + num(uint64_t{c.state.size()})};
}

EventDescription describe(const CheckpointPagesEvent& e)
{
    uint64_t count = e.bytes.size() / kPageSize;
    std::string text = num(count) + (count == 1 ? " page" : " pages") + " from id " + num(uint64_t{e.first_id});
    return {true, text, "\"first_id\":" + num(uint64_t{e.first_id}) + ",\"pages\":" + num(count)};
}

EventDescription describe(const GuestExitEvent& e)
{
    std::string reason = stop_kind_name(e.kind);
    EventDescription state = describe(e.state);
    return {true, reason + " code " + std::to_string(e.exit_code) + "; final state " + state.text,
            "\"reason\":" + json_text(reason) + ",\"code\":" + std::to_string(e.exit_code) + ",\"state\":{" +
                state.json + "}"};
}

template <class T>
EventDescription or_malformed(const std::optional<T>& decoded, std::span<const uint8_t> p)
{
    if (!decoded)
        return malformed(p);
    return describe(*decoded);
}

}  // namespace

const char* semihosting_op_name(uint32_t op)
{
    switch (op) {
    case 0x01: return "SYS_OPEN";
    case 0x02: return "SYS_CLOSE";
    case 0x03: return "SYS_WRITEC";
    case 0x04: return "SYS_WRITE0";
    case 0x05: return "SYS_WRITE";
    case 0x06: return "SYS_READ";
    case 0x07: return "SYS_READC";
    case 0x08: return "SYS_ISERROR";
    case 0x09: return "SYS_ISTTY";
    case 0x0a: return "SYS_SEEK";
    case 0x0c: return "SYS_FLEN";
    case 0x0d: return "SYS_TMPNAM";
    case 0x0e: return "SYS_REMOVE";
    case 0x0f: return "SYS_RENAME";
    case 0x10: return "SYS_CLOCK";
    case 0x11: return "SYS_TIME";
    case 0x12: return "SYS_SYSTEM";
    case 0x13: return "SYS_ERRNO";
    case 0x15: return "SYS_GET_CMDLINE";
    case 0x16: return "SYS_HEAPINFO";
    case 0x18: return "SYS_EXIT";
    case 0x20: return "SYS_EXIT_EXTENDED";
    case 0x30: return "SYS_ELAPSED";
    case 0x31: return "SYS_TICKFREQ";
    }
    return nullptr;
}

EventDescription describe_event_payload(EventKind kind, std::span<const uint8_t> p)
{
    switch (kind) {
    case EventKind::SerialInput: return or_malformed(decode_serial_input(p), p);
    case EventKind::ClockRead: return or_malformed(decode_clock_read(p), p);
    case EventKind::SemihostingInput: return or_malformed(decode_semihosting_input(p), p);
    case EventKind::InterruptLine: return or_malformed(decode_interrupt_line(p), p);
    case EventKind::StateHash: return or_malformed(decode_state_hash(p), p);
    case EventKind::Checkpoint: return or_malformed(decode_checkpoint(p), p);
    case EventKind::CheckpointPages: return or_malformed(decode_checkpoint_pages(p), p);
    case EventKind::GuestExit: return or_malformed(decode_guest_exit(p), p);
    }
    return malformed(p);
}

bool event_payload_well_formed(EventKind kind, std::span<const uint8_t> p)
{
    switch (kind) {
    case EventKind::SerialInput: return decode_serial_input(p).has_value();
    case EventKind::ClockRead: return decode_clock_read(p).has_value();
    case EventKind::SemihostingInput: return decode_semihosting_input(p).has_value();
    case EventKind::InterruptLine: return decode_interrupt_line(p).has_value();
    case EventKind::StateHash: return decode_state_hash(p).has_value();
    case EventKind::Checkpoint: return decode_checkpoint(p).has_value();
    case EventKind::CheckpointPages: return decode_checkpoint_pages(p).has_value();
    case EventKind::GuestExit: return decode_guest_exit(p).has_value();
    }
    return false;
}

std::string event_line(uint64_t icount, EventKind kind, std::span<const uint8_t> payload)
{
    char head[64];
    std::snprintf(head, sizeof head, "%12llu  %-16s  ", static_cast<unsigned long long>(icount), event_kind_name(kind));
    return head + describe_event_payload(kind, payload).text;
}

std::string event_json(uint64_t icount, EventKind kind, std::span<const uint8_t> payload)
{
    std::string members = describe_event_payload(kind, payload).json;
    return "{\"icount\":" + num(icount) + ",\"kind\":" + json_text(event_kind_name(kind)) +
           (members.empty() ? "" : ",") + members + "}";
}

}  // namespace emu
