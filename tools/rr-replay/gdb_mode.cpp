#include "tools/rr-replay/gdb_mode.h"

#include <cstdio>

#include "debug/gdb_server.h"
#include "replay/debug/replay_debug_target.h"
#include "replay/run/replay_session.h"

namespace emu::tools {

Result<GdbModeResult> serve_gdb(const GdbModeOptions& o)
{
    Result<debug::ListenAddress> address = debug::parse_listen_address(o.address);
    if (!address)
        return address.error();
    // The cursor passes the output on once; the session's own sink stays silent.
    Result<std::unique_ptr<ReplaySession>> session = ReplaySession::open(o.recording, o.kernel, [](uint8_t) {}, o.drives);
    if (!session)
        return session.error();
    Result<std::unique_ptr<ReplayCursor>> cursor = ReplayCursor::open(std::move(*session), SnapshotLimits{}, o.output);
    if (!cursor)
        return cursor.error();
    (*cursor)->on_problem([](const std::string& line) { std::fprintf(stderr, "rr-replay: %s\n", line.c_str()); });
    if (o.seek)
        if (Result<Done> moved = (*cursor)->seek(*o.seek); !moved)
            return Error{moved.error().status, "--seek: " + moved.error().message};
    Result<std::unique_ptr<ReplayDebugTarget>> target = ReplayDebugTarget::open(**cursor);
    if (!target)
        return target.error();
    Result<debug::GdbServer> server = debug::GdbServer::listen(
        *address, o.allow_remote ? debug::RemoteAccess::Allowed : debug::RemoteAccess::LoopbackOnly);
    if (!server)
        return server.error();
    std::string host = address->host == "localhost" ? "127.0.0.1" : address->host;
    std::string where = host + ":" + std::to_string(server->port());
    std::fprintf(stderr, "rr-replay: waiting for gdb on %s (target remote %s)\n", where.c_str(), where.c_str());
    std::fflush(stderr);
    Result<debug::SessionEnd> end = server->serve(**target);
    if (!end)
        return end.error();
    return GdbModeResult{(*cursor)->verdict(), *end, (*cursor)->icount(), (*cursor)->end()};
}

}  // namespace emu::tools
