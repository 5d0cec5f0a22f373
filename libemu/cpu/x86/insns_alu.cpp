// Integer arithmetic and logic: the eight ALU operations, INC/DEC, group 3 (TEST NOT NEG MUL
// IMUL DIV IDIV), shifts and rotates, double shifts, bit tests and scans, SETcc/CMOVcc,
// XADD/CMPXCHG/CMPXCHG8B, BSWAP, sign extensions, BCD adjustments and flag instructions.
// Flags follow the Intel SDM; where it leaves one undefined, the value QEMU computes.
#include <array>
#include <utility>

#include "cpu/x86/operands.h"

namespace emu::x86 {

namespace {

// Op: 0 ADD 1 OR 2 ADC 3 SBB 4 AND 5 SUB 6 XOR 7 CMP, a template parameter so that each
// handler is straight-line code. Returns the result and, in `flags`, the lazy record the
// caller commits to c.lazy once the result is stored (a faulting store leaves the flags).
template <unsigned N, unsigned Op>
inline uint32_t alu_op(const Cpu& c, uint32_t a, uint32_t b, LazyFlags& flags)
{
    uint32_t r, carry = 0;
    switch (Op) {
    case 0: r = a + b; break;
    case 1: r = a | b; break;
    case 2: carry = c.carry(); r = a + b + carry; break;
    case 3: carry = c.carry(); r = a - b - carry; break;
    case 4: r = a & b; break;
    case 5:
    case 7: r = a - b; break;
    default: r = a ^ b; break;
    }
    if constexpr (Op == 0 || Op == 2)
        flags = lazy_arith<N, LazyOp::Add>(a, b, r, carry);
    else if constexpr (Op == 3 || Op == 5 || Op == 7)
        flags = lazy_arith<N, LazyOp::Sub>(a, b, r, carry);
    else
        flags = lazy_logic<N>(r);
    return r & size_mask(N);
}

template <unsigned N, unsigned A, RmForm F = RmForm::Any>
const Op* alu_rm_reg(Cpu& c, const Op* op)
{
    uint32_t a;
    if (!get_rm_as<N, F>(c, op, a))
        return nullptr;
    LazyFlags f;
    uint32_t r = alu_op<N, A>(c, a, get_reg_operand<N>(c, op), f);
    if (A != 7 && !set_rm_as<N, F>(c, op, r))
        return nullptr;
    c.lazy = f;
    return next_after<F>(c, op);
}

template <unsigned N, unsigned A, RmForm F = RmForm::Any>
[[gnu::noinline]] const Op* alu_reg_rm(Cpu& c, const Op* op)
{
    if constexpr (is_memory_form(F)) {  // as the loads in insns_move.cpp
        UInt<N> t;
        if (__builtin_expect(c.read_flat<UInt<N>>(op->seg, ea_as<F>(c, op), t), 1)) {
            uint32_t r = alu_op<N, A>(c, get_reg_operand<N>(c, op), t, c.lazy);
            if (A != 7)
                set_reg_operand<N>(c, op, r);
            return c.step(op);
        }
        return alu_reg_rm<N, A>(c, op);
    }
    uint32_t b;
    if (!get_rm_as<N, F>(c, op, b))
        return nullptr;
    uint32_t r = alu_op<N, A>(c, get_reg_operand<N>(c, op), b, c.lazy);
    if (A != 7)
        set_reg_operand<N>(c, op, r);
    return next_after<F>(c, op);
}

template <unsigned N, unsigned A, RmForm F = RmForm::Any>
const Op* alu_rm_imm(Cpu& c, const Op* op)
{
    uint32_t a;
    if (!get_rm_as<N, F>(c, op, a))
        return nullptr;
    LazyFlags f;
    uint32_t r = alu_op<N, A>(c, a, op->imm, f);
    if (A != 7 && !set_rm_as<N, F>(c, op, r))
        return nullptr;
    c.lazy = f;
    return next_after<F>(c, op);
}

template <unsigned N, unsigned A>
const Op* alu_acc_imm(Cpu& c, const Op* op)
{
    uint32_t r = alu_op<N, A>(c, get_reg<N>(c, kEax), op->imm, c.lazy);
    if (A != 7)
        set_reg<N>(c, kEax, r);
    return c.step(op);
}

// INC and DEC leave CF alone: the record keeps it (record_inc_dec).
template <unsigned N, bool Dec>
const Op* inc_dec_rm(Cpu& c, const Op* op)
{
    uint32_t a;
    if (!get_rm<N>(c, op, a))
        return nullptr;
    uint32_t r = Dec ? a - 1 : a + 1;
    if (!set_rm<N>(c, op, r))
        return nullptr;
    record_inc_dec<N, Dec>(c.lazy, c.s.eflags, a, r);
    return c.next(op);
}

template <unsigned N, bool Dec>
const Op* inc_dec_reg(Cpu& c, const Op* op)
{
    uint32_t a = get_reg_operand<N>(c, op), r = Dec ? a - 1 : a + 1;
    set_reg_operand<N>(c, op, r);
    record_inc_dec<N, Dec>(c.lazy, c.s.eflags, a, r);
    return c.step(op);
}

template <unsigned N>
const Op* test_rm_reg(Cpu& c, const Op* op)
{
    uint32_t a;
    if (!get_rm<N>(c, op, a))
        return nullptr;
    uint32_t b = get_reg_operand<N>(c, op);
    c.lazy = lazy_logic<N>(a & b);
    return c.next(op);
}

template <unsigned N>
const Op* test_acc_imm(Cpu& c, const Op* op)
{
    uint32_t a = get_reg<N>(c, kEax);
    c.lazy = lazy_logic<N>(a & op->imm);
    return c.step(op);
}

// MUL/IMUL (one operand): CF = OF = whether the high half is significant; SF, ZF, PF from the
// low half and AF clear, as QEMU leaves the undefined ones: a Logic record says just that.
template <unsigned N>
void mul_flags(Cpu& c, uint32_t low, bool significant)
{
    c.lazy = lazy_logic<N>(low, significant, significant);
}

template <unsigned N>
const Op* group3(Cpu& c, const Op* op)
{
    uint32_t a;
    if (!get_rm<N>(c, op, a))
        return nullptr;
    constexpr uint32_t m = size_mask(N);
    constexpr unsigned bits = 8 * N;
    switch (op->reg) {
    case 0:
    case 1: c.lazy = lazy_logic<N>(a & op->imm); break;  // TEST r/m, imm
    case 2:
        if (!set_rm<N>(c, op, ~a & m))
            return nullptr;
        break;
    case 3: {  // NEG: 0 - operand, so CF = (operand != 0)
        uint32_t r = (0 - a) & m;
        if (!set_rm<N>(c, op, r))
            return nullptr;
        c.lazy = lazy_arith<N, LazyOp::Sub>(0, a, r);
        break;
    }
    case 4: {  // MUL
        uint64_t p = uint64_t{get_reg<N>(c, kEax)} * a;
        uint32_t lo = static_cast<uint32_t>(p) & m, hi = static_cast<uint32_t>(p >> bits) & m;
        if constexpr (N == 1)
            set_reg<2>(c, kEax, static_cast<uint32_t>(p));
        else {
            set_reg<N>(c, kEax, lo);
            set_reg<N>(c, kEdx, hi);
        }
        mul_flags<N>(c, lo, hi != 0);
        break;
    }
    case 5: {  // IMUL
        int64_t x = static_cast<std::make_signed_t<UInt<N>>>(get_reg<N>(c, kEax));
        int64_t y = static_cast<std::make_signed_t<UInt<N>>>(a);
        int64_t p = x * y;
        uint32_t lo = static_cast<uint32_t>(p) & m, hi = static_cast<uint32_t>(static_cast<uint64_t>(p) >> bits) & m;
        if constexpr (N == 1)
            set_reg<2>(c, kEax, static_cast<uint32_t>(p));
        else {
            set_reg<N>(c, kEax, lo);
            set_reg<N>(c, kEdx, hi);
        }
        mul_flags<N>(c, lo, p != static_cast<std::make_signed_t<UInt<N>>>(lo));
        break;
    }
    case 6: {  // DIV
        uint64_t dividend = N == 1 ? get_reg<2>(c, kEax) : (uint64_t{get_reg<N>(c, kEdx)} << bits) | get_reg<N>(c, kEax);
        if (a == 0)
            return c.fault(op, kExcDE);
        uint64_t q = dividend / a, r = dividend % a;
        if (q > m)
            return c.fault(op, kExcDE);
        if constexpr (N == 1)
            set_reg<2>(c, kEax, static_cast<uint32_t>(q | (r << 8)));
        else {
            set_reg<N>(c, kEax, static_cast<uint32_t>(q));
            set_reg<N>(c, kEdx, static_cast<uint32_t>(r));
        }
        break;
    }
    default: {  // IDIV
        using S = std::make_signed_t<UInt<N>>;
        int64_t dividend = N == 1 ? static_cast<int16_t>(get_reg<2>(c, kEax))
                                  : static_cast<int64_t>((uint64_t{get_reg<N>(c, kEdx)} << bits) | get_reg<N>(c, kEax)) << (64 - 2 * bits) >> (64 - 2 * bits);
        int64_t divisor = static_cast<S>(a);
        if (divisor == 0)
            return c.fault(op, kExcDE);
        if (dividend == INT64_MIN && divisor == -1)
            return c.fault(op, kExcDE);
        int64_t q = dividend / divisor, r = dividend % divisor;
        if (q > std::numeric_limits<S>::max() || q < std::numeric_limits<S>::min())
            return c.fault(op, kExcDE);
        if constexpr (N == 1)
            set_reg<2>(c, kEax, (static_cast<uint32_t>(q) & 0xFF) | ((static_cast<uint32_t>(r) & 0xFF) << 8));
        else {
            set_reg<N>(c, kEax, static_cast<uint32_t>(q));
            set_reg<N>(c, kEdx, static_cast<uint32_t>(r));
        }
        break;
    }
    }
    return c.next(op);
}

// IMUL r, r/m[, imm]: op->aux = 1 when there is an immediate (op->imm), else the destination
// is also the first factor; b is the r/m operand. The 32-bit form has a variant per r/m form.
template <unsigned N>
[[gnu::always_inline]] inline void imul_into_reg(Cpu& c, const Op* op, uint32_t b)
{
    using S = std::make_signed_t<UInt<N>>;
    int64_t x = static_cast<S>(op->aux ? static_cast<UInt<N>>(op->imm) : static_cast<UInt<N>>(get_reg_operand<N>(c, op)));
    int64_t p = x * static_cast<S>(b);
    uint32_t lo = static_cast<uint32_t>(p) & size_mask(N);
    set_reg_operand<N>(c, op, lo);
    mul_flags<N>(c, lo, p != static_cast<S>(lo));
}

template <unsigned N, RmForm F = RmForm::Any>
[[gnu::noinline]] const Op* imul_reg(Cpu& c, const Op* op)
{
    if constexpr (is_memory_form(F)) {  // as the loads in insns_move.cpp
        UInt<N> t;
        if (__builtin_expect(c.read_flat<UInt<N>>(op->seg, ea_as<F>(c, op), t), 1)) {
            imul_into_reg<N>(c, op, t);
            return c.step(op);
        }
        return imul_reg<N>(c, op);
    }
    uint32_t b;
    if (!get_rm_as<N, F>(c, op, b))
        return nullptr;
    imul_into_reg<N>(c, op, b);
    return next_after<F>(c, op);
}

// Shifts and rotates: op->aux = the /reg field (0 ROL 1 ROR 2 RCL 3 RCR 4 SHL 5 SHR 6 SAL 7 SAR).
// The shifts leave their flags lazily (c.lazy, a Logic record with their CF and OF); the
// rotates change only CF and OF in EFLAGS.
template <unsigned N>
[[gnu::always_inline]] inline bool shift_value(Cpu& c, unsigned kind, uint32_t a, unsigned count, uint32_t& out)
{
    constexpr unsigned bits = 8 * N;
    constexpr uint32_t m = size_mask(N);
    count &= 31;
    a &= m;
    if (count == 0) {
        out = a;
        return false;  // no flags change, and no write needed
    }
    switch (kind) {
    case 0:
    case 1: {  // ROL, ROR: only CF and OF
        uint32_t& f = c.flags();
        unsigned k = count % bits;
        uint32_t r = k == 0 ? a : kind == 0 ? ((a << k) | (a >> (bits - k))) & m : ((a >> k) | (a << (bits - k))) & m;
        uint32_t cf = kind == 0 ? (r & 1) : (r >> (bits - 1)) & 1;
        uint32_t of = kind == 0 ? (((r >> (bits - 1)) ^ r) & 1) : (((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1);
        f = (f & ~(kCF | kOF)) | (cf ? kCF : 0) | (of ? kOF : 0);
        out = r;
        return true;
    }
    case 2:
    case 3: {  // RCL, RCR through CF: a rotation of bits + 1 bits
        uint32_t& f = c.flags();
        unsigned k = count % (bits + 1);
        uint64_t wide = (uint64_t{(f & kCF) ? 1u : 0u} << bits) | a;  // CF above the operand
        if (k == 0) {
            out = a;
            return true;
        }
        uint64_t all = (uint64_t{1} << (bits + 1)) - 1;
        uint64_t rot = kind == 2 ? ((wide << k) | (wide >> (bits + 1 - k))) & all
                                 : ((wide >> k) | (wide << (bits + 1 - k))) & all;
        uint32_t r = static_cast<uint32_t>(rot) & m;
        uint32_t cf = static_cast<uint32_t>(rot >> bits) & 1;
        uint32_t of = kind == 2 ? (((r >> (bits - 1)) & 1) ^ cf) : (((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1);
        f = (f & ~(kCF | kOF)) | (cf ? kCF : 0) | (of ? kOF : 0);
        out = r;
        return true;
    }
    case 4:
    case 6: {  // SHL
        uint64_t wide = uint64_t{a} << count;
        uint32_t r = static_cast<uint32_t>(wide) & m;
        uint32_t cf = count <= bits ? static_cast<uint32_t>(wide >> bits) & 1 : 0;
        uint32_t of = ((r >> (bits - 1)) & 1) ^ cf;
        c.lazy = lazy_logic<N>(r, cf, of);
        out = r;
        return true;
    }
    case 5: {  // SHR
        uint32_t r = count < bits ? a >> count : 0;
        uint32_t cf = count <= bits ? (a >> (count - 1)) & 1 : 0;
        uint32_t of = count == 1 ? (a >> (bits - 1)) & 1 : 0;
        c.lazy = lazy_logic<N>(r, cf, of);
        out = r;
        return true;
    }
    default: {  // SAR
        int32_t sa = static_cast<int32_t>(a << (32 - bits)) >> (32 - bits);
        unsigned k = std::min(count, bits - 1);
        uint32_t r = static_cast<uint32_t>(sa >> k) & m;
        uint32_t cf = static_cast<uint32_t>(sa >> std::min(count - 1, 31u)) & 1;
        c.lazy = lazy_logic<N>(r, cf);
        out = r;
        return true;
    }
    }
}

// Count: 0 by one, 1 by CL, 2 by imm. Kind: the /reg shift kind, or kAnyShift for op->aux. SHL,
// SHR and SAR, which compilers emit, get a handler each, so that shift_value's switch folds
// away; the rotates share one.
constexpr unsigned kAnyShift = 8;

// A register operand: the decoder (shift_select) leaves an immediate count masked, and sends
// counts 0 and 1 elsewhere (NOP, the by-one form), so here it is 2 to 31 and the count tests
// fold away.
template <unsigned N, unsigned Count, unsigned Kind>
const Op* shift_reg(Cpu& c, const Op* op)
{
    const unsigned kind = Kind == kAnyShift ? op->aux : Kind;
    unsigned count = Count == 0 ? 1 : Count == 1 ? get_reg<1>(c, kEcx) : op->imm;
    if (Count == 2 && (count < 2 || count > 31))
        __builtin_unreachable();
    uint32_t r;
    if (shift_value<N>(c, kind, get_rm_reg<N>(c, op), count, r))
        set_rm_reg<N>(c, op, r);
    return c.step(op);
}

template <unsigned N, unsigned Count, unsigned Kind>
const Op* shift_memory(Cpu& c, const Op* op)
{
    const unsigned kind = Kind == kAnyShift ? op->aux : Kind;
    const unsigned count = Count == 0 ? 1 : Count == 1 ? get_reg<1>(c, kEcx) : op->imm;
    uint32_t a, r;
    if (!get_rm<N>(c, op, a))
        return nullptr;
    // A faulting store leaves the flags as they were, lazy or not.
    LazyFlags lazy_before = c.lazy;
    uint32_t eflags_before = c.s.eflags;
    if (shift_value<N>(c, kind, a, count, r) && !set_rm<N>(c, op, r)) {
        c.lazy = lazy_before;
        c.s.eflags = eflags_before;
        return nullptr;
    }
    return c.next(op);
}

template <unsigned N, unsigned Count, unsigned Kind>
Handler shift_of_form(bool reg)
{
    return reg ? shift_reg<N, Count, Kind> : shift_memory<N, Count, Kind>;
}

template <unsigned N, unsigned Count>
Handler shift_of_kind(unsigned kind, bool reg)
{
    switch (kind) {
    case 4:
    case 6: return shift_of_form<N, Count, 4>(reg);
    case 5: return shift_of_form<N, Count, 5>(reg);
    case 7: return shift_of_form<N, Count, 7>(reg);
    default: return shift_of_form<N, Count, kAnyShift>(reg);
    }
}

// SHLD/SHRD r/m, reg, imm/CL. Counts above the operand size (16-bit) are undefined; QEMU's
// result is used.
template <unsigned N, bool Right, bool ByCl>
const Op* double_shift(Cpu& c, const Op* op)
{
    uint32_t a;
    if (!get_rm<N>(c, op, a))
        return nullptr;
    unsigned count = (ByCl ? get_reg<1>(c, kEcx) : op->imm) & 31;
    if (count == 0)
        return c.next(op);
    constexpr unsigned bits = 8 * N;
    constexpr uint32_t m = size_mask(N);
    uint32_t b = get_reg_operand<N>(c, op);
    uint32_t r, cf;
    if constexpr (N == 2) {
        // QEMU forms a 48-bit value (b:a:b for SHLD) for counts up to 31.
        uint64_t wide = Right ? (uint64_t{a} | (uint64_t{b} << 16) | (uint64_t{a} << 32))
                              : ((uint64_t{a} << 32) | (uint64_t{b} << 16) | uint64_t{a});
        if (Right) {
            r = static_cast<uint32_t>(wide >> count) & m;
            cf = static_cast<uint32_t>(wide >> (count - 1)) & 1;
        } else {
            r = static_cast<uint32_t>((wide << count) >> 32) & m;
            cf = static_cast<uint32_t>((wide << (count - 1)) >> 47) & 1;
        }
    } else {
        if (Right) {
            r = (a >> count) | (count ? (b << (bits - count)) : 0);
            cf = (a >> (count - 1)) & 1;
        } else {
            r = (a << count) | (b >> (bits - count));
            cf = (a >> (bits - count)) & 1;
        }
        r &= m;
    }
    uint32_t of = ((r ^ a) >> (bits - 1)) & 1;
    uint32_t before = c.flags();
    set_status(c.flags(), szp<N>(r) | (cf ? kCF : 0) | (of ? kOF : 0));
    if (!store_result<N>(c, op, r, before))
        return nullptr;
    return c.next(op);
}

// BT/BTS/BTR/BTC. With a register bit offset and a memory operand the offset addresses
// memory beyond the operand (signed, in operand-size units).
template <unsigned N, unsigned Kind, bool Imm>
const Op* bit_test(Cpu& c, const Op* op)
{
    constexpr unsigned bits = 8 * N;
    uint32_t offset = Imm ? op->imm : get_reg_operand<N>(c, op);
    uint32_t a;
    uint32_t addr = 0;
    if (op->rm != kNoReg) {
        a = get_rm_reg<N>(c, op);
    } else {
        addr = c.ea(op);
        if (!Imm) {
            int32_t soff = N == 2 ? static_cast<int16_t>(offset) : static_cast<int32_t>(offset);
            addr += static_cast<uint32_t>((soff >> (N == 2 ? 4 : 5)) * static_cast<int32_t>(N));
            if (op->addr16)
                addr &= 0xFFFF;  // the address wraps within the address size
        }
        UInt<N> t;
        if (!c.read<UInt<N>>(op->seg, addr, t, op))
            return nullptr;
        a = t;
    }
    unsigned bit = offset & (bits - 1);
    bool was = (a >> bit) & 1;
    if constexpr (Kind != 0) {
        uint32_t r = Kind == 1 ? a | (1u << bit) : Kind == 2 ? a & ~(1u << bit) : a ^ (1u << bit);
        if (op->rm != kNoReg)
            set_rm_reg<N>(c, op, r);
        else if (!c.write<UInt<N>>(op->seg, addr, static_cast<UInt<N>>(r), op))
            return nullptr;
    }
    c.flags() = (c.flags() & ~kCF) | (was ? kCF : 0);
    return c.next(op);
}

// BSF/BSR: ZF set and the destination unchanged for a zero source (as QEMU and real CPUs).
template <unsigned N, bool Reverse>
const Op* bit_scan(Cpu& c, const Op* op)
{
    uint32_t a;
    if (!get_rm<N>(c, op, a))
        return nullptr;
    a &= size_mask(N);
    if (a == 0) {
        c.flags() |= kZF;
    } else {
        c.flags() &= ~kZF;
        set_reg_operand<N>(c, op, Reverse ? 31 - __builtin_clz(a) : __builtin_ctz(a));
    }
    return c.next(op);
}

// SETcc and CMOVcc are specialised on their condition, as Jcc is: a condition read from the
// op would cost a switch over the sixteen every time.
template <unsigned Cc>
const Op* setcc(Cpu& c, const Op* op)
{
    if (!set_rm<1>(c, op, c.condition_holds(Cc) ? 1 : 0))
        return nullptr;
    return c.next(op);
}

// CMOVcc reads its source whether or not it moves (a fault happens either way); the 32-bit
// form writes nothing when the condition is false.
template <unsigned N, unsigned Cc>
const Op* cmovcc(Cpu& c, const Op* op)
{
    uint32_t v;
    if (!get_rm<N>(c, op, v))
        return nullptr;
    if (c.condition_holds(Cc))
        set_reg_operand<N>(c, op, v);
    return c.next(op);
}

// Indexed by the condition code.
template <unsigned... Cc>
constexpr std::array<Handler, 16> setcc_forms(std::integer_sequence<unsigned, Cc...>)
{
    return {setcc<Cc>...};
}
template <unsigned N, unsigned... Cc>
constexpr std::array<Handler, 16> cmovcc_forms(std::integer_sequence<unsigned, Cc...>)
{
    return {cmovcc<N, Cc>...};
}

template <unsigned N>
const Op* xadd(Cpu& c, const Op* op)
{
    uint32_t a;
    if (!get_rm<N>(c, op, a))
        return nullptr;
    uint32_t b = get_reg_operand<N>(c, op);
    uint32_t before = c.flags();
    uint32_t r = add_flags<N>(c.flags(), a, b, 0);
    if (op->rm != kNoReg) {
        // The source gets the old destination, then the destination the sum: XADD r, r
        // leaves the sum.
        set_reg_operand<N>(c, op, a);
        set_rm_reg<N>(c, op, r);
        return c.step(op);
    }
    if (!store_result<N>(c, op, r, before))
        return nullptr;
    set_reg_operand<N>(c, op, a);
    return c.next(op);
}

// CMPXCHG: the destination is written in both outcomes (with its old value on failure), as
// the processor does.
template <unsigned N>
const Op* cmpxchg(Cpu& c, const Op* op)
{
    uint32_t a;
    if (!get_rm<N>(c, op, a))
        return nullptr;
    uint32_t acc = get_reg<N>(c, kEax);
    uint32_t before = c.flags();
    sub_flags<N>(c.flags(), acc, a, 0);
    bool equal = (acc & size_mask(N)) == (a & size_mask(N));
    if (!store_result<N>(c, op, equal ? get_reg_operand<N>(c, op) : a, before))
        return nullptr;
    if (!equal)
        set_reg<N>(c, kEax, a);
    return c.next(op);
}

const Op* cmpxchg8b(Cpu& c, const Op* op)
{
    uint32_t addr = c.ea(op);
    uint64_t v;
    uint32_t lo, hi;
    if (!c.read<uint32_t>(op->seg, addr, lo, op) || !c.read<uint32_t>(op->seg, addr + 4, hi, op))
        return nullptr;
    v = (uint64_t{hi} << 32) | lo;
    uint64_t want = (uint64_t{c.s.r[kEdx]} << 32) | c.s.r[kEax];
    bool equal = v == want;
    uint64_t store = equal ? (uint64_t{c.s.r[kEcx]} << 32) | c.s.r[kEbx] : v;
    if (!c.write<uint32_t>(op->seg, addr, static_cast<uint32_t>(store), op) ||
        !c.write<uint32_t>(op->seg, addr + 4, static_cast<uint32_t>(store >> 32), op))
        return nullptr;
    if (equal) {
        c.flags() |= kZF;
    } else {
        c.flags() &= ~kZF;
        c.s.r[kEax] = lo;
        c.s.r[kEdx] = hi;
    }
    return c.next(op);
}

const Op* bswap(Cpu& c, const Op* op)
{
    c.s.r[op->reg] = __builtin_bswap32(c.s.r[op->reg]);
    return c.step(op);
}

template <unsigned N>
const Op* cbw_cwde(Cpu& c, const Op* op)
{
    if constexpr (N == 2)
        set_reg<2>(c, kEax, static_cast<uint32_t>(static_cast<int8_t>(c.s.r[kEax])));
    else
        c.s.r[kEax] = static_cast<uint32_t>(static_cast<int16_t>(c.s.r[kEax]));
    return c.step(op);
}

template <unsigned N>
const Op* cwd_cdq(Cpu& c, const Op* op)
{
    uint32_t sign = (get_reg<N>(c, kEax) & sign_bit(N)) ? size_mask(N) : 0;
    set_reg<N>(c, kEdx, sign);
    return c.step(op);
}

// BCD adjustments, after the SDM's pseudocode (undefined flags as QEMU leaves them).
const Op* bcd_op(Cpu& c, const Op* op)
{
    uint32_t& f = c.flags();
    uint32_t al = c.s.r[kEax] & 0xFF, ah = (c.s.r[kEax] >> 8) & 0xFF;
    switch (op->aux) {
    case 0x27:    // DAA
    case 0x2F: {  // DAS
        bool das = op->aux == 0x2F;
        uint32_t old_al = al, old_cf = f & kCF, af = 0, cf = 0;
        if ((al & 0x0F) > 9 || (f & kAF)) {
            cf = old_cf || (das ? al < 6 : al > 0xF9);
            al = (das ? al - 6 : al + 6) & 0xFF;
            af = kAF;
        }
        if (old_al > 0x99 || old_cf) {
            al = (das ? al - 0x60 : al + 0x60) & 0xFF;
            cf = 1;
        }
        set_reg<1>(c, kEax, al);
        set_status(f, szp<1>(al) | af | (cf ? kCF : 0));
        break;
    }
    case 0x37:    // AAA
    case 0x3F: {  // AAS
        bool aas = op->aux == 0x3F;
        bool adjust = (al & 0x0F) > 9 || (f & kAF);
        uint32_t ax = c.s.r[kEax] & 0xFFFF;
        if (adjust)
            ax = aas ? (((ax - 6) & 0xFF) | (((ah - 1 - (al < 6 ? 1 : 0)) & 0xFF) << 8)) : ((ax + 0x106) & 0xFFFF);
        ax = (ax & 0xFF0F);
        set_reg<2>(c, kEax, ax);
        set_status(f, (f & (kSF | kZF | kPF | kOF)) | (adjust ? kAF | kCF : 0));
        break;
    }
    case 0xD4: {  // AAM imm8
        if ((op->imm & 0xFF) == 0)
            return c.fault(op, kExcDE);
        uint32_t q = al / (op->imm & 0xFF), r = al % (op->imm & 0xFF);
        set_reg<2>(c, kEax, (q << 8) | r);
        set_status(f, szp<1>(r));
        break;
    }
    case 0xD5: {  // AAD imm8
        uint32_t r = (al + ah * (op->imm & 0xFF)) & 0xFF;
        set_reg<2>(c, kEax, r);
        set_status(f, szp<1>(r));
        break;
    }
    default:  // SALC (undocumented): AL = CF ? 0xFF : 0
        set_reg<1>(c, kEax, (f & kCF) ? 0xFF : 0);
        break;
    }
    return c.step(op);
}

const Op* flag_instruction(Cpu& c, const Op* op)
{
    uint32_t& f = c.flags();
    switch (op->aux) {
    case 0xF8: f &= ~kCF; break;
    case 0xF9: f |= kCF; break;
    case 0xF5: f ^= kCF; break;
    case 0xFC: f &= ~kDF; break;
    case 0xFD: f |= kDF; break;
    case 0x9F: set_reg<1>(c, kEax + 4, (f & 0xD5) | 2); break;  // LAHF: AH = SF ZF 0 AF 0 PF 1 CF
    default: f = (f & ~0xD5u) | (get_reg<1>(c, 4) & 0xD5); break;  // SAHF
    }
    return c.step(op);
}

// A 32-bit CMP or TEST of registers (or of a register and an immediate), or a CMP of AL or EAX
// with an immediate, and the 32-bit Jcc after it, run as one op (handlers::fuse_compare_jcc):
// the condition comes straight from the operands, and the lazy flags are left as the compare
// leaves them. Kind: 0 CMP r/m, reg; 1 CMP reg, r/m; 2 CMP r/m, imm; 3 TEST r/m, reg (r/m a
// register); 4 CMP EAX, imm; 5 CMP AL, imm. op->imm2 is the Jcc's target (Cpu::direct_target).
// Inside a trace (W not EndsBlock, trace.h) the Jcc's own op follows this one, and the trace
// goes on after it.
template <unsigned Kind, unsigned Cc, Way W>
const Op* compare_jcc(Cpu& c, const Op* op)
{
    uint32_t a = Kind == 1 ? c.s.r[op->reg] : Kind >= 4 ? c.s.r[kEax] : c.s.r[op->rm];
    uint32_t b = Kind == 1 ? c.s.r[op->rm] : Kind == 2 || Kind >= 4 ? op->imm : c.s.r[op->reg];
    const LazyFlags f = Kind == 3   ? lazy_logic<4>(a & b)
                        : Kind == 5 ? lazy_arith<1, LazyOp::Sub>(a, b, a - b)
                                    : lazy_arith<4, LazyOp::Sub>(a, b, a - b);
    c.lazy = f;
    const bool taken = f.condition(Cc);
    if constexpr (W == Way::EndsBlock) {
        if (taken)
            return c.branch_direct(op, c.direct_target(op), true);
        return c.branch_direct(op, c.next_eip(op), false);
    } else {
        if (__builtin_expect(taken == (W == Way::FollowTaken), 1))
            return c.step(op + 1);
        return c.branch(op, taken ? c.direct_target(op) : c.next_eip(op));
    }
}

template <Way W, unsigned Kind, std::size_t... Cc>
constexpr std::array<Handler, 16> compare_jcc_by_cc(std::index_sequence<Cc...>)
{
    return {compare_jcc<Kind, Cc, W>...};
}

// Indexed by kind (see compare_jcc), then condition.
template <Way W>
constexpr std::array<std::array<Handler, 16>, 6> kCompareJcc = {
    compare_jcc_by_cc<W, 0>(std::make_index_sequence<16>()), compare_jcc_by_cc<W, 1>(std::make_index_sequence<16>()),
    compare_jcc_by_cc<W, 2>(std::make_index_sequence<16>()), compare_jcc_by_cc<W, 3>(std::make_index_sequence<16>()),
    compare_jcc_by_cc<W, 4>(std::make_index_sequence<16>()), compare_jcc_by_cc<W, 5>(std::make_index_sequence<16>())};

}  // namespace

namespace handlers {

// The handler for ALU operation `a` in a form, by operand size.
#define X86_ALU_TABLE(fn)                                                                        \
    {{fn<1, 0>, fn<1, 1>, fn<1, 2>, fn<1, 3>, fn<1, 4>, fn<1, 5>, fn<1, 6>, fn<1, 7>},           \
     {fn<2, 0>, fn<2, 1>, fn<2, 2>, fn<2, 3>, fn<2, 4>, fn<2, 5>, fn<2, 6>, fn<2, 7>},           \
     {fn<4, 0>, fn<4, 1>, fn<4, 2>, fn<4, 3>, fn<4, 4>, fn<4, 5>, fn<4, 6>, fn<4, 7>}}

Handler alu(AluForm form, unsigned size, unsigned a)
{
    static constexpr Handler rm_reg[3][8] = X86_ALU_TABLE(alu_rm_reg);
    static constexpr Handler reg_rm[3][8] = X86_ALU_TABLE(alu_reg_rm);
    static constexpr Handler rm_imm[3][8] = X86_ALU_TABLE(alu_rm_imm);
    static constexpr Handler acc_imm[3][8] = X86_ALU_TABLE(alu_acc_imm);
    unsigned s = size == 1 ? 0 : size == 2 ? 1 : 2;
    switch (form) {
    case AluForm::RmReg: return rm_reg[s][a & 7];
    case AluForm::RegRm: return reg_rm[s][a & 7];
    case AluForm::RmImm: return rm_imm[s][a & 7];
    case AluForm::AccImm: return acc_imm[s][a & 7];
    }
    return nullptr;
}

// Byte and doubleword ALU forms get a variant per r/m form; 16-bit ones stay general.
#define X86_ALU_FORMS(fn, n)                                                                                 \
    X86_FORM_VARIANTS(fn, n, 0), X86_FORM_VARIANTS(fn, n, 1), X86_FORM_VARIANTS(fn, n, 2),                   \
        X86_FORM_VARIANTS(fn, n, 3), X86_FORM_VARIANTS(fn, n, 4), X86_FORM_VARIANTS(fn, n, 5),               \
        X86_FORM_VARIANTS(fn, n, 6), X86_FORM_VARIANTS(fn, n, 7)

Handler fuse_compare_jcc(const Op& compare, const Op& branch, Way way)
{
    const unsigned cc = branch.aux & 15;
    if (branch.fn != jcc(cc, 4))
        return nullptr;
    int kind = -1;
    if (compare.fn == alu_acc_imm<4, 7>)
        kind = 4;
    else if (compare.fn == alu_acc_imm<1, 7>)
        kind = 5;
    else if (compare.rm == kNoReg)
        return nullptr;
    else if (compare.fn == alu_rm_reg<4, 7, RmForm::Reg>)
        kind = 0;
    else if (compare.fn == alu_reg_rm<4, 7, RmForm::Reg>)
        kind = 1;
    else if (compare.fn == alu_rm_imm<4, 7, RmForm::Reg>)
        kind = 2;
    else if (compare.fn == test_rm_reg<4>)
        kind = 3;
    if (kind < 0)
        return nullptr;
    switch (way) {
    case Way::EndsBlock: return kCompareJcc<Way::EndsBlock>[kind][cc];
    case Way::FollowTaken: return kCompareJcc<Way::FollowTaken>[kind][cc];
    case Way::FollowNext: return kCompareJcc<Way::FollowNext>[kind][cc];
    }
    return nullptr;
}

Handler specialise_alu(Handler h, const Op& op)
{
    static const std::array<FormVariants, 49> kFamilies = {
        X86_ALU_FORMS(alu_rm_reg, 1), X86_ALU_FORMS(alu_rm_reg, 4), X86_ALU_FORMS(alu_reg_rm, 1),
        X86_ALU_FORMS(alu_reg_rm, 4), X86_ALU_FORMS(alu_rm_imm, 1), X86_ALU_FORMS(alu_rm_imm, 4),
        X86_FORM_VARIANTS(x86::imul_reg, 4),
    };
    return pick_form(h, op, kFamilies);
}

Handler inc_dec(bool dec, bool reg_in_opcode, unsigned size)
{
    if (reg_in_opcode)
        return dec ? (size == 2 ? inc_dec_reg<2, true> : inc_dec_reg<4, true>)
                   : (size == 2 ? inc_dec_reg<2, false> : inc_dec_reg<4, false>);
    return dec ? by_size(size, inc_dec_rm<1, true>, inc_dec_rm<2, true>, inc_dec_rm<4, true>)
               : by_size(size, inc_dec_rm<1, false>, inc_dec_rm<2, false>, inc_dec_rm<4, false>);
}

Handler group3(unsigned size) { return X86_BY_SIZE(x86::group3, size); }
Handler test(bool acc_imm, unsigned size) { return acc_imm ? X86_BY_SIZE(test_acc_imm, size) : X86_BY_SIZE(test_rm_reg, size); }

Handler shift(ShiftCount count, unsigned size, unsigned kind, bool reg)
{
    switch (count) {
    case ShiftCount::One:
        return by_size(size, shift_of_kind<1, 0>(kind, reg), shift_of_kind<2, 0>(kind, reg), shift_of_kind<4, 0>(kind, reg));
    case ShiftCount::Cl:
        return by_size(size, shift_of_kind<1, 1>(kind, reg), shift_of_kind<2, 1>(kind, reg), shift_of_kind<4, 1>(kind, reg));
    case ShiftCount::Imm:
        return by_size(size, shift_of_kind<1, 2>(kind, reg), shift_of_kind<2, 2>(kind, reg), shift_of_kind<4, 2>(kind, reg));
    }
    return nullptr;
}

Handler double_shift(bool right, bool by_cl, unsigned size)
{
    if (size == 2)
        return right ? (by_cl ? x86::double_shift<2, true, true> : x86::double_shift<2, true, false>)
                     : (by_cl ? x86::double_shift<2, false, true> : x86::double_shift<2, false, false>);
    return right ? (by_cl ? x86::double_shift<4, true, true> : x86::double_shift<4, true, false>)
                 : (by_cl ? x86::double_shift<4, false, true> : x86::double_shift<4, false, false>);
}

Handler imul_reg(unsigned size) { return X86_BY_SIZE_16_32(x86::imul_reg, size); }

Handler bit_test(BitOp op, bool imm, unsigned size)
{
    static constexpr Handler table[2][4][2] = {
        {{x86::bit_test<2, 0, false>, x86::bit_test<2, 0, true>},
         {x86::bit_test<2, 1, false>, x86::bit_test<2, 1, true>},
         {x86::bit_test<2, 2, false>, x86::bit_test<2, 2, true>},
         {x86::bit_test<2, 3, false>, x86::bit_test<2, 3, true>}},
        {{x86::bit_test<4, 0, false>, x86::bit_test<4, 0, true>},
         {x86::bit_test<4, 1, false>, x86::bit_test<4, 1, true>},
         {x86::bit_test<4, 2, false>, x86::bit_test<4, 2, true>},
         {x86::bit_test<4, 3, false>, x86::bit_test<4, 3, true>}},
    };
    return table[size == 4][static_cast<unsigned>(op)][imm];
}

Handler bit_scan(bool reverse, unsigned size)
{
    return size == 2 ? (reverse ? x86::bit_scan<2, true> : x86::bit_scan<2, false>)
                     : (reverse ? x86::bit_scan<4, true> : x86::bit_scan<4, false>);
}

Handler setcc(unsigned cc)
{
    static constexpr auto kForms = setcc_forms(std::make_integer_sequence<unsigned, 16>());
    return kForms[cc & 15];
}
Handler cmovcc(unsigned cc, unsigned size)
{
    static constexpr auto k16 = cmovcc_forms<2>(std::make_integer_sequence<unsigned, 16>());
    static constexpr auto k32 = cmovcc_forms<4>(std::make_integer_sequence<unsigned, 16>());
    return (size == 2 ? k16 : k32)[cc & 15];
}
Handler xadd(unsigned size) { return X86_BY_SIZE(x86::xadd, size); }
Handler cmpxchg(unsigned size) { return X86_BY_SIZE(x86::cmpxchg, size); }
Handler cmpxchg8b() { return x86::cmpxchg8b; }
Handler bswap() { return x86::bswap; }
Handler convert(Convert which, unsigned size)
{
    return which == Convert::Widen ? X86_BY_SIZE_16_32(cbw_cwde, size) : X86_BY_SIZE_16_32(cwd_cdq, size);
}
Handler bcd() { return bcd_op; }
Handler flag_op() { return flag_instruction; }

}  // namespace handlers

}  // namespace emu::x86
