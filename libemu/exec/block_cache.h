// The trace cache shared by every CPU: threaded-code blocks keyed by the guest physical address
// of their first instruction. A block is an array of pre-decoded operations, each a handler
// plus operands, decoded once and executed many times.
//
// Blocks live in an arena and are never freed one by one: invalidation (a store into a page
// holding code) only marks them dead and unlinks them, so a pointer the CPU still holds to a
// running block stays valid until it leaves that block. When the arena is full the whole cache is flushed between blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <unordered_map>
#include <vector>

#include "core/bus.h"

namespace emu {

template <class Op>
struct Block {
    PhysAddr pc = 0;          // guest physical address of the first instruction
    uint32_t n_insns = 0;     // instructions; at least the ops before the terminator (a trace
                              // may leave a jump out)
    uint32_t n_bytes = 0;     // guest bytes covered, for page registration
    // The budget a branch needs to enter this block directly: n_insns, or the maximum for a
    // block only the run loop may enter (see Engine::set_chain_cost).
    uint32_t chain_cost = 0;
    // What the front end decoded the block under, where the same bytes decode differently
    // (i386: 16- or 32-bit code); the front end checks it on lookup.
    uint32_t mode = 0;
    bool valid = true;
    // Direct links (Engine::chain_direct): the block each static exit of this one went to when
    // it was last looked up, [0] for a branch taken, [1] for falling through or a branch not
    // taken. They hold only while link_generation is the cache's generation(), which moves
    // whenever a block dies or the front end's translation changes.
    Block* link[2] = {nullptr, nullptr};
    uint64_t link_generation = 0;
    // The guest physical address of its last byte (of its first when it covers none), for the
    // pages it was decoded from.
    PhysAddr last_byte() const { return pc + (n_bytes ? n_bytes - 1 : 0); }
    Op* ops() { return reinterpret_cast<Op*>(this + 1); }
    const Op* ops() const { return reinterpret_cast<const Op*>(this + 1); }
};

template <class Op>
class BlockCache {
public:
    using BlockT = Block<Op>;

    explicit BlockCache(size_t arena_bytes = size_t{64} << 20) : arena_size_(arena_bytes)
    {
        arena_.reset(new (std::align_val_t{64}) std::byte[arena_size_]);
        std::memset(jump_cache_, 0, sizeof jump_cache_);
    }

    BlockCache(const BlockCache&) = delete;
    BlockCache& operator=(const BlockCache&) = delete;

    BlockT* find(PhysAddr pc)
    {
        BlockT*& slot = jump_cache_[jump_index(pc)];
        if (slot && slot->pc == pc)
            return slot;
        auto it = map_.find(pc);
        if (it == map_.end())
            return nullptr;
        slot = it->second;
        return slot;
    }

    // The jump cache alone, for chaining: a miss here leaves the full lookup to the run loop.
    BlockT* find_recent(PhysAddr pc) const
    {
        BlockT* b = jump_cache_[jump_index(pc)];
        return b && b->pc == pc ? b : nullptr;
    }

    // Space for a block of up to max_ops operations (terminator included), or null when the
    // arena is full and the caller must flush().
    BlockT* allocate(size_t max_ops)
    {
        if (used_ + footprint(max_ops) > arena_size_)
            return nullptr;
        return new (arena_.get() + used_) BlockT();
    }

    // Makes the block most recently allocated findable; shrinks its arena use to n_ops.
    void insert(BlockT* b, size_t n_ops)
    {
        used_ += footprint(n_ops);
        map_[b->pc] = b;
        jump_cache_[jump_index(b->pc)] = b;
        PhysAddr first = b->pc >> kPageBits;
        PhysAddr last = b->last_byte() >> kPageBits;
        for (PhysAddr p = first; p <= last; p++)
            page_blocks_[p].push_back(b);
    }

    // Kills every block decoded from the page; true if `current` was one of them.
    bool invalidate_page(PhysAddr page_addr, const BlockT* current)
    {
        auto it = page_blocks_.find(page_addr >> kPageBits);
        if (it == page_blocks_.end())
            return false;
        bool hit_current = false;
        for (BlockT* b : it->second) {
            if (!b->valid)
                continue;
            b->valid = false;
            hit_current |= (b == current);
            auto m = map_.find(b->pc);
            if (m != map_.end() && m->second == b)
                map_.erase(m);
            BlockT*& slot = jump_cache_[jump_index(b->pc)];
            if (slot == b)
                slot = nullptr;
        }
        page_blocks_.erase(it);
        invalidations_++;
        unlink_all();
        return hit_current;
    }

    void flush()
    {
        map_.clear();
        page_blocks_.clear();
        std::memset(jump_cache_, 0, sizeof jump_cache_);
        used_ = 0;
        flushes_++;
        unlink_all();
    }

    // Direct links made before now are not followed again (see Block::link). Costs no memory:
    // links live in the blocks' headers, two pointers each.
    void unlink_all() { generation_++; }
    uint64_t generation() const { return generation_; }

    size_t block_count() const { return map_.size(); }
    uint64_t invalidations() const { return invalidations_; }
    uint64_t flushes() const { return flushes_; }

private:
    static constexpr size_t kJumpCacheSize = 1 << 14;
    // Distinct for any two instruction addresses in an aligned window of kJumpCacheSize <<
    // Op::kInsnAlignBits bytes: 64 KiB on AArch64, 16 KiB on i386, whose blocks may start at
    // neighbouring bytes (a trace cut in a loop body starts its successor one instruction on).
    static size_t jump_index(PhysAddr pc) { return (pc >> Op::kInsnAlignBits) & (kJumpCacheSize - 1); }
    static size_t footprint(size_t n_ops) { return (sizeof(BlockT) + n_ops * sizeof(Op) + 63) & ~size_t{63}; }

    struct AlignedDelete {
        void operator()(std::byte* p) const { ::operator delete[](p, std::align_val_t{64}); }
    };
    std::unique_ptr<std::byte[], AlignedDelete> arena_;
    size_t arena_size_;
    size_t used_ = 0;
    BlockT* jump_cache_[kJumpCacheSize];
    std::unordered_map<PhysAddr, BlockT*> map_;
    std::unordered_map<PhysAddr, std::vector<BlockT*>> page_blocks_;
    uint64_t invalidations_ = 0;
    uint64_t flushes_ = 0;
    uint64_t generation_ = 1;  // never 0, the generation of a block with no links yet
};

}  // namespace emu
