// Compiled guest programs (guests/aarch64/lockstep) run on our interpreter and on Unicorn one
// instruction at a time from the ELF entry to the `lockstep_done` spin loop. Registers,
// flags and PSTATE (and, for the programs built with FP and SIMD, V0-V31, FPCR and FPSR) are
// compared after every instruction, the bytes Unicorn stored after
// every store, and all of RAM at the end. They also run with the MMU on, their virtual
// addresses mapped to RAM elsewhere: long streams that keep the TLB warm.
#include <catch2/catch.hpp>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "a64_disasm.h"
#include "a64_lockstep_rig.h"
#include "a64_snapshot.h"
#include "core/format.h"
#include "machine/elf_loader.h"

using namespace emu;
using namespace emu::test;

namespace {

constexpr uint64_t kRamBase = 0x40000000;  // where the programs are linked
constexpr uint64_t kRamSize = 2u << 20;
// With the MMU on, the physical RAM behind them.
constexpr uint64_t kTranslatedRamPa = 0x60000000;
// Far more than any of the programs needs: a guest that loops for ever fails instead of
// hanging the test.
constexpr uint64_t kMaxSteps = 20'000'000;

struct GuestResult {
    uint64_t steps = 0;
    double seconds = 0;
    std::string failure;  // empty when the engines agreed to the end
};

// Copies the ELF's loadable segments into both engines, zero-filling past the file bytes.
std::string load(const ElfImage& image, LockstepRig& rig)
{
    for (const ElfSegment& s : image.segments) {
        if (s.paddr < kRamBase || s.memsz > kRamSize || s.paddr - kRamBase > kRamSize - s.memsz)
            return "segment at " + hex(s.paddr) + " is outside the rig's RAM";
        rig.write(s.paddr, s.data.data(), s.data.size());
        std::vector<uint8_t> zeros(s.memsz - s.data.size());
        rig.write(s.paddr + s.data.size(), zeros.data(), zeros.size());
    }
    return {};
}

std::string describe_step(const std::string& name, uint64_t step, uint32_t insn, const A64Snapshot& before,
                          const LockstepRig& rig, const std::vector<std::string>& diffs)
{
    char head[160];
    std::snprintf(head, sizeof head, "%s: divergence at instruction %" PRIu64 "\npc %s: %08x  %s\n", name.c_str(),
                  step, hex(before.pc).c_str(), insn, disassemble_a64(insn, before.pc).c_str());
    std::string text = head;
    text += "state before it:\n" + format(before);
    for (const UnicornA64::Access& a : rig.unicorn.accesses()) {
        text += std::string("  ") + (a.is_write ? "write " : "read  ") + std::to_string(a.size) + "B " +
                format_bytes(a.addr, a.before, a.before_len);
        if (a.is_write)
            text += "  <- " + hex(a.value);
        text += "\n";
    }
    text += "differences:\n";
    for (const std::string& d : diffs)
        text += "  " + d + "\n";
    return text;
}

GuestResult run_guest(const std::string& name, bool with_fp, const std::optional<RigMmu>& mmu)
{
    GuestResult r;
    Result<ElfImage> image = read_elf(std::string(GUEST_DIR) + "/" + name + ".elf");
    if (!image) {
        r.failure = image.error().message;
        return r;
    }
    auto done_sym = image->symbols.find("lockstep_done");
    if (done_sym == image->symbols.end()) {
        r.failure = name + ": no lockstep_done symbol";
        return r;
    }
    const uint64_t done = done_sym->second;

    LockstepRig rig(mmu ? kTranslatedRamPa : kRamBase, kRamSize, UC_PROT_ALL, mmu);
    if (std::string e = load(*image, rig); !e.empty()) {
        r.failure = name + ": " + e;
        return r;
    }
    A64Snapshot before;
    before.pc = image->entry;
    before.has_fp = with_fp;
    rig.reset_ours(before.pc);
    apply(before, rig.cpu);
    apply(before, rig.unicorn);

    auto t0 = std::chrono::steady_clock::now();
    for (; before.pc != done; r.steps++) {
        if (r.steps == kMaxSteps) {
            r.failure = name + ": did not reach lockstep_done in " + std::to_string(kMaxSteps) + " instructions";
            return r;
        }
        uint32_t insn = 0;
        if (before.pc - kRamBase <= kRamSize - 4)
            std::memcpy(&insn, rig.our_ram() + (before.pc - kRamBase), 4);

        LockstepRig::OurStep ours = rig.step_ours();
        UnicornA64::StepResult theirs = rig.unicorn.step(1);
        A64Snapshot after = capture(rig.cpu, false, with_fp);
        std::vector<std::string> diffs;
        // These programs never trap; a trap in either engine is a failure of its own.
        if (!ours.completed || !theirs.completed)
            diffs.push_back("trap: ours " + (ours.completed ? std::string("completed") : ours.what) + ", unicorn " +
                            theirs.text());
        for (std::string& d : differences(after, capture(rig.unicorn, false, with_fp)))
            diffs.push_back(std::move(d));
        for (std::string& d : rig.our_invariant_failures())
            diffs.push_back(std::move(d));
        for (const UnicornA64::Access& a : rig.unicorn.accesses())
            if (a.is_write && !rig.memory_equal(a.addr, a.size))
                for (std::string& d : rig.memory_differences(a.addr, a.size))
                    diffs.push_back("memory " + d);
        if (!diffs.empty()) {
            r.failure = describe_step(name, r.steps, insn, before, rig, diffs);
            return r;
        }
        before = after;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    // Stores Unicorn saw were compared as they happened; this also catches any store of ours
    // that went somewhere Unicorn did not write.
    if (!rig.memory_equal(kRamBase, kRamSize)) {
        r.failure = name + ": RAM differs at the end:\n";
        for (const std::string& d : rig.memory_differences(kRamBase, kRamSize))
            r.failure += "  " + d + "\n";
    }
    return r;
}

// `with_fp`: the program uses FP/SIMD, so V0-V31, FPCR and FPSR are compared too.
void check_guest(const std::string& name, bool with_fp = false, const std::optional<RigMmu>& mmu = std::nullopt)
{
    GuestResult r = run_guest(name, with_fp, mmu);
    std::string label = name + (mmu ? " (" + mmu->name + ")" : "");
    if (r.failure.empty())
        std::printf("%-34s %9" PRIu64 " instructions in lockstep (%.2f s, %.1f us each)\n", label.c_str(), r.steps,
                    r.seconds, r.steps ? 1e6 * r.seconds / static_cast<double>(r.steps) : 0.0);
    else
        FAIL(label + ": " + r.failure);
}

RigMmu translated(const char* name, unsigned granule_bits, unsigned va_bits, unsigned leaf_level)
{
    RigMmu m;
    m.name = name;
    m.granule_bits = granule_bits;
    m.va_bits = va_bits;
    m.leaf_level = leaf_level;
    m.va_base = kRamBase;
    return m;
}

}  // namespace

TEST_CASE("guest lockstep_sort runs in lockstep with Unicorn", "[diff][a64][guest]")
{
    check_guest("lockstep_sort");
    check_guest("lockstep_sort_o3");
    check_guest("lockstep_sort_simd", true);
}

TEST_CASE("guest lockstep_bignum runs in lockstep with Unicorn", "[diff][a64][guest]")
{
    check_guest("lockstep_bignum");
    check_guest("lockstep_bignum_o3");
    check_guest("lockstep_bignum_simd", true);
}

TEST_CASE("guest lockstep_interp runs in lockstep with Unicorn", "[diff][a64][guest]")
{
    check_guest("lockstep_interp");
    check_guest("lockstep_interp_o3");
    check_guest("lockstep_interp_simd", true);
}

TEST_CASE("guest lockstep_fpmath runs in lockstep with Unicorn", "[diff][a64][guest]")
{
    check_guest("lockstep_fpmath", true);
    check_guest("lockstep_fpmath_o3", true);
}

TEST_CASE("guests run in lockstep with Unicorn with the MMU on", "[diff][a64][guest][mmu]")
{
    RigMmu pages4k = translated("4 KiB pages", 12, 39, 3);
    RigMmu pages64k = translated("64 KiB pages", 16, 42, 3);
    RigMmu block2m = translated("2 MiB block", 12, 39, 2);
    check_guest("lockstep_sort", false, pages4k);
    check_guest("lockstep_interp_o3", false, pages64k);
    check_guest("lockstep_bignum_simd", true, block2m);
}
