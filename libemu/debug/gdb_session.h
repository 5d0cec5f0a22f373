// One gdb connection: reads packets, answers them from a DebugTarget, and runs the target
// when gdb resumes it, until gdb detaches, kills or goes away.
//
// The replay cannot change the past, so everything that would write is refused: registers (G,
// P) and memory (M, X) get an error (E.message, which gdb prints for register writes; for memory
// it says only "Cannot access memory", and takes an O packet sent before the error for the
// reply, so the reason goes to gdb's console with the next resume or monitor command). Anything malformed gets an error reply (E01) or, for a
// packet we do not know, the empty reply that tells gdb it is unsupported; nothing a peer sends
// ends the session except D, k and closing the connection.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "debug/breakpoint_table.h"
#include "debug/debug_target.h"
#include "debug/packet_reader.h"
#include "debug/target_description.h"
#include "debug/transport.h"

namespace emu::debug {

enum class SessionEnd {
    Detached,      // gdb sent D
    Killed,        // gdb sent k (or vKill)
    Disconnected,  // the connection closed
};

const char* session_end_name(SessionEnd end);

class GdbSession {
public:
    GdbSession(Transport& transport, DebugTarget& target);
    SessionEnd run();

private:
    enum class Next { Serve, Detach, Kill };

    Next handle(std::string_view packet);
    void reply(std::string_view data);
    // Text for gdb's console, as O packets (only while gdb waits for a stop reply or a qRcmd
    // answer: elsewhere it would take them for the reply).
    void console(std::string_view text);
    void refuse(std::string_view why);
    // Console text waiting for the next moment gdb reads O packets.
    void flush_console_note();

    void read_registers();
    void read_register(std::string_view args);
    void read_memory(std::string_view args);
    void write_memory(std::string_view args, bool binary);
    void resume(Direction direction, Motion motion);
    void resume_packet(std::string_view args, Motion motion, bool has_signal);
    void vcont(std::string_view args);
    void breakpoint(std::string_view args, bool insert);
    void query(std::string_view packet);
    void read_features(std::string_view args);
    void monitor(std::string_view hex_command);
    bool poll_interrupt();

    Transport& transport_;
    DebugTarget& target_;
    const TargetDescription& description_;
    PacketReader reader_;
    BreakpointTable breakpoints_;
    std::optional<StopEvent> last_stop_;
    bool ack_mode_ = true;
    bool peer_closed_ = false;
    std::string last_sent_;  // for a retransmission after '-'
    std::string console_note_;  // why memory writes were refused, not yet shown
};

}  // namespace emu::debug
