// The engine's fast path on i386 (blocks chained and linked straight into each other, traces
// through direct branches, compares fused with their Jcc) against the plain loop that runs one block per trip and looks every
// block up afresh, or, in every other case, against single steps (one-instruction blocks, which
// fuse nothing): random programs of ALU operations, loads, stores, REP and bare STOS, direct
// branches of every kind, CMP/TEST + Jcc pairs and self-modifying stores, run on two CPUs with
// the same random budgets, compared register by register, byte by byte and in icount at every
// run() exit. Between runs the test rewrites code, moves CS's base (the same code at other EIPs),
// cuts CS's limit into the program, turns paging on and off and remaps the code pages between
// two different programs, as loaders and kernels do, so that links into dead, moved or
// remapped code get their chance to be followed wrongly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "diff/split_mix.h"
#include "x86_test_board.h"

using namespace emu;
using namespace emu::test;
using B = X86TestBoard;

namespace {

constexpr uint32_t kPage = 0x1000;
constexpr uint32_t kCodePages = 3;
constexpr uint32_t kSlotBytes = 8;  // every instruction (or short sequence) padded with NOPs
constexpr uint32_t kSlots = kCodePages * kPage / kSlotBytes;
constexpr uint32_t kData = 0x30000;  // EBX points into it: loads, stores, REP STOSB
constexpr uint32_t kDataSize = 0x1000;
constexpr uint32_t kPageDir = 0x20000, kPageTable = 0x21000;
// With paging on, the code runs at two linear windows: at the program's physical address, each
// page mapped either to the program's page or to the same page of a second program at kOther
// (the test flips them), and at kAlias, the program's pages in order. Branch targets are slot
// numbers, so every mix of the two programs is a program.
constexpr uint32_t kOther = 0x18000;
constexpr uint32_t kAlias = 0x200000;

// Registers the random instructions leave alone: EBX the data base, EBP the self-modifying
// store's address, ESI its value, ESP.
constexpr uint8_t kFree[] = {x86::kEax, x86::kEcx, x86::kEdx, x86::kEdi};
constexpr uint8_t kFreeBytes[] = {0, 1, 2, 4, 5, 6};  // AL CL DL AH CH DH
// What the self-modifying store writes over a slot: INC EAX; JMP to the next slot.
constexpr uint32_t kSmcValue = 0x9005EB40;

void put32(std::vector<uint8_t>& v, uint32_t x)
{
    for (unsigned i = 0; i < 4; i++)
        v.push_back(static_cast<uint8_t>(x >> (8 * i)));
}

// The bytes of slot `i`: mostly ALU operations, then loads and stores, branches of every
// direct kind to random slots, calls, and now and then the self-modifying store.
std::vector<uint8_t> random_slot(SplitMix64& rng, uint32_t i)
{
    auto reg = [&] { return kFree[rng.below(4)]; };
    auto byte_reg = [&] { return kFreeBytes[rng.below(6)]; };
    auto disp8 = [&] { return static_cast<uint8_t>(rng.below(256)); };
    uint32_t target = static_cast<uint32_t>(rng.below(kSlots));
    uint32_t near = static_cast<uint32_t>(std::min<int64_t>(
        kSlots - 1, std::max<int64_t>(0, int64_t{i} + static_cast<int64_t>(rng.below(31)) - 15)));
    auto rel = [&](uint32_t to, uint32_t len) { return (to - i) * kSlotBytes - len; };
    std::vector<uint8_t> v;
    unsigned kind = static_cast<unsigned>(rng.below(100));
    if (kind < 28) {
        static constexpr uint8_t kAlu[] = {0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39, 0x85};
        v = {kAlu[rng.below(9)], static_cast<uint8_t>(0xC0 | reg() << 3 | reg())};
    } else if (kind < 35) {  // CMP or TEST, then Jcc rel8 (the pair the decoder fuses)
        static constexpr uint8_t kCompare[] = {0x39, 0x3B, 0x85};
        unsigned form = static_cast<unsigned>(rng.below(6));
        if (form == 0) {
            v = {0x83, static_cast<uint8_t>(0xF8 | reg()), static_cast<uint8_t>(rng.below(256))};
        } else if (form == 1) {  // CMP AL, imm8
            v = {0x3C, static_cast<uint8_t>(rng.below(256))};
        } else if (form == 2) {  // CMP EAX, imm32: small half the time, to land near EAX
            v = {0x3D};
            put32(v, rng.chance(1, 2) ? static_cast<uint32_t>(rng.next()) : static_cast<uint32_t>(rng.below(256)));
        } else {
            v = {kCompare[rng.below(3)], static_cast<uint8_t>(0xC0 | reg() << 3 | reg())};
        }
        uint32_t len = static_cast<uint32_t>(v.size()) + 2;
        v.push_back(static_cast<uint8_t>(0x70 | rng.below(16)));
        v.push_back(static_cast<uint8_t>(rel(near, len)));
    } else if (kind < 43) {
        v = {static_cast<uint8_t>((rng.chance(1, 2) ? 0x40 : 0x48) | reg())};
    } else if (kind < 47) {
        v = {static_cast<uint8_t>(0xB8 | reg())};
        put32(v, static_cast<uint32_t>(rng.next()));
    } else if (kind < 52) {
        static constexpr uint8_t kShift[] = {4, 5, 7};  // SHL SHR SAR
        v = {0xC1, static_cast<uint8_t>(0xC0 | kShift[rng.below(3)] << 3 | reg()),
             static_cast<uint8_t>(rng.below(32))};
    } else if (kind < 62) {  // MOV r32 / r8 / MOVZX from [EBX + disp8]
        switch (rng.below(3)) {
        case 0: v = {0x8B, static_cast<uint8_t>(0x43 | reg() << 3), disp8()}; break;
        case 1: v = {0x8A, static_cast<uint8_t>(0x43 | byte_reg() << 3), disp8()}; break;
        default: v = {0x0F, 0xB6, static_cast<uint8_t>(0x43 | reg() << 3), disp8()}; break;
        }
    } else if (kind < 69) {  // MOV [EBX + disp8], r32 / r8
        if (rng.chance(1, 2))
            v = {0x89, static_cast<uint8_t>(0x43 | reg() << 3), disp8()};
        else
            v = {0x88, static_cast<uint8_t>(0x43 | byte_reg() << 3), disp8()};
    } else if (kind < 72) {  // LEA EDI, [EBX + disp8]; MOVZX ECX, DL; REP STOSB, or a bare STOSB/STOSD
        if (rng.chance(1, 2))
            v = {0x8D, 0x7B, disp8(), 0x0F, 0xB6, 0xCA, 0xF3, 0xAA};
        else
            v = {0x8D, 0x7B, disp8(), static_cast<uint8_t>(rng.chance(1, 2) ? 0xAA : 0xAB)};
    } else if (kind < 81) {
        v = {static_cast<uint8_t>(0x70 | rng.below(16)), static_cast<uint8_t>(rel(near, 2))};
    } else if (kind < 87) {
        v = {0x0F, static_cast<uint8_t>(0x80 | rng.below(16))};
        put32(v, rel(target, 6));
    } else if (kind < 89) {
        v = {0xEB, static_cast<uint8_t>(rel(near, 2))};
    } else if (kind < 92) {
        v = {0xE9};
        put32(v, rel(target, 5));
    } else if (kind < 96) {
        v = {0xE8};
        put32(v, rel(target, 5));
    } else {
        v = {0x89, 0x75, 0x00};  // MOV [EBP], ESI
    }
    // The rest of the slot: one NOP of the right length.
    static const std::vector<uint8_t> kNops[kSlotBytes] = {
        {},
        {0x90},
        {0x66, 0x90},
        {0x0F, 0x1F, 0x00},
        {0x0F, 0x1F, 0x40, 0x00},
        {0x0F, 0x1F, 0x44, 0x00, 0x00},
        {0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00},
        {0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00},
    };
    const std::vector<uint8_t>& nop = kNops[kSlotBytes - v.size()];
    v.insert(v.end(), nop.begin(), nop.end());
    return v;
}

struct Program {
    std::vector<uint8_t> bytes;
    uint32_t smc_slot;
};

Program random_program(SplitMix64& rng)
{
    Program p;
    for (uint32_t i = 0; i + 1 < kSlots; i++) {
        std::vector<uint8_t> s = random_slot(rng, i);
        p.bytes.insert(p.bytes.end(), s.begin(), s.end());
    }
    p.bytes.insert(p.bytes.end(), {0xE9, 0, 0, 0, 0, 0x0F, 0x1F, 0x00});  // JMP to slot 0
    uint32_t back = -(kSlots - 1) * kSlotBytes - 5;
    std::memcpy(&p.bytes[(kSlots - 1) * kSlotBytes + 1], &back, 4);
    p.smc_slot = static_cast<uint32_t>(rng.below(kSlots - 1));
    return p;
}

// One of the two CPUs.
struct Side : B {
    Side(const Program& p, const Program& other, bool fast, uint64_t data_seed)
    {
        cpu.set_chaining(fast);
        bus.write_bytes(kCode, p.bytes.data(), p.bytes.size());
        bus.write_bytes(kOther, other.bytes.data(), other.bytes.size());
        SplitMix64 d(data_seed);
        for (uint32_t a = kData; a < kData + kDataSize; a += 8)
            write64(a, d.next());
        for (uint8_t r : kFree)
            cpu.s.r[r] = static_cast<uint32_t>(d.next());
        cpu.s.r[x86::kEbx] = kData + 0x100;
        cpu.s.r[x86::kEbp] = kCode + kSlotBytes * p.smc_slot;
        cpu.s.r[x86::kEsi] = kSmcValue;
        // #GP (past a cut CS limit) returns to the instruction with CS reloaded, flat again:
        // ADD ESP, 4 (the error code); IRET.
        write32(kHandlers + 4 * x86::kExcGP, 0xCF04C483);
    }

