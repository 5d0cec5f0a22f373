// Compiled i386 guest programs run on our interpreter and on Unicorn one instruction at a
// time from the ELF entry (Multiboot hand-over state) until the guest halts, or for at most
// kMaxSteps instructions. After every instruction the general registers, EIP, DF, IF and the
// status flags the instruction defines are compared, and the pages our CPU wrote or Unicorn
// read; all of RAM every kWholeRamEvery instructions and at the end.
//
// The guests talk to devices through I/O ports and read the TSC, which Unicorn has no
// machine behind: IN, OUT, INS, OUTS, RDTSC and CPUID run on our CPU (whose port space is
// empty: reads return all ones) and their results are copied into Unicorn. Descriptor tables
// (LGDT, the far jump, segment loads, LIDT, LTR) Unicorn executes itself from guest memory.
// Compiled code leaves flags the SDM calls undefined (after IMUL, shifts, BSF, ...) lying in
// EFLAGS; those bits are not compared, and Unicorn is given ours so that both go on alike.
//
// Guests: guests/i386 hello and exit_code (built with the test), and the shared compute
// benchmark guest when the build has it (RR_BUILD_BENCH) or RR_X86_GUEST_ELF names one. A
// guest that is absent is skipped with a warning.
#include <catch2/catch.hpp>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "machine/elf_loader.h"
#include "x86_lockstep_rig.h"
#include "x86_random_insn.h"

using namespace emu;
using namespace emu::test;

