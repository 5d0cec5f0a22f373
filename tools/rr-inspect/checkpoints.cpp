#include "tools/rr-inspect/checkpoints.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "replay/run/replay_session.h"

namespace emu::inspect {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

// What of a restored machine's digest a checkpoint's own state hash must match: all but the
// RAM part, which covers the pages written before the checkpoint.
std::string differing_parts(const StateDigest& got, const StateDigest& want)
{
    std::string parts;
    auto note = [&](bool differs, const char* what) {
        if (differs)
            parts += (parts.empty() ? "" : ", ") + std::string(what);
    };
    note(got.cpu != want.cpu, "CPU");
    note(got.devices != want.devices, "devices");
    note(got.output != want.output || got.output_bytes != want.output_bytes, "output");
    return parts;
}

}  // namespace

std::string checkpoints_text(const CheckpointIndex& index)
{
    std::string out = "\ncheckpoints " + str(index.checkpoints().size()) + "\n";
    if (index.checkpoints().empty())
        return out;
    char line[256];
    std::snprintf(line, sizeof line, "  %6s %14s %14s %14s %12s %14s\n", "number", "icount", "pages written",
                  "pages stored", "state bytes", "bytes");
    out += line;
    for (const CheckpointInfo& c : index.checkpoints()) {
        std::snprintf(line, sizeof line, "  %6u %14" PRIu64 " %14u %14u %12" PRIu64 " %14" PRIu64 "\n", c.number,
                      c.icount, c.pages_written, c.pages_stored, c.state_bytes, c.payload_bytes);
        out += line;
    }
    out += "  (bytes: the checkpoint's events before compression)\n";
    return out;
}

std::string checkpoints_json(const CheckpointIndex& index)
{
    std::string j = "[";
    for (const CheckpointInfo& c : index.checkpoints()) {
        if (j.size() > 1)
            j += ',';
        j += "{\"number\":" + str(c.number) + ",\"icount\":" + str(c.icount) + ",\"pages_written\":" +
             str(c.pages_written) + ",\"pages_stored\":" + str(c.pages_stored) + ",\"state_bytes\":" +
             str(c.state_bytes) + ",\"bytes\":" + str(c.payload_bytes) + "}";
    }
    return j + "]";
}

Result<Done> verify_checkpoints(const std::string& path, const CheckpointIndex& index, const StateHashes& hashes,
                                std::string& lines)
{
    if (index.checkpoints().empty())
        return Done{};
    Result<std::unique_ptr<ReplaySession>> session = ReplaySession::open(path, "", [](uint8_t) {});
    if (!session)
        return session.error();
    ReplaySession& s = **session;
    for (size_t k = 0; k < index.checkpoints().size(); ++k) {
        const CheckpointInfo& c = index.checkpoints()[k];
        std::string name = "checkpoint " + str(c.number) + " at icount " + str(c.icount);
        auto fail = [&](const std::string& why) { return Error{ExitStatus::BadRecording, path + ": " + name + ": " + why}; };
        if (Result<Done> restored = s.restore(index, k); !restored)
            return restored.error();
        auto own = std::find_if(hashes.begin(), hashes.end(), [&](auto& h) { return h.first == c.icount; });
        if (own == hashes.end())
            return fail("no state hash recorded with it");
        if (std::string parts = differing_parts(s.machine().state_digest(), own->second); !parts.empty())
            return fail("restored, it does not match the state hash recorded with it (" + parts + ")");
        auto next = std::find_if(own + 1, hashes.end(), [&](auto& h) { return h.first > c.icount; });
        std::string checked = "its state hash";
        if (next != hashes.end()) {
            Result<ReplayReport> r = s.replayer().run_to(next->first + 1);
            if (!r)
                return r.error();
            if (r->divergence)
                return fail("the replay from it diverges at icount " + str(r->divergence->icount) + ": " +
                            r->divergence->what);
            checked += " and the next at icount " + str(next->first);
        }
        lines += name + ": restores and matches " + checked + ": ok\n";
    }
    return Done{};
}

}  // namespace emu::inspect
