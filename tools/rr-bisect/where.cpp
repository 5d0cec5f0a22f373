#include "tools/rr-bisect/where.h"

#include <deque>

#include "core/format.h"
#include "replay/format/event_text.h"
#include "replay/format/recording_reader.h"
#include "tools/common/disassemble.h"
#include "tools/common/json.h"

namespace emu::bisect {

using tools::json_string;

std::string instruction_at(Machine& m, const std::string& machine_name, uint64_t pc)
{
    // Long enough for any instruction of either architecture.
    std::vector<uint8_t> bytes;
    for (uint64_t a = pc; a < pc + 15; ++a) {
        uint64_t b;
        if (!m.read_memory(a, 1, b))
            break;
        bytes.push_back(static_cast<uint8_t>(b));
    }
    return tools::disassemble_one(machine_name, pc, bytes);
}

Result<Done> add_events_before(const std::string& recording, uint64_t icount, size_t count, Where& where)
{
    Result<RecordingReader> reader = RecordingReader::open(recording);
    if (!reader)
        return reader.error();
    std::deque<std::pair<std::string, std::string>> last;
    RecordingEvent ev;
    for (;;) {
        Result<bool> more = reader->next(ev);
        if (!more)
            return more.error();
        if (!*more || ev.icount > icount)
            break;
        // The inputs and the exit; hashes and checkpoints are the recorder's bookkeeping.
        if (ev.kind == EventKind::CheckpointPages || ev.kind == EventKind::Checkpoint || ev.kind == EventKind::StateHash)
            continue;
        last.emplace_back(event_line(ev.icount, ev.kind, ev.payload), event_json(ev.icount, ev.kind, ev.payload));
        if (last.size() > count)
            last.pop_front();
    }
    for (auto& [text, json] : last) {
        where.events_text.push_back(text);
        where.events_json.push_back(json);
    }
    return Done{};
}

std::string where_text(const Where& w)
{
    std::string out = "  pc " + hex(w.pc) + " (the next instruction)\n";
    if (w.has_last)
        out += "  last instruction: " + hex(w.last_pc) +
               (w.last_instruction.empty() ? "" : ": " + w.last_instruction) + " (icount " +
               std::to_string(w.icount - 1) + " -> " + std::to_string(w.icount) + ")\n";
    if (!w.events_text.empty()) {
        out += "  last recorded inputs up to it:\n";
        for (const std::string& e : w.events_text)
            out += "    " + e + "\n";
    }
    return out;
}

std::string where_json(const Where& w)
{
    std::string j = "\"pc\":" + json_string(hex(w.pc)) +
                    ",\"last_pc\":" + (w.has_last ? json_string(hex(w.last_pc)) : "null") +
                    ",\"last_instruction\":" + (w.last_instruction.empty() ? "null" : json_string(w.last_instruction)) +
                    ",\"last_events\":[";
    for (size_t i = 0; i < w.events_json.size(); ++i)
        j += (i ? "," : "") + w.events_json[i];
    return j + "]";
}

}  // namespace emu::bisect
