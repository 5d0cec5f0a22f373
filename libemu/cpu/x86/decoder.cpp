#include "cpu/x86/decoder.h"

#include "cpu/x86/opcode_table.h"
#include "cpu/x86/operands.h"

namespace emu::x86 {

namespace {

using namespace handlers;

constexpr size_t kMaxInsnBytes = 15;

const Op* too_long(Cpu& c, const Op* op) { return c.fault_counted(op, kExcGP); }

// The decoder: prefixes, the opcode map, ModRM and SIB, immediates; the decode tables
// (opcode_table.h) say what each opcode takes and which handler runs it.
class Decoder {
public:
    Decoder(const uint8_t* code, size_t avail, Op& op, CodeSize size)
        : code_(code), avail_(std::min(avail, kMaxInsnBytes)), op_(op), code16_(size == CodeSize::Bits16)
    {
        osize_ = code16_ ? 2 : 4;
        op_.addr16 = code16_;
    }

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
    bool modrm(bool registers_only);
    unsigned iz() const { return osize_ == 2 ? 2 : 4; }

    // Decodes what follows the opcode as `def` says, picks the handler.
    DecodeResult from_table(const OpcodeDef& def, uint8_t opcode);
    bool immediate(Imm imm);
    DecodeResult finish(Handler h, uint8_t flags)
    {
        bool end = (flags & kEndBlock) || ((flags & kEndIfRep) && op_.rep);
        // LOCK is #UD except on an instruction that writes memory it may lock.
        if (lock_ && !((flags & kLockable) && op_.rm == kNoReg))
            h = undefined();
        op_.reg8 = byte_reg_offset(op_.reg);
        if (op_.rm != kNoReg)
            op_.rm8 = byte_reg_offset(op_.rm);
        op_.fn = h ? handlers::specialise(h, op_) : undefined();
        op_.len = static_cast<uint8_t>(pos_);
        if (h && handlers::is_direct_branch(h))
            op_.imm2 = op_.off + op_.len + op_.imm;
        return end || !h ? DecodeResult::EndBlock : DecodeResult::Next;
    }
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
    bool code16_;
    size_t pos_ = 0;
    unsigned osize_;
    uint8_t seg_override_ = kNoReg;
    uint8_t modrm_byte_ = 0;
    bool lock_ = false;
};

bool Decoder::modrm(bool registers_only)
{
    uint8_t m;
    if (!byte(m))
        return false;
    modrm_byte_ = m;
    unsigned mod = m >> 6, rm = m & 7;
    op_.reg = (m >> 3) & 7;
    if (mod == 3 || registers_only) {
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
        case 0x66: osize_ = code16_ ? 4 : 2; continue;
        case 0x67: op_.addr16 = !code16_; continue;
        case 0xF0: lock_ = true; continue;
        case 0xF2:
        case 0xF3: op_.rep = b; continue;
        default: break;
        }
        break;
    }
    op_.osize = static_cast<uint8_t>(osize_);
    op_.seg = seg_override_ != kNoReg ? seg_override_ : static_cast<uint8_t>(kDs);
    const std::array<OpcodeDef, 256>* map = &one_byte_opcodes();
    if (b == 0x0F) {
        if (!byte(b))
            return short_of_bytes();
        map = &two_byte_opcodes();
    }
    DecodeResult r = from_table((*map)[b], b);
    if (r == DecodeResult::TooShort)
        return short_of_bytes();
    return r;
}

bool Decoder::immediate(Imm imm)
{
    switch (imm) {
    case Imm::None: return true;
    case Imm::Ib: return this->imm(1, op_.imm);
    case Imm::IbS: return this->imm(1, op_.imm, true);
    case Imm::Iw: return this->imm(2, op_.imm);
    case Imm::Iz: return this->imm(iz(), op_.imm);
    case Imm::IzS: return this->imm(iz(), op_.imm, true);
    case Imm::Moffs: return this->imm(op_.addr16 ? 2 : 4, op_.disp);
    case Imm::IwIb: return this->imm(2, op_.imm) && this->imm(1, op_.imm2);
    case Imm::FarPtr: return this->imm(iz(), op_.imm) && this->imm(2, op_.imm2);
    }
    return false;
}

DecodeResult Decoder::from_table(const OpcodeDef& def, uint8_t opcode)
{
    if (!def.name)
        return finish(nullptr, kEndBlock);
    if ((def.flags & kModRM) && !modrm(def.flags & kModRMRegOnly))
        return DecodeResult::TooShort;
    if (def.flags & kRegInOpcode)
        op_.reg = opcode & 7;
    const OpcodeDef* picked = &def;
    if (def.group) {
        picked = &def.group->by_reg[op_.reg];
    } else if (def.x87) {
        picked = op_.rm == kNoReg ? &def.x87->memory[op_.reg] : &def.x87->registers[modrm_byte_ & 0x3F];
        // The x87's last-opcode register keeps the escape's low bits and the ModRM byte.
        op_.imm2 = ((opcode & 7u) << 8) | modrm_byte_;
    }
    const OpcodeDef& entry = *picked;
    if (!entry.name)
        return finish(nullptr, kEndBlock);
    uint8_t flags = def.flags | entry.flags;
    if (!immediate(entry.imm != Imm::None ? entry.imm : def.imm))
        return DecodeResult::TooShort;
    if ((flags & kMemoryOnly) && op_.rm != kNoReg)
        return finish(nullptr, kEndBlock);
    return finish(entry.select(op_, osize_, opcode), flags);
}


}  // namespace

DecodeResult decode(const uint8_t* code, size_t avail, Op& op, CodeSize size)
{
    return Decoder(code, avail, op, size).run();
}

}  // namespace emu::x86
