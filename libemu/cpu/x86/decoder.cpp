#include "cpu/x86/decoder.h"

#include "cpu/x86/operands.h"

namespace emu::x86 {

namespace {

using namespace handlers;

constexpr size_t kMaxInsnBytes = 15;

const Op* too_long(Cpu& c, const Op* op) { return c.fault(op, kExcGP, 0); }

class Decoder {
public:
    Decoder(const uint8_t* code, size_t avail, Op& op) : code_(code), avail_(std::min(avail, kMaxInsnBytes)), op_(op) {}

    DecodeResult run();

private:
    bool need(size_t n) const { return pos_ + n <= avail_; }
    bool byte(uint8_t& b)
    {
        if (!need(1))
            return false;
        b = code_[pos_++];
        return true;
    }
    bool imm(unsigned n, uint32_t& v, bool sign = false)
    {
        if (!need(n))
            return false;
        v = 0;
        for (unsigned i = 0; i < n; ++i)
            v |= uint32_t{code_[pos_ + i]} << (8 * i);
        pos_ += n;
        if (sign && n < 4)
            v = n == 1 ? static_cast<uint32_t>(static_cast<int8_t>(v)) : static_cast<uint32_t>(static_cast<int16_t>(v));
        return true;
    }
    bool modrm();
    bool imm_op(unsigned n, bool sign = false) { return imm(n, op_.imm, sign); }
    unsigned iz() const { return osize_ == 2 ? 2 : 4; }

    DecodeResult one_byte(uint8_t opc);
    DecodeResult two_byte(uint8_t opc);
    DecodeResult done(Handler h, bool end = false, bool lockable = false)
    {
        op_.fn = (lock_ && !(lockable && op_.rm == kNoReg)) ? undefined() : h;
        op_.len = static_cast<uint8_t>(pos_);
        return end ? DecodeResult::EndBlock : DecodeResult::Next;
    }
    DecodeResult ud() { return done(undefined(), true); }
    DecodeResult short_of_bytes()
    {
        if (avail_ >= kMaxInsnBytes) {  // the 15-byte limit, not the end of the page
            op_.fn = too_long;
            op_.len = kMaxInsnBytes;
            return DecodeResult::EndBlock;
        }
        return DecodeResult::TooShort;
    }

