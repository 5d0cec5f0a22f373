// One event's payload described for people and for programs, from the payload's walk()
// (event_payloads.h): the text a listing, a replay report or a bisect report prints
// ("device=0, round=0, data=3 bytes \"ab\\n\""), and the same fields as JSON object members.
// Decoding is the strict decoding of event_payloads.h; a payload that does not decode is
// described as malformed (with its bytes), never guessed at.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "replay/format/recording_format.h"

namespace emu {

struct EventDescription {
    bool well_formed = false;  // the payload decodes strictly for its kind
    // Without icount or kind: "device=0, round=0, data=3 bytes \"ab\\n\"",
    // "reason=poweroff, code=0, state={...}", or "malformed payload (5 bytes: 01 02 03 04 05)".
    std::string text;
    // JSON object members without the braces, e.g. "\"device\":0,\"round\":0,\"data\":\"ab\\n\",...";
    // for a malformed payload "\"malformed\":true,\"payload_hex\":\"0102030405\"". Hashes are
    // strings of hex digits, since JSON numbers lose u64 precision.
    std::string json;
};

EventDescription describe_event_payload(EventKind kind, std::span<const uint8_t> payload);

// Whether the payload decodes strictly for its kind (cheaper than describing it).
bool event_payload_well_formed(EventKind kind, std::span<const uint8_t> payload);

// One listing line without a newline: icount, kind name, payload text.
//   "1234  SerialInput  device=0, round=0, data=3 bytes \"ab\\n\""
std::string event_line(uint64_t icount, EventKind kind, std::span<const uint8_t> payload);

// One complete JSON object: {"icount":1234,"kind":"SerialInput",...payload members...}
std::string event_json(uint64_t icount, EventKind kind, std::span<const uint8_t> payload);

}  // namespace emu
