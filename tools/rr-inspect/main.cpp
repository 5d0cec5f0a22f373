// rr-inspect: describes a recording for people (text) and pipelines (--json): its summary, its
// events, where its bytes go, and whether every byte of it checks out.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <cinttypes>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "machine/machine.h"
#include "replay/format/event_text.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_reader.h"
#include "tools/common/cli.h"
#include "tools/common/json.h"
#include "tools/rr-inspect/checkpoints.h"
#include "tools/rr-inspect/pcap.h"
#include "replay/format/recording_scan.h"

using namespace emu;
using emu::inspect::checkpoints_json;
using emu::inspect::checkpoints_text;
using emu::inspect::verify_checkpoints;
using emu::tools::json_string;

namespace {

struct Options {
    std::string recording;
    bool json = false;
    bool events = false;
    std::vector<std::string> kinds;
    uint64_t from = 0;
    uint64_t to = std::numeric_limits<uint64_t>::max();
    bool stats = false;
    bool checkpoints = false;
    bool verify = false;
    std::string pcap;
    std::string dtb;  // --dtb FILE: write the recorded device tree there
};

std::string str(uint64_t v) { return std::to_string(v); }

// What header blob i holds: a boot file's role, or a disk image.
std::string blob_role(const RecordingConfig& c, size_t i)
{
    if (i < c.files.size())
        return boot_role_name(c.files[i].role);
    if (std::find(c.drive_blobs.begin(), c.drive_blobs.end(), i) != c.drive_blobs.end())
        return "disk image";
    return "unknown";
}

// A module's command line, quoted, after its name.
std::string module_arguments(const RecordingConfig& c, size_t i)
{
    return i < c.files.size() && c.files[i].role == BootRole::Module ? " \"" + c.files[i].command_line + "\"" : "";
}

std::string valid_kind_names()
{
    std::string s;
    for (EventKind k : kAllKinds)
        s += (s.empty() ? "" : ", ") + std::string(event_kind_name(k));
    return s;
}

bool same_name(const std::string& a, const char* b)
{
    std::string_view bv(b);
    if (a.size() != bv.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(bv[i])))
            return false;
    return true;
}

// Which kinds --events lists: all when no --kind was given.
Result<std::vector<bool>> kind_filter(const std::vector<std::string>& names)
{
    std::vector<bool> wanted(kKindCount, names.empty());
    for (const std::string& name : names) {
        size_t i = 0;
        while (i < kKindCount && !same_name(name, event_kind_name(kAllKinds[i])))
            ++i;
        if (i == kKindCount)
            return Error{ExitStatus::Usage, "unknown event kind \"" + name + "\" (valid: " + valid_kind_names() + ")"};
        wanted[i] = true;
    }
    return wanted;
}

std::string xxh3_128_hex(const RecordingBlobInfo& b)
{
    char buf[40];
    std::snprintf(buf, sizeof buf, "%016" PRIx64 "%016" PRIx64, b.hash_high, b.hash_low);
    return buf;
}

std::string ram_text(uint64_t bytes)
{
    if (bytes % (uint64_t{1} << 30) == 0)
        return str(bytes >> 30) + " GiB";
    if (bytes % (uint64_t{1} << 20) == 0)
        return str(bytes >> 20) + " MiB";
    return str(bytes) + " bytes";
}

std::string rate_text(std::optional<double> v, const char* none)
{
    if (!v)
        return none;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f", *v);
    return buf;
}

std::string exit_reason(const RecordingScan& s) { return s.exit ? stop_kind_name(s.exit->kind) : ""; }

