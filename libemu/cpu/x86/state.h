// i386 architectural state the interpreter keeps: real mode, 16- and 32-bit protected mode,
// paging, the four privilege levels, the debug registers and the x87 FPU.
#pragma once

#include <cstdint>

#include "cpu/x86/x87_state.h"

namespace emu::x86 {

enum Reg : uint8_t { kEax, kEcx, kEdx, kEbx, kEsp, kEbp, kEsi, kEdi };
enum SegReg : uint8_t { kEs, kCs, kSs, kDs, kFs, kGs, kNumSegs };

// EFLAGS bits.
constexpr uint32_t kCF = 1u << 0;
constexpr uint32_t kPF = 1u << 2;
constexpr uint32_t kAF = 1u << 4;
constexpr uint32_t kZF = 1u << 6;
constexpr uint32_t kSF = 1u << 7;
constexpr uint32_t kTF = 1u << 8;
constexpr uint32_t kIF = 1u << 9;
constexpr uint32_t kDF = 1u << 10;
constexpr uint32_t kOF = 1u << 11;
constexpr uint32_t kIOPL = 3u << 12;
constexpr uint32_t kNT = 1u << 14;
constexpr uint32_t kRF = 1u << 16;
constexpr uint32_t kVM = 1u << 17;
constexpr uint32_t kAC = 1u << 18;
constexpr uint32_t kID = 1u << 21;
constexpr uint32_t kStatusFlags = kCF | kPF | kAF | kZF | kSF | kOF;
constexpr uint32_t kEflagsFixed1 = 1u << 1;  // bit 1 always reads 1

// Control register bits.
constexpr uint32_t kCr0PE = 1u << 0;
constexpr uint32_t kCr0MP = 1u << 1;
constexpr uint32_t kCr0EM = 1u << 2;
constexpr uint32_t kCr0TS = 1u << 3;
constexpr uint32_t kCr0ET = 1u << 4;
constexpr uint32_t kCr0NE = 1u << 5;
constexpr uint32_t kCr0WP = 1u << 16;
constexpr uint32_t kCr0AM = 1u << 18;
constexpr uint32_t kCr0PG = 1u << 31;
constexpr uint32_t kCr4TSD = 1u << 2;
constexpr uint32_t kCr4DE = 1u << 3;
constexpr uint32_t kCr4PSE = 1u << 4;
constexpr uint32_t kCr4OSFXSR = 1u << 9;

// Debug register bits: DR6 status (the reserved bits read as ones on a P6) and DR7 control
// (bit 10 reads as one).
constexpr uint32_t kDr6Fixed1 = 0xFFFF0FF0;
constexpr uint32_t kDr6BD = 1u << 13;  // MOV DRn caught by DR7.GD
constexpr uint32_t kDr6BS = 1u << 14;  // single step
constexpr uint32_t kDr6BT = 1u << 15;  // task switch into a TSS with its T bit set
constexpr uint32_t kDr7Fixed1 = 1u << 10;
constexpr uint32_t kDr7GD = 1u << 13;

// A segment register with its hidden descriptor cache.
struct Segment {
    uint16_t selector = 0;
    uint32_t base = 0;
    uint32_t limit = 0xFFFFFFFF;  // in bytes, granularity applied
    // Descriptor bits 40-47 (type, S, DPL, P) in bits 0-7, and bits 52-55 (AVL, L, D/B, G) in
    // bits 8-11: D/B is 0x400, G is 0x800.
    uint16_t attr = 0;

    bool big() const { return attr & 0x400; }  // D/B: 32-bit code, or a stack used through ESP
};

// Access bytes of segments loaded in real and virtual-8086 mode: present, read/write data,
// accessed (DPL 0 or 3).
constexpr uint16_t kRealModeData = 0x93;
constexpr uint16_t kVm86Data = 0xF3;

// The segment register contents a descriptor (its 8 bytes as a little-endian integer) gives.
inline Segment segment_from_descriptor(uint64_t d, uint16_t selector)
{
    Segment g;
    g.selector = selector;
    g.base = static_cast<uint32_t>(((d >> 16) & 0xFFFFFF) | ((d >> 32) & 0xFF000000));
    uint32_t limit20 = static_cast<uint32_t>((d & 0xFFFF) | ((d >> 32) & 0xF0000));
    g.attr = static_cast<uint16_t>(((d >> 40) & 0xFF) | (((d >> 52) & 0xF) << 8));
    g.limit = (g.attr & 0x800) ? (limit20 << 12) | 0xFFF : limit20;
    return g;
}

struct DescriptorTable {
    uint32_t base = 0;
    uint16_t limit = 0xFFFF;
};

struct State {
    uint32_t r[8] = {};
    uint32_t eip = 0;
    uint32_t eflags = kEflagsFixed1;
    Segment seg[kNumSegs];
    Segment ldtr, tr;
    DescriptorTable gdtr, idtr;
    uint32_t cr0 = kCr0PE | kCr0ET;
    uint32_t cr2 = 0;
    uint32_t cr3 = 0;
    uint32_t cr4 = 0;
    uint32_t dr[4] = {};  // breakpoint linear addresses
    uint32_t dr6 = kDr6Fixed1;
    uint32_t dr7 = kDr7Fixed1;
    uint8_t cpl = 0;
    FpuState fpu;

    bool protected_mode() const { return cr0 & kCr0PE; }
    bool vm86() const { return eflags & kVM; }
    // Real mode, or virtual-8086 mode: segment registers hold paragraph numbers.
    bool real_segments() const { return !(cr0 & kCr0PE) || (eflags & kVM); }
};

// Exception vectors.
enum Vector : uint8_t {
    kExcDE = 0, kExcDB = 1, kExcNMI = 2, kExcBP = 3, kExcOF = 4, kExcBR = 5, kExcUD = 6, kExcNM = 7,
    kExcDF = 8, kExcTS = 10, kExcNP = 11, kExcSS = 12, kExcGP = 13, kExcPF = 14, kExcMF = 16, kExcAC = 17,
    kExcMC = 18,
};

}  // namespace emu::x86
