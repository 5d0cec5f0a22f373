// The x87 FPU's architectural state: the eight 80-bit data registers R0-R7 (by physical
// number; ST(i) is R((TOP + i) mod 8)), the control and status words, which registers are
// empty (the tag word's other states are computed from the contents, as a P6 does when it
// stores the tag word), and the last instruction's pointers and opcode.
#pragma once

#include <cstdint>

#include "cpu/x86/x87_float.h"

namespace emu::x86 {

// Status word bits.
constexpr uint16_t kFswIE = 1u << 0;   // invalid operation
constexpr uint16_t kFswDE = 1u << 1;   // denormal operand
constexpr uint16_t kFswZE = 1u << 2;   // zero divide
constexpr uint16_t kFswOE = 1u << 3;   // overflow
constexpr uint16_t kFswUE = 1u << 4;   // underflow
constexpr uint16_t kFswPE = 1u << 5;   // precision
constexpr uint16_t kFswSF = 1u << 6;   // stack fault (with IE)
constexpr uint16_t kFswES = 1u << 7;   // error summary: an unmasked exception is pending
constexpr uint16_t kFswC0 = 1u << 8;
constexpr uint16_t kFswC1 = 1u << 9;
constexpr uint16_t kFswC2 = 1u << 10;
constexpr uint16_t kFswC3 = 1u << 14;
constexpr uint16_t kFswB = 1u << 15;   // busy: a copy of ES
constexpr uint16_t kFswExceptions = 0x3F;
constexpr uint16_t kFswConditions = kFswC0 | kFswC1 | kFswC2 | kFswC3;
constexpr unsigned kFswTopShift = 11;

// Control word: the exception masks (bits 0-5), precision control (8-9), rounding control
// (10-11) and the infinity bit (12, kept but without effect since the 387). Bit 6 reads as
// one and bits 7 and 13-15 as zero.
constexpr uint16_t kFcwMasks = 0x3F;
constexpr uint16_t kFcwWritable = 0x1F3F;
constexpr uint16_t kFcwFixed1 = 0x0040;
constexpr uint16_t kFcwInit = 0x037F;  // FNINIT: everything masked, 64-bit precision, nearest

struct FpuState {
    Float80 reg[8];
    uint16_t cw = kFcwInit;
    uint16_t sw = 0;
    uint8_t empty = 0xFF;  // bit i: R i is empty
    uint16_t fop = 0;      // the last non-control instruction's opcode, 11 bits
    uint16_t fcs = 0, fds = 0;
    uint32_t fip = 0, fdp = 0;

    unsigned top() const { return (sw >> kFswTopShift) & 7; }
    void set_top(unsigned t) { sw = static_cast<uint16_t>((sw & ~(7u << kFswTopShift)) | ((t & 7) << kFswTopShift)); }
    unsigned phys(unsigned st) const { return (top() + st) & 7; }
    Float80& st(unsigned i) { return reg[phys(i)]; }
    const Float80& st(unsigned i) const { return reg[phys(i)]; }
    bool st_empty(unsigned i) const { return (empty >> phys(i)) & 1; }
};

}  // namespace emu::x86
