// A DebugTarget over a tiny deterministic machine, so that the gdb layer can be tested (and
// fuzzed, and driven by a real gdb) without the replay engine. It is also the reference for the
// resume semantics debug_target.h describes: the replay engine must behave the same.
//
// The machine runs one loop of five instructions, which sit in its code memory as real
// encodings (so gdb disassembles them) but are executed from a script, not decoded:
//   AArch64 (code 0x40080000)         i386 (code 0x00100000)
//   add x0, x0, #1                    inc eax                counter register += 1
//   str w0, [x1]                      mov [ebx], eax         writes the counter to data+0
//   ldr w2, [x1, #4]                  mov edx, [ebx+4]       reads the input word at data+4
//   add x3, x3, x2                    add ecx, edx           sum += input
//   b loop                            jmp loop
// x1/ebx hold the data address (AArch64 0x40090000, i386 0x00200000). The "recording" is the
// first `length` instructions; checkpoints are every `checkpoint_every` instructions, and moving
// backward replays forward from the one before, as the replay engine does.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "debug/debug_target.h"

namespace emu::test {

class FakeDebugTarget : public debug::DebugTarget {
public:
    static constexpr unsigned kLoopLength = 5;
    static constexpr uint32_t kInputValue = 5;  // the word at data+4
    static constexpr size_t kDataSize = 64;
    static constexpr size_t kCodeSize = 256;
    static constexpr size_t kStackSize = 256;

    explicit FakeDebugTarget(debug::Arch arch, uint64_t length = 300, uint64_t checkpoint_every = 100);

    debug::Arch arch() const override { return arch_; }
    bool read_register(unsigned regnum, std::span<uint8_t> out) override;
    size_t read_memory(uint64_t addr, std::span<uint8_t> out) override;
    debug::StopEvent resume(debug::Direction direction, debug::Motion motion,
                            const debug::StopConditions& conditions,
                            const debug::InterruptCheck& interrupted) override;
    bool supports_watch(debug::WatchKind kind) const override
    {
        return std::find(refused_.begin(), refused_.end(), kind) == refused_.end();
    }
    uint64_t icount() const override { return icount_; }
    debug::Extent extent() const override { return {0, length_}; }
    std::vector<uint64_t> checkpoints() const override;
    Result<Done> seek(uint64_t icount) override;

    // The program's layout and its state at any icount, for tests to compare with.
    uint64_t code_base() const;
    uint64_t data_base() const;
    uint64_t stack_top() const;
    uint64_t pc_of_instruction(unsigned index) const;  // index 0..4 in the loop
    uint64_t pc_at(uint64_t icount) const;
    uint32_t counter_at(uint64_t icount) const;  // the word at data+0
    uint64_t interrupt_polls() const { return interrupt_polls_; }
    // From now on, watchpoints of this kind are not supported (as the replay target refuses
    // read and access watchpoints).
    void refuse(debug::WatchKind kind) { refused_.push_back(kind); }

private:
    struct State {
        uint64_t counter = 0;  // x0 / eax
        uint64_t input = 0;    // x2 / edx
        uint64_t sum = 0;      // x3 / ecx
        unsigned next = 0;     // which of the five instructions is next
        std::array<uint8_t, kDataSize> data{};
    };
    struct Access {
        uint64_t addr;
        unsigned size;
        bool write;
    };
    struct Candidate {
        uint64_t icount;
        debug::StopKind kind;
        std::optional<debug::WatchHit> watch;
    };

    State initial_state() const;
    static std::optional<Access> access_of(const State& s, uint64_t data_base);
    void execute(State& s) const;
    uint64_t pc_of(const State& s) const;
    State state_at(uint64_t icount) const;
    std::optional<debug::WatchHit> watch_hit(const State& before, uint64_t icount,
                                             const debug::StopConditions& c) const;
    std::vector<uint8_t> range_bytes(const State& s, const debug::Watchpoint& w) const;
    void move_to(uint64_t icount, const State& s);

    debug::StopEvent forward(debug::Motion motion, const debug::StopConditions& c,
                             const debug::InterruptCheck& interrupted);
    debug::StopEvent backward_step(const debug::StopConditions& c);
    debug::StopEvent backward_continue(const debug::StopConditions& c, const debug::InterruptCheck& interrupted);

    debug::Arch arch_;
    uint64_t length_;
    uint64_t checkpoint_every_;
    std::vector<State> checkpoints_;  // the state at k * checkpoint_every_
    uint64_t icount_ = 0;
    State state_;
    uint64_t interrupt_polls_ = 0;
    std::vector<debug::WatchKind> refused_;
};

}  // namespace emu::test
