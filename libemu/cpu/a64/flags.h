// NZCV while a run is under way. The handlers keep each flag in the form its setter computes
// most cheaply, so that ADDS/SUBS/ANDS and CMP/CMN/TST followed by B.cond (nearly every
// compiled compare) cost a few host instructions rather than packing and unpacking four bits;
// the conditions (ConditionHolds, ARM ARM J1) read them directly. A compare (SUBS, CMP) keeps
// only its operands, and the flags are derived from them when read (LiveFlags). State::nzcv
// holds the packed bits between runs (Cpu::run), for boards, debuggers, snapshots and tests.
#pragma once

#include <cstdint>
#include <type_traits>

namespace emu::a64 {

struct Flags {
    uint64_t n = 0;  // N is bit 63
    uint64_t z = 1;  // Z is set when this is 0
    uint64_t c = 0;  // C: 0 or 1
    uint64_t v = 0;  // V is bit 63

    // NZCV in bits 31:28, as the NZCV register and SPSR hold it; and back.
    uint32_t packed() const
    {
        return static_cast<uint32_t>(n >> 63) << 31 | uint32_t{z == 0} << 30 | static_cast<uint32_t>(c) << 29 |
               static_cast<uint32_t>(v >> 63) << 28;
    }
    static Flags unpack(uint32_t nzcv)
    {
        auto bit_to_sign = [](uint32_t b) { return uint64_t{0} - (b & 1u); };
        return {bit_to_sign(nzcv >> 31), ((nzcv >> 30) & 1u) ^ 1u, (nzcv >> 29) & 1u, bit_to_sign(nzcv >> 28)};
    }

    // ConditionHolds(cond) for a condition known when the block was built.
    template <unsigned kCond>
    bool holds() const
    {
        static_assert(kCond < 16);
        bool ge = static_cast<int64_t>(n ^ v) >= 0;  // N == V
        bool r;
        switch (kCond >> 1) {
        case 0: r = z == 0; break;                 // EQ
        case 1: r = c != 0; break;                 // CS
        case 2: r = static_cast<int64_t>(n) < 0; break;  // MI
        case 3: r = static_cast<int64_t>(v) < 0; break;  // VS
        case 4: r = c != 0 && z != 0; break;       // HI
        case 5: r = ge; break;                     // GE
        case 6: r = ge && z != 0; break;           // GT
        default: return true;                      // AL, and NV, which behaves as AL
        }
        return (kCond & 1) ? !r : r;
    }
    // The same for a condition in an operand (CSEL, CCMP, FCSEL, ...).
    bool holds(unsigned cond) const
    {
        switch (cond & 15) {
        case 0: return holds<0>();
        case 1: return holds<1>();
        case 2: return holds<2>();
        case 3: return holds<3>();
        case 4: return holds<4>();
        case 5: return holds<5>();
        case 6: return holds<6>();
        case 7: return holds<7>();
        case 8: return holds<8>();
        case 9: return holds<9>();
        case 10: return holds<10>();
        case 11: return holds<11>();
        case 12: return holds<12>();
        case 13: return holds<13>();
        default: return true;  // AL, NV
        }
    }
};

// The flags ADDS/SUBS and AddWithCarry leave, from operands and result at the operand width
// (k64: 64 bits, else the low 32), and a carry out computed by the caller.
template <bool k64>
Flags arithmetic_flags(uint64_t result, uint64_t overflow_sign, uint64_t carry)
{
    if constexpr (k64)
        return {result, result, carry, overflow_sign};
    auto sext = [](uint64_t x) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(x))); };
    return {sext(result), static_cast<uint32_t>(result), carry, sext(overflow_sign)};
}

// The flags of a logical operation (ANDS, BICS, TST): N and Z from the result, C and V clear.
template <bool k64>
Flags logical_flags(uint64_t result)
{
    return arithmetic_flags<k64>(result, 0, 0);
}

// The flags of SUBS (CMP) from its operands, at the operand width.
template <bool k64>
Flags sub_flags(uint64_t x, uint64_t y)
{
    using T = std::conditional_t<k64, uint64_t, uint32_t>;
    T a = static_cast<T>(x);
    T b = static_cast<T>(y);
    T r = a - b;
    // C is NOT borrow; V when the operands' signs differ and the result's differs from a's.
    return arithmetic_flags<k64>(r, static_cast<T>((a ^ b) & (a ^ r)), a >= b);
}

// NZCV as the CPU holds it while running (Cpu::flags): the four flags, or the operands of the
// last compare, from which they are derived when something reads them. Compiled code mostly
// compares for a B.cond, which fuses with the compare and decides from the operands in hand,
// so a compare stores two words and a tag instead of computing and storing four flags.
class LiveFlags {
public:
    LiveFlags& operator=(const Flags& f)
    {
        flags_ = f;
        form_ = Form::Flags;
        return *this;
    }
    // SUBS (CMP) of x and y, at the operand width.
    template <bool k64>
    void set_compare(uint64_t x, uint64_t y)
    {
        x_ = x;
        y_ = y;
        form_ = k64 ? Form::Compare64 : Form::Compare32;
    }

    Flags get() const
    {
        switch (form_) {
        case Form::Flags: return flags_;
        case Form::Compare64: return sub_flags<true>(x_, y_);
        case Form::Compare32: return sub_flags<false>(x_, y_);
        }
        return flags_;
    }
    template <unsigned kCond>
    bool holds() const
    {
        return get().holds<kCond>();
    }
    bool holds(unsigned cond) const { return get().holds(cond); }
    uint32_t packed() const { return get().packed(); }

private:
    enum class Form : uint8_t { Flags, Compare64, Compare32 };
    // The form sits between the operands, so that a compare stores them as two words rather
    // than the compiler packing them into one vector store.
    Flags flags_;
    uint64_t x_ = 0;
    Form form_ = Form::Flags;
    uint64_t y_ = 0;
};

}  // namespace emu::a64