std::string text_summary(const RecordingScan& s)
{
    char line[512];
    std::string out;
    auto row = [&](const char* label, const std::string& value) {
        std::snprintf(line, sizeof line, "%-16s %s\n", label, value.c_str());
        out += line;
    };
    row("recording", s.path);
    row("format version", str(s.header.format_version));
    row("tool version", s.header.tool_version);
    row("machine", s.config.machine.machine);
    row("RAM", ram_text(s.config.machine.ram_size));
    row("icount shift", str(s.config.machine.icount_shift));
    row("hash interval", s.config.hash_every ? "every " + str(s.config.hash_every) + " instructions"
                                             : std::string("at the end only"));
    if (!s.config.append.empty())
        row("command line", s.config.append);
    if (s.header.blobs.empty())
        row("guest image", "none");
    for (size_t i = 0; i < s.header.blobs.size(); ++i) {
        const RecordingBlobInfo& b = s.header.blobs[i];
        row(blob_role(s.config, i).c_str(), b.name + module_arguments(s.config, i) + ", " + str(b.size) +
                                                " bytes, xxh3-128 " + xxh3_128_hex(b) +
                                                (b.embedded ? ", embedded" : ", not embedded (hash only)"));
    }
    const VirtioConfig& v = s.config.machine.virtio;
    if (v.any())
        row("virtio", std::string(virtio_mmio_version_name(v.version)) + " transports; " + str(v.drives.size()) +
                          " drive(s)" + (v.net ? ", net" : "") + (v.rng ? ", rng" : ""));
    if (s.end.complete)
        row("final icount", str(s.icount()));
    else
        row("final icount", str(s.icount()) + " (last event; the recording is truncated)");
    if (s.exit)
        row("ended", exit_reason(s) + ", exit code " + std::to_string(s.exit->exit_code) + " at icount " +
                         str(s.exit_icount));
    else
        row("ended", s.end.complete ? "no GuestExit event" : "unknown (no GuestExit event before the truncation)");
    if (!s.end.complete)
        row("truncated", s.end.message);
    row("events", str(s.events));
    for (size_t i = 0; i < kKindCount; ++i) {
        std::snprintf(line, sizeof line, "  %-16s %" PRIu64 "\n", event_kind_name(kAllKinds[i]), s.by_kind[i].count);
        out += line;
    }
    row("chunks", str(s.chunks.size()) + (s.end.complete ? "" : " (complete ones)"));
    row("file bytes", str(s.file_bytes));
    row("bytes/M insns", rate_text(s.bytes_per_million_insns(), "n/a (no instructions)"));
    return out;
}

// Bytes after the last whole chunk: the index and footer, or what a killed recorder left.
uint64_t tail_bytes(const RecordingScan& s)
{
    uint64_t end = s.header.header_bytes;
    if (!s.chunks.empty())
        end = s.chunks.back().offset + kChunkHeaderBytes + s.chunks.back().compressed_bytes;
    return s.file_bytes > end ? s.file_bytes - end : 0;
}

std::string text_stats(const RecordingScan& s)
{
    char line[256];
    std::string out = "\nper kind            events   payload bytes\n";
    for (size_t i = 0; i < kKindCount; ++i) {
        std::snprintf(line, sizeof line, "  %-16s %8" PRIu64 " %15" PRIu64 "\n", event_kind_name(kAllKinds[i]),
                      s.by_kind[i].count, s.by_kind[i].payload_bytes);
        out += line;
    }
    out += "\nper chunk\n";
    std::snprintf(line, sizeof line, "  %6s %12s %12s %12s %8s %12s %12s\n", "chunk", "offset", "first icount",
                  "last icount", "events", "compressed", "uncompressed");
    out += line;
    for (const ChunkStats& c : s.chunks) {
        std::snprintf(line, sizeof line, "  %6u %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %8u %12u %12u\n", c.number,
                      c.offset, c.first_icount, c.last_icount, c.events, c.compressed_bytes, c.uncompressed_bytes);
        out += line;
    }
    out += "\nheader bytes     " + str(s.header.header_bytes) + "\n";
    uint64_t compressed = 0, uncompressed = 0;
    for (const ChunkStats& c : s.chunks) {
        compressed += kChunkHeaderBytes + c.compressed_bytes;
        uncompressed += c.uncompressed_bytes;
    }
    out += "chunk bytes      " + str(compressed) + " (" + str(uncompressed) + " event bytes uncompressed)\n";
    out += std::string(s.end.complete ? "index+footer     " : "trailing bytes   ") + str(tail_bytes(s)) + "\n";
    out += "bytes/M insns    " + rate_text(s.bytes_per_million_insns(), "n/a (no instructions)") + "\n";
    return out;
}

std::string json_rate(std::optional<double> v) { return v ? rate_text(v, "") : "null"; }