    // Paging on or off, with code window page i mapped to the other program's page when bit
    // i of `other` is set (tables written, then the TLB flushed, as a kernel would).
    void set_paging(bool on, uint32_t other)
    {
        write32(kPageDir, kPageTable | 7);
        for (uint32_t i = 0; i < 256; i++)
            write32(kPageTable + 4 * i, i * kPage | 7);
        for (uint32_t i = 0; i < kCodePages; i++) {
            uint32_t page = ((other >> i) & 1 ? kOther : kCode) + i * kPage;
            write32(kPageTable + 4 * ((kCode >> 12) + i), page | 7);
            write32(kPageTable + 4 * ((kAlias >> 12) + i), (kCode + i * kPage) | 7);
        }
        cpu.s.cr3 = kPageDir;
        cpu.s.cr0 = on ? cpu.s.cr0 | x86::kCr0PG : cpu.s.cr0 & ~x86::kCr0PG;
        cpu.flush_tlb();
    }
    // CS's base moved with EIP, so that the same linear address runs.
    void move_cs(uint32_t base)
    {
        uint32_t lin = cpu.s.seg[x86::kCs].base + cpu.s.eip;
        cpu.s.seg[x86::kCs].base = base;
        cpu.s.eip = lin - base;
    }
};

std::string hexs(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
    return buf;
}

// Everything the two CPUs must agree on, as text naming the first difference ("" if none).
std::string difference(Side& a, Side& b)
{
    const x86::State& x = a.cpu.s;
    const x86::State& y = b.cpu.s;
    if (a.cpu.icount() != b.cpu.icount())
        return "icount " + std::to_string(a.cpu.icount()) + " vs " + std::to_string(b.cpu.icount());
    if (x.eip != y.eip)
        return "eip " + hexs(x.eip) + " vs " + hexs(y.eip);
    for (unsigned r = 0; r < 8; r++)
        if (x.r[r] != y.r[r])
            return "r" + std::to_string(r) + " " + hexs(x.r[r]) + " vs " + hexs(y.r[r]);
    if (x.eflags != y.eflags)
        return "eflags " + hexs(x.eflags) + " vs " + hexs(y.eflags);
    for (auto [base, len] : {std::pair{B::kCode, kCodePages * kPage}, std::pair{kOther, kCodePages * kPage},
                             std::pair{kData, kDataSize}, std::pair{B::kStack - 0x10000, 0x10000u}})
        if (std::memcmp(a.ram(base), b.ram(base), len) != 0)
            return "memory at " + hexs(base);
    if (a.cpu.stop().has_value() != b.cpu.stop().has_value())
        return "stopped";
    return "";
}

void run_case(uint64_t seed, bool paging)
{
    SplitMix64 rng = SplitMix64::for_case(0x386fa57, seed);
    Program p = random_program(rng), other = random_program(rng);
    Side fast(p, other, true, seed), plain(p, other, false, seed);
    uint32_t mix = 0b010;  // the code window's pages from the other program
    if (paging) {
        fast.set_paging(true, mix);
        plain.set_paging(true, mix);
    }
    const bool single_steps = seed % 2;
    INFO("seed " << seed << (paging ? " (paging)" : " (no paging)") << (single_steps ? ", plain side single-stepped" : ""));
    uint64_t runs = 0;
    while (fast.cpu.icount() < 40000) {
        uint64_t budget = rng.chance(1, 4) ? 1 + rng.below(8) : 1 + rng.below(600);
        RunEnd ef = fast.cpu.run(budget);
        RunEnd ep = RunEnd::Budget;
        const uint64_t chunk = single_steps ? 1 : budget;
        for (uint64_t done = 0; done < budget && ep == RunEnd::Budget; done += chunk)
            ep = plain.cpu.run(chunk);
        INFO("run " << runs << " with budget " << budget << " ending at icount " << plain.cpu.icount());
        REQUIRE(ef == ep);
        std::string diff = difference(fast, plain);
        REQUIRE(diff == "");
        if (ef != RunEnd::Budget)
            break;  // an exception nothing expected (a self-modifying store over itself)
        runs++;
        // What changes the code under EIP waits until EIP is at a slot's start: in the middle
        // of one, other bytes there are no instruction boundary.
        uint32_t lin = fast.cpu.s.seg[x86::kCs].base + fast.cpu.s.eip;
        bool in_code = lin - B::kCode < kCodePages * kPage, in_alias = lin - kAlias < kCodePages * kPage;
        uint32_t cur_slot = ((in_code ? lin - B::kCode : lin - kAlias) / kSlotBytes);
        bool at_slot = lin % kSlotBytes == 0;
        // The host rewrites an instruction (a loader, a debugger).
        if (rng.chance(1, 8)) {
            uint32_t slot = static_cast<uint32_t>(rng.below(kSlots - 1));
            if (!at_slot && slot == cur_slot)
                slot = slot + 1;
            uint32_t at = (rng.chance(1, 2) ? B::kCode : kOther) + kSlotBytes * slot;
            std::vector<uint8_t> s = random_slot(rng, slot);
            fast.bus.write_bytes(at, s.data(), s.size());
            plain.bus.write_bytes(at, s.data(), s.size());
        }
        // CS moves (the same code at other EIPs), or its limit cuts the program (#GP when
        // the code gets there, whose handler lies below the cut and reloads CS).
        if (fast.cpu.s.seg[x86::kCs].limit == 0xFFFFFFFF && rng.chance(1, 10)) {
            static constexpr uint32_t kBases[] = {0, 0x1000, 0xF000};
            uint32_t base = kBases[rng.below(3)];
            fast.move_cs(base);
            plain.move_cs(base);
        }
        uint32_t& limit = fast.cpu.s.seg[x86::kCs].limit;
        if (limit != 0xFFFFFFFF && rng.chance(1, 4)) {
            limit = plain.cpu.s.seg[x86::kCs].limit = 0xFFFFFFFF;
        } else if (fast.cpu.s.seg[x86::kCs].base == 0 && rng.chance(1, 12)) {
            uint32_t cut = B::kCode + static_cast<uint32_t>(rng.below(kCodePages * kPage));
            limit = plain.cpu.s.seg[x86::kCs].limit = cut - fast.cpu.s.seg[x86::kCs].base;
        }
        if (!paging)
            continue;
        if (at_slot && rng.chance(1, 6)) {
            mix ^= 1u << rng.below(kCodePages);
            bool on = fast.cpu.s.cr0 & x86::kCr0PG;
            fast.set_paging(on, mix);
            plain.set_paging(on, mix);
        }
        bool on = fast.cpu.s.cr0 & x86::kCr0PG;
        if (!at_slot)
            continue;
        if (on && (in_code || in_alias) && rng.chance(1, 16)) {
            // Into the other window at the same offset: the same physical blocks at other
            // linear addresses.
            uint32_t eip = in_code ? fast.cpu.s.eip - B::kCode + kAlias : fast.cpu.s.eip - kAlias + B::kCode;
            fast.cpu.s.eip = plain.cpu.s.eip = eip;
        } else if ((in_code || !on) && rng.chance(1, 12)) {
            fast.set_paging(!on, mix);
            plain.set_paging(!on, mix);
        }
    }
}

}  // namespace

