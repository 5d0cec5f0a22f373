// Serves the fake debug target (tests/support/fake_debug_target.h) to one gdb connection, for
// the end-to-end tests that drive a real gdb:
//   gdb_fake_server --arch aarch64|i386 [--port N] [--length N] [--checkpoint-every N]
// Prints "listening on 127.0.0.1:PORT" once it listens (port 0, the default, lets the system
// pick a free one, so tests can run in parallel) and "session ended: HOW" when gdb is done.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "debug/gdb_server.h"
#include "support/fake_debug_target.h"

using namespace emu;

namespace {

int usage(const char* why)
{
    std::fprintf(stderr, "gdb_fake_server: %s\nusage: gdb_fake_server --arch aarch64|i386 [--port N] "
                         "[--length N] [--checkpoint-every N]\n", why);
    return 64;
}

bool parse_number(const char* text, uint64_t& out)
{
    char* end = nullptr;
    out = std::strtoull(text, &end, 10);
    return *text != '\0' && *end == '\0';
}

}  // namespace

int main(int argc, char** argv)
{
    std::string arch;
    uint64_t port = 0, length = 300, checkpoint_every = 100;
    for (int i = 1; i < argc; ++i) {
        std::string_view opt = argv[i];
        if (i + 1 == argc)
            return usage("an option is missing its value");
        const char* value = argv[++i];
        bool ok = true;
        if (opt == "--arch")
            arch = value;
        else if (opt == "--port")
            ok = parse_number(value, port) && port <= 65535;
        else if (opt == "--length")
            ok = parse_number(value, length);
        else if (opt == "--checkpoint-every")
            ok = parse_number(value, checkpoint_every) && checkpoint_every > 0;
        else
            return usage("unknown option");
        if (!ok)
            return usage("bad number");
    }
    if (arch != "aarch64" && arch != "i386")
        return usage("--arch must be aarch64 or i386");

    test::FakeDebugTarget target(arch == "aarch64" ? debug::Arch::AArch64 : debug::Arch::I386, length,
                                 checkpoint_every);
    Result<debug::GdbServer> server =
        debug::GdbServer::listen({"127.0.0.1", static_cast<uint16_t>(port)}, debug::RemoteAccess::LoopbackOnly);
    if (!server) {
        std::fprintf(stderr, "gdb_fake_server: %s\n", server.error().message.c_str());
        return static_cast<int>(server.error().status);
    }
    std::printf("listening on 127.0.0.1:%u\n", server->port());
    std::fflush(stdout);
    Result<debug::SessionEnd> end = server->serve(target);
    if (!end) {
        std::fprintf(stderr, "gdb_fake_server: %s\n", end.error().message.c_str());
        return static_cast<int>(end.error().status);
    }
    std::printf("session ended: %s at icount %llu\n", debug::session_end_name(*end),
                static_cast<unsigned long long>(target.icount()));
    return 0;
}