std::string json_stats(const RecordingScan& s)
{
    std::string j = "{\"kinds\":{";
    for (size_t i = 0; i < kKindCount; ++i)
        j += (i ? "," : "") + json_string(event_kind_name(kAllKinds[i])) + ":{\"count\":" + str(s.by_kind[i].count) +
             ",\"payload_bytes\":" + str(s.by_kind[i].payload_bytes) + "}";
    j += "},\"chunks\":[";
    for (size_t i = 0; i < s.chunks.size(); ++i) {
        const ChunkStats& c = s.chunks[i];
        j += (i ? "," : "") + std::string("{\"number\":") + str(c.number) + ",\"offset\":" + str(c.offset) +
             ",\"first_icount\":" + str(c.first_icount) + ",\"last_icount\":" + str(c.last_icount) +
             ",\"events\":" + str(c.events) + ",\"compressed_bytes\":" + str(c.compressed_bytes) +
             ",\"uncompressed_bytes\":" + str(c.uncompressed_bytes) + "}";
    }
    j += "],\"header_bytes\":" + str(s.header.header_bytes) + ",\"tail_bytes\":" + str(tail_bytes(s)) +
         ",\"bytes_per_million_insns\":" + json_rate(s.bytes_per_million_insns()) + "}";
    return j;
}

std::string json_summary(const RecordingScan& s, const Options& o, bool verified, const CheckpointIndex* checkpoints)
{
    std::string j = "{\"file\":" + json_string(s.path) + ",\"format_version\":" + str(s.header.format_version) +
                     ",\"tool_version\":" + json_string(s.header.tool_version) +
                     ",\"machine\":" + json_string(s.config.machine.machine) +
                     ",\"ram_size\":" + str(s.config.machine.ram_size) +
                     ",\"icount_shift\":" + str(s.config.machine.icount_shift) +
                     ",\"hash_every\":" + str(s.config.hash_every) +
                     ",\"kernel_path\":" + json_string(s.config.kernel_path()) + ",\"icount\":" + str(s.icount());
    if (s.exit)
        j += ",\"exit\":{\"reason\":" + json_string(exit_reason(s)) + ",\"code\":" + std::to_string(s.exit->exit_code) +
             ",\"icount\":" + str(s.exit_icount) + "}";
    else
        j += ",\"exit\":{\"reason\":null,\"code\":null,\"icount\":null}";
    j += ",\"images\":[";
    for (size_t i = 0; i < s.header.blobs.size(); ++i) {
        const RecordingBlobInfo& b = s.header.blobs[i];
        j += (i ? "," : "") + std::string("{\"name\":") + json_string(b.name) +
             ",\"role\":" + json_string(blob_role(s.config, i)) + ",\"bytes\":" + str(b.size) + ",\"xxh3_128\":\"" +
             xxh3_128_hex(b) + "\",\"embedded\":" + (b.embedded ? "true" : "false") + "}";
    }
    j += "],\"events_by_kind\":{";
    for (size_t i = 0; i < kKindCount; ++i)
        j += (i ? "," : "") + json_string(event_kind_name(kAllKinds[i])) + ":" + str(s.by_kind[i].count);
    j += "},\"events\":" + str(s.events) + ",\"chunks\":" + str(s.chunks.size()) + ",\"bytes\":" + str(s.file_bytes) +
         ",\"bytes_per_million_insns\":" + json_rate(s.bytes_per_million_insns()) +
         ",\"complete\":" + (s.end.complete ? "true" : "false") +
         ",\"truncated\":" + (s.end.complete ? std::string("null") : json_string(s.end.message)) +
         ",\"verified\":" + (verified ? "true" : "false");
    if (o.stats)
        j += ",\"stats\":" + json_stats(s);
    if (checkpoints)
        j += ",\"checkpoints\":" + checkpoints_json(*checkpoints);
    return j + "}\n";
}

std::string chunk_verdict(const ChunkStats& c)
{
    char line[256];
    std::snprintf(line, sizeof line,
                  "chunk %u at offset %" PRIu64 ": icount %" PRIu64 "..%" PRIu64 ", %u events, %u -> %u bytes: ok\n",
                  c.number, c.offset, c.first_icount, c.last_icount, c.events, c.compressed_bytes,
                  c.uncompressed_bytes);
    return line;
}

