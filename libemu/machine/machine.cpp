#include "machine/machine.h"

namespace emu {

const char* stop_kind_name(StopKind k)
{
    switch (k) {
    case StopKind::PowerOff: return "poweroff";
    case StopKind::Reset: return "reset";
    case StopKind::GuestExit: return "exit";
    case StopKind::InsnLimit: return "insn-limit";
    case StopKind::Stuck: return "stuck";
    case StopKind::Unsupported: return "unsupported";
    case StopKind::Interrupted: return "interrupted";
    }
    return "?";
}

}  // namespace emu
