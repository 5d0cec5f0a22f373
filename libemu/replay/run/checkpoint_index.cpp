#include "replay/run/checkpoint_index.h"

#include <algorithm>
#include <cstring>

#include "core/dirty_pages.h"

namespace emu {

namespace {

// The recording's page store as a loading archive sees it: read-only.
class StoredPages final : public PageStore {
public:
    explicit StoredPages(const std::vector<uint8_t>& store) : store_(store) {}
    uint32_t put(const uint8_t*) override { return 0; }  // never called: loading only
    const uint8_t* get(uint32_t id) const override
    {
        return uint64_t{id} * kPageBytes < store_.size() ? store_.data() + size_t{id} * kPageBytes : nullptr;
    }

private:
    const std::vector<uint8_t>& store_;
};

}  // namespace

LoadedRam LoadedRam::capture(Bus& bus)
{
    LoadedRam out;
    std::vector<RamRegion*> regions;
    for (RamRegion& r : bus.ram_regions())
        regions.push_back(&r);
    std::sort(regions.begin(), regions.end(), [](auto* a, auto* b) { return a->base < b->base; });
    for (RamRegion* r : regions) {
        for (uint64_t off = 0; off < r->size; off += kPageSize) {
            // RAM starts as zeros and every write marks its page with all of kPageWritten's
            // bits, which consumers clear one by one: a page with none set was never written
            // and is not even read (reading it would map it, at a cost per page of the RAM).
            if (r->dirty_page[off >> kPageBits] == 0)
                continue;
            uint64_t n = std::min<uint64_t>(kPageSize, r->size - off);
            const uint8_t* p = r->host.get() + off;
            if (all_zero(p, n))
                continue;
            out.pages_.push_back((r->base + off) >> kPageBits);
            out.bytes_.insert(out.bytes_.end(), p, p + n);
            out.bytes_.resize(out.pages_.size() * kPageSize, 0);
        }
    }
    return out;
}

const uint8_t* LoadedRam::page(uint64_t page_number) const
{
    auto it = std::lower_bound(pages_.begin(), pages_.end(), page_number);
    if (it == pages_.end() || *it != page_number)
        return nullptr;
    return bytes_.data() + size_t(it - pages_.begin()) * kPageSize;
}

size_t LoadedRam::restore(Bus& bus, const std::vector<CheckpointPageRef>& written, const PageContents& contents)
{
    std::vector<uint64_t> candidates = std::move(overwritten_);
    for (RamRegion& r : bus.ram_regions())
        take_marked_pages(r, kDirtyForRestore, [&](size_t p) { candidates.push_back((r.base >> kPageBits) + p); });
    overwritten_.clear();
    for (const CheckpointPageRef& ref : written)
        overwritten_.push_back(ref.page);
    candidates.insert(candidates.end(), overwritten_.begin(), overwritten_.end());
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

    size_t placed = 0;
    auto ref = written.begin();
    for (uint64_t page : candidates) {
        RamRegion* r = bus.ram_at(page << kPageBits);
        while (ref != written.end() && ref->page < page)
            ++ref;
        bool in_written = ref != written.end() && ref->page == page;
        if (!r)
            continue;
        const uint8_t* want = in_written ? contents(ref->id) : this->page(page);
        placed += in_written;
        // Compare before writing: pages that already hold the right bytes are only read.
        uint64_t off = (page << kPageBits) - r->base;
        uint8_t* have = r->host.get() + off;
        size_t n = static_cast<size_t>(std::min<uint64_t>(kPageSize, r->size - off));
        if (want && std::memcmp(have, want, n) != 0)
            std::memcpy(have, want, n);
        else if (!want && !all_zero(have, n))
            std::memset(have, 0, n);
    }
    return placed;
}

Error CheckpointIndex::bad(size_t k, const std::string& why) const
{
    const CheckpointInfo& c = infos_[k];
    return Error{ExitStatus::BadRecording,
                 name_ + ": checkpoint " + std::to_string(c.number) + " at icount " + std::to_string(c.icount) + ": " + why};
}

Result<CheckpointIndex> CheckpointIndex::scan(RecordingReader& reader, const std::string& name, uint64_t until)
{
    CheckpointIndex index(name);
    auto bad_event = [&](const RecordingEvent& ev, const std::string& why) {
        return Error{ExitStatus::BadRecording, name + ": " + event_kind_name(ev.kind) + " at icount " +
                                                   std::to_string(ev.icount) + ": " + why};
    };
    CheckpointInfo next;  // what the coming Checkpoint has gathered so far
    bool exited = false;
    for (;;) {
        RecordingEvent ev;
        Result<bool> got = reader.next(ev);
        if (!got)
            return got.error();
        if (!*got) {
            if (!reader.end().complete)
                index.truncation_ = reader.end().message;
            else if (!exited)
                index.truncation_ = no_guest_exit_line(index.last_icount_);
            break;
        }
        if (ev.icount > until)
            break;
        index.last_icount_ = ev.icount;
        exited |= ev.kind == EventKind::GuestExit;
        if (ev.kind == EventKind::CheckpointPages) {
            std::optional<CheckpointPagesEvent> pages = decode<CheckpointPagesEvent>(ev.payload);
            if (!pages)
                return bad_event(ev, "malformed payload");
            uint64_t stored = index.store_.size() / kPageSize;
            if (pages->first_id != stored)
                return bad_event(ev, "pages from id " + std::to_string(pages->first_id) + ", expected id " +
                                         std::to_string(stored));
            index.store_.insert(index.store_.end(), pages->pages.begin(), pages->pages.end());
            next.pages_stored += static_cast<uint32_t>(pages->pages.size() / kPageSize);
            next.payload_bytes += ev.payload.size();
        } else if (ev.kind == EventKind::Checkpoint) {
            std::optional<CheckpointEvent> c = decode<CheckpointEvent>(ev.payload);
            if (!c)
                return bad_event(ev, "malformed payload");
            if (c->number != index.infos_.size())
                return bad_event(ev, "checkpoint number " + std::to_string(c->number) + ", expected " +
                                         std::to_string(index.infos_.size()));
            uint64_t stored = index.store_.size() / kPageSize;
            for (const CheckpointPageRef& ref : c->pages)
                if (ref.id >= stored)
                    return bad_event(ev, "page " + std::to_string(ref.page) + " refers to contents " +
                                             std::to_string(ref.id) + ", but only " + std::to_string(stored) +
                                             " are stored before it");
            next.number = c->number;
            next.icount = ev.icount;
            next.resume = reader.position();
            next.pages_written = static_cast<uint32_t>(c->pages.size());
            next.state_bytes = c->state.size();
            next.payload_bytes += ev.payload.size();
            index.infos_.push_back(next);
            index.states_.push_back(std::move(c->state));
            index.written_.push_back(std::move(c->pages));
            next = CheckpointInfo{};
        }
    }
    return index;
}

Result<CheckpointIndex> CheckpointIndex::read(const std::string& path, uint64_t until)
{
    Result<RecordingReader> reader = RecordingReader::open(path);
    if (!reader)
        return reader.error();
    return scan(*reader, path, until);
}

std::optional<size_t> CheckpointIndex::at_or_before(uint64_t icount) const
{
    auto after = std::upper_bound(infos_.begin(), infos_.end(), icount,
                                  [](uint64_t i, const CheckpointInfo& c) { return i < c.icount; });
    if (after == infos_.begin())
        return std::nullopt;
    return size_t(after - infos_.begin()) - 1;
}

std::vector<CheckpointPageRef> CheckpointIndex::pages_written_up_to(size_t k) const
{
    std::vector<CheckpointPageRef> all;
    for (size_t i = 0; i <= k; ++i)
        all.insert(all.end(), written_[i].begin(), written_[i].end());
    // Later checkpoints come later in `all`: a stable sort keeps a page's newest contents last.
    std::stable_sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.page < b.page; });
    std::vector<CheckpointPageRef> latest;
    for (const CheckpointPageRef& ref : all) {
        if (!latest.empty() && latest.back().page == ref.page)
            latest.back() = ref;
        else
            latest.push_back(ref);
    }
    return latest;
}

Result<Done> CheckpointIndex::restore(size_t k, Machine& m, LoadedRam& loaded) const
{
    std::vector<CheckpointPageRef> written = pages_written_up_to(k);
    size_t placed = loaded.restore(m.bus(), written, [this](uint32_t id) { return page_contents(id); });
    if (placed != written.size())
        return bad(k, std::to_string(written.size() - placed) + " written pages lie outside the machine's RAM");
    // Device pages (a disk overlay's blocks) come from the same store as RAM pages.
    StoredPages pages(store_);
    StateReader state(states_[k]);
    state.set_page_store(&pages);
    m.serialize(state, RamPages::DirtyMap);
    if (!state.finish())
        return bad(k, "machine state does not load: " + *state.error());
    return Done{};
}

}  // namespace emu