// --events: the listing only, text lines or JSON lines.
Result<int> list_events(const Options& o)
{
    Result<std::vector<bool>> wanted = kind_filter(o.kinds);
    if (!wanted)
        return wanted.error();
    ScanHooks hooks;
    hooks.on_event = [&](const RecordingEvent& ev, const EventPlace&) {
        if (ev.icount < o.from || ev.icount > o.to || !(*wanted)[kind_slot(ev.kind)])
            return;
        std::string line = o.json ? event_json(ev.icount, ev.kind, ev.payload) : event_line(ev.icount, ev.kind, ev.payload);
        line += '\n';
        std::fputs(line.c_str(), stdout);
    };
    Result<RecordingScan> scan = scan_recording(o.recording, hooks);
    std::fflush(stdout);
    if (!scan)
        return scan.error();
    if (!scan->end.complete)
        std::fprintf(stderr, "rr-inspect: note: %s: %s\n", o.recording.c_str(), scan->end.message.c_str());
    return 0;
}

// The summary (with --stats and --verify sections).
Result<int> summarise(const Options& o)
{
    std::string verify_lines;
    ScanHooks hooks;
    if (o.verify)
        hooks.on_chunk = [&](const ChunkStats& c) { verify_lines += chunk_verdict(c); };
    Result<RecordingScan> scan = scan_recording(o.recording, hooks);
    if (!scan) {
        if (o.verify && !o.json) {
            verify_lines += "verify FAILED: " + scan.error().message + "\n";
            std::fputs(verify_lines.c_str(), stdout);
        }
        return scan.error();
    }
    const RecordingScan& s = *scan;

    std::optional<CheckpointIndex> checkpoints;
    if (o.checkpoints || o.verify) {
        Result<CheckpointIndex> read = CheckpointIndex::read(o.recording);
        if (!read)
            return read.error();
        checkpoints = std::move(*read);
    }
    std::optional<Error> failure;
    if (o.verify) {
        if (Result<Done> extra = verify_recording_extras(o.recording, s); !extra)
            failure = extra.error();
        else if (Result<Done> restored = verify_checkpoints(o.recording, *checkpoints, s.state_hashes, verify_lines); !restored)
            failure = restored.error();
        else if (!s.end.complete)
            failure = Error{ExitStatus::BadRecording, o.recording + ": " + s.end.message};
    }
    bool verified = o.verify && !failure;

    if (o.json) {
        std::fputs(json_summary(s, o, verified, o.checkpoints ? &*checkpoints : nullptr).c_str(), stdout);
    } else {
        std::string out = text_summary(s);
        if (o.stats)
            out += text_stats(s);
        if (o.checkpoints)
            out += checkpoints_text(*checkpoints);
        if (o.verify) {
            out += "\n" + verify_lines;
            if (verified)
                out += "verify ok: " + str(s.chunks.size()) + " chunks, " + str(s.events) + " events, " +
                       str(checkpoints->checkpoints().size()) + " checkpoints\n";
            else
                out += "verify FAILED: " + failure->message + "\n";
        }
        std::fputs(out.c_str(), stdout);
    }
    std::fflush(stdout);
    if (failure)
        return *failure;
    return 0;
}

// --dtb: the device tree the recorded guest received, as it lay in its memory.
Result<int> write_device_tree(const Options& o)
{
    Result<RecordingReader> reader = RecordingReader::open(o.recording);
    if (!reader)
        return reader.error();
    Result<RecordingConfig> config = decode_recording_config(reader->header().payload, o.recording);
    if (!config)
        return config.error();
    for (size_t i = 0; i < config->files.size(); ++i) {
        if (config->files[i].role != BootRole::DeviceTree)
            continue;
        Result<std::vector<uint8_t>> tree = reader->blob_bytes(i);
        if (!tree)
            return tree.error();
        std::FILE* out = o.dtb == "-" ? stdout : std::fopen(o.dtb.c_str(), "wb");
        if (!out)
            return Error{ExitStatus::IoError, o.dtb + ": cannot write: " + std::strerror(errno)};
        bool ok = std::fwrite(tree->data(), 1, tree->size(), out) == tree->size();
        ok = (out == stdout ? std::fflush(out) : std::fclose(out)) == 0 && ok;
        if (!ok)
            return Error{ExitStatus::IoError, o.dtb + ": write failed"};
        return 0;
    }
    return Error{ExitStatus::BadRecording, o.recording + ": the guest received no device tree (" +
                                               config->machine.machine + (config->machine.machine == "virt"
                                                                              ? ", an ELF kernel that left no room for it)"
                                                                              : " has none)")};
}