TEST_CASE("fast path: random i386 programs agree with block-at-a-time execution", "[x86][engine][fast-path]")
{
    for (uint64_t seed = 0; seed < 60; seed++)
        run_case(seed, false);
}

TEST_CASE("fast path: with paging on, remapped and aliased i386 code agrees too", "[x86][engine][fast-path][paging]")
{
    for (uint64_t seed = 0; seed < 60; seed++)
        run_case(seed, true);
}

TEST_CASE("fast path: a looping i386 trace stopped by every budget agrees with block-at-a-time execution",
          "[x86][engine][fast-path]")
{
    // A counted loop closed by CMP and JNE, a call, a forward JNZ over a RET and a JMP back,
    // all in one page, entered after the loop's head: traces unroll the loop, go back before
    // their first instruction and through the call. A store rewrites the loop's first
    // instruction each round. Runs stop after 1, 2, 3, ... 61 instructions in turn, so every
    // exit of every trace shape is a budget's end somewhere.
    constexpr uint32_t kAt = 0x800;  // the loop's offset in the code page; SMC slot kAt / 8
    const std::vector<uint8_t> loop = {
        0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00,  // 800 loop: nop (8 bytes; becomes INC EAX)
        0x41,                                            // 808       inc  ecx
        0x83, 0xF9, 0x25,                                // 809       cmp  ecx, 37
        0x75, 0xF2,                                      // 80c       jne  loop
        0xE8, 0x07, 0x00, 0x00, 0x00,                    // 80e start: call f
        0x89, 0x75, 0x00,                                // 813       mov  [ebp], esi
        0x31, 0xC9,                                      // 816       xor  ecx, ecx
        0xEB, 0xE6,                                      // 818       jmp  loop
        0x01, 0xCA,                                      // 81a f:    add  edx, ecx
        0xF6, 0xC2, 0x08,                                // 81c       test dl, 8
        0x75, 0x02,                                      // 81f       jnz  s
        0x47,                                            // 821       inc  edi
        0xC3,                                            // 822       ret
        0x83, 0xC7, 0x02,                                // 823 s:    add  edi, 2
        0xC3,                                            // 826       ret
    };
    Program p;
    p.bytes.assign(kCodePages * kPage, 0x90);
    std::copy(loop.begin(), loop.end(), p.bytes.begin() + kAt);
    p.smc_slot = kAt / kSlotBytes;
    for (bool paging : {false, true}) {
        Side fast(p, p, true, 1), plain(p, p, false, 1);
        for (Side* side : {&fast, &plain}) {
            side->cpu.s.eip = B::kCode + kAt + 0x0E;
            side->cpu.s.r[x86::kEcx] = 0;
            if (paging)
                side->set_paging(true, 0);
        }
        const uint32_t eax = fast.cpu.s.r[x86::kEax];
        INFO((paging ? "paging on" : "paging off"));
        for (uint64_t budget = 1; fast.cpu.icount() < 30000; budget = budget % 61 + 1) {
            REQUIRE(fast.cpu.run(budget) == plain.cpu.run(budget));
            INFO("budget " << budget << " ending at icount " << plain.cpu.icount());
            REQUIRE(difference(fast, plain) == "");
        }
        CHECK(fast.cpu.s.r[x86::kEax] != eax);  // the rewritten instruction ran
    }
}