namespace {

constexpr uint32_t kRamBase = 0;
constexpr uint32_t kRamSize = 8u << 20;
constexpr uint64_t kMaxSteps = 3'000'000;
constexpr uint64_t kWholeRamEvery = 4096;
// A zeroed Multiboot information block (flags 0: nothing provided) for EBX.
constexpr uint32_t kMultibootInfo = 0x9000;
constexpr uint32_t kMultibootMagic = 0x2BADB002;

struct GuestInsn {
    bool far_branch = false;  // JMP/CALL far: see the deviation below
    bool sync = false;     // our CPU's result is copied into Unicorn
    bool halt = false;     // HLT: the guest has finished
    uint32_t undefined_flags = 0;
};

// Just enough decoding of a compiled guest's instruction to know which flags it leaves
// undefined (Intel SDM, per instruction; a superset where the count or operand decides).
GuestInsn classify(const uint8_t* p)
{
    constexpr uint32_t kCF = x86::kCF, kPF = x86::kPF, kAF = x86::kAF, kZF = x86::kZF, kSF = x86::kSF,
                       kOF = x86::kOF;
    unsigned i = 0;
    while (i < 15 && (p[i] == 0x66 || p[i] == 0x67 || p[i] == 0xF2 || p[i] == 0xF3 || p[i] == 0xF0 ||
                      p[i] == 0x2E || p[i] == 0x36 || p[i] == 0x3E || p[i] == 0x26 || p[i] == 0x64 || p[i] == 0x65))
        i++;
    uint8_t op = p[i];
    unsigned reg = (p[i + 1] >> 3) & 7;
    GuestInsn g;
    if ((op >= 0xE4 && op <= 0xE7) || (op >= 0xEC && op <= 0xEF) || (op >= 0x6C && op <= 0x6F)) {
        g.sync = true;
        return g;
    }
    if (op == 0xF4) {
        g.halt = true;
        return g;
    }
    if (op == 0xEA || op == 0x9A || (op == 0xFF && (reg == 3 || reg == 5)))
        g.far_branch = true;
    if (op == 0x0F) {
        uint8_t op2 = p[i + 1];
        reg = (p[i + 2] >> 3) & 7;
        (void)reg;
        if (op2 == 0x31 || op2 == 0xA2)
            g.sync = true;
        else if (op2 == 0xAF)
            g.undefined_flags = kSF | kZF | kAF | kPF;
        else if (op2 == 0xA4 || op2 == 0xA5 || op2 == 0xAC || op2 == 0xAD)
            g.undefined_flags = kOF | kAF | kCF;
        else if (op2 == 0xA3 || op2 == 0xAB || op2 == 0xB3 || op2 == 0xBB || op2 == 0xBA)
            g.undefined_flags = kOF | kSF | kAF | kPF;
        else if (op2 == 0xBC || op2 == 0xBD)
            g.undefined_flags = kCF | kOF | kSF | kAF | kPF;
        return g;
    }
    bool logic = (op >= 0x08 && op <= 0x0D) || (op >= 0x20 && op <= 0x25) || (op >= 0x30 && op <= 0x35) ||
                 op == 0x84 || op == 0x85 || op == 0xA8 || op == 0xA9 ||
                 (op >= 0x80 && op <= 0x83 && (reg == 1 || reg == 4 || reg == 6));
    if (logic)
        g.undefined_flags = kAF;
    else if (op == 0xF6 || op == 0xF7)
        g.undefined_flags = reg <= 1 ? kAF : reg == 4 || reg == 5 ? kSF | kZF | kAF | kPF : reg >= 6 ? x86::kStatusFlags : 0;
    else if (op == 0x69 || op == 0x6B)
        g.undefined_flags = kSF | kZF | kAF | kPF;
    else if (op == 0xC0 || op == 0xC1 || (op >= 0xD0 && op <= 0xD3))
        g.undefined_flags = kOF | kAF | (op == 0xD2 || op == 0xD3 || op == 0xC0 || op == 0xC1 ? kCF : 0);
    else if (op == 0x27 || op == 0x2F || op == 0x37 || op == 0x3F || op == 0xD4 || op == 0xD5)
        g.undefined_flags = x86::kStatusFlags;
    return g;
}

struct GuestResult {
    bool skipped = false;
    uint64_t steps = 0;
    uint64_t synced = 0;
    double seconds = 0;
    std::string failure;
};

GuestResult run_guest(const std::string& path)
{
    GuestResult r;
    Result<ElfImage> image = read_elf(path);
    if (!image) {
        r.skipped = true;
        r.failure = image.error().message;
        return r;
    }
    X86LockstepRig rig(kRamBase, kRamSize);
    for (const ElfSegment& s : image->segments) {
        if (s.paddr < kRamBase || s.memsz > kRamSize || s.paddr - kRamBase > kRamSize - s.memsz) {
            r.failure = path + ": a segment lies outside the rig's RAM";
            return r;
        }
        rig.write(static_cast<uint32_t>(s.paddr), s.data.data(), static_cast<uint32_t>(s.data.size()));
    }
    X86Regs state{};
    state.r[0] = kMultibootMagic;
    state.r[3] = kMultibootInfo;
    state.eip = static_cast<uint32_t>(image->entry);
    state.eflags = 2;
    rig.cpu.reset_flat(state.eip);
    rig.set_state(state);
    RamRegion* ram = rig.bus.ram_at(kRamBase);

    auto t0 = std::chrono::steady_clock::now();
    for (; r.steps < kMaxSteps; r.steps++) {
        X86Regs before = rig.ours();
        uint8_t bytes[16] = {};
        if (before.eip - kRamBase <= kRamSize - 16)
            std::memcpy(bytes, rig.our_ram() + (before.eip - kRamBase), 16);
        GuestInsn g = classify(bytes);
        if (g.halt && !(before.eflags & x86::kIF))
            break;
        std::fill(ram->dirty_page.begin(), ram->dirty_page.end(), 0);
        X86LockstepRig::OurStep ours = rig.step_ours();
        std::vector<std::string> diffs;
        if (g.sync) {
            if (!ours.completed)
                diffs.push_back("ours: " + ours.what);
            rig.set_state(rig.ours());
            rig.resync_unicorn_from_ours();
            r.synced++;
        } else {
            UnicornX86::StepResult theirs = rig.unicorn.step(1);
            if (!ours.completed || !theirs.completed)
                diffs.push_back("ours: " + (ours.completed ? std::string("completed") : ours.what) +
                                "; unicorn: " + theirs.text());
        }
        // Unicorn deviation: a far JMP or CALL does not set the Accessed bit of the code
        // segment descriptor it loads (QEMU sets it only for data segment loads); the SDM sets
        // it for every segment register load. Unicorn's descriptor byte is corrected.
        if (g.far_branch && ours.completed) {
            uint32_t type_byte = rig.cpu.s.gdtr.base + (rig.cpu.s.seg[x86::kCs].selector & ~7u) + 5;
            if (type_byte - kRamBase < kRamSize)
                rig.patch_unicorn(type_byte, rig.our_ram() + (type_byte - kRamBase), 1);
        }
        X86Regs o = rig.ours(), u = rig.theirs();
        static const char* const kNames[8] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
        char buf[128];
        for (unsigned i = 0; i < 8; i++)
            if (o.r[i] != u.r[i]) {
                std::snprintf(buf, sizeof buf, "%s ours %08x unicorn %08x", kNames[i], o.r[i], u.r[i]);
                diffs.push_back(buf);
            }
        if (o.eip != u.eip) {
            std::snprintf(buf, sizeof buf, "EIP ours %08x unicorn %08x", o.eip, u.eip);
            diffs.push_back(buf);
        }
        constexpr uint32_t kCompared = x86::kStatusFlags | x86::kDF | x86::kIF;
        uint32_t mask = kCompared & ~g.undefined_flags;
        if ((o.eflags ^ u.eflags) & mask)
            diffs.push_back("EFLAGS ours " + format_eflags(o.eflags) + " unicorn " + format_eflags(u.eflags));
        else if ((o.eflags ^ u.eflags) & kCompared)
            rig.unicorn.set_eflags((u.eflags & ~kCompared) | (o.eflags & kCompared));
        bool whole = (r.steps + 1) % kWholeRamEvery == 0;
        for (size_t p = 0; p < ram->dirty_page.size() && !whole; p++)
            if (ram->dirty_page[p] && !rig.memory_equal(static_cast<uint32_t>(p * kPageSize), kPageSize))
                whole = true;
        if (whole && !rig.memory_equal(kRamBase, kRamSize))
            for (std::string& d : rig.memory_differences(kRamBase, kRamSize))
                diffs.push_back("memory " + d);
        if (!diffs.empty()) {
            std::snprintf(buf, sizeof buf, "%s: divergence at instruction %" PRIu64 " (memory last compared whole "
                          "at %" PRIu64 ")\n", path.c_str(), r.steps, r.steps / kWholeRamEvery * kWholeRamEvery);
            r.failure = buf;
            r.failure += "EIP " + format_x86_bytes(before.eip, bytes, 15) + "\nstate before it:\n" + format_regs(before);
            r.failure += "differences:\n";
            for (const std::string& d : diffs)
                r.failure += "  " + d + "\n";
            return r;
        }
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!rig.memory_equal(kRamBase, kRamSize)) {
        r.failure = path + ": RAM differs at the end:\n";
        for (const std::string& d : rig.memory_differences(kRamBase, kRamSize))
            r.failure += "  " + d + "\n";
    }
    return r;
}

void check_guest(const std::string& path)
{
    GuestResult r = run_guest(path);
    if (r.skipped) {
        WARN("skipped " << path << ": " << r.failure);
        return;
    }
    std::printf("%s: %" PRIu64 " instructions in lockstep (%" PRIu64 " run on ours and copied) in %.1f s\n",
                path.c_str(), r.steps, r.synced, r.seconds);
    if (!r.failure.empty())
        FAIL(r.failure);
}

}  // namespace

TEST_CASE("i386 guest hello runs the same on our interpreter and on Unicorn", "[diff][x86][lockstep][guest]")
{
    check_guest(std::string(GUEST_DIR) + "/i386_hello.elf");
}

TEST_CASE("i386 guest exit_code runs the same on our interpreter and on Unicorn", "[diff][x86][lockstep][guest]")
{
    check_guest(std::string(GUEST_DIR) + "/i386_exit_code.elf");
}

TEST_CASE("i386 compute benchmark guest runs the same on our interpreter and on Unicorn",
          "[diff][x86][lockstep][guest]")
{
    const char* env = std::getenv("RR_X86_GUEST_ELF");
    check_guest(env && *env ? std::string(env) : std::string(GUEST_DIR) + "/../shared-bench/i386/compute.elf");
}
