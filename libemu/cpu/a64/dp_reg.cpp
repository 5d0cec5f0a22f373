// A64 data processing on registers: logical and add/subtract with shifted or extended operands,
// add/subtract with carry, conditional compare and select, and the 1-, 2- and 3-source groups.
// Builders fold the operand width, the shift type or extend option and the flag setting into
// the choice of handler, so that handlers only compute.
#include <array>
#include <type_traits>
#include <utility>

#include "cpu/a64/alu.h"
#include "cpu/a64/cpu.h"
#include "cpu/a64/fields.h"

namespace emu::a64 {

namespace {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

// --- logical and add/subtract (shifted register) -----------------------------------------------

// The eight logical operations, in encoding order of opc:N.
enum class Logic { AND, BIC, ORR, ORN, EOR, EON, ANDS, BICS };

// kShifted false: the amount is 0, and the operand goes in as it is (the high half of a W
// operand does not reach the result).
template <Logic kOp, bool k64, ShiftType kShift, bool kShifted = true>
const Op* Logical_shift(Cpu& c, const Op* op)
{
    uint64_t x = c.s.r[op->rn];
    uint64_t y = kShifted ? shift_reg<k64, kShift>(c.s.r[op->rm], op->a) : c.s.r[op->rm];
    if constexpr (kOp == Logic::BIC || kOp == Logic::ORN || kOp == Logic::EON || kOp == Logic::BICS)
        y = ~y;
    uint64_t r;
    if constexpr (kOp == Logic::ORR || kOp == Logic::ORN)
        r = to_width<k64>(x | y);
    else if constexpr (kOp == Logic::EOR || kOp == Logic::EON)
        r = to_width<k64>(x ^ y);
    else
        r = to_width<k64>(x & y);
    c.s.r[op->rd] = r;
    if constexpr (kOp == Logic::ANDS || kOp == Logic::BICS)
        c.flags = logical_flags<k64>(r);
    return c.step(op);
}

// MOV (register) is ORR from the zero register without a shift: the commonest logical
// operation in compiled code, and a plain copy.
template <bool k64>
const Op* MOV_reg(Cpu& c, const Op* op)
{
    c.s.r[op->rd] = to_width<k64>(c.s.r[op->rm]);
    return c.step(op);
}

template <AddSub kOp, bool k64, ShiftType kShift, bool kShifted = true>
const Op* AddSub_shift(Cpu& c, const Op* op)
{
    uint64_t y = kShifted ? shift_reg<k64, kShift>(c.s.r[op->rm], op->a) : c.s.r[op->rm];
    c.s.r[op->rd] = add_sub<kOp, k64>(c.s.r[op->rn], y, c.flags);
    return c.step(op);
}

// Every (width, shift type) instance of a shifted-register handler, indexed [sf][shift], and
// [sf][kUnshifted] for a shift by 0 (the commonest).
constexpr unsigned kUnshifted = 4;
template <Logic kOp>
constexpr Handler kLogicalShift[2][5] = {
    {Logical_shift<kOp, false, ShiftType::LSL>, Logical_shift<kOp, false, ShiftType::LSR>,
     Logical_shift<kOp, false, ShiftType::ASR>, Logical_shift<kOp, false, ShiftType::ROR>,
     Logical_shift<kOp, false, ShiftType::LSL, false>},
    {Logical_shift<kOp, true, ShiftType::LSL>, Logical_shift<kOp, true, ShiftType::LSR>,
     Logical_shift<kOp, true, ShiftType::ASR>, Logical_shift<kOp, true, ShiftType::ROR>,
     Logical_shift<kOp, true, ShiftType::LSL, false>},
};

// Add/subtract have no ROR shift; the builder rejects it before looking here.
template <AddSub kOp>
constexpr Handler kAddSubShift[2][5] = {
    {AddSub_shift<kOp, false, ShiftType::LSL>, AddSub_shift<kOp, false, ShiftType::LSR>,
     AddSub_shift<kOp, false, ShiftType::ASR>, nullptr, AddSub_shift<kOp, false, ShiftType::LSL, false>},
    {AddSub_shift<kOp, true, ShiftType::LSL>, AddSub_shift<kOp, true, ShiftType::LSR>,
     AddSub_shift<kOp, true, ShiftType::ASR>, nullptr, AddSub_shift<kOp, true, ShiftType::LSL, false>},
};

// --- add/subtract (extended register) ----------------------------------------------------------

// ExtendReg before the left shift: option<2> signed, option<1:0> the source size.
template <unsigned kOption>
constexpr uint64_t extend_reg(uint64_t v)
{
    constexpr unsigned kBits = 8u << (kOption & 3);
    if constexpr (kOption & 4)
        return static_cast<uint64_t>(sign_extend(v, kBits));
    else
        return v & ones(kBits);
}

// 32-bit operations extend and shift in 64 bits: the low 32 bits come out the same.
template <AddSub kOp, bool k64, unsigned kOption>
const Op* AddSub_ext(Cpu& c, const Op* op)
{
    c.s.r[op->rd] = add_sub<kOp, k64>(c.s.r[op->rn], extend_reg<kOption>(c.s.r[op->rm]) << op->a, c.flags);
    return c.step(op);
}

template <AddSub kOp, bool k64, unsigned... kOptions>
constexpr std::array<Handler, 8> ext_handlers(std::integer_sequence<unsigned, kOptions...>)
{
    return {AddSub_ext<kOp, k64, kOptions>...};
}

// --- add/subtract with carry -------------------------------------------------------------------

template <AddSub kOp, bool k64>
const Op* AddSub_carry(Cpu& c, const Op* op)
{
    uint64_t x = c.s.r[op->rn];
    uint64_t y = c.s.r[op->rm];
    uint64_t carry = c.flags.get().c;
    if constexpr (kOp == AddSub::ADD)
        c.s.r[op->rd] = to_width<k64>(x + y + carry);
    else if constexpr (kOp == AddSub::SUB)
        c.s.r[op->rd] = to_width<k64>(x + ~y + carry);
    else if constexpr (kOp == AddSub::ADDS)
        c.s.r[op->rd] = add_with_carry<k64>(x, y, carry, c.flags);
    else
        c.s.r[op->rd] = add_with_carry<k64>(x, ~y, carry, c.flags);
    return c.step(op);
}

// --- conditional compare and select ------------------------------------------------------------

// Both families are specialised on their condition, as B.cond is: a condition read from the
// op would cost a switch over the sixteen in every execution (conditional selects are among
// the commonest instructions of compiled kernel code).

// CCMN (kOp ADDS) and CCMP (kOp SUBS): the comparison's flags if the condition holds, else the
// encoded nzcv held in op->b.
template <AddSub kOp, bool k64, bool kImm, unsigned kCond>
const Op* CondCompare(Cpu& c, const Op* op)
{
    if (c.flags.holds<kCond>()) {
        uint64_t y = kImm ? op->imm : c.s.r[op->rm];
        add_sub<kOp, k64>(c.s.r[op->rn], y, c.flags);
    } else {
        c.flags = Flags::unpack(uint32_t{op->b} << 28);
    }
    return c.step(op);
}

enum class CondSelect { CSEL, CSINC, CSINV, CSNEG };

template <CondSelect kOp, bool k64, unsigned kCond>
const Op* CondSel(Cpu& c, const Op* op)
{
    uint64_t r;
    if (c.flags.holds<kCond>()) {
        r = c.s.r[op->rn];
    } else {
        r = c.s.r[op->rm];
        if constexpr (kOp == CondSelect::CSINC)
            r = r + 1;
        else if constexpr (kOp == CondSelect::CSINV)
            r = ~r;
        else if constexpr (kOp == CondSelect::CSNEG)
            r = 0 - r;
    }
    c.s.r[op->rd] = to_width<k64>(r);
    return c.step(op);
}

// Indexed by the condition field, insn[15:12].
template <AddSub kOp, bool k64, bool kImm, unsigned... kConds>
constexpr std::array<Handler, 16> cond_compare_forms(std::integer_sequence<unsigned, kConds...>)
{
    return {CondCompare<kOp, k64, kImm, kConds>...};
}
template <AddSub kOp, bool k64, bool kImm>
constexpr auto kCondCompare = cond_compare_forms<kOp, k64, kImm>(std::make_integer_sequence<unsigned, 16>());

template <CondSelect kOp, bool k64, unsigned... kConds>
constexpr std::array<Handler, 16> cond_select_forms(std::integer_sequence<unsigned, kConds...>)
{
    return {CondSel<kOp, k64, kConds>...};
}
template <CondSelect kOp, bool k64>
constexpr auto kCondSel = cond_select_forms<kOp, k64>(std::make_integer_sequence<unsigned, 16>());

// --- data processing, 1 source -----------------------------------------------------------------

// Swaps adjacent groups of `shift` bits selected by `mask` and the ones above them.
constexpr uint64_t swap_bits(uint64_t v, uint64_t mask, unsigned shift)
{
    return ((v & mask) << shift) | ((v >> shift) & mask);
}

constexpr uint64_t bit_reverse64(uint64_t v)
{
    v = swap_bits(v, 0x5555555555555555, 1);
    v = swap_bits(v, 0x3333333333333333, 2);
    v = swap_bits(v, 0x0F0F0F0F0F0F0F0F, 4);
    return __builtin_bswap64(v);
}

template <bool k64>
const Op* RBIT(Cpu& c, const Op* op)
{
    uint64_t r = bit_reverse64(c.s.r[op->rn]);
    c.s.r[op->rd] = k64 ? r : r >> 32;
    return c.step(op);
}

template <bool k64>
const Op* REV16(Cpu& c, const Op* op)
{
    c.s.r[op->rd] = to_width<k64>(swap_bits(c.s.r[op->rn], 0x00FF00FF00FF00FF, 8));
    return c.step(op);
}

const Op* REV_w(Cpu& c, const Op* op)
{
    c.s.r[op->rd] = __builtin_bswap32(static_cast<uint32_t>(c.s.r[op->rn]));
    return c.step(op);
}

// Reversing all eight bytes also swaps the two words; the rotation swaps them back.
const Op* REV32(Cpu& c, const Op* op)
{
    c.s.r[op->rd] = std::rotr(__builtin_bswap64(c.s.r[op->rn]), 32);
    return c.step(op);
}

const Op* REV_x(Cpu& c, const Op* op)
{
    c.s.r[op->rd] = __builtin_bswap64(c.s.r[op->rn]);
    return c.step(op);
}

template <bool k64>
const Op* CLZ(Cpu& c, const Op* op)
{
    uint64_t v = c.s.r[op->rn];
    c.s.r[op->rd] = k64 ? std::countl_zero(v) : std::countl_zero(static_cast<uint32_t>(v));
    return c.step(op);
}

// CLS counts the bits below the sign bit that equal it: the leading zeros of x EOR (x << 1),
// whose bit i+1 says whether bits i+1 and i differ. Bit 0 is forced on so the count stops at
// width - 1, the answer for 0 and for all ones.
template <bool k64>
const Op* CLS(Cpu& c, const Op* op)
{
    uint64_t v = c.s.r[op->rn];
    if constexpr (k64) {
        c.s.r[op->rd] = std::countl_zero((v ^ (v << 1)) | 1);
    } else {
        uint32_t w = static_cast<uint32_t>(v);
        c.s.r[op->rd] = std::countl_zero((w ^ (w << 1)) | 1u);
    }
    return c.step(op);
}

// --- data processing, 2 sources ----------------------------------------------------------------

// A64 division never traps: a zero divisor gives 0.
template <bool k64>
const Op* UDIV(Cpu& c, const Op* op)
{
    uint64_t n = to_width<k64>(c.s.r[op->rn]);
    uint64_t d = to_width<k64>(c.s.r[op->rm]);
    c.s.r[op->rd] = d == 0 ? 0 : n / d;
    return c.step(op);
}

// Also the most negative value divided by -1 gives itself back, which C++ leaves undefined:
// negate in unsigned arithmetic instead of dividing.
template <bool k64>
const Op* SDIV(Cpu& c, const Op* op)
{
    using S = std::conditional_t<k64, int64_t, int32_t>;
    using U = std::make_unsigned_t<S>;
    S n = static_cast<S>(c.s.r[op->rn]);
    S d = static_cast<S>(c.s.r[op->rm]);
    U q;
    if (d == 0)
        q = 0;
    else if (d == -1)
        q = U{0} - static_cast<U>(n);
    else
        q = static_cast<U>(n / d);
    c.s.r[op->rd] = q;
    return c.step(op);
}

// LSLV, LSRV, ASRV and RORV: the amount is Rm modulo the operand width.
template <ShiftType kType, bool k64>
const Op* ShiftV(Cpu& c, const Op* op)
{
    unsigned amount = static_cast<unsigned>(c.s.r[op->rm]) & (k64 ? 63 : 31);
    c.s.r[op->rd] = shift_reg<k64, kType>(c.s.r[op->rn], amount);
    return c.step(op);
}

// The CRC instructions process data least significant bit first with a bit-reflected
// polynomial and no inversion, which is the classic table-driven byte-at-a-time update.
constexpr std::array<uint32_t, 256> crc_table(uint32_t reflected_poly)
{
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t v = i;
        for (int k = 0; k < 8; k++)
            v = (v >> 1) ^ ((v & 1) ? reflected_poly : 0);
        t[i] = v;
    }
    return t;
}

constexpr std::array<uint32_t, 256> kCrc32Table = crc_table(0xEDB88320);   // CRC-32, 0x04C11DB7
constexpr std::array<uint32_t, 256> kCrc32cTable = crc_table(0x82F63B78);  // CRC-32C, 0x1EDC6F41

template <unsigned kBytes, bool kCastagnoli>
const Op* CRC32(Cpu& c, const Op* op)
{
    const std::array<uint32_t, 256>& table = kCastagnoli ? kCrc32cTable : kCrc32Table;
    uint32_t acc = static_cast<uint32_t>(c.s.r[op->rn]);
    uint64_t val = c.s.r[op->rm];
    for (unsigned i = 0; i < kBytes; i++, val >>= 8)
        acc = table[(acc ^ val) & 0xFF] ^ (acc >> 8);
    c.s.r[op->rd] = acc;
    return c.step(op);
}

// --- data processing, 3 sources ----------------------------------------------------------------

// The low 32 bits of a product depend only on the low 32 bits of its factors.
template <bool kSub, bool k64>
const Op* MulAdd(Cpu& c, const Op* op)
{
    uint64_t product = c.s.r[op->rn] * c.s.r[op->rm];
    uint64_t a = c.s.r[op->ra];
    c.s.r[op->rd] = to_width<k64>(kSub ? a - product : a + product);
    return c.step(op);
}

// SMADDL, SMSUBL, UMADDL, UMSUBL: 32 x 32 -> 64-bit products.
template <bool kSub, bool kSigned>
const Op* MulAddLong(Cpu& c, const Op* op)
{
    uint64_t product;
    if constexpr (kSigned)
        product = static_cast<uint64_t>(int64_t{static_cast<int32_t>(c.s.r[op->rn])} * static_cast<int32_t>(c.s.r[op->rm]));
    else
        product = uint64_t{static_cast<uint32_t>(c.s.r[op->rn])} * static_cast<uint32_t>(c.s.r[op->rm]);
    uint64_t a = c.s.r[op->ra];
    c.s.r[op->rd] = kSub ? a - product : a + product;
    return c.step(op);
}

const Op* SMULH(Cpu& c, const Op* op)
{
    i128 p = i128{static_cast<int64_t>(c.s.r[op->rn])} * static_cast<int64_t>(c.s.r[op->rm]);
    c.s.r[op->rd] = static_cast<uint64_t>(p >> 64);
    return c.step(op);
}

const Op* UMULH(Cpu& c, const Op* op)
{
    u128 p = u128{c.s.r[op->rn]} * c.s.r[op->rm];
    c.s.r[op->rd] = static_cast<uint64_t>(p >> 64);
    return c.step(op);
}

// --- builders ----------------------------------------------------------------------------------

unsigned rd_field(uint32_t insn) { return bits(insn, 4, 0); }
unsigned rn_field(uint32_t insn) { return bits(insn, 9, 5); }
unsigned rm_field(uint32_t insn) { return bits(insn, 20, 16); }
bool is_64bit(uint32_t insn) { return bit(insn, 31); }

// The plain register operands Rd, Rn, Rm, register 31 being the zero register.
void zr_operands(Op& op, uint32_t insn)
{
    op.rd = dst_zr(rd_field(insn));
    op.rn = src_zr(rn_field(insn));
    op.rm = src_zr(rm_field(insn));
}

Handler by_width(uint32_t insn, Handler h32, Handler h64) { return is_64bit(insn) ? h64 : h32; }

// Shifted-register forms: a 32-bit operation cannot shift by 32 or more.
Build build_shifted(Op& op, uint32_t insn, const Handler (&handlers)[2][5])
{
    unsigned amount = bits(insn, 15, 10);
    if (!is_64bit(insn) && amount >= 32)
        return Build::Undefined;
    op.fn = handlers[is_64bit(insn)][amount == 0 ? kUnshifted : bits(insn, 23, 22)];
    zr_operands(op, insn);
    op.a = static_cast<uint8_t>(amount);
    return Build::Next;
}

template <Logic kOp>
Build build_logical_shift(Op& op, uint32_t insn)
{
    Build r = build_shifted(op, insn, kLogicalShift<kOp>);
    // Any shift type by 0 leaves the operand as it is.
    if (kOp == Logic::ORR && r == Build::Next && op.rn == kZr && op.a == 0)
        op.fn = by_width(insn, MOV_reg<false>, MOV_reg<true>);
    return r;
}

// Add/subtract have no ROR shift.
template <AddSub kOp>
Build build_add_sub_shift(Op& op, uint32_t insn)
{
    if (bits(insn, 23, 22) == static_cast<unsigned>(ShiftType::ROR))
        return Build::Undefined;
    return build_shifted(op, insn, kAddSubShift<kOp>);
}

// Extended-register forms: Rn may be the stack pointer, and so may Rd unless flags are set;
// the left shift goes up to 4.
template <AddSub kOp>
Build build_add_sub_ext(Op& op, uint32_t insn)
{
    static constexpr std::array<Handler, 8> k32 = ext_handlers<kOp, false>(std::make_integer_sequence<unsigned, 8>{});
    static constexpr std::array<Handler, 8> k64 = ext_handlers<kOp, true>(std::make_integer_sequence<unsigned, 8>{});
    constexpr bool kSetsFlags = kOp == AddSub::ADDS || kOp == AddSub::SUBS;
    unsigned shift = bits(insn, 12, 10);
    if (shift > 4)
        return Build::Undefined;
    unsigned option = bits(insn, 15, 13);
    op.fn = is_64bit(insn) ? k64[option] : k32[option];
    op.rd = kSetsFlags ? dst_zr(rd_field(insn)) : reg_sp(rd_field(insn));
    op.rn = reg_sp(rn_field(insn));
    op.rm = src_zr(rm_field(insn));
    op.a = static_cast<uint8_t>(shift);
    return Build::Next;
}

template <AddSub kOp>
Build build_add_sub_carry(Op& op, uint32_t insn)
{
    op.fn = by_width(insn, AddSub_carry<kOp, false>, AddSub_carry<kOp, true>);
    zr_operands(op, insn);
    return Build::Next;
}

// CCMN/CCMP: the replacement flags in op.b, the immediate form's imm5 in op.imm.
template <AddSub kOp, bool kImm>
Build build_cond_compare(Op& op, uint32_t insn)
{
    uint32_t cond = bits(insn, 15, 12);
    op.fn = by_width(insn, kCondCompare<kOp, false, kImm>[cond], kCondCompare<kOp, true, kImm>[cond]);
    op.rn = src_zr(rn_field(insn));
    if (kImm)
        op.imm = rm_field(insn);
    else
        op.rm = src_zr(rm_field(insn));
    op.b = static_cast<uint8_t>(bits(insn, 3, 0));
    return Build::Next;
}

template <CondSelect kOp>
Build build_cond_select(Op& op, uint32_t insn)
{
    uint32_t cond = bits(insn, 15, 12);
    op.fn = by_width(insn, kCondSel<kOp, false>[cond], kCondSel<kOp, true>[cond]);
    zr_operands(op, insn);
    return Build::Next;
}

Build build_one_source(Op& op, uint32_t insn, Handler handler)
{
    op.fn = handler;
    op.rd = dst_zr(rd_field(insn));
    op.rn = src_zr(rn_field(insn));
    return Build::Next;
}

Build build_two_source(Op& op, uint32_t insn, Handler handler)
{
    op.fn = handler;
    zr_operands(op, insn);
    return Build::Next;
}

Build build_three_source(Op& op, uint32_t insn, Handler handler)
{
    op.fn = handler;
    zr_operands(op, insn);
    op.ra = src_zr(bits(insn, 14, 10));
    return Build::Next;
}

}  // namespace