TEST_CASE("fast path: a store rewriting a later instruction of a block cut by the budget takes effect",
          "[x86][engine][smc]")
{
    // The budget cuts the cached block into a partial one, decoded afresh and never cached:
    // the store must still leave it, so that the rewritten instruction runs as rewritten.
    B b;
    b.code(B::kCode, {0x89, 0x75, 0x00, 0x0F, 0x1F, 0x44, 0x00, 0x00,    // mov [ebp], esi; nop (5)
                      0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00,    // nop (8): becomes INC EAX
                      0x41, 0xF4});                                       // inc ecx; hlt
    b.cpu.s.r[x86::kEbp] = B::kCode + 8;
    b.cpu.s.r[x86::kEsi] = kSmcValue;
    b.cpu.s.r[x86::kEax] = 0;
    b.cpu.s.eip = B::kCode;
    REQUIRE(b.cpu.run(3) == RunEnd::Budget);
    CHECK(b.cpu.s.r[x86::kEax] == 1);
    CHECK(b.cpu.s.eip == B::kCode + 9);
}

// Memory operands through a flat segment with paging off skip the segment checks (memory.h):
// every way a segment register or CR0 changes, between runs and inside one, must reach the
// next access. Each case first reads through the flat segment, then changes it and expects
// the architecture's answer: the fault, or the byte at the right physical address.
namespace {

constexpr uint32_t kProbe = 0x2000;  // the address the programs read and write
using Bytes = std::vector<uint8_t>;
// MOV ECX, [kProbe] and MOV [kProbe], ECX: DS-relative, the ModRM forms of mov_reg_rm and
// mov_rm_reg.
const Bytes kLoadEcx = {0x8B, 0x0D, 0x00, 0x20, 0x00, 0x00};
const Bytes kStoreEcx = {0x89, 0x0D, 0x00, 0x20, 0x00, 0x00};

Bytes program(std::initializer_list<Bytes> parts)
{
    Bytes v;
    for (const Bytes& p : parts)
        v.insert(v.end(), p.begin(), p.end());
    return v;
}

// Runs `code` from kCode with exceptions stopping the run: the vector, or -1 for none.
int run_stopping(B& b, const std::vector<uint8_t>& code, uint64_t budget = 1000)
{
    b.code(B::kCode, code);
    b.cpu.s.eip = B::kCode;
    b.cpu.set_stop_on_exception(true);
    b.cpu.run(budget);
    return b.cpu.last_fault().vector;
}

// MOV AX, selector; MOV sreg, AX.
Bytes load_sreg(uint8_t sreg, uint16_t selector)
{
    return {0x66, 0xB8, static_cast<uint8_t>(selector), static_cast<uint8_t>(selector >> 8), 0x8E,
            static_cast<uint8_t>(0xC0 | sreg << 3)};
}

}  // namespace

