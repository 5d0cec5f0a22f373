// libFuzzer target for checkpoints as a reader meets them: the input mutates the Checkpoint
// and CheckpointPages events of a recording of the serial echo guest (page ids, page numbers,
// bytes of the machine state, raw payloads), and every checkpoint the index accepts is then
// restored into a replay and replayed a little. Whatever the events say, reading and restoring
// must end in an error or a machine state, without crashing or reading out of bounds.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

#include "machine/machines.h"
#include "replay/run/checkpoint_index.h"
#include "replay/format/event_log.h"
#include "replay/format/event_payloads.h"
#include "replay/run/record_gate.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_writer.h"
#include "replay/run/replay_session.h"

using namespace emu;

namespace {

RecordingConfig config()
{
    RecordingConfig c;
    c.files = {{BootRole::Kernel, GUEST_ELF, ""}};
    c.machine.ram_size = 4u << 20;  // enough for the guest; 128 MiB would dominate each run
    return c;
}

const ElfImage& guest()
{
    static const ElfImage image = [] {
        Result<ElfImage> r = read_elf(GUEST_ELF);
        if (!r) {
            std::fprintf(stderr, "checkpoint_fuzz: %s\n", r.error().message.c_str());
            std::abort();
        }
        return std::move(*r);
    }();
    return image;
}

// The loaded guest's machine state, as a checkpoint holds it: what the mutations start from.
const std::vector<uint8_t>& loaded_state()
{
    static const std::vector<uint8_t> state = [] {
        EventLog log(EventLog::Start::Discarding);
        RecordGate gate(log, RecordGateOptions{});
        auto m = make_machine(config().machine, gate, [](uint8_t) {});
        if (!m || !(*m)->load_kernel(guest()))
            std::abort();
        StateWriter w;
        (*m)->serialize(w, RamPages::DirtyMap);
        return w.bytes();
    }();
    return state;
}

class Input {
public:
    Input(const uint8_t* p, size_t n) : p_(p), n_(n) {}
    uint8_t byte() { return at_ < n_ ? p_[at_++] : 0; }
    uint32_t u32() { return byte() | byte() << 8 | byte() << 16 | uint32_t{byte()} << 24; }
    bool empty() const { return at_ >= n_; }

private:
    const uint8_t* p_;
    size_t n_;
    size_t at_ = 0;
};

// A mutated checkpoint pair: pages with fuzzed contents and ids, then a Checkpoint whose state
// has a few bytes changed and whose references point anywhere in and around the RAM.
void append_checkpoint(Input& in, RecordingWriter& w, uint64_t icount, uint32_t number, uint32_t& stored)
{
    CheckpointPagesEvent pages;
    pages.first_id = (in.byte() & 7) == 0 ? in.u32() : stored;
    size_t count = 1 + in.byte() % 3;
    pages.pages.assign(count * kPageSize, in.byte());
    if (!w.append(icount, EventKind::CheckpointPages, encode(pages)))
        std::abort();
    stored += static_cast<uint32_t>(count);

    CheckpointEvent c;
    c.number = (in.byte() & 7) == 0 ? in.byte() : number;
    c.state = loaded_state();
    for (int flips = in.byte() % 4; flips > 0 && !c.state.empty(); --flips) {
        size_t at = in.u32() % c.state.size();
        c.state[at] ^= static_cast<uint8_t>(1 + in.byte() % 255);
    }
    uint64_t page = (0x40000000 >> kPageBits) - 2 + in.byte() % 4;
    for (int refs = in.byte() % 5; refs > 0; --refs) {
        c.pages.push_back({page, in.byte() % (stored + 2)});
        page += 1 + in.byte() % 700;
    }
    std::vector<uint8_t> payload = encode(c);
    if ((in.byte() & 15) == 0 && !payload.empty())
        payload.resize(in.byte() % payload.size());  // cut short
    if (!w.append(icount, EventKind::Checkpoint, payload))
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const std::string path = "/tmp/checkpoint_fuzz." + std::to_string(::getpid()) + ".rr";
    Input in(data, size);
    {
        RecordingHeaderSpec header{"fuzz", encode(config()), {{GUEST_ELF, guest().file, Embed::Yes}}};
        auto w = RecordingWriter::create(path, header);
        if (!w)
            std::abort();
        uint32_t stored = 0;
        uint64_t icount = 0;
        for (uint32_t number = 0; number < 3 && !in.empty(); ++number) {
            icount += 1 + in.byte() * 16;
            append_checkpoint(in, *w, icount, number, stored);
        }
        if (!w->finish(icount))
            std::abort();
    }
    auto session = ReplaySession::open(path, "", [](uint8_t) {});
    if (!session)
        std::abort();
    Result<CheckpointIndex> index = (*session)->scan_checkpoints();
    if (!index)
        return 0;
    for (size_t k = 0; k < index->checkpoints().size(); ++k) {
        if (!(*session)->restore(*index, k))
            return 0;  // a machine whose restore failed is thrown away
        (void)(*session)->replayer().run_to(index->checkpoints()[k].icount + 200);
    }
    return 0;
}