Build build_AND_shift(Op& op, uint32_t insn) { return build_logical_shift<Logic::AND>(op, insn); }
Build build_BIC_shift(Op& op, uint32_t insn) { return build_logical_shift<Logic::BIC>(op, insn); }
Build build_ORR_shift(Op& op, uint32_t insn) { return build_logical_shift<Logic::ORR>(op, insn); }
Build build_ORN_shift(Op& op, uint32_t insn) { return build_logical_shift<Logic::ORN>(op, insn); }
Build build_EOR_shift(Op& op, uint32_t insn) { return build_logical_shift<Logic::EOR>(op, insn); }
Build build_EON_shift(Op& op, uint32_t insn) { return build_logical_shift<Logic::EON>(op, insn); }
Build build_ANDS_shift(Op& op, uint32_t insn) { return build_logical_shift<Logic::ANDS>(op, insn); }
Build build_BICS_shift(Op& op, uint32_t insn) { return build_logical_shift<Logic::BICS>(op, insn); }

Build build_ADD_shift(Op& op, uint32_t insn) { return build_add_sub_shift<AddSub::ADD>(op, insn); }
Build build_ADDS_shift(Op& op, uint32_t insn) { return build_add_sub_shift<AddSub::ADDS>(op, insn); }
Build build_SUB_shift(Op& op, uint32_t insn) { return build_add_sub_shift<AddSub::SUB>(op, insn); }
Build build_SUBS_shift(Op& op, uint32_t insn) { return build_add_sub_shift<AddSub::SUBS>(op, insn); }

