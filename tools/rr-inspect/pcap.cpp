#include "tools/rr-inspect/pcap.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "replay/format/event_payloads.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_reader.h"

namespace emu::tools {

namespace {

constexpr uint32_t kPcapNanosecondMagic = 0xa1b23c4d;
constexpr uint32_t kLinkTypeEthernet = 1;
constexpr uint32_t kSnapLength = 65536;

void put32(std::vector<uint8_t>& b, uint32_t v)
{
    for (unsigned i = 0; i < 4; ++i)
        b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

Result<uint64_t> export_pcap(const std::string& recording, const std::string& out)
{
    Result<RecordingReader> reader = RecordingReader::open(recording);
    if (!reader)
        return reader.error();
    Result<RecordingConfig> config = decode_recording_config(reader->header().payload, recording);
    if (!config)
        return config.error();
    unsigned icount_shift = config->machine.icount_shift;
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(out.c_str(), "wb"), std::fclose);
    if (!f)
        return Error{ExitStatus::IoError, out + ": cannot create: " + std::strerror(errno)};
    std::vector<uint8_t> b;
    put32(b, kPcapNanosecondMagic);
    b.push_back(2), b.push_back(0), b.push_back(4), b.push_back(0);  // version 2.4
    put32(b, 0);                                                    // reserved (time zone)
    put32(b, 0);                                                    // reserved (accuracy)
    put32(b, kSnapLength);
    put32(b, kLinkTypeEthernet);
    uint64_t frames = 0;
    RecordingEvent ev;
    for (;;) {
        Result<bool> more = reader->next(ev);
        if (!more)
            return more.error();
        if (!*more)
            break;
        if (ev.kind != EventKind::NetFrame)
            continue;
        std::optional<InputEvent> in = decode<InputEvent>(ev.payload);
        if (!in)
            return Error{ExitStatus::BadRecording, recording + ": malformed NetFrame at icount " + std::to_string(ev.icount)};
        uint64_t ns = ev.icount << icount_shift;
        put32(b, static_cast<uint32_t>(ns / 1'000'000'000));
        put32(b, static_cast<uint32_t>(ns % 1'000'000'000));
        put32(b, static_cast<uint32_t>(in->data.size()));
        put32(b, static_cast<uint32_t>(in->data.size()));
        b.insert(b.end(), in->data.begin(), in->data.end());
        frames++;
    }
    if (std::fwrite(b.data(), 1, b.size(), f.get()) != b.size() || std::fflush(f.get()) != 0)
        return Error{ExitStatus::IoError, out + ": write error: " + std::strerror(errno)};
    return frames;
}

}  // namespace emu::tools
