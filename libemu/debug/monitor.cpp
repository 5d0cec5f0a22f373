#include "debug/monitor.h"

#include <algorithm>
#include <vector>

#include "core/format.h"
#include "debug/stop_reply.h"

namespace emu::debug {

namespace {

// Checkpoint lists longer than this are cut, so one command cannot flood the console.
constexpr size_t kMaxListedCheckpoints = 1000;

constexpr std::string_view kHelp =
    "replay_info               icount, place in the recording, nearest checkpoints, last stop\n"
    "replay_break N            stop when continuing or reverse-continuing reaches icount N\n"
    "replay_delete_break [N]   delete the icount breakpoint at N, or all of them\n"
    "replay_seek N             go to icount N (then `maint flush register-cache`)\n"
    "checkpoints               the icounts the replay can restore directly\n"
    "help                      this list\n";

std::vector<std::string_view> split_words(std::string_view s)
{
    std::vector<std::string_view> words;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
            ++i;
        size_t start = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t')
            ++i;
        if (i > start)
            words.push_back(s.substr(start, i - start));
    }
    return words;
}

// Decimal digits only, as everywhere on rr-emu command lines.
std::optional<uint64_t> parse_count(std::string_view s)
{
    if (s.empty())
        return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        unsigned d = static_cast<unsigned>(c - '0');
        if (v > (UINT64_MAX - d) / 10)
            return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

MonitorResult fail(std::string message)
{
    return {false, std::move(message) + "\n"};
}

// A watched value: as a number when it fits 64 bits (little-endian, as both guests are), as
// bytes in memory order otherwise.
std::string value_text(const std::vector<uint8_t>& bytes)
{
    if (bytes.empty())
        return "(unreadable)";
    if (bytes.size() <= 8) {
        uint64_t v = 0;
        for (size_t i = 0; i < bytes.size(); ++i)
            v |= uint64_t{bytes[i]} << (8 * i);
        return hex(v);
    }
    std::string s;
    const char digits[] = "0123456789abcdef";
    for (uint8_t b : bytes) {
        s.push_back(digits[b >> 4]);
        s.push_back(digits[b & 15]);
    }
    return s;
}

MonitorResult replay_info(MonitorContext& c)
{
    uint64_t icount = c.target.icount();
    Extent e = c.target.extent();
    std::string out = "icount " + std::to_string(icount) + ", recording " + std::to_string(e.begin) + " to " +
                      std::to_string(e.end);
    if (e.end > e.begin) {
        // Tenths of a percent, in integers so that the text is the same everywhere.
        unsigned __int128 done = static_cast<unsigned __int128>(icount - e.begin) * 1000 / (e.end - e.begin);
        unsigned tenths = static_cast<unsigned>(done);
        out += " (" + std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "% through)";
    }
    out += "\npc " + hex(read_pc(c.description, c.target)) + "\n";

    std::vector<uint64_t> checkpoints = c.target.checkpoints();
    auto after = std::upper_bound(checkpoints.begin(), checkpoints.end(), icount);
    out += "nearest checkpoints: ";
    out += after == checkpoints.begin() ? "none at or before" : std::to_string(*std::prev(after)) + " at or before";
    out += ", ";
    out += after == checkpoints.end() ? "none after" : std::to_string(*after) + " after";
    out += " (" + std::to_string(checkpoints.size()) + " in all)\n";

    out += "icount breakpoints:";
    if (c.breakpoints.icounts().empty())
        out += " none";
    for (uint64_t n : c.breakpoints.icounts()) {
        out += ' ';
        out += std::to_string(n);
    }
    out += "\nlast stop: ";
    out += c.last_stop ? describe_stop(*c.last_stop) : "none since the session began or the last seek";
    out += "\n";
    return {true, out};
}

MonitorResult list_checkpoints(MonitorContext& c)
{
    std::vector<uint64_t> checkpoints = c.target.checkpoints();
    uint64_t icount = c.target.icount();
    std::string out = std::to_string(checkpoints.size()) + " checkpoints (icounts):\n";
    auto nearest = std::upper_bound(checkpoints.begin(), checkpoints.end(), icount);
    for (size_t i = 0; i < checkpoints.size() && i < kMaxListedCheckpoints; ++i) {
        out += "  " + std::to_string(checkpoints[i]);
        if (nearest != checkpoints.begin() && i == static_cast<size_t>(nearest - checkpoints.begin()) - 1)
            out += "  <- nearest at or before icount " + std::to_string(icount);
        out += "\n";
    }
    if (checkpoints.size() > kMaxListedCheckpoints)
        out += "  ... and " + std::to_string(checkpoints.size() - kMaxListedCheckpoints) + " more\n";
    return {true, out};
}

MonitorResult replay_break(MonitorContext& c, uint64_t n)
{
    Extent e = c.target.extent();
    if (n < e.begin || n > e.end)
        return fail("icount " + std::to_string(n) + " is outside the recording (" + std::to_string(e.begin) + " to " +
                    std::to_string(e.end) + ")");
    if (!c.breakpoints.insert_icount(n))
        return fail("too many icount breakpoints (at most " + std::to_string(kMaxBreakpoints) + ")");
    return {true, "icount breakpoint at " + std::to_string(n) + "\n"};
}

MonitorResult replay_delete_break(MonitorContext& c, std::optional<uint64_t> n)
{
    if (!n) {
        size_t count = c.breakpoints.icounts().size();
        c.breakpoints.clear_icounts();
        return {true, "deleted " + std::to_string(count) + " icount breakpoints\n"};
    }
    if (!c.breakpoints.remove_icount(*n))
        return fail("no icount breakpoint at " + std::to_string(*n));
    return {true, "deleted the icount breakpoint at " + std::to_string(*n) + "\n"};
}

MonitorResult replay_seek(MonitorContext& c, uint64_t n)
{
    Result<Done> r = c.target.seek(n);
    if (!r)
        return fail(r.error().message);
    c.last_stop.reset();
    return {true, "at icount " + std::to_string(c.target.icount()) + ", pc " + hex(read_pc(c.description, c.target)) +
                      "\ngdb still shows the old position until `maint flush register-cache`\n"};
}

}  // namespace

std::string describe_stop(const StopEvent& event)
{
    switch (event.kind) {
    case StopKind::Stepped: return "step";
    case StopKind::Breakpoint: return "breakpoint";
    case StopKind::IcountBreakpoint: return "icount breakpoint";
    case StopKind::Interrupted: return "interrupted";
    case StopKind::RecordingBegin: return "beginning of the recording";
    case StopKind::RecordingEnd: return "end of the recording";
    case StopKind::Watchpoint: break;
    }
    if (!event.watch)
        return "watchpoint";
    const WatchHit& w = *event.watch;
    std::string kind;
    switch (w.watchpoint.kind) {
    case WatchKind::Write: kind = "write"; break;
    case WatchKind::Read: kind = "read"; break;
    case WatchKind::Access: kind = "access"; break;
    }
    return kind + " watchpoint " + hex(w.watchpoint.addr) + " (" + std::to_string(w.watchpoint.length) + " bytes), " +
           (w.write ? "written" : "read") + " at " + hex(w.access_addr) + " by the instruction at icount " +
           std::to_string(w.access_icount) + ": " + value_text(w.old_value) + " -> " + value_text(w.new_value);
}

MonitorResult run_monitor_command(std::string_view command, MonitorContext& context)
{
    std::vector<std::string_view> words = split_words(command);
    if (words.empty())
        return {true, std::string(kHelp)};
    std::string name(words[0]);
    bool takes_count = name == "replay_break" || name == "replay_delete_break" || name == "replay_seek";
    bool takes_nothing = name == "replay_info" || name == "checkpoints" || name == "help";
    if (!takes_count && !takes_nothing)
        return fail("unknown monitor command '" + name + "'; `monitor help` lists them");
    if (words.size() > (takes_count ? 2u : 1u))
        return fail("monitor " + name + ": too many arguments");

    std::optional<uint64_t> n;
    if (words.size() == 2) {
        n = parse_count(words[1]);
        if (!n)
            return fail("monitor " + name + ": '" + std::string(words[1]) + "' is not an icount (decimal digits)");
    }
    if (!n && name != "replay_delete_break" && takes_count)
        return fail("monitor " + name + " needs an icount");

    if (name == "replay_info")
        return replay_info(context);
    if (name == "checkpoints")
        return list_checkpoints(context);
    if (name == "replay_break")
        return replay_break(context, *n);
    if (name == "replay_delete_break")
        return replay_delete_break(context, n);
    if (name == "replay_seek")
        return replay_seek(context, *n);
    return {true, std::string(kHelp)};
}

}  // namespace emu::debug