TEST_CASE("fast path: i386 flat-segment accesses see every segment and CR0 change", "[x86][engine][fast-path]")
{
    B b;
    b.write32(kProbe, 0x11223344);
    constexpr uint16_t kSel = 6 << 3;  // GDT entry 6, each section's own segment

    SECTION("DS's limit cut between runs")
    {
        CHECK(run_stopping(b, program({kLoadEcx}), 1) == -1);
        CHECK(b.cpu.s.r[x86::kEcx] == 0x11223344);
        b.cpu.s.seg[x86::kDs].limit = kProbe - 1;
        CHECK(run_stopping(b, program({kLoadEcx}), 1) == x86::kExcGP);
    }
    SECTION("DS's base moved between runs")
    {
        b.write32(kProbe + 0x100, 0x55667788);
        CHECK(run_stopping(b, program({kLoadEcx}), 1) == -1);
        b.cpu.s.seg[x86::kDs].base = 0x100;
        CHECK(run_stopping(b, program({kLoadEcx}), 1) == -1);
        CHECK(b.cpu.s.r[x86::kEcx] == 0x55667788);
    }
    SECTION("MOV DS to a segment with a limit")
    {
        b.set_descriptor(6, 0, kProbe - 1, 0x93, 0x4);
        CHECK(run_stopping(b, program({kLoadEcx, load_sreg(x86::kDs, kSel), kLoadEcx})) == x86::kExcGP);
        CHECK(b.cpu.s.eip == B::kCode + 12);
    }
    SECTION("MOV DS to an expand-down segment")
    {
        b.set_descriptor(6, 0, 0xFFFFF, 0x97, 0xC);  // offsets above 4 GiB - 1: none
        CHECK(run_stopping(b, program({kLoadEcx, load_sreg(x86::kDs, kSel), kLoadEcx})) == x86::kExcGP);
    }
    SECTION("MOV DS to a read-only segment: reads pass, writes fault")
    {
        b.set_descriptor(6, 0, 0xFFFFF, 0x91, 0xC);
        CHECK(run_stopping(b, program({kStoreEcx, load_sreg(x86::kDs, kSel), kLoadEcx, kStoreEcx})) ==
              x86::kExcGP);
        CHECK(b.cpu.s.eip == B::kCode + 18);
    }
    SECTION("MOV SS to a segment with a limit")
    {
        b.set_descriptor(6, 0, 0x7FFFF, 0x93, 0x4);
        // MOV ECX, [SS:kProbe + 0x80000] (36 prefix)
        const Bytes far_load = {0x36, 0x8B, 0x0D, 0x00, 0x20, 0x08, 0x00};
        CHECK(run_stopping(b, program({far_load, load_sreg(x86::kSs, kSel), far_load})) == x86::kExcSS);
    }
    SECTION("an interrupt into ring 0 switches to a stack segment with a limit")
    {
        b.set_descriptor(6, 0, 0x7FFFF, 0x93, 0x4);
        b.write32(B::kTss + 8, kSel);  // SS0
        b.set_gate(0x40, B::kCode + 0x100, 0xEE);
        // The handler: MOV EAX, [ESP + 0x20000], beyond SS0's limit.
        b.code(B::kCode + 0x100, {0x8B, 0x84, 0x24, 0x00, 0x00, 0x02, 0x00, 0xF4});
        b.enter_ring3();
        b.cpu.s.r[x86::kEsp] = 0x70000;
        b.code(B::kCode, program({kLoadEcx, Bytes{0xCD, 0x40}}));  // INT 0x40
        CHECK(b.run_to_halt());
        CHECK(b.halted_in_vector() == x86::kExcSS);
    }
    SECTION("paging turned on by MOV CR0 in the same block")
    {
        constexpr uint32_t kDir = 0x20000, kTable = 0x21000, kFrame = 0x5000;
        b.write32(kDir, kTable | 7);
        for (uint32_t i = 0; i < 256; i++)
            b.write32(kTable + 4 * i, (i << 12) | 7);
        b.write32(kTable + 4 * (kProbe >> 12), kFrame | 7);
        b.write32(kFrame, 0x99AABBCC);
        b.cpu.s.cr3 = kDir;
        // MOV EAX, CR0; OR EAX, 0x80000000; MOV CR0, EAX; MOV EBX, [kProbe]
        const Bytes enable = {0x0F, 0x20, 0xC0, 0x0D, 0x00, 0x00, 0x00, 0x80, 0x0F, 0x22, 0xC0};
        const Bytes load_ebx = {0x8B, 0x1D, 0x00, 0x20, 0x00, 0x00};
        CHECK(run_stopping(b, program({kLoadEcx, enable, load_ebx}), 5) == -1);
        CHECK(b.cpu.s.r[x86::kEcx] == 0x11223344);
        CHECK(b.cpu.s.r[x86::kEbx] == 0x99AABBCC);
    }
}