    const uint8_t* code_;
    size_t avail_;
    Op& op_;
    size_t pos_ = 0;
    unsigned osize_ = 4;
    uint8_t seg_override_ = kNoReg;
    bool lock_ = false;
};

bool Decoder::modrm()
{
    uint8_t m;
    if (!byte(m))
        return false;
    unsigned mod = m >> 6, rm = m & 7;
    op_.reg = (m >> 3) & 7;
    if (mod == 3) {
        op_.rm = static_cast<uint8_t>(rm);
        return true;
    }
    op_.rm = kNoReg;
    bool stack = false;
    if (!op_.addr16) {
        if (rm == 4) {
            uint8_t sib;
            if (!byte(sib))
                return false;
            unsigned base = sib & 7, index = (sib >> 3) & 7;
            op_.scale = sib >> 6;
            op_.index = index == 4 ? kNoReg : static_cast<uint8_t>(index);
            if (base == 5 && mod == 0) {
                op_.base = kNoReg;
                if (!imm(4, op_.disp))
                    return false;
            } else {
                op_.base = static_cast<uint8_t>(base);
                stack = base == kEsp || base == kEbp;
            }
        } else if (rm == 5 && mod == 0) {
            op_.base = kNoReg;
            if (!imm(4, op_.disp))
                return false;
        } else {
            op_.base = static_cast<uint8_t>(rm);
            stack = rm == kEbp;
        }
        if (mod == 1 && !imm(1, op_.disp, true))
            return false;
        if (mod == 2 && !imm(4, op_.disp))
            return false;
    } else {
        static constexpr uint8_t kBase[8] = {kEbx, kEbx, kEbp, kEbp, kEsi, kEdi, kEbp, kEbx};
        static constexpr uint8_t kIndex[8] = {kEsi, kEdi, kEsi, kEdi, kNoReg, kNoReg, kNoReg, kNoReg};
        if (rm == 6 && mod == 0) {
            op_.base = kNoReg;
            if (!imm(2, op_.disp))
                return false;
        } else {
            op_.base = kBase[rm];
            stack = op_.base == kEbp;
        }
        op_.index = kIndex[rm];
        if (mod == 1 && !imm(1, op_.disp, true))
            return false;
        if (mod == 2 && !imm(2, op_.disp, true))
            return false;
    }
    op_.seg = seg_override_ != kNoReg ? seg_override_ : static_cast<uint8_t>(stack ? kSs : kDs);
    return true;
}

DecodeResult Decoder::run()
{
    uint8_t b;
    for (;;) {
        if (!byte(b))
            return short_of_bytes();
        switch (b) {
        case 0x26: seg_override_ = kEs; continue;
        case 0x2E: seg_override_ = kCs; continue;
        case 0x36: seg_override_ = kSs; continue;
        case 0x3E: seg_override_ = kDs; continue;
        case 0x64: seg_override_ = kFs; continue;
        case 0x65: seg_override_ = kGs; continue;
        case 0x66: osize_ = 2; continue;
        case 0x67: op_.addr16 = 1; continue;
        case 0xF0: lock_ = true; continue;
        case 0xF2:
        case 0xF3: op_.rep = b; continue;
        default: break;
        }
        break;
    }
    op_.osize = static_cast<uint8_t>(osize_);
    op_.seg = seg_override_ != kNoReg ? seg_override_ : static_cast<uint8_t>(kDs);
    DecodeResult r = b == 0x0F ? (byte(b) ? two_byte(b) : DecodeResult::TooShort) : one_byte(b);
    if (r == DecodeResult::TooShort)
        return short_of_bytes();
    return r;
}

#define NEED(x)                          \
    do {                                 \
        if (!(x))                        \
            return DecodeResult::TooShort; \
    } while (0)

DecodeResult Decoder::one_byte(uint8_t opc)
{
    const unsigned v = osize_;
    if (opc < 0x40 && (opc & 7) < 6) {  // the eight ALU operations
        unsigned form = opc & 7, size = (form & 1) ? v : 1;
        op_.aux = opc >> 3;
        switch (form) {
        case 0:
        case 1: NEED(modrm()); return done(alu(0, size, op_.aux), false, op_.aux != 7);
        case 2:
        case 3: NEED(modrm()); return done(alu(1, size, op_.aux));
        default: NEED(imm_op(form == 4 ? 1 : iz())); return done(alu(3, form == 4 ? 1 : v, op_.aux));
        }
    }
    if (opc >= 0x40 && opc <= 0x4F) {
        op_.reg = opc & 7;
        return done(inc_dec(opc >= 0x48, true, v));
    }
    if (opc >= 0x50 && opc <= 0x57) {
        op_.reg = opc & 7;
        return done(push(0, v));
    }
    if (opc >= 0x58 && opc <= 0x5F) {
        op_.reg = opc & 7;
        return done(pop(0, v));
    }
    if (opc >= 0x70 && opc <= 0x7F) {
        op_.aux = opc & 0xF;
        NEED(imm_op(1, true));
        return done(jcc(op_.aux), true);
    }
    if (opc >= 0x91 && opc <= 0x97) {
        op_.reg = opc & 7;
        return done(xchg(true, v));
    }
    if (opc >= 0xB0 && opc <= 0xB7) {
        op_.reg = opc & 7;
        NEED(imm_op(1));
        return done(mov(3, 1));
    }
    if (opc >= 0xB8 && opc <= 0xBF) {
        op_.reg = opc & 7;
        NEED(imm_op(iz()));
        return done(mov(3, v));
    }
    if (opc >= 0xD8 && opc <= 0xDF) {  // x87 escapes
        NEED(modrm());
        op_.aux = opc;
        return done(fpu(), true);
    }
    switch (opc) {
    case 0x06: case 0x0E: case 0x16: case 0x1E:
        op_.aux = opc >> 3;
        return done(push_seg(v));
    case 0x07: case 0x17: case 0x1F:
        op_.aux = opc >> 3;
        return done(pop_seg(v), true);
    case 0x27: case 0x2F: case 0x37: case 0x3F:
        op_.aux = opc;
        return done(bcd(opc));
    case 0x60: return done(pusha(v));
    case 0x61: return done(popa(v));
    case 0x62:
        NEED(modrm());
        return op_.rm == kNoReg ? done(bound(v), true) : ud();
    case 0x63: NEED(modrm()); return done(arpl());
    case 0x68: NEED(imm_op(iz())); return done(push(1, v));
    case 0x6A: NEED(imm_op(1, true)); return done(push(1, v));
    case 0x69:
    case 0x6B:
        NEED(modrm());
        NEED(imm_op(opc == 0x69 ? iz() : 1, true));
        op_.aux = 1;
        return done(imul_reg(v));
    case 0x6C: case 0x6D: case 0x6E: case 0x6F:
        op_.aux = opc >= 0x6E;  // OUTS
        if (!op_.aux)
            op_.seg = kEs;
        return done(io_string(op_.aux, (opc & 1) ? v : 1), true);
    case 0x80: case 0x81: case 0x82: case 0x83: {
        unsigned size = opc == 0x81 || opc == 0x83 ? v : 1;
        NEED(modrm());
        NEED(imm_op(opc == 0x81 ? iz() : 1, opc == 0x83));
        op_.aux = op_.reg;
        return done(alu(2, size, op_.aux), false, op_.aux != 7);
    }
    case 0x84: case 0x85: NEED(modrm()); return done(test(false, opc & 1 ? v : 1));
    case 0x86: case 0x87: NEED(modrm()); return done(xchg(false, opc & 1 ? v : 1), false, true);
    case 0x88: case 0x89: NEED(modrm()); return done(mov(0, opc & 1 ? v : 1));
    case 0x8A: case 0x8B: NEED(modrm()); return done(mov(1, opc & 1 ? v : 1));
    case 0x8C:
        NEED(modrm());
        return op_.reg < kNumSegs ? done(mov_from_seg()) : ud();
    case 0x8D:
        NEED(modrm());
        return op_.rm == kNoReg ? done(lea(v)) : ud();
    case 0x8E:
        NEED(modrm());
        return op_.reg < kNumSegs && op_.reg != kCs ? done(mov_to_seg(), true) : ud();
    case 0x8F:
        NEED(modrm());
        return op_.reg == 0 ? done(pop(2, v)) : ud();
    case 0x90: return done(nop());  // NOP, and PAUSE with F3
    case 0x98: return done(convert(0, v));
    case 0x99: return done(convert(1, v));
    case 0x9A:
        NEED(imm_op(iz()));
        NEED(imm(2, op_.imm2));
        return done(far_jmp_call(true, false, v), true);
    case 0x9B: op_.aux = opc; return done(fpu(), true);
    case 0x9C: return done(pushf(v));
    case 0x9D: return done(popf(v), true);
    case 0x9E: case 0x9F: op_.aux = opc; return done(flag_op(opc));
    case 0xA0: case 0xA1: case 0xA2: case 0xA3: {
        NEED(imm(op_.addr16 ? 2 : 4, op_.disp));
        unsigned size = (opc & 1) ? v : 1;
        return done(mov(opc >= 0xA2 ? 5 : 4, size));
    }
    case 0xA4: case 0xA5: case 0xA6: case 0xA7: case 0xAA: case 0xAB: case 0xAC: case 0xAD: case 0xAE: case 0xAF:
        op_.aux = opc;
        return done(string_op(opc, (opc & 1) ? v : 1), op_.rep != 0);
    case 0xA8: NEED(imm_op(1)); return done(test(true, 1));
    case 0xA9: NEED(imm_op(iz())); return done(test(true, v));
    case 0xC0: case 0xC1:
        NEED(modrm());
        NEED(imm_op(1));
        op_.aux = op_.reg;
        return done(shift(2, opc & 1 ? v : 1));
    case 0xC2: NEED(imm_op(2)); return done(ret(v), true);
    case 0xC3: return done(ret(v), true);
    case 0xC4: case 0xC5:
        NEED(modrm());
        op_.aux = opc == 0xC4 ? kEs : kDs;
        return op_.rm == kNoReg ? done(load_far_pointer(v), true) : ud();
    case 0xC6: case 0xC7:
        NEED(modrm());
        if (op_.reg != 0)
            return ud();
        NEED(imm_op(opc & 1 ? iz() : 1));
        return done(mov(2, opc & 1 ? v : 1));
    case 0xC8: NEED(imm_op(2)); NEED(imm(1, op_.imm2)); return done(enter(v));
    case 0xC9: return done(leave(v));
    case 0xCA: NEED(imm_op(2)); return done(far_ret(v), true);
    case 0xCB: return done(far_ret(v), true);
    case 0xCC: case 0xCE: case 0xF1: op_.aux = opc; return done(int_n(opc), true);
    case 0xCD: op_.aux = opc; NEED(imm_op(1)); return done(int_n(opc), true);
    case 0xCF: return done(iret(v), true);
    case 0xD0: case 0xD1: case 0xD2: case 0xD3:
        NEED(modrm());
        op_.aux = op_.reg;
        return done(shift(opc >= 0xD2 ? 1 : 0, opc & 1 ? v : 1));
    case 0xD4: case 0xD5: op_.aux = opc; NEED(imm_op(1)); return done(bcd(opc));
    case 0xD6: op_.aux = opc; return done(bcd(opc));
    case 0xD7: return done(xlat());
    case 0xE0: case 0xE1: case 0xE2: case 0xE3:
        op_.aux = opc & 3;
        NEED(imm_op(1, true));
        return done(loop(opc & 3), true);
    case 0xE4: case 0xE5: case 0xE6: case 0xE7:
        op_.aux = opc >= 0xE6 ? 1 : 0;
        NEED(imm_op(1));
        return done(in_out(op_.aux, false, opc & 1 ? v : 1), true);
    case 0xE8: NEED(imm_op(iz(), true)); return done(call_rel(v), true);
    case 0xE9: NEED(imm_op(iz(), true)); return done(jmp_rel(), true);
    case 0xEA:
        NEED(imm_op(iz()));
        NEED(imm(2, op_.imm2));
        return done(far_jmp_call(false, false, v), true);
    case 0xEB: NEED(imm_op(1, true)); return done(jmp_rel(), true);
    case 0xEC: case 0xED: case 0xEE: case 0xEF:
        op_.aux = (opc >= 0xEE ? 1 : 0) | 2;
        return done(in_out(opc >= 0xEE, true, opc & 1 ? v : 1), true);
    case 0xF4: return done(hlt(), true);
    case 0xF5: case 0xF8: case 0xF9: case 0xFC: case 0xFD: op_.aux = opc; return done(flag_op(opc));
    case 0xF6: case 0xF7: {
        unsigned size = opc & 1 ? v : 1;
        NEED(modrm());
        if (op_.reg <= 1)
            NEED(imm_op(opc & 1 ? iz() : 1));
        return done(group3(op_.reg, size), false, op_.reg == 2 || op_.reg == 3);
    }
    case 0xFA: case 0xFB: op_.aux = opc & 1; return done(cli_sti(opc & 1), true);
    case 0xFE:
        NEED(modrm());
        return op_.reg <= 1 ? done(inc_dec(op_.reg == 1, false, 1), false, true) : ud();
    case 0xFF:
        NEED(modrm());
        switch (op_.reg) {
        case 0:
        case 1: return done(inc_dec(op_.reg == 1, false, v), false, true);
        case 2: return done(call_rm(v), true);
        case 3: return done(far_jmp_call(true, true, v), true);
        case 4: return done(jmp_rm(v), true);
        case 5: return done(far_jmp_call(false, true, v), true);
        case 6: return done(push(2, v));
        default: return ud();
        }
    default: return ud();
    }
}

DecodeResult Decoder::two_byte(uint8_t opc)
{
    const unsigned v = osize_;
    if (opc >= 0x40 && opc <= 0x4F) {
        NEED(modrm());
        op_.aux = opc & 0xF;
        return done(cmovcc(v));
    }
    if (opc >= 0x80 && opc <= 0x8F) {
        op_.aux = opc & 0xF;
        NEED(imm_op(iz(), true));
        return done(jcc(op_.aux), true);
    }
    if (opc >= 0x90 && opc <= 0x9F) {
        NEED(modrm());
        op_.aux = opc & 0xF;
        return done(setcc());
    }
    if (opc >= 0xC8) {
        op_.reg = opc & 7;
        return done(bswap());
    }
    switch (opc) {
    case 0x00:
        NEED(modrm());
        return op_.reg <= 5 ? done(group6(op_.reg), op_.reg == 2 || op_.reg == 3) : ud();
    case 0x01:
        NEED(modrm());
        return op_.reg != 5 ? done(group7(op_.reg, op_.rm != kNoReg), op_.reg >= 2) : ud();
    case 0x02: case 0x03: NEED(modrm()); op_.aux = opc & 1; return done(lar_lsl(opc & 1, v));
    case 0x06: return done(clts(), true);
    case 0x08: case 0x09: return done(cache_op());
    case 0x0B: return ud();  // UD2
    case 0x1F: NEED(modrm()); return done(nop());  // NOP r/m
    case 0x20: case 0x22: {
        uint8_t m;
        NEED(byte(m));  // always a register operand, whatever mod says
        op_.reg = (m >> 3) & 7;
        op_.rm = m & 7;
        op_.aux = opc == 0x22;
        return done(mov_cr(op_.aux), true);
    }
    case 0x21: case 0x23: {
        uint8_t m;
        NEED(byte(m));
        return done(mov_dr(opc == 0x23), true);
    }
    case 0x30: case 0x32: op_.aux = opc == 0x30; return done(rdmsr_wrmsr(op_.aux), true);
    case 0x31: return done(rdtsc());
    case 0xA0: case 0xA8: op_.aux = opc == 0xA0 ? kFs : kGs; return done(push_seg(v));
    case 0xA1: case 0xA9: op_.aux = opc == 0xA1 ? kFs : kGs; return done(pop_seg(v), true);
    case 0xA2: return done(cpuid());
    case 0xA3: NEED(modrm()); return done(bit_test(0, false, v));
    case 0xA4: case 0xAC: NEED(modrm()); NEED(imm_op(1)); return done(double_shift(opc == 0xAC, false, v));
    case 0xA5: case 0xAD: NEED(modrm()); return done(double_shift(opc == 0xAD, true, v));
    case 0xAB: NEED(modrm()); return done(bit_test(1, false, v), false, true);
    case 0xAF: NEED(modrm()); op_.aux = 0; return done(imul_reg(v));
    case 0xB0: case 0xB1: NEED(modrm()); return done(cmpxchg(opc & 1 ? v : 1), false, true);
    case 0xB2: case 0xB4: case 0xB5:
        NEED(modrm());
        op_.aux = opc == 0xB2 ? kSs : opc == 0xB4 ? kFs : kGs;
        return op_.rm == kNoReg ? done(load_far_pointer(v), true) : ud();
    case 0xB3: NEED(modrm()); return done(bit_test(2, false, v), false, true);
    case 0xB6: case 0xB7: NEED(modrm()); return done(movx(false, opc & 1 ? 2 : 1, v));
    case 0xBA:
        NEED(modrm());
        NEED(imm_op(1));
        return op_.reg >= 4 ? done(bit_test(op_.reg - 4, true, v), false, op_.reg != 4) : ud();
    case 0xBB: NEED(modrm()); return done(bit_test(3, false, v), false, true);
    case 0xBC: case 0xBD: NEED(modrm()); return done(bit_scan(opc == 0xBD, v));
    case 0xBE: case 0xBF: NEED(modrm()); return done(movx(true, opc & 1 ? 2 : 1, v));
    case 0xC0: case 0xC1: NEED(modrm()); return done(xadd(opc & 1 ? v : 1), false, true);
    case 0xC7:
        NEED(modrm());
        return op_.reg == 1 && op_.rm == kNoReg ? done(cmpxchg8b(), false, true) : ud();
    default: return ud();
    }
}

#undef NEED

}  // namespace

DecodeResult decode(const uint8_t* code, size_t avail, Op& op) { return Decoder(code, avail, op).run(); }

}  // namespace emu::x86
