#include "debug/stop_reply.h"

#include <vector>

#include "debug/hex.h"

namespace emu::debug {

namespace {

std::string signal_digits(unsigned signal)
{
    const char digits[] = "0123456789abcdef";
    return {digits[(signal >> 4) & 15], digits[signal & 15]};
}

std::string reason(const StopEvent& event, const BreakpointTable& breakpoints, uint64_t pc)
{
    switch (event.kind) {
    case StopKind::Breakpoint:
        return breakpoints.type_at(pc) == BreakpointType::Hardware ? "hwbreak:;" : "swbreak:;";
    case StopKind::Watchpoint: {
        if (!event.watch)
            return "";
        const char* name = "watch";
        switch (event.watch->watchpoint.kind) {
        case WatchKind::Write: name = "watch"; break;
        case WatchKind::Read: name = "rwatch"; break;
        case WatchKind::Access: name = "awatch"; break;
        }
        return std::string(name) + ":" + hex_number(event.watch->watchpoint.addr) + ";";
    }
    case StopKind::RecordingBegin: return "replaylog:begin;";
    case StopKind::RecordingEnd: return "replaylog:end;";
    case StopKind::Stepped:
    case StopKind::IcountBreakpoint:
    case StopKind::Interrupted:
        return "";
    }
    return "";
}

}  // namespace

uint64_t read_pc(const TargetDescription& description, DebugTarget& target)
{
    unsigned regnum = description.pc_regnum();
    std::vector<uint8_t> bytes(description.register_bytes(regnum));
    if (!target.read_register(regnum, bytes))
        return 0;
    uint64_t pc = 0;
    for (size_t i = 0; i < bytes.size() && i < 8; ++i)
        pc |= uint64_t{bytes[i]} << (8 * i);
    return pc;
}

std::string stop_reply(const StopEvent& event, const BreakpointTable& breakpoints,
                       const TargetDescription& description, DebugTarget& target)
{
    unsigned signal = event.kind == StopKind::Interrupted ? kSigInt : kSigTrap;
    std::string out = "T";
    out += signal_digits(signal);
    out += reason(event, breakpoints, read_pc(description, target));
    out += "thread:" + hex_number(kThreadId) + ";";
    for (unsigned regnum : description.expedited()) {
        std::vector<uint8_t> bytes(description.register_bytes(regnum));
        if (target.read_register(regnum, bytes))
            out += hex_number(regnum) + ":" + to_hex(bytes) + ";";
    }
    return out;
}

}  // namespace emu::debug