Result<int> run_inspect(const Options& o)
{
    if (o.from > o.to)
        return Error{ExitStatus::Usage, "--from " + str(o.from) + " is after --to " + str(o.to)};
    if (!o.pcap.empty()) {
        Result<uint64_t> frames = tools::export_pcap(o.recording, o.pcap);
        if (!frames)
            return frames.error();
        std::printf("%llu received frames written to %s (frames the guest sent are not recorded, only hashed)\n",
                    static_cast<unsigned long long>(*frames), o.pcap.c_str());
        return 0;
    }
    if (!o.dtb.empty())
        return write_device_tree(o);
    if (o.events)
        return list_events(o);
    return summarise(o);
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Describes a recording made by rr-record (format version 2).\n"
                 "\n"
                 "By default prints a summary: format and tool version, machine, RAM, icount shift,\n"
                 "state-hash interval, each guest image (size, xxh3-128, embedded or not), the final\n"
                 "icount, how the run ended, event counts by kind, chunks, file size and bytes per\n"
                 "million instructions. A truncated recording (the recorder was killed) is summarised\n"
                 "up to its last complete chunk and marked as truncated.\n"
                 "\n"
                 "Examples:\n"
                 "  rr-inspect run.rr                       summary\n"
                 "  rr-inspect run.rr --json                the summary as one JSON object\n"
                 "  rr-inspect run.rr --events --kind SerialInput --from 1000 --to 50000\n"
                 "  rr-inspect run.rr --events --json       one JSON object per event (JSON lines)\n"
                 "  rr-inspect run.rr --stats               where the bytes go, per kind and per chunk\n"
                 "  rr-inspect run.rr --checkpoints         list the checkpoints (icount, pages, bytes)\n"
                 "  rr-inspect run.rr --verify              check every chunk, event, image and checkpoint\n"
                 "  rr-inspect run.rr --dtb tree.dtb        write out the device tree the guest received\n"
                 "\n"
                 "Exit status: 0 ok (also for a truncated recording without --verify);\n"
                 "64 bad command line (e.g. an unknown --kind); 65 corrupt, truncated (with --verify),\n"
                 "unsupported or malformed recording, with a one-line reason naming the chunk and event;\n"
                 "66 missing or unreadable file; 70 internal error; 74 --dtb cannot be written.",
                 "rr-inspect"};
    Options o;
    app.add_option("recording", o.recording, "Recording file (*.rr)")->required();
    app.add_flag("--json", o.json,
                 "Print one JSON object instead of text; with --events, one JSON object per event per line");
    CLI::Option* events = app.add_flag("--events", o.events,
                                       "List the events (icount, kind, decoded payload) instead of the summary");
    app.add_option("--kind", o.kinds,
                   "With --events: list only events of kind K (repeatable, case-insensitive): " + valid_kind_names())
        ->needs(events);
    app.add_option("--from", o.from, "With --events: list only events at icount >= N")->check(tools::count())->needs(events);
    app.add_option("--to", o.to, "With --events: list only events at icount <= N")->check(tools::count())->needs(events);
    app.add_flag("--stats", o.stats,
                 "Add statistics: per kind count and payload bytes, per chunk offset, icount range, events, "
                 "compressed and uncompressed bytes")
        ->excludes(events);
    app.add_flag("--checkpoints", o.checkpoints,
                 "Add the checkpoints: number, icount, pages written since the previous one, distinct pages "
                 "stored with it, machine state bytes and event bytes")
        ->excludes(events);
    app.add_option("--pcap", o.pcap,
                   "Write the network frames the guest received (NetFrame events) to FILE as pcap, stamped with "
                   "virtual time (icount << shift); frames it sent are not recorded, only hashed");
    app.add_flag("--verify", o.verify,
                 "Check the whole recording strictly (chunks, event payloads, embedded images; each checkpoint "
                 "restored and replayed to the next state hash) and print per-chunk and per-checkpoint results "
                 "and a verdict; a truncated recording fails")
        ->excludes(events);
    app.add_option("--dtb", o.dtb,
                   "Write the device tree the guest received (generated or from rr-record --dtb, as it lay in "
                   "guest memory) to FILE, or - for stdout, instead of the summary (dtc -I dtb shows it)")
        ->excludes(events);
    return tools::run_tool(app, argc, argv, [&] { return run_inspect(o); });
}
