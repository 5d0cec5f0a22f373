// libFuzzer target for RecordingReader. The first input byte picks a mode:
//  - even: the rest is a file for the reader, which must answer without crashing, leaking or
//    allocating without bound;
//  - odd: the rest describes events; they are written as a real recording, then one byte is
//    flipped or the file is cut, and the reader must report the damage (or the truncation)
//    and never return an event that was not written. Random bytes rarely pass the checksums,
//    so this mode is what reaches the event decoder.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

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

void check(bool ok, const char* what)
{
    if (!ok) {
        std::fprintf(stderr, "recording_reader_fuzz: %s\n", what);
        std::abort();
    }
}

// Reads until the end or an error; returns the events and whether it ended without error.
bool drain(RecordingReader& r, std::vector<Ev>& out)
{
    RecordingEvent ev;
    for (;;) {
        auto more = r.next(ev);
        if (!more)
            return false;
        if (!more.value())
            return true;
        out.push_back({ev.icount, ev.kind, {ev.payload.begin(), ev.payload.end()}});
    }
}

void raw_mode(const uint8_t* data, size_t size)
{
    auto r = RecordingReader::from_bytes({data, size});
    if (!r)
        return;
    for (size_t i = 0; i < r->header().blobs.size(); ++i)
        (void)r->blob_bytes(i);
    std::vector<Ev> evs;
    drain(*r, evs);
}

void damage_mode(const uint8_t* data, size_t size)
{
    if (size < 6)
        return;
    uint32_t where = data[0] | data[1] << 8 | data[2] << 16;
    uint8_t mask = data[3];
    size_t chunk_bytes = 16 + data[4] * 4;
    data += 5;
    size -= 5;

    const EventKind kinds[] = {
#define RR_EVENT(name, id, payload, cls) EventKind::name,
#include "replay/format/events.inc"
#undef RR_EVENT
    };
    std::vector<Ev> evs;
    uint64_t icount = 0;
    for (size_t i = 0; i + 2 <= size;) {
        icount += data[i] * data[i];
        size_t len = std::min<size_t>(data[i + 1] % 24, size - i - 2);
        Ev e{icount, kinds[data[i + 1] % std::size(kinds)], {data + i + 2, data + i + 2 + len}};
        evs.push_back(std::move(e));
        i += 2 + len;
    }

    static const std::string path = "/tmp/recording_reader_fuzz." + std::to_string(::getpid());
    {
        std::vector<uint8_t> image(data, data + size);
        RecordingHeaderSpec h{"fuzz", {1, 2, 3}, {{"image", image, Embed::Yes}}};
        auto w = RecordingWriter::create(path, h, {.chunk_bytes = chunk_bytes});
        check(w.ok(), "create failed");
        for (const Ev& e : evs)
            check(w->append(e.icount, e.kind, e.payload).ok(), "append failed");
        check(w->finish(icount).ok(), "finish failed");
    }
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> file{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};

    size_t off = where % file.size();
    bool cut = mask == 0;
    if (cut)
        file.resize(off);
    else
        file[off] ^= mask;

    auto r = RecordingReader::from_bytes(file);
    if (!r)
        return;
    std::vector<Ev> got;
    bool clean_end = drain(*r, got);
    check(got.size() <= evs.size() && std::equal(got.begin(), got.end(), evs.begin()),
          "returned an event that was not written");
    if (cut) {
        check(clean_end, "a cut file gave an error after its header");
        check(!r->end().complete, "a cut file read as complete");
    } else {
        check(!clean_end, "a flipped byte went undetected");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        damage_mode(data + 1, size - 1);
    else
        raw_mode(data + 1, size - 1);
    return 0;
}