// With paging on, the same flat segments reach memory through a TLB hit alone (memory.h): the
// hit must keep the page's permissions for the current privilege level, leave code pages to
// the slow path that invalidates them, and see segment changes as the paging-off path does.
TEST_CASE("fast path: with paging on, i386 flat-segment accesses keep page permissions, code pages and segment checks",
          "[x86][engine][fast-path][paging]")
{
    B b;
    constexpr uint32_t kDir = 0x20000, kTable = 0x21000;
    constexpr uint32_t kData = 0x30000, kSupervisor = 0x31000;  // user and supervisor-only pages
    b.write32(kDir, kTable | 7);
    for (uint32_t i = 0; i < 256; i++)
        b.write32(kTable + 4 * i, (i << 12) | 7);
    b.write32(kTable + 4 * (kSupervisor >> 12), kSupervisor | 3);
    b.write32(kData, 0x11223344);
    b.write32(kSupervisor, 0x55667788);
    b.cpu.s.cr3 = kDir;
    // MOV EAX, CR0; OR EAX, 0x80000000; MOV CR0, EAX
    const Bytes enable = {0x0F, 0x20, 0xC0, 0x0D, 0x00, 0x00, 0x00, 0x80, 0x0F, 0x22, 0xC0};
    auto load_ecx = [](uint32_t a) {  // MOV ECX, [a]
        return Bytes{0x8B, 0x0D, static_cast<uint8_t>(a), static_cast<uint8_t>(a >> 8), static_cast<uint8_t>(a >> 16), 0};
    };

    SECTION("a supervisor page read at ring 0 faults at ring 3, its TLB entry cached")
    {
        CHECK(run_stopping(b, program({enable, load_ecx(kSupervisor)}), 4) == -1);
        CHECK(b.cpu.s.r[x86::kEcx] == 0x55667788);
        b.enter_ring3();
        CHECK(run_stopping(b, program({load_ecx(kData), load_ecx(kSupervisor)}), 2) == x86::kExcPF);
        CHECK(b.cpu.s.r[x86::kEcx] == 0x11223344);
    }
    SECTION("a store into the running block's page, read through the TLB first, rewrites the code")
    {
        constexpr uint32_t kPatch = B::kCode + 0x40;
        // MOV EDX, [kPatch]; MOV [kPatch], ECX; then at kPatch a 4-byte NOP the store turns
        // into INC EBX and three NOPs; HLT.
        const Bytes body = {0x8B, 0x15, 0x40, 0x00, 0x01, 0x00, 0x89, 0x0D, 0x40, 0x00, 0x01, 0x00};
        Bytes code = program({enable, body});
        code.resize(0x40, 0x90);
        code.insert(code.end(), {0x0F, 0x1F, 0x40, 0x00, 0xF4});
        b.cpu.s.r[x86::kEcx] = 0x90909043;
        b.cpu.s.r[x86::kEbx] = 0;
        b.code(B::kCode, code);
        b.cpu.s.eip = B::kCode;
        CHECK(b.run_to_halt());
        CHECK(b.cpu.s.r[x86::kEbx] == 1);
    }
    SECTION("DS's limit cut between runs")
    {
        CHECK(run_stopping(b, program({enable, load_ecx(kData)}), 4) == -1);
        CHECK(b.cpu.s.r[x86::kEcx] == 0x11223344);
        b.cpu.s.seg[x86::kDs].limit = kData - 1;
        CHECK(run_stopping(b, program({load_ecx(kData)}), 1) == x86::kExcGP);
    }
}

