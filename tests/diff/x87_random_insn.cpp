#include "x87_random_insn.h"

#include <cstring>
#include <iterator>

namespace emu::test {

namespace {

using x86::Float80;
using L = X86Layout;

constexpr uint64_t kJ = 1ull << 63;

// The data window memory operands use: below the code region, away from the stack.
constexpr uint32_t kDataLow = 0x2000, kDataHigh = 0x1D000;

enum class Mem : uint8_t { None, F32, F64, F80, I16, I32, I64, Bcd, Word, Env, Save };

// One instruction form of the generator's table.
struct Form {
    uint8_t esc;      // D8-DF, or 0x9B for FWAIT
    int8_t reg;       // ModRM.reg of a memory form; -1 for a register form
    uint8_t modrm;    // a register form's ModRM (0xC0-0xFF); +i for ST(i) when `sti`
    bool sti;         // the register form names ST(i)
    Mem mem;
    X87Kind kind;
    uint8_t uses;     // 0, 1 (ST0), 2 (ST0 and ST1), 3 (ST0 and ST(i)), 4 (ST(i) only)
    uint8_t pushes;   // 1: needs the register below ST0 empty
    const char* name;
};

// clang-format off
constexpr Form kForms[] = {
    // D8/DC/DA/DE memory forms.
    {0xD8, 0, 0, false, Mem::F32, X87Kind::Arith, 1, 0, "FADD m32fp"},
    {0xD8, 1, 0, false, Mem::F32, X87Kind::Arith, 1, 0, "FMUL m32fp"},
    {0xD8, 2, 0, false, Mem::F32, X87Kind::Compare, 1, 0, "FCOM m32fp"},
    {0xD8, 3, 0, false, Mem::F32, X87Kind::Compare, 1, 0, "FCOMP m32fp"},
    {0xD8, 4, 0, false, Mem::F32, X87Kind::Arith, 1, 0, "FSUB m32fp"},
    {0xD8, 5, 0, false, Mem::F32, X87Kind::Arith, 1, 0, "FSUBR m32fp"},
    {0xD8, 6, 0, false, Mem::F32, X87Kind::Arith, 1, 0, "FDIV m32fp"},
    {0xD8, 7, 0, false, Mem::F32, X87Kind::Arith, 1, 0, "FDIVR m32fp"},
    {0xDC, 0, 0, false, Mem::F64, X87Kind::Arith, 1, 0, "FADD m64fp"},
    {0xDC, 1, 0, false, Mem::F64, X87Kind::Arith, 1, 0, "FMUL m64fp"},
    {0xDC, 2, 0, false, Mem::F64, X87Kind::Compare, 1, 0, "FCOM m64fp"},
    {0xDC, 3, 0, false, Mem::F64, X87Kind::Compare, 1, 0, "FCOMP m64fp"},
    {0xDC, 4, 0, false, Mem::F64, X87Kind::Arith, 1, 0, "FSUB m64fp"},
    {0xDC, 5, 0, false, Mem::F64, X87Kind::Arith, 1, 0, "FSUBR m64fp"},
    {0xDC, 6, 0, false, Mem::F64, X87Kind::Arith, 1, 0, "FDIV m64fp"},
    {0xDC, 7, 0, false, Mem::F64, X87Kind::Arith, 1, 0, "FDIVR m64fp"},
    {0xDA, 0, 0, false, Mem::I32, X87Kind::Arith, 1, 0, "FIADD m32int"},
    {0xDA, 1, 0, false, Mem::I32, X87Kind::Arith, 1, 0, "FIMUL m32int"},
    {0xDA, 2, 0, false, Mem::I32, X87Kind::Compare, 1, 0, "FICOM m32int"},
    {0xDA, 3, 0, false, Mem::I32, X87Kind::Compare, 1, 0, "FICOMP m32int"},
    {0xDA, 4, 0, false, Mem::I32, X87Kind::Arith, 1, 0, "FISUB m32int"},
    {0xDA, 5, 0, false, Mem::I32, X87Kind::Arith, 1, 0, "FISUBR m32int"},
    {0xDA, 6, 0, false, Mem::I32, X87Kind::Arith, 1, 0, "FIDIV m32int"},
    {0xDA, 7, 0, false, Mem::I32, X87Kind::Arith, 1, 0, "FIDIVR m32int"},
    {0xDE, 0, 0, false, Mem::I16, X87Kind::Arith, 1, 0, "FIADD m16int"},
    {0xDE, 1, 0, false, Mem::I16, X87Kind::Arith, 1, 0, "FIMUL m16int"},
    {0xDE, 2, 0, false, Mem::I16, X87Kind::Compare, 1, 0, "FICOM m16int"},
    {0xDE, 3, 0, false, Mem::I16, X87Kind::Compare, 1, 0, "FICOMP m16int"},
    {0xDE, 4, 0, false, Mem::I16, X87Kind::Arith, 1, 0, "FISUB m16int"},
    {0xDE, 5, 0, false, Mem::I16, X87Kind::Arith, 1, 0, "FISUBR m16int"},
    {0xDE, 6, 0, false, Mem::I16, X87Kind::Arith, 1, 0, "FIDIV m16int"},
    {0xDE, 7, 0, false, Mem::I16, X87Kind::Arith, 1, 0, "FIDIVR m16int"},
    // D9 DB DD DF memory forms.
    {0xD9, 0, 0, false, Mem::F32, X87Kind::Load, 0, 1, "FLD m32fp"},
    {0xD9, 2, 0, false, Mem::F32, X87Kind::Store, 1, 0, "FST m32fp"},
    {0xD9, 3, 0, false, Mem::F32, X87Kind::Store, 1, 0, "FSTP m32fp"},
    {0xD9, 4, 0, false, Mem::Env, X87Kind::Environment, 0, 0, "FLDENV"},
    {0xD9, 5, 0, false, Mem::Word, X87Kind::Control, 0, 0, "FLDCW"},
    {0xD9, 6, 0, false, Mem::Env, X87Kind::Environment, 0, 0, "FNSTENV"},
    {0xD9, 7, 0, false, Mem::Word, X87Kind::Control, 0, 0, "FNSTCW"},
    {0xDB, 0, 0, false, Mem::I32, X87Kind::Load, 0, 1, "FILD m32int"},
    {0xDB, 2, 0, false, Mem::I32, X87Kind::StoreInt, 1, 0, "FIST m32int"},
    {0xDB, 3, 0, false, Mem::I32, X87Kind::StoreInt, 1, 0, "FISTP m32int"},
    {0xDB, 5, 0, false, Mem::F80, X87Kind::Load, 0, 1, "FLD m80fp"},
    {0xDB, 7, 0, false, Mem::F80, X87Kind::Store, 1, 0, "FSTP m80fp"},
    {0xDD, 0, 0, false, Mem::F64, X87Kind::Load, 0, 1, "FLD m64fp"},
    {0xDD, 2, 0, false, Mem::F64, X87Kind::Store, 1, 0, "FST m64fp"},
    {0xDD, 3, 0, false, Mem::F64, X87Kind::Store, 1, 0, "FSTP m64fp"},
    {0xDD, 4, 0, false, Mem::Save, X87Kind::Environment, 0, 0, "FRSTOR"},
    {0xDD, 6, 0, false, Mem::Save, X87Kind::Environment, 0, 0, "FNSAVE"},
    {0xDD, 7, 0, false, Mem::Word, X87Kind::StatusStore, 0, 0, "FNSTSW m16"},
    {0xDF, 0, 0, false, Mem::I16, X87Kind::Load, 0, 1, "FILD m16int"},
    {0xDF, 2, 0, false, Mem::I16, X87Kind::StoreInt, 1, 0, "FIST m16int"},
    {0xDF, 3, 0, false, Mem::I16, X87Kind::StoreInt, 1, 0, "FISTP m16int"},
    {0xDF, 4, 0, false, Mem::Bcd, X87Kind::LoadBcd, 0, 1, "FBLD m80bcd"},
    {0xDF, 5, 0, false, Mem::I64, X87Kind::Load, 0, 1, "FILD m64int"},
    {0xDF, 6, 0, false, Mem::Bcd, X87Kind::StoreBcd, 1, 0, "FBSTP m80bcd"},
    {0xDF, 7, 0, false, Mem::I64, X87Kind::StoreInt, 1, 0, "FISTP m64int"},
    // Register forms.
    {0xD8, -1, 0xC0, true, Mem::None, X87Kind::Arith, 3, 0, "FADD ST(0),ST(i)"},
    {0xD8, -1, 0xC8, true, Mem::None, X87Kind::Arith, 3, 0, "FMUL ST(0),ST(i)"},
    {0xD8, -1, 0xD0, true, Mem::None, X87Kind::Compare, 3, 0, "FCOM ST(i)"},
    {0xD8, -1, 0xD8, true, Mem::None, X87Kind::Compare, 3, 0, "FCOMP ST(i)"},
    {0xD8, -1, 0xE0, true, Mem::None, X87Kind::Arith, 3, 0, "FSUB ST(0),ST(i)"},
    {0xD8, -1, 0xE8, true, Mem::None, X87Kind::Arith, 3, 0, "FSUBR ST(0),ST(i)"},
    {0xD8, -1, 0xF0, true, Mem::None, X87Kind::Arith, 3, 0, "FDIV ST(0),ST(i)"},
    {0xD8, -1, 0xF8, true, Mem::None, X87Kind::Arith, 3, 0, "FDIVR ST(0),ST(i)"},
    {0xD9, -1, 0xC0, true, Mem::None, X87Kind::Load, 4, 1, "FLD ST(i)"},
    {0xD9, -1, 0xC8, true, Mem::None, X87Kind::Stack, 3, 0, "FXCH ST(i)"},
    {0xD9, -1, 0xD0, false, Mem::None, X87Kind::Stack, 0, 0, "FNOP"},
    {0xD9, -1, 0xD8, true, Mem::None, X87Kind::Store, 1, 0, "FSTP1 ST(i)"},
    {0xD9, -1, 0xE0, false, Mem::None, X87Kind::Unary, 1, 0, "FCHS"},
    {0xD9, -1, 0xE1, false, Mem::None, X87Kind::Unary, 1, 0, "FABS"},
    {0xD9, -1, 0xE4, false, Mem::None, X87Kind::Compare, 1, 0, "FTST"},
    {0xD9, -1, 0xE5, false, Mem::None, X87Kind::Examine, 0, 0, "FXAM"},
    {0xD9, -1, 0xE8, false, Mem::None, X87Kind::Load, 0, 1, "FLD1"},
    {0xD9, -1, 0xE9, false, Mem::None, X87Kind::Load, 0, 1, "FLDL2T"},
    {0xD9, -1, 0xEA, false, Mem::None, X87Kind::Load, 0, 1, "FLDL2E"},
    {0xD9, -1, 0xEB, false, Mem::None, X87Kind::Load, 0, 1, "FLDPI"},
    {0xD9, -1, 0xEC, false, Mem::None, X87Kind::Load, 0, 1, "FLDLG2"},
    {0xD9, -1, 0xED, false, Mem::None, X87Kind::Load, 0, 1, "FLDLN2"},
    {0xD9, -1, 0xEE, false, Mem::None, X87Kind::Load, 0, 1, "FLDZ"},
    {0xD9, -1, 0xF0, false, Mem::None, X87Kind::Transcendental, 1, 0, "F2XM1"},
    {0xD9, -1, 0xF1, false, Mem::None, X87Kind::Transcendental, 2, 0, "FYL2X"},
    {0xD9, -1, 0xF2, false, Mem::None, X87Kind::Transcendental, 1, 1, "FPTAN"},
    {0xD9, -1, 0xF3, false, Mem::None, X87Kind::Transcendental, 2, 0, "FPATAN"},
    {0xD9, -1, 0xF4, false, Mem::None, X87Kind::Extract, 1, 1, "FXTRACT"},
    {0xD9, -1, 0xF5, false, Mem::None, X87Kind::Remainder, 2, 0, "FPREM1"},
    {0xD9, -1, 0xF6, false, Mem::None, X87Kind::Stack, 0, 0, "FDECSTP"},
    {0xD9, -1, 0xF7, false, Mem::None, X87Kind::Stack, 0, 0, "FINCSTP"},
    {0xD9, -1, 0xF8, false, Mem::None, X87Kind::Remainder, 2, 0, "FPREM"},
    {0xD9, -1, 0xF9, false, Mem::None, X87Kind::Transcendental, 2, 0, "FYL2XP1"},
    {0xD9, -1, 0xFA, false, Mem::None, X87Kind::Unary, 1, 0, "FSQRT"},
    {0xD9, -1, 0xFB, false, Mem::None, X87Kind::Transcendental, 1, 1, "FSINCOS"},
    {0xD9, -1, 0xFC, false, Mem::None, X87Kind::Unary, 1, 0, "FRNDINT"},
    {0xD9, -1, 0xFD, false, Mem::None, X87Kind::Scale, 2, 0, "FSCALE"},
    {0xD9, -1, 0xFE, false, Mem::None, X87Kind::Transcendental, 1, 0, "FSIN"},
    {0xD9, -1, 0xFF, false, Mem::None, X87Kind::Transcendental, 1, 0, "FCOS"},
    {0xDA, -1, 0xC0, true, Mem::None, X87Kind::Move, 3, 0, "FCMOVB ST(0),ST(i)"},
    {0xDA, -1, 0xC8, true, Mem::None, X87Kind::Move, 3, 0, "FCMOVE ST(0),ST(i)"},
    {0xDA, -1, 0xD0, true, Mem::None, X87Kind::Move, 3, 0, "FCMOVBE ST(0),ST(i)"},
    {0xDA, -1, 0xD8, true, Mem::None, X87Kind::Move, 3, 0, "FCMOVU ST(0),ST(i)"},
    {0xDA, -1, 0xE9, false, Mem::None, X87Kind::Compare, 2, 0, "FUCOMPP"},
    {0xDB, -1, 0xC0, true, Mem::None, X87Kind::Move, 3, 0, "FCMOVNB ST(0),ST(i)"},
    {0xDB, -1, 0xC8, true, Mem::None, X87Kind::Move, 3, 0, "FCMOVNE ST(0),ST(i)"},
    {0xDB, -1, 0xD0, true, Mem::None, X87Kind::Move, 3, 0, "FCMOVNBE ST(0),ST(i)"},
    {0xDB, -1, 0xD8, true, Mem::None, X87Kind::Move, 3, 0, "FCMOVNU ST(0),ST(i)"},
    {0xDB, -1, 0xE0, false, Mem::None, X87Kind::Control, 0, 0, "FNENI"},
    {0xDB, -1, 0xE1, false, Mem::None, X87Kind::Control, 0, 0, "FNDISI"},
    {0xDB, -1, 0xE2, false, Mem::None, X87Kind::Control, 0, 0, "FNCLEX"},
    {0xDB, -1, 0xE3, false, Mem::None, X87Kind::Control, 0, 0, "FNINIT"},
    {0xDB, -1, 0xE4, false, Mem::None, X87Kind::Control, 0, 0, "FNSETPM"},
    {0xDB, -1, 0xE8, true, Mem::None, X87Kind::CompareEflags, 3, 0, "FUCOMI ST(0),ST(i)"},
    {0xDB, -1, 0xF0, true, Mem::None, X87Kind::CompareEflags, 3, 0, "FCOMI ST(0),ST(i)"},
    {0xDC, -1, 0xC0, true, Mem::None, X87Kind::Arith, 3, 0, "FADD ST(i),ST(0)"},
    {0xDC, -1, 0xC8, true, Mem::None, X87Kind::Arith, 3, 0, "FMUL ST(i),ST(0)"},
    {0xDC, -1, 0xD0, true, Mem::None, X87Kind::Compare, 3, 0, "FCOM2 ST(i)"},
    {0xDC, -1, 0xD8, true, Mem::None, X87Kind::Compare, 3, 0, "FCOMP3 ST(i)"},
    {0xDC, -1, 0xE0, true, Mem::None, X87Kind::Arith, 3, 0, "FSUBR ST(i),ST(0)"},
    {0xDC, -1, 0xE8, true, Mem::None, X87Kind::Arith, 3, 0, "FSUB ST(i),ST(0)"},
    {0xDC, -1, 0xF0, true, Mem::None, X87Kind::Arith, 3, 0, "FDIVR ST(i),ST(0)"},
    {0xDC, -1, 0xF8, true, Mem::None, X87Kind::Arith, 3, 0, "FDIV ST(i),ST(0)"},
    {0xDD, -1, 0xC0, true, Mem::None, X87Kind::Stack, 0, 0, "FFREE ST(i)"},
    {0xDD, -1, 0xC8, true, Mem::None, X87Kind::Stack, 3, 0, "FXCH4 ST(i)"},
    {0xDD, -1, 0xD0, true, Mem::None, X87Kind::Store, 1, 0, "FST ST(i)"},
    {0xDD, -1, 0xD8, true, Mem::None, X87Kind::Store, 1, 0, "FSTP ST(i)"},
    {0xDD, -1, 0xE0, true, Mem::None, X87Kind::Compare, 3, 0, "FUCOM ST(i)"},
    {0xDD, -1, 0xE8, true, Mem::None, X87Kind::Compare, 3, 0, "FUCOMP ST(i)"},
    {0xDE, -1, 0xC0, true, Mem::None, X87Kind::Arith, 3, 0, "FADDP ST(i),ST(0)"},
    {0xDE, -1, 0xC8, true, Mem::None, X87Kind::Arith, 3, 0, "FMULP ST(i),ST(0)"},
    {0xDE, -1, 0xD0, true, Mem::None, X87Kind::Compare, 3, 0, "FCOMP5 ST(i)"},
    {0xDE, -1, 0xD9, false, Mem::None, X87Kind::Compare, 2, 0, "FCOMPP"},
    {0xDE, -1, 0xE0, true, Mem::None, X87Kind::Arith, 3, 0, "FSUBRP ST(i),ST(0)"},
    {0xDE, -1, 0xE8, true, Mem::None, X87Kind::Arith, 3, 0, "FSUBP ST(i),ST(0)"},
    {0xDE, -1, 0xF0, true, Mem::None, X87Kind::Arith, 3, 0, "FDIVRP ST(i),ST(0)"},
    {0xDE, -1, 0xF8, true, Mem::None, X87Kind::Arith, 3, 0, "FDIVP ST(i),ST(0)"},
    {0xDF, -1, 0xC0, true, Mem::None, X87Kind::Stack, 0, 0, "FFREEP ST(i)"},
    {0xDF, -1, 0xC8, true, Mem::None, X87Kind::Stack, 3, 0, "FXCH7 ST(i)"},
    {0xDF, -1, 0xD0, true, Mem::None, X87Kind::Store, 1, 0, "FSTP8 ST(i)"},
    {0xDF, -1, 0xD8, true, Mem::None, X87Kind::Store, 1, 0, "FSTP9 ST(i)"},
    {0xDF, -1, 0xE0, false, Mem::None, X87Kind::StatusStore, 0, 0, "FNSTSW AX"},
    {0xDF, -1, 0xE8, true, Mem::None, X87Kind::CompareEflags, 3, 0, "FUCOMIP ST(0),ST(i)"},
    {0xDF, -1, 0xF0, true, Mem::None, X87Kind::CompareEflags, 3, 0, "FCOMIP ST(0),ST(i)"},
    {0x9B, -1, 0, false, Mem::None, X87Kind::Control, 0, 0, "FWAIT"},
};
// clang-format on

uint64_t bits(SplitMix64& rng, unsigned n) { return n >= 64 ? rng.next() : rng.next() & ((uint64_t{1} << n) - 1); }

Float80 make(bool sign, unsigned exp, uint64_t mant)
{
    return Float80{mant, static_cast<uint16_t>((sign ? 0x8000 : 0) | exp)};
}

uint32_t random_f32(SplitMix64& rng)
{
    uint32_t s = rng.chance(1, 2) ? 0x80000000u : 0;
    switch (rng.below(10)) {
    case 0: return s;                                                   // zero
    case 1: return s | static_cast<uint32_t>(1 + bits(rng, 23) % 0x7FFFFF);  // denormal
    case 2: return s | 0x7F800000u;                                     // infinity
    case 3: return s | 0x7FC00000u | static_cast<uint32_t>(bits(rng, 22));   // QNaN
    case 4: return s | 0x7F800000u | static_cast<uint32_t>(1 + bits(rng, 21)); // SNaN
    case 5: return s | (static_cast<uint32_t>(120 + rng.below(16)) << 23) | static_cast<uint32_t>(bits(rng, 23));
    default: return s | (static_cast<uint32_t>(1 + rng.below(254)) << 23) | static_cast<uint32_t>(bits(rng, 23));
    }
}

uint64_t random_f64(SplitMix64& rng)
{
    uint64_t s = rng.chance(1, 2) ? 0x8000000000000000ull : 0;
    switch (rng.below(10)) {
    case 0: return s;
    case 1: return s | (1 + bits(rng, 52) % 0xFFFFFFFFFFFFFull);
    case 2: return s | 0x7FF0000000000000ull;
    case 3: return s | 0x7FF8000000000000ull | bits(rng, 51);
    case 4: return s | 0x7FF0000000000000ull | (1 + bits(rng, 50));
    case 5: return s | ((1020 + rng.below(8)) << 52) | bits(rng, 52);
    default: return s | ((1 + rng.below(2046)) << 52) | bits(rng, 52);
    }
}

uint64_t random_int(SplitMix64& rng, unsigned size)
{
    static constexpr int64_t kEdges[] = {0, 1, -1, 2, -2, 100, 32767, -32768, 65535, 2147483647, -2147483647 - 1};
    int64_t v;
    switch (rng.below(4)) {
    case 0: v = kEdges[rng.below(std::size(kEdges))]; break;
    case 1: v = static_cast<int64_t>(rng.below(2001)) - 1000; break;
    default: v = static_cast<int64_t>(rng.next()); break;
    }
    return static_cast<uint64_t>(v) & (size == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1);
}

void poke_bytes(X87Insn& in, uint32_t addr, const uint8_t* p, unsigned len)
{
    for (unsigned off = 0; off < len; off += 8) {
        X86Poke k{addr + off, {}, std::min(8u, len - off)};
        std::memcpy(k.bytes, p + off, k.len);
        in.pokes.push_back(k);
    }
}

void poke_value(X87Insn& in, uint32_t addr, uint64_t v, unsigned len)
{
    uint8_t b[8];
    std::memcpy(b, &v, 8);
    poke_bytes(in, addr, b, len);
}

// A valid control word: rounding and precision random, masks mostly all set.
uint16_t random_control_word(SplitMix64& rng)
{
    static constexpr uint16_t kPc[4] = {0x000, 0x200, 0x300, 0x300};
    uint16_t masks = rng.chance(3, 4) ? 0x3F : static_cast<uint16_t>(rng.below(64));
    return static_cast<uint16_t>(0x40 | masks | kPc[rng.below(4)] | (rng.below(4) << 10));
}

}  // namespace

Float80 random_x87_value(SplitMix64& rng)
{
    bool s = rng.chance(1, 2);
    switch (rng.below(16)) {
    case 0: return make(s, 0, 0);
    case 1: return make(s, 0, bits(rng, 63) >> rng.below(40));       // denormal
    case 2: return make(s, 0, kJ | bits(rng, 63));                   // pseudo-denormal
    case 3: return make(s, 0x7FFF, kJ);                              // infinity
    case 4: return make(s, 0x7FFF, kJ | (1ull << 62) | bits(rng, 62));  // QNaN
    case 5: return make(s, 0x7FFF, kJ | (1 + bits(rng, 61)));        // SNaN
    case 6:
        if (rng.chance(1, 4))
            return make(s, static_cast<unsigned>(1 + rng.below(0x7FFE)), bits(rng, 63));  // unnormal
        break;
    case 7: return make(s, static_cast<unsigned>(1 + rng.below(40)), kJ | bits(rng, 63));          // tiny
    case 8: return make(s, static_cast<unsigned>(0x7FFE - rng.below(40)), kJ | bits(rng, 63));     // huge
    case 9: {  // exactly a double
        uint64_t mant = kJ | (bits(rng, 52) << 11);
        return make(s, static_cast<unsigned>(16383 - 60 + rng.below(120)), mant);
    }
    case 10: {  // a small integer
        uint64_t v = 1 + rng.below(1000);
        int z = __builtin_clzll(v);
        return make(s, static_cast<unsigned>(16383 + 63 - z), v << z);
    }
    default: break;
    }
    return make(s, static_cast<unsigned>(16383 - 80 + rng.below(160)), kJ | bits(rng, 63));
}

x86::FpuState random_x87_state(SplitMix64& rng)
{
    x86::FpuState f;
    f.cw = random_control_word(rng);
    for (Float80& r : f.reg)
        r = random_x87_value(rng);
    f.sw = static_cast<uint16_t>(rng.next() & (x86::kFswConditions));
    f.set_top(static_cast<unsigned>(rng.below(8)));
    // A stack of some depth from TOP; the rest empty.
    unsigned depth = static_cast<unsigned>(rng.below(9));
    f.empty = 0xFF;
    for (unsigned i = 0; i < depth; ++i)
        f.empty &= static_cast<uint8_t>(~(1u << f.phys(i)));
    return f;
}

X87Insn random_x87_insn(SplitMix64& rng, const x86::FpuState& now)
{
    X87Insn in;
    const Form* form = nullptr;
    unsigned i = 0;
    // Draw until the form's stack needs are met, but let one in ten through regardless: stack
    // faults must happen, rarely.
    for (unsigned tries = 0; tries < 20; ++tries) {
        form = &kForms[rng.below(std::size(kForms))];
        i = form->sti ? static_cast<unsigned>(rng.below(8)) : 1;
        bool ok = true;
        switch (form->uses) {
        case 1: ok = !now.st_empty(0); break;
        case 2: ok = !now.st_empty(0) && !now.st_empty(1); break;
        case 3: ok = !now.st_empty(0) && !now.st_empty(i); break;
        case 4: ok = !now.st_empty(i); break;
        default: break;
        }
        if (form->pushes && !((now.empty >> ((now.top() - 1) & 7)) & 1))
            ok = false;
        in.stack_fault = !ok;
        if (ok || rng.chance(1, 10))
            break;
    }
    in.name = form->name;
    in.kind = form->kind;
    in.opcode = form->esc;
    auto emit = [&](uint8_t b) { in.bytes[in.len++] = b; };
    if (form->esc == 0x9B) {
        emit(0x9B);
        return in;
    }
    if (form->reg < 0) {
        emit(form->esc);
        in.modrm = static_cast<uint8_t>(form->modrm + (form->sti ? i : 0));
        emit(in.modrm);
        if (form->sti)
            in.name += " i=" + std::to_string(i);
        return in;
    }
    // A memory form: [disp32] in the data window, sometimes the 16-bit environment formats.
    bool env16 = (form->mem == Mem::Env || form->mem == Mem::Save) && rng.chance(1, 4);
    if (env16) {
        emit(0x66);
        in.name += " (16-bit)";
    }
    emit(form->esc);
    in.modrm = static_cast<uint8_t>(0x05 | (form->reg << 3));
    emit(in.modrm);
    static constexpr unsigned kLen[] = {0, 4, 8, 10, 2, 4, 8, 10, 2, 28, 108};
    unsigned len = kLen[static_cast<unsigned>(form->mem)];
    if (env16)
        len = form->mem == Mem::Env ? 14 : 94;
    uint32_t addr = kDataLow + static_cast<uint32_t>(rng.below(kDataHigh - kDataLow - 128));
    if (rng.chance(3, 4))
        addr &= ~7u;
    for (unsigned k = 0; k < 4; ++k)
        emit(static_cast<uint8_t>(addr >> (8 * k)));
    in.mem = addr;
    in.mem_len = len;
    switch (form->mem) {
    case Mem::F32: poke_value(in, addr, random_f32(rng), 4); break;
    case Mem::F64: poke_value(in, addr, random_f64(rng), 8); break;
    case Mem::I16: poke_value(in, addr, random_int(rng, 2), 2); break;
    case Mem::I32: poke_value(in, addr, random_int(rng, 4), 4); break;
    case Mem::I64: poke_value(in, addr, random_int(rng, 8), 8); break;
    case Mem::F80: {
        Float80 v = random_x87_value(rng);
        poke_value(in, addr, v.mant, 8);
        poke_value(in, addr + 8, v.se, 2);
        break;
    }
    case Mem::Bcd: {
        uint8_t b[10];
        for (unsigned k = 0; k < 9; ++k)
            b[k] = static_cast<uint8_t>((rng.below(10) << 4) | rng.below(10));
        b[9] = rng.chance(1, 2) ? 0x80 : 0;
        poke_bytes(in, addr, b, 10);
        break;
    }
    case Mem::Word:
        // FLDCW loads a valid control word; the stores overwrite whatever is there.
        poke_value(in, addr, random_control_word(rng), 2);
        break;
    case Mem::Env:
    case Mem::Save: {
        // An environment (and for FRSTOR the registers) the load may take: a random state's.
        if (form->reg == 4) {
            x86::FpuState s = random_x87_state(rng);
            uint16_t tw = 0;
            for (unsigned k = 0; k < 8; ++k)
                tw |= static_cast<uint16_t>((((s.empty >> k) & 1) ? 3u : 0u) << (2 * k));
            uint8_t b[108] = {};
            unsigned w = env16 ? 2 : 4;
            auto put = [&](unsigned slot, uint32_t v) { std::memcpy(b + slot * w, &v, w); };
            put(0, s.cw);
            put(1, s.sw);
            put(2, tw);
            put(3, static_cast<uint32_t>(rng.next()));
            put(4, static_cast<uint32_t>(rng.below(0x10000)));
            put(5, static_cast<uint32_t>(rng.next()));
            put(6, static_cast<uint32_t>(rng.below(0x10000)));
            for (unsigned k = 0; k < 8; ++k) {
                Float80 v = random_x87_value(rng);
                std::memcpy(b + 7 * w + 10 * k, &v.mant, 8);
                std::memcpy(b + 7 * w + 10 * k + 8, &v.se, 2);
            }
            poke_bytes(in, addr, b, len);
        }
        break;
    }
    case Mem::None: break;
    }
    return in;
}

}  // namespace emu::test