Build build_ADD_ext(Op& op, uint32_t insn) { return build_add_sub_ext<AddSub::ADD>(op, insn); }
Build build_ADDS_ext(Op& op, uint32_t insn) { return build_add_sub_ext<AddSub::ADDS>(op, insn); }
Build build_SUB_ext(Op& op, uint32_t insn) { return build_add_sub_ext<AddSub::SUB>(op, insn); }
Build build_SUBS_ext(Op& op, uint32_t insn) { return build_add_sub_ext<AddSub::SUBS>(op, insn); }

Build build_ADC(Op& op, uint32_t insn) { return build_add_sub_carry<AddSub::ADD>(op, insn); }
Build build_ADCS(Op& op, uint32_t insn) { return build_add_sub_carry<AddSub::ADDS>(op, insn); }
Build build_SBC(Op& op, uint32_t insn) { return build_add_sub_carry<AddSub::SUB>(op, insn); }
Build build_SBCS(Op& op, uint32_t insn) { return build_add_sub_carry<AddSub::SUBS>(op, insn); }

Build build_CCMN_reg(Op& op, uint32_t insn) { return build_cond_compare<AddSub::ADDS, false>(op, insn); }
Build build_CCMP_reg(Op& op, uint32_t insn) { return build_cond_compare<AddSub::SUBS, false>(op, insn); }
Build build_CCMN_imm(Op& op, uint32_t insn) { return build_cond_compare<AddSub::ADDS, true>(op, insn); }
Build build_CCMP_imm(Op& op, uint32_t insn) { return build_cond_compare<AddSub::SUBS, true>(op, insn); }