TEST_CASE("fast path: an i386 store across two pages writes both, marks both written and rewrites code in the second",
          "[x86][engine][fast-path][smc]")
{
    // The flat store's fast path covers one page (one code-page test, one dirty mark); a store
    // that crosses into the next must still reach both pages' marks and the code there.
    B b;
    std::vector<uint8_t>& dirty = b.bus.ram_regions()[0].dirty_page;
    auto store_at = [&](uint32_t at, bool word, uint32_t kSecond) {
        // MOV [at], EAX (or AX); JMP kSecond.
        Bytes code = word ? Bytes{0x66, 0xA3} : Bytes{0xA3};
        for (unsigned i = 0; i < 4; i++)
            code.push_back(static_cast<uint8_t>(at >> (8 * i)));
        uint32_t jmp_from = B::kCode + static_cast<uint32_t>(code.size()) + 5;
        code.push_back(0xE9);
        for (unsigned i = 0; i < 4; i++)
            code.push_back(static_cast<uint8_t>((kSecond - jmp_from) >> (8 * i)));
        return code;
    };
    for (bool word : {false, true}) {
        // Pages of their own for each store.
        const uint32_t kFirst = word ? 0x50000 : 0x40000, kSecond = kFirst + kPage;
        const uint32_t at = kSecond - (word ? 1 : 2);
        INFO((word ? "MOV [page end - 1], AX" : "MOV [page end - 2], EAX"));
        // The second page's code, a block of its own, cached first: INC ECX; INC ECX; JMP
        // kLanding (JMP $ on another page).
        const uint32_t kLanding = B::kCode + 0x100;
        b.code(kLanding, {0xEB, 0xFE});
        const uint32_t rel = kLanding - (kSecond + 7);
        b.code(kSecond, {0x41, 0x41, 0xE9, static_cast<uint8_t>(rel), static_cast<uint8_t>(rel >> 8),
                         static_cast<uint8_t>(rel >> 16), static_cast<uint8_t>(rel >> 24)});
        b.cpu.s.eip = kSecond;
        b.cpu.s.r[x86::kEcx] = 0;
        REQUIRE(b.cpu.run(3) == RunEnd::Budget);
        REQUIRE(b.cpu.s.r[x86::kEcx] == 2);
        dirty[kFirst >> 12] = dirty[kSecond >> 12] = 0;
        // The store turns the INC ECX it covers into INC EAX; then the JMP there and the
        // second page's block, whole.
        const Bytes store = store_at(at, word, kSecond);
        b.bus.write_bytes(B::kCode, store.data(), store.size());  // over the last round's, cached
        b.cpu.s.eip = B::kCode;
        b.cpu.s.r[x86::kEax] = 0x40404040;
        REQUIRE(b.cpu.run(5) == RunEnd::Budget);
        CHECK(b.cpu.s.eip == kLanding);
        CHECK(b.read8(kSecond - 1) == 0x40);
        CHECK(b.read16(kSecond) == (word ? 0x4140 : 0x4040));
        CHECK(dirty[kFirst >> 12] == kPageWritten);
        CHECK(dirty[kSecond >> 12] == kPageWritten);
        CHECK(b.cpu.s.r[x86::kEax] == (word ? 0x40404041 : 0x40404042));
        CHECK(b.cpu.s.r[x86::kEcx] == (word ? 3 : 2));
    }
}

