// libFuzzer target for the replayer: the input describes a stream of well-framed events (kinds,
// icounts and payloads chosen by the fuzzer, payloads often valid for their kind), which is
// written as a real recording and replayed against the serial echo guest. Whatever the events
// say, the replay must end in a verdict (ok, divergence or truncation) without crashing,
// hanging or reading out of bounds.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

#include "machine/machines.h"
#include "replay/format/event_payloads.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_reader.h"
#include "replay/format/recording_writer.h"
#include "replay/run/replay_gate.h"
#include "replay/run/replay_stream.h"
#include "replay/run/replayer.h"
#include "payload_generator.h"

using namespace emu;

namespace {

const ElfImage& guest()
{
    static const ElfImage image = [] {
        Result<ElfImage> r = read_elf(GUEST_ELF);
        if (!r) {
            std::fprintf(stderr, "replay_fuzz: %s\n", r.error().message.c_str());
            std::abort();
        }
        return std::move(*r);
    }();
    return image;
}

// A payload for `kind` from the fuzzer's bytes: well formed when `valid`, raw otherwise.
std::vector<uint8_t> payload(EventKind kind, bool valid, const uint8_t* p, size_t n)
{
    return valid ? fuzz::generate_payload(kind, p, n) : std::vector<uint8_t>(p, p + n);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const EventKind kinds[] = {
#define RR_EVENT(name, id, payload, cls) EventKind::name,
#include "replay/format/events.inc"
#undef RR_EVENT
    };
    RecordingConfig config;
    config.files = {{BootRole::Kernel, GUEST_ELF, ""}};
    config.machine.ram_size = 4u << 20;  // enough for the guest; 128 MiB would dominate each run
    static const std::string path = "/tmp/replay_fuzz." + std::to_string(::getpid()) + ".rr";
    {
        RecordingHeaderSpec header{"fuzz", encode(config), {{GUEST_ELF, guest().file, Embed::No}}};
        auto w = RecordingWriter::create(path, header);
        if (!w)
            std::abort();
        uint64_t icount = 0;
        for (size_t i = 0; i + 3 <= size;) {
            uint8_t op = data[i];
            icount += uint64_t{data[i + 1]} * (op & 0x80 ? 97 : 1);  // small steps, sometimes big ones
            size_t n = std::min<size_t>(data[i + 2] % 32, size - i - 3);
            EventKind kind = kinds[op % std::size(kinds)];
            if (!w->append(icount, kind, payload(kind, op & 0x40, data + i + 3, n)))
                std::abort();
            i += 3 + n;
        }
        if (size & 1 && !w->finish(icount))  // odd sizes leave the recording unfinished
            std::abort();
    }
    auto reader = RecordingReader::open(path);
    if (!reader)
        return 0;
    ReplayStream stream(*reader);
    ReplayGate gate(stream);
    auto machine = make_machine(config.machine, gate, [](uint8_t) {});
    if (!machine || !(*machine)->load_kernel(guest()))
        std::abort();
    (void)Replayer(**machine, stream, gate).run_to(std::nullopt);
    return 0;
}