Build build_CSEL(Op& op, uint32_t insn) { return build_cond_select<CondSelect::CSEL>(op, insn); }
Build build_CSINC(Op& op, uint32_t insn) { return build_cond_select<CondSelect::CSINC>(op, insn); }
Build build_CSINV(Op& op, uint32_t insn) { return build_cond_select<CondSelect::CSINV>(op, insn); }
Build build_CSNEG(Op& op, uint32_t insn) { return build_cond_select<CondSelect::CSNEG>(op, insn); }

Build build_RBIT(Op& op, uint32_t insn) { return build_one_source(op, insn, by_width(insn, RBIT<false>, RBIT<true>)); }
Build build_REV16(Op& op, uint32_t insn) { return build_one_source(op, insn, by_width(insn, REV16<false>, REV16<true>)); }
Build build_REV_w(Op& op, uint32_t insn) { return build_one_source(op, insn, REV_w); }
Build build_REV32(Op& op, uint32_t insn) { return build_one_source(op, insn, REV32); }
Build build_REV_x(Op& op, uint32_t insn) { return build_one_source(op, insn, REV_x); }
Build build_CLZ(Op& op, uint32_t insn) { return build_one_source(op, insn, by_width(insn, CLZ<false>, CLZ<true>)); }
Build build_CLS(Op& op, uint32_t insn) { return build_one_source(op, insn, by_width(insn, CLS<false>, CLS<true>)); }