TEST_CASE("fast path: instructions after a JMP inside an i386 trace keep their place in icount",
          "[x86][engine][fast-path]")
{
    // A JMP inside a trace leaves no op (trace.h): the instructions after it must still count
    // it when they fault, leave the trace by a side exit or end a budget.
    struct Case {
        const char* what;
        Bytes code;
        uint64_t budget;
        int vector;  // the exception that stops the run, or -1 for the budget
        uint64_t icount;
        uint32_t eip;
    };
    const Case cases[] = {
        {"a fault right after the JMP",
         {0x40, 0xEB, 0x02, 0x0F, 0x0B, 0xF7, 0xF3},  // inc eax; jmp +2; (ud2); div ebx
         100, x86::kExcDE, 2, 5},
        {"a side exit right after the JMP, then a fault",
         {0x31, 0xC0, 0xEB, 0x02, 0x0F, 0x0B, 0x75, 0xF8, 0x41, 0xF7, 0xF3},  // xor eax, eax; jmp +2; (ud2); jnz 0; inc ecx; div ebx
         100, x86::kExcDE, 4, 9},
        {"a budget ending right after the JMP's target",
         {0x40, 0xEB, 0x02, 0x0F, 0x0B, 0x41, 0xF7, 0xF3},  // inc eax; jmp +2; (ud2); inc ecx; div ebx
         3, -1, 3, 6},
    };
    for (const Case& k : cases) {
        INFO(k.what);
        for (bool fast : {true, false}) {
            INFO((fast ? "chaining on" : "chaining off"));
            B b;
            b.cpu.set_chaining(fast);
            b.cpu.s.r[x86::kEbx] = 0;
            // Twice: the block built for the run, then the cached one.
            for (int round = 0; round < 2; round++) {
                const uint64_t start = b.cpu.icount();
                CHECK(run_stopping(b, k.code, k.budget) == k.vector);
                CHECK(b.cpu.icount() - start == k.icount);
                CHECK(b.cpu.s.eip == B::kCode + k.eip);
            }
        }
    }
}
