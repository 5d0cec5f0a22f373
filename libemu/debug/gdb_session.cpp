#include "debug/gdb_session.h"

#include <algorithm>
#include <vector>

#include "debug/hex.h"
#include "debug/monitor.h"
#include "debug/packet_codec.h"
#include "debug/stop_reply.h"

namespace emu::debug {

namespace {

constexpr std::string_view kFeatures =
    "PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;ReverseStep+;ReverseContinue+;"
    "QStartNoAckMode+;vContSupported+";
static_assert(kMaxPacketSize == 0x4000, "PacketSize in kFeatures states kMaxPacketSize");

constexpr std::string_view kReadOnlyRegisters =
    "rr-emu: registers are read-only, a replay cannot change what was recorded";
constexpr std::string_view kReadOnlyMemory = "rr-emu: memory is read-only, a replay cannot change what was recorded";
constexpr std::string_view kNoJump =
    "rr-emu: a replay goes on where the recording went, it cannot resume at another address";

// The error reply for anything malformed.
constexpr std::string_view kMalformed = "E01";
// The memory read error (EFAULT, as gdbserver sends).
constexpr std::string_view kUnreadable = "E14";

// A thread id of a vCont action or T packet: "-1" (all), "0" (any), a hex id, or
// "pPID.TID" with either part -1. True if it can mean our one thread.
bool names_our_thread(std::string_view id)
{
    auto matches = [](std::string_view part) {
        if (part == "-1")
            return true;
        PacketCursor c(part);
        std::optional<uint64_t> n = c.hex();
        return n && c.at_end() && (*n == 0 || *n == kThreadId);
    };
    if (id.starts_with('p')) {
        size_t dot = id.find('.');
        if (dot == std::string_view::npos)
            return matches(id.substr(1));
        return matches(id.substr(1, dot - 1)) && matches(id.substr(dot + 1));
    }
    return matches(id);
}

}  // namespace

const char* session_end_name(SessionEnd end)
{
    switch (end) {
    case SessionEnd::Detached: return "detached";
    case SessionEnd::Killed: return "killed";
    case SessionEnd::Disconnected: return "disconnected";
    }
    return "?";
}

GdbSession::GdbSession(Transport& transport, DebugTarget& target)
    : transport_(transport), target_(target), description_(target_description(target.arch()))
{
}

SessionEnd GdbSession::run()
{
    for (;;) {
        std::optional<InputEvent> event = reader_.next();
        if (!event) {
            if (peer_closed_)
                return SessionEnd::Disconnected;
            std::string bytes = transport_.receive();
            if (bytes.empty())
                return SessionEnd::Disconnected;
            reader_.feed(bytes);
            continue;
        }
        switch (event->kind) {
        case InputEvent::Kind::Packet: {
            if (ack_mode_)
                transport_.send("+");
            Next next = handle(event->data);
            if (next == Next::Detach)
                return SessionEnd::Detached;
            if (next == Next::Kill)
                return SessionEnd::Killed;
            break;
        }
        case InputEvent::Kind::Ack:
        case InputEvent::Kind::Interrupt:  // the target is stopped already
            break;
        case InputEvent::Kind::Nak:
            if (ack_mode_ && !last_sent_.empty())
                transport_.send(last_sent_);
            break;
        case InputEvent::Kind::BadChecksum:
            // In acknowledged mode gdb sends the packet again; without acks nobody would, so
            // the packet is answered as malformed instead of leaving gdb waiting.
            if (ack_mode_)
                transport_.send("-");
            else
                reply(kMalformed);
            break;
        case InputEvent::Kind::TooLong:
        case InputEvent::Kind::BadRunLength:
            // Sending it again would not help: accept it and answer that it was malformed.
            if (ack_mode_)
                transport_.send("+");
            reply(kMalformed);
            break;
        }
    }
}

void GdbSession::reply(std::string_view data)
{
    last_sent_ = frame_packet(data);
    transport_.send(last_sent_);
}

void GdbSession::console(std::string_view text)
{
    constexpr size_t kChunk = (kMaxPacketSize - 1) / 2;
    for (size_t at = 0; at < text.size(); at += kChunk) {
        std::string packet = "O";
        packet += to_hex(text.substr(at, kChunk));
        reply(packet);
    }
}

void GdbSession::refuse(std::string_view why)
{
    // E.text is not escaped, so nothing in it may look like framing or run-length encoding.
    std::string text(why);
    for (char& c : text) {
        if (c < 0x20 || c > 0x7e || c == '$' || c == '#' || c == '*' || c == '}')
            c = '?';
    }
    reply("E." + text);
}

GdbSession::Next GdbSession::handle(std::string_view packet)
{
    if (packet.empty()) {
        reply("");
        return Next::Serve;
    }
    std::string_view args = packet.substr(1);
    switch (packet[0]) {
    case '?': reply(stop_reply(last_stop_.value_or(StopEvent{}), breakpoints_, description_, target_)); break;
    case 'g': read_registers(); break;
    case 'G':
    case 'P': refuse(kReadOnlyRegisters); break;
    case 'p': read_register(args); break;
    case 'm': read_memory(args); break;
    case 'M': write_memory(args, false); break;
    case 'X': write_memory(args, true); break;
    case 'c': resume_packet(args, Motion::Continue, false); break;
    case 's': resume_packet(args, Motion::Step, false); break;
    case 'C': resume_packet(args, Motion::Continue, true); break;
    case 'S': resume_packet(args, Motion::Step, true); break;
    case 'b':
        if (args == "s")
            resume(Direction::Backward, Motion::Step);
        else if (args == "c")
            resume(Direction::Backward, Motion::Continue);
        else
            reply("");
        break;
    case 'Z': breakpoint(args, true); break;
    case 'z': breakpoint(args, false); break;
    case 'H': reply(args.starts_with('g') || args.starts_with('c') ? "OK" : ""); break;
    case 'T': reply(!args.empty() && args != "-1" && names_our_thread(args) ? "OK" : kMalformed); break;
    case 'D': reply("OK"); return Next::Detach;
    case 'k': return Next::Kill;  // gdb does not wait for an answer
    case 'q': query(packet); break;
    case 'Q':
        if (packet == "QStartNoAckMode") {
            reply("OK");  // still acknowledged; gdb's '+' for it is the last one
            ack_mode_ = false;
        } else {
            reply("");
        }
        break;
    case 'v':
        if (packet == "vCont?") {
            reply("vCont;c;C;s;S");
        } else if (packet.starts_with("vCont;")) {
            vcont(packet.substr(6));
        } else if (packet.starts_with("vKill")) {
            reply("OK");
            return Next::Kill;
        } else {
            reply("");  // vMustReplyEmpty and everything we do not support
        }
        break;
    default: reply(""); break;
    }
    return Next::Serve;
}

void GdbSession::read_registers()
{
    std::string out;
    for (unsigned regnum = 0; regnum < description_.register_count(); ++regnum) {
        std::vector<uint8_t> bytes(description_.register_bytes(regnum));
        out += target_.read_register(regnum, bytes) ? to_hex(bytes) : std::string(bytes.size() * 2, 'x');
    }
    reply(out);
}

void GdbSession::read_register(std::string_view args)
{
    PacketCursor c(args);
    std::optional<uint64_t> regnum = c.hex();
    if (!regnum || !c.at_end() || *regnum >= description_.register_count()) {
        reply(kMalformed);
        return;
    }
    unsigned n = static_cast<unsigned>(*regnum);
    std::vector<uint8_t> bytes(description_.register_bytes(n));
    reply(target_.read_register(n, bytes) ? to_hex(bytes) : std::string(bytes.size() * 2, 'x'));
}

void GdbSession::read_memory(std::string_view args)
{
    PacketCursor c(args);
    std::optional<uint64_t> addr = c.hex();
    bool comma = c.skip(',');
    std::optional<uint64_t> length = c.hex();
    if (!addr || !comma || !length || !c.at_end()) {
        reply(kMalformed);
        return;
    }
    // As much as one reply holds, and nothing past the top of the address space; the protocol
    // lets a reply be shorter than asked.
    uint64_t n = std::min<uint64_t>(*length, kMaxPacketSize / 2);
    if (*addr != 0)
        n = std::min<uint64_t>(n, 0 - *addr);
    if (n == 0) {
        reply("");
        return;
    }
    std::vector<uint8_t> bytes(n);
    size_t got = target_.read_memory(*addr, bytes);
    if (got == 0) {
        reply(kUnreadable);
        return;
    }
    bytes.resize(std::min(got, bytes.size()));
    reply(to_hex(bytes));
}

void GdbSession::write_memory(std::string_view args, bool binary)
{
    PacketCursor c(args);
    std::optional<uint64_t> addr = c.hex();
    bool comma = c.skip(',');
    std::optional<uint64_t> length = c.hex();
    if (!addr || !comma || !length || !c.skip(':')) {
        reply(kMalformed);
        return;
    }
    // gdb probes for X support with an empty write, which changes nothing and so succeeds.
    if (*length == 0) {
        reply("OK");
        return;
    }
    bool well_formed = binary ? unescape_binary(c.rest()).has_value() : from_hex(c.rest()).has_value();
    if (!well_formed) {
        reply(kMalformed);
        return;
    }
    // gdb shows "Cannot access memory at address ..." and nothing of the E.text; the reason
    // reaches its console once it reads O packets again (one note for a run of refusals).
    if (console_note_.empty())
        console_note_ = "rr-emu: the write to memory at 0x" + hex_number(*addr) + " was refused: " +
                        std::string(kReadOnlyMemory.substr(kReadOnlyMemory.find(':') + 2)) + "\n";
    refuse(kReadOnlyMemory);
}

void GdbSession::flush_console_note()
{
    console(console_note_);
    console_note_.clear();
}

void GdbSession::resume_packet(std::string_view args, Motion motion, bool has_signal)
{
    PacketCursor c(args);
    if (has_signal) {
        // The signal is dropped: a replay delivers what the recording delivered.
        if (!c.hex()) {
            reply(kMalformed);
            return;
        }
        if (c.at_end()) {
            resume(Direction::Forward, motion);
            return;
        }
        if (!c.skip(';')) {
            reply(kMalformed);
            return;
        }
    } else if (c.at_end()) {
        resume(Direction::Forward, motion);
        return;
    }
    std::optional<uint64_t> addr = c.hex();
    if (!addr || !c.at_end())
        reply(kMalformed);
    else
        refuse(kNoJump);
}

void GdbSession::vcont(std::string_view args)
{
    // Actions apply to the threads they name, the leftmost one that names a thread winning.
    size_t at = 0;
    while (at <= args.size()) {
        size_t end = std::min(args.find(';', at), args.size());
        std::string_view action = args.substr(at, end - at);
        at = end + 1;
        size_t colon = action.find(':');
        std::string_view verb = action.substr(0, colon);
        if (colon != std::string_view::npos && !names_our_thread(action.substr(colon + 1)))
            continue;
        std::optional<Motion> motion;
        if (verb == "c")
            motion = Motion::Continue;
        else if (verb == "s")
            motion = Motion::Step;
        else if (verb.size() > 1 && (verb[0] == 'C' || verb[0] == 'S')) {
            PacketCursor c(verb.substr(1));
            if (c.hex() && c.at_end())
                motion = verb[0] == 'C' ? Motion::Continue : Motion::Step;
        }
        if (!motion)
            break;
        resume(Direction::Forward, *motion);
        return;
    }
    reply(kMalformed);
}

void GdbSession::resume(Direction direction, Motion motion)
{
    // Stop on the side of the access where gdb expects to find the target: see WatchSide.
    bool near_side = description_.gdb_steps_over_watched_access();
    bool forward = direction == Direction::Forward;
    WatchSide side = near_side == forward ? WatchSide::BeforeAccess : WatchSide::AfterAccess;
    flush_console_note();
    StopEvent event =
        target_.resume(direction, motion, breakpoints_.conditions(side), [this] { return poll_interrupt(); });
    if (event.kind == StopKind::IcountBreakpoint)
        console("rr-emu: icount breakpoint, stopped at icount " + std::to_string(target_.icount()) + "\n");
    last_stop_ = event;
    reply(stop_reply(event, breakpoints_, description_, target_));
}

bool GdbSession::poll_interrupt()
{
    bool closed = false;
    reader_.feed(transport_.poll(closed));
    if (closed)
        peer_closed_ = true;
    return peer_closed_ || reader_.take_interrupt();
}

void GdbSession::breakpoint(std::string_view args, bool insert)
{
    PacketCursor c(args);
    std::optional<uint64_t> type = c.hex();
    bool comma1 = c.skip(',');
    std::optional<uint64_t> addr = c.hex();
    bool comma2 = c.skip(',');
    std::optional<uint64_t> kind = c.hex();
    if (!type || !comma1 || !addr || !comma2 || !kind || !c.at_end()) {
        reply(kMalformed);
        return;
    }
    if (*type <= 1) {
        // kind is the breakpoint instruction's size, which a replay has no use for.
        BreakpointType t = *type == 0 ? BreakpointType::Software : BreakpointType::Hardware;
        if (insert && !breakpoints_.insert(t, *addr)) {
            reply(kMalformed);
            return;
        }
        if (!insert)
            breakpoints_.remove(t, *addr);
        reply("OK");
        return;
    }
    if (*type > 4) {
        reply("");
        return;
    }
    if (*kind == 0 || *kind > kMaxWatchLength) {
        reply(kMalformed);
        return;
    }
    WatchKind watch_kind = *type == 2 ? WatchKind::Write : *type == 3 ? WatchKind::Read : WatchKind::Access;
    if (!target_.supports_watch(watch_kind)) {
        reply("");
        return;
    }
    Watchpoint w{*addr, *kind, watch_kind};
    if (insert && !breakpoints_.insert(w)) {
        reply(kMalformed);
        return;
    }
    if (!insert)
        breakpoints_.remove(w);
    reply("OK");
}

void GdbSession::query(std::string_view packet)
{
    const std::string thread = hex_number(kThreadId);
    if (packet == "qSupported" || packet.starts_with("qSupported:"))
        reply(kFeatures);
    else if (packet.starts_with("qXfer:features:read:"))
        read_features(packet.substr(20));
    else if (packet.starts_with("qRcmd,"))
        monitor(packet.substr(6));
    else if (packet == "qAttached" || packet.starts_with("qAttached:"))
        reply("1");  // gdb detaches rather than kills when it quits
    else if (packet == "qC")
        reply("QC" + thread);
    else if (packet == "qfThreadInfo")
        reply("m" + thread);
    else if (packet == "qsThreadInfo")
        reply("l");
    else if (packet.starts_with("qSymbol:"))
        reply("OK");  // no symbols wanted
    else if (packet == "qOffsets")
        reply("Text=0;Data=0;Bss=0");  // the guest runs where it was linked
    else
        reply("");
}

void GdbSession::read_features(std::string_view args)
{
    PacketCursor c(args);
    std::optional<std::string_view> annex = c.until(':');
    std::optional<uint64_t> offset = c.hex();
    bool comma = c.skip(',');
    std::optional<uint64_t> length = c.hex();
    if (!annex || !offset || !comma || !length || !c.at_end()) {
        reply("E00");
        return;
    }
    if (*annex != "target.xml") {
        reply("E00");
        return;
    }
    const std::string& xml = description_.xml();
    if (*offset >= xml.size()) {
        reply("l");
        return;
    }
    // Up to `length` document bytes, as many as fit one packet once escaped.
    std::string data;
    size_t end = static_cast<size_t>(*offset);
    while (end < xml.size() && end - *offset < *length) {
        std::string escaped = escape_binary(std::string_view(xml).substr(end, 1));
        if (data.size() + escaped.size() > kMaxPacketSize - 1)
            break;
        data += escaped;
        ++end;
    }
    reply((end == xml.size() ? "l" : "m") + data);
}

void GdbSession::monitor(std::string_view hex_command)
{
    std::optional<std::vector<uint8_t>> bytes = from_hex(hex_command);
    if (!bytes) {
        reply(kMalformed);
        return;
    }
    std::string command(bytes->begin(), bytes->end());
    MonitorContext context{target_, description_, breakpoints_, last_stop_};
    MonitorResult result = run_monitor_command(command, context);
    flush_console_note();
    console(result.output);
    reply(result.ok ? "OK" : kMalformed);
}

}  // namespace emu::debug
