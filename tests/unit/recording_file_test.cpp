// Recording format version 1: round trips, determinism, and the reader's answer to every
// damaged byte and every truncation of a small recording.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

#include <xxhash.h>
#include <zstd.h>

#include "replay/format/recording_reader.h"
#include "replay/format/recording_writer.h"

using namespace emu;

namespace {

struct Ev {
    uint64_t icount;
    EventKind kind;
    std::vector<uint8_t> payload;
    bool operator==(const Ev&) const = default;
};

std::string temp_path(const std::string& tag)
{
    return (std::filesystem::temp_directory_path() / ("recording_file_test_" + std::to_string(::getpid()) + "_" + tag))
        .string();
}

std::vector<uint8_t> slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A reproducible stream: every kind, payloads from empty to a few hundred bytes.
std::vector<Ev> make_events(size_t n, uint64_t seed)
{
    std::vector<Ev> evs;
    uint64_t x = seed, icount = 0;
    auto rnd = [&] {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        return x >> 33;
    };
    const EventKind kinds[] = {
#define RR_EVENT(name, id, payload, cls) EventKind::name,
#include "replay/format/events.inc"
#undef RR_EVENT
    };
    for (size_t i = 0; i < n; ++i) {
        icount += rnd() % 3 == 0 ? 0 : rnd() % 100000;
        Ev e{icount, kinds[rnd() % std::size(kinds)], {}};
        e.payload.resize(rnd() % 5 == 0 ? rnd() % 400 : rnd() % 16);
        for (uint8_t& b : e.payload)
            b = static_cast<uint8_t>(rnd());
        evs.push_back(std::move(e));
    }
    return evs;
}

const std::vector<uint8_t> kImage = [] {
    std::vector<uint8_t> v(3000);
    for (size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<uint8_t>(i * 7 / 5);
    return v;
}();

RecordingHeaderSpec make_header()
{
    RecordingHeaderSpec h;
    h.tool_version = "rr-emu test";
    h.payload = {'m', 'a', 'c', 'h', 'i', 'n', 'e', 0, 1, 2};
    h.blobs.push_back({"kernel.elf", kImage, Embed::Yes});
    h.blobs.push_back({"disk.img", std::span(kImage).first(100), Embed::No});
    return h;
}

// Writes events to path; finish() unless told otherwise.
void write_recording(const std::string& path, const std::vector<Ev>& evs, size_t chunk_bytes, bool finish = true,
                     size_t bytes_in_flight = RecordingWriterOptions{}.bytes_in_flight)
{
    auto w = RecordingWriter::create(path, make_header(), {.chunk_bytes = chunk_bytes, .bytes_in_flight = bytes_in_flight});
    REQUIRE(w.ok());
    for (const Ev& e : evs)
        REQUIRE(w->append(e.icount, e.kind, e.payload).ok());
    if (finish)
        REQUIRE(w->finish(evs.empty() ? 0 : evs.back().icount + 10).ok());
    else
        REQUIRE(w->flush().ok());
}

std::vector<uint8_t> recording_bytes(const std::vector<Ev>& evs, size_t chunk_bytes)
{
    std::string path = temp_path("bytes");
    write_recording(path, evs, chunk_bytes);
    std::vector<uint8_t> b = slurp(path);
    std::filesystem::remove(path);
    return b;
}

// Reads every event; the error, if any, goes to err.
std::vector<Ev> read_events(RecordingReader& r, std::optional<Error>& err)
{
    std::vector<Ev> out;
    RecordingEvent ev;
    for (;;) {
        auto more = r.next(ev);
        if (!more) {
            err = more.error();
            return out;
        }
        if (!more.value())
            return out;
        out.push_back({ev.icount, ev.kind, {ev.payload.begin(), ev.payload.end()}});
    }
}

bool is_prefix(const std::vector<Ev>& got, const std::vector<Ev>& all)
{
    return got.size() <= all.size() && std::equal(got.begin(), got.end(), all.begin());
}

}  // namespace

TEST_CASE("recording: many events round-trip across many chunks", "[recording]")
{
    std::vector<Ev> evs = make_events(20000, 1);
    std::string path = temp_path("roundtrip");
    write_recording(path, evs, 4096);
    auto r = RecordingReader::open(path);
    REQUIRE(r.ok());
    CHECK(r->header().tool_version == "rr-emu test");
    CHECK(r->header().payload == make_header().payload);
    REQUIRE(r->header().blobs.size() == 2);
    CHECK(r->header().blobs[0].name == "kernel.elf");
    CHECK(r->header().blobs[0].size == kImage.size());
    auto image = r->blob_bytes(0);
    REQUIRE(image.ok());
    CHECK(*image == kImage);
    CHECK(r->header().blobs[1].embedded == false);
    XXH128_hash_t h = XXH3_128bits(kImage.data(), 100);
    CHECK(r->header().blobs[1].hash_high == h.high64);
    CHECK(r->header().blobs[1].hash_low == h.low64);
    CHECK(!r->blob_bytes(1).ok());
    CHECK(r->complete());
    CHECK(r->chunk_index().size() > 50);

    std::optional<Error> err;
    std::vector<Ev> got = read_events(*r, err);
    REQUIRE(!err);
    CHECK(got == evs);
    CHECK(r->end().complete);
    CHECK(r->end().chunks == r->chunk_index().size());
    CHECK(r->end().final_icount == evs.back().icount + 10);
    CHECK(!r->end().truncated_at_icount);
    std::filesystem::remove(path);
}

TEST_CASE("recording: chunks that wait for the writer's thread keep their order and bytes", "[recording]")
{
    // With room for one chunk at a time, every flush waits for the one before.
    std::vector<Ev> evs = make_events(20000, 3);
    std::string one = temp_path("one_in_flight"), many = temp_path("many_in_flight");
    write_recording(one, evs, 4096, true, 1);
    write_recording(many, evs, 4096);
    CHECK(slurp(one) == slurp(many));
    auto r = RecordingReader::open(one);
    REQUIRE(r.ok());
    std::optional<Error> err;
    CHECK(read_events(*r, err) == evs);
    CHECK(!err);
    CHECK(r->end().complete);
    std::filesystem::remove(one);
    std::filesystem::remove(many);
}

TEST_CASE("recording: a chunk the writer's thread fails to write fails a later call", "[recording]")
{
    // The file may not grow past 64 KiB: writing stops inside some chunk, with EFBIG.
    std::vector<Ev> evs = make_events(40000, 9);
    std::string path = temp_path("full");
    auto w = RecordingWriter::create(path, make_header(), {.chunk_bytes = 4096});
    REQUIRE(w.ok());
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 64 << 10;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    std::optional<Error> failed;
    for (const Ev& e : evs) {
        if (auto r = w->append(e.icount, e.kind, e.payload); !r) {
            failed = r.error();
            break;
        }
    }
    if (!failed)
        if (auto r = w->finish(evs.back().icount); !r)
            failed = r.error();
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
    REQUIRE(failed);
    CHECK(failed->status == ExitStatus::IoError);
    CHECK(failed->message.find(path + ": write error: ") == 0);
    // Every call after it reports it too, and the complete chunks before it still read.
    CHECK(!w->flush().ok());
    auto r = RecordingReader::open(path);
    REQUIRE(r.ok());
    std::optional<Error> err;
    std::vector<Ev> got = read_events(*r, err);
    CHECK(!got.empty());
    CHECK(is_prefix(got, evs));
    CHECK(!r->end().complete);
    std::filesystem::remove(path);
}

TEST_CASE("recording: a header the writer's thread cannot put in place fails finish(), leaving the path", "[recording]")
{
    // A directory at the path: the finished header cannot be renamed over it.
    std::string path = temp_path("dir");
    std::filesystem::create_directory(path);
    auto w = RecordingWriter::create(path, make_header(), {.chunk_bytes = 4096});
    REQUIRE(w.ok());
    for (const Ev& e : make_events(100, 4))
        (void)w->append(e.icount, e.kind, e.payload);
    auto r = w->finish(1 << 30);
    REQUIRE(!r.ok());
    CHECK(r.error().status == ExitStatus::IoError);
    CHECK(r.error().message.find(path + ": cannot create: ") == 0);
    CHECK(std::filesystem::is_directory(path));
    CHECK(!std::filesystem::exists(path + ".partial-" + std::to_string(::getpid())));
    std::filesystem::remove(path);
}

TEST_CASE("recording: an empty event stream and a single large event", "[recording]")
{
    std::vector<uint8_t> empty = recording_bytes({}, 4096);
    auto r = RecordingReader::from_bytes(empty);
    REQUIRE(r.ok());
    std::optional<Error> err;
    CHECK(read_events(*r, err).empty());
    CHECK(!err);
    CHECK(r->end().complete);

    std::vector<Ev> big{{5, EventKind::Checkpoint, std::vector<uint8_t>(100000, 0xab)}};
    auto b = RecordingReader::from_bytes(recording_bytes(big, 64));
    REQUIRE(b.ok());
    CHECK(read_events(*b, err) == big);
    CHECK(!err);
}

TEST_CASE("recording: identical events give byte-identical files", "[recording]")
{
    std::vector<Ev> evs = make_events(3000, 7);
    std::vector<uint8_t> a = recording_bytes(evs, 2048);
    std::vector<uint8_t> b = recording_bytes(evs, 2048);
    CHECK(a == b);
    evs[1500].payload.push_back(1);
    CHECK(recording_bytes(evs, 2048) != a);
}

TEST_CASE("recording: every single-byte flip is detected", "[recording]")
{
    std::vector<Ev> evs = make_events(60, 3);
    std::vector<uint8_t> good = recording_bytes(evs, 300);
    auto clean = RecordingReader::from_bytes(good);
    REQUIRE(clean.ok());
    std::vector<RecordingChunkInfo> chunks = clean->chunk_index();
    REQUIRE(chunks.size() >= 3);
    {
        std::optional<Error> err;
        CHECK(read_events(*clean, err) == evs);
        REQUIRE(!err);
    }
    // The last chunk ends where the index begins.
    uint64_t index_at = good.size() - kFooterBytes - kIndexFixedBytes - chunks.size() * kIndexEntryBytes;

    for (size_t off = 0; off < good.size(); ++off) {
        for (uint8_t mask : {0x01, 0x80, 0xff}) {
            std::vector<uint8_t> bad = good;
            bad[off] ^= mask;
            INFO("offset " << off << " mask " << int(mask));
            auto r = RecordingReader::from_bytes(bad);
            if (!r.ok()) {
                CHECK(r.error().status == ExitStatus::BadRecording);
                continue;
            }
            std::optional<Error> err;
            std::vector<Ev> got = read_events(*r, err);
            REQUIRE(err);  // never a clean end
            CHECK(err->status == ExitStatus::BadRecording);
            CHECK(is_prefix(got, evs));
            for (size_t c = 0; c < chunks.size(); ++c) {
                uint64_t end = c + 1 < chunks.size() ? chunks[c + 1].offset : index_at;
                if (off >= chunks[c].offset && off < end) {
                    std::string where = "chunk " + std::to_string(c) + " at offset " + std::to_string(chunks[c].offset);
                    INFO(err->message);
                    CHECK(err->message.find(where) != std::string::npos);
                }
            }
        }
    }
}

TEST_CASE("recording: truncation at every offset keeps the complete chunks", "[recording]")
{
    std::vector<Ev> evs = make_events(60, 4);
    std::vector<uint8_t> good = recording_bytes(evs, 300);
    auto clean = RecordingReader::from_bytes(good);
    REQUIRE(clean.ok());
    std::vector<RecordingChunkInfo> chunks = clean->chunk_index();
    uint64_t header_bytes = clean->header().header_bytes;
    uint64_t index_at = good.size() - kFooterBytes - kIndexFixedBytes - chunks.size() * kIndexEntryBytes;

    for (size_t len = 0; len < good.size(); ++len) {
        INFO("length " << len);
        auto r = RecordingReader::from_bytes(std::span(good).first(len));
        if (len < header_bytes) {
            REQUIRE(!r.ok());
            CHECK(r.error().status == ExitStatus::BadRecording);
            continue;
        }
        REQUIRE(r.ok());
        CHECK(!r->complete());
        std::optional<Error> err;
        std::vector<Ev> got = read_events(*r, err);
        if (err)
            FAIL(err->message);
        // The chunks that end within the prefix, and nothing else.
        size_t whole = 0;
        uint64_t events = 0;
        for (size_t c = 0; c < chunks.size(); ++c) {
            uint64_t end = c + 1 < chunks.size() ? chunks[c + 1].offset : index_at;
            if (end <= len) {
                whole = c + 1;
                events += chunks[c].events;
            }
        }
        CHECK(got.size() == events);
        CHECK(is_prefix(got, evs));
        CHECK(!r->end().complete);
        CHECK(r->end().chunks == whole);
        REQUIRE(r->end().truncated_at_icount);
        CHECK(*r->end().truncated_at_icount == (whole ? chunks[whole - 1].last_icount : 0));
        CHECK(r->end().message.find(whole ? "recording truncated after chunk " + std::to_string(whole - 1)
                                          : std::string("before its first chunk")) != std::string::npos);
    }
}

TEST_CASE("recording: a writer that never finishes leaves its flushed chunks", "[recording]")
{
    std::vector<Ev> evs = make_events(500, 5);
    std::string path = temp_path("killed");
    {
        auto w = RecordingWriter::create(path, make_header(), {.chunk_bytes = 1 << 20});
        REQUIRE(w.ok());
        for (size_t i = 0; i < 300; ++i)
            REQUIRE(w->append(evs[i].icount, evs[i].kind, evs[i].payload).ok());
        REQUIRE(w->flush().ok());
        for (size_t i = 300; i < evs.size(); ++i)
            REQUIRE(w->append(evs[i].icount, evs[i].kind, evs[i].payload).ok());
    }  // destroyed without flush or finish, as after SIGKILL
    auto r = RecordingReader::open(path);
    REQUIRE(r.ok());
    std::optional<Error> err;
    std::vector<Ev> got = read_events(*r, err);
    REQUIRE(!err);
    CHECK(got == std::vector<Ev>(evs.begin(), evs.begin() + 300));
    CHECK(*r->end().truncated_at_icount == evs[299].icount);
    CHECK(r->end().message == "recording truncated after chunk 0 (icount " + std::to_string(evs[299].icount) + ")");
    std::filesystem::remove(path);
}

TEST_CASE("recording: files that are not readable recordings get one-line reasons", "[recording]")
{
    std::vector<uint8_t> good = recording_bytes(make_events(10, 6), 4096);
    auto message = [](std::vector<uint8_t> bytes) {
        auto r = RecordingReader::from_bytes(bytes, "x.rr");
        REQUIRE(!r.ok());
        CHECK(r.error().status == ExitStatus::BadRecording);
        CHECK(r.error().message.find('\n') == std::string::npos);
        return r.error().message;
    };
    CHECK(message({}) == "x.rr: empty file, not a recording");
    CHECK(message({0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) == "x.rr: not a recording (bad magic)");
    CHECK(message({'R', 'R', 'E'}) == "x.rr: recording truncated inside its header (3 bytes)");

    std::vector<uint8_t> future = good;
    future[8] = 3;
    CHECK(message(future) == "x.rr: recording format version 3 is newer than this build reads (version 2)");
    std::vector<uint8_t> summary = good;
    summary[8] = 0;
    CHECK(message(summary) == "x.rr: recording format version 0 is not supported (this build reads version 2): record "
                              "the run again with this build");
    std::vector<uint8_t> first = good;
    first[8] = 1;
    CHECK(message(first) == "x.rr: recording format version 1 is not supported (this build reads version 2): record "
                            "the run again with this build");
    std::vector<uint8_t> damaged = good;
    damaged[20] ^= 4;
    CHECK(message(damaged) == "x.rr: header checksum mismatch");

    auto missing = RecordingReader::open(temp_path("does-not-exist"));
    REQUIRE(!missing.ok());
    CHECK(missing.error().status == ExitStatus::NoInput);
}

TEST_CASE("recording: an unknown event kind is refused by number", "[recording]")
{
    std::vector<Ev> evs{{10, EventKind::SerialInput, {'a'}}};
    std::vector<uint8_t> file = recording_bytes(evs, 4096);
    auto r0 = RecordingReader::from_bytes(file);
    REQUIRE(r0.ok());
    uint64_t at = r0->chunk_index().at(0).offset;
    uint8_t* h = file.data() + at;

    // Rebuild the chunk with kind 999, with valid checksums, as a newer writer would.
    std::vector<uint8_t> raw{10, 0xe7, 0x03, 1, 'a'};
    std::vector<uint8_t> z(ZSTD_compressBound(raw.size()));
    z.resize(ZSTD_compress(z.data(), z.size(), raw.data(), raw.size(), 3));
    std::vector<uint8_t> chunk(h, h + kChunkHeaderBytes);
    auto put = [&](size_t o, uint64_t v, int n) {
        for (int i = 0; i < n; ++i)
            chunk[o + i] = static_cast<uint8_t>(v >> (8 * i));
    };
    put(28, z.size(), 4);
    put(32, raw.size(), 4);
    put(36, XXH3_64bits(z.data(), z.size()), 8);
    put(44, XXH3_64bits(chunk.data(), 44), 4);
    chunk.insert(chunk.end(), z.begin(), z.end());
    std::vector<uint8_t> patched(file.begin(), file.begin() + at);
    patched.insert(patched.end(), chunk.begin(), chunk.end());

    auto r = RecordingReader::from_bytes(patched);
    REQUIRE(r.ok());
    std::optional<Error> err;
    CHECK(read_events(*r, err).empty());
    REQUIRE(err);
    CHECK(err->message == "<memory>: chunk 0 at offset " + std::to_string(at) + ": event 0 has unknown kind 999");
}

TEST_CASE("recording: the writer refuses events out of icount order", "[recording]")
{
    std::string path = temp_path("order");
    auto w = RecordingWriter::create(path, make_header());
    REQUIRE(w.ok());
    REQUIRE(w->append(100, EventKind::ClockRead, {}).ok());
    auto late = w->append(99, EventKind::ClockRead, {});
    REQUIRE(!late.ok());
    CHECK(late.error().message.find("ClockRead at icount 99 appended after icount 100") != std::string::npos);
    CHECK(!w->finish(50).ok());
    CHECK(w->finish(100).ok());
    std::filesystem::remove(path);
}

TEST_CASE("recording: every event kind has a name and round-trips its id", "[recording]")
{
#define RR_EVENT(name, id, payload, cls)                                              \
    CHECK(std::string(event_kind_name(EventKind::name)) == #name);      \
    CHECK(event_kind_from_id(id) == EventKind::name);
#include "replay/format/events.inc"
#undef RR_EVENT
    CHECK(!event_kind_from_id(0));
    CHECK(!event_kind_from_id(999));
}