Build build_UDIV(Op& op, uint32_t insn) { return build_two_source(op, insn, by_width(insn, UDIV<false>, UDIV<true>)); }
Build build_SDIV(Op& op, uint32_t insn) { return build_two_source(op, insn, by_width(insn, SDIV<false>, SDIV<true>)); }

Build build_LSLV(Op& op, uint32_t insn)
{
    return build_two_source(op, insn, by_width(insn, ShiftV<ShiftType::LSL, false>, ShiftV<ShiftType::LSL, true>));
}

Build build_LSRV(Op& op, uint32_t insn)
{
    return build_two_source(op, insn, by_width(insn, ShiftV<ShiftType::LSR, false>, ShiftV<ShiftType::LSR, true>));
}

Build build_ASRV(Op& op, uint32_t insn)
{
    return build_two_source(op, insn, by_width(insn, ShiftV<ShiftType::ASR, false>, ShiftV<ShiftType::ASR, true>));
}

Build build_RORV(Op& op, uint32_t insn)
{
    return build_two_source(op, insn, by_width(insn, ShiftV<ShiftType::ROR, false>, ShiftV<ShiftType::ROR, true>));
}

Build build_CRC32B(Op& op, uint32_t insn) { return build_two_source(op, insn, CRC32<1, false>); }
Build build_CRC32H(Op& op, uint32_t insn) { return build_two_source(op, insn, CRC32<2, false>); }
Build build_CRC32W(Op& op, uint32_t insn) { return build_two_source(op, insn, CRC32<4, false>); }
Build build_CRC32X(Op& op, uint32_t insn) { return build_two_source(op, insn, CRC32<8, false>); }
Build build_CRC32CB(Op& op, uint32_t insn) { return build_two_source(op, insn, CRC32<1, true>); }
Build build_CRC32CH(Op& op, uint32_t insn) { return build_two_source(op, insn, CRC32<2, true>); }
Build build_CRC32CW(Op& op, uint32_t insn) { return build_two_source(op, insn, CRC32<4, true>); }
Build build_CRC32CX(Op& op, uint32_t insn) { return build_two_source(op, insn, CRC32<8, true>); }

Build build_MADD(Op& op, uint32_t insn) { return build_three_source(op, insn, by_width(insn, MulAdd<false, false>, MulAdd<false, true>)); }
Build build_MSUB(Op& op, uint32_t insn) { return build_three_source(op, insn, by_width(insn, MulAdd<true, false>, MulAdd<true, true>)); }
Build build_SMADDL(Op& op, uint32_t insn) { return build_three_source(op, insn, MulAddLong<false, true>); }
Build build_SMSUBL(Op& op, uint32_t insn) { return build_three_source(op, insn, MulAddLong<true, true>); }
Build build_UMADDL(Op& op, uint32_t insn) { return build_three_source(op, insn, MulAddLong<false, false>); }
Build build_UMSUBL(Op& op, uint32_t insn) { return build_three_source(op, insn, MulAddLong<true, false>); }
Build build_SMULH(Op& op, uint32_t insn) { return build_two_source(op, insn, SMULH); }
Build build_UMULH(Op& op, uint32_t insn) { return build_two_source(op, insn, UMULH); }

}  // namespace emu::a64
