#include "x86_random_insn.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <iterator>

namespace emu::test {

const char* class_name(X86Class c)
{
    switch (c) {
    case X86Class::Alu: return "ALU (ADD..CMP)";
    case X86Class::IncDec: return "INC/DEC";
    case X86Class::NegNot: return "NEG/NOT";
    case X86Class::Test: return "TEST";
    case X86Class::Mov: return "MOV";
    case X86Class::MovExtend: return "MOVZX/MOVSX";
    case X86Class::Lea: return "LEA";
    case X86Class::Xchg: return "XCHG";
    case X86Class::Xadd: return "XADD";
    case X86Class::Cmpxchg: return "CMPXCHG";
    case X86Class::Cmpxchg8b: return "CMPXCHG8B";
    case X86Class::Bswap: return "BSWAP";
    case X86Class::BitTest: return "BT/BTS/BTR/BTC";
    case X86Class::BitScan: return "BSF/BSR";
    case X86Class::Shift: return "SHL/SHR/SAR";
    case X86Class::Rotate: return "ROL/ROR/RCL/RCR";
    case X86Class::DoubleShift: return "SHLD/SHRD";
    case X86Class::Mul: return "MUL";
    case X86Class::Imul: return "IMUL";
    case X86Class::Div: return "DIV/IDIV";
    case X86Class::Convert: return "CBW/CWDE/CWD/CDQ";
    case X86Class::Setcc: return "SETcc";
    case X86Class::Cmovcc: return "CMOVcc";
    case X86Class::Jcc: return "Jcc/JECXZ/LOOP";
    case X86Class::JmpCallRet: return "JMP/CALL/RET";
    case X86Class::Stack: return "PUSH/POP/ENTER/LEAVE";
    case X86Class::String: return "string";
    case X86Class::RepString: return "REP string";
    case X86Class::FlagOps: return "CLC..STD/SAHF/LAHF";
    case X86Class::Nop: return "NOP";
    case X86Class::Segments: return "Sreg/far/IRET";
    }
    return "?";
}

const char* feature_name(unsigned bit)
{
    static const char* const names[kNumX86Features] = {
        "0x66 operand size", "0x67 address size", "LOCK", "memory operand", "DF set (strings)",
        "divide by zero",    "8-bit operand",
    };
    return bit < kNumX86Features ? names[bit] : "?";
}

const char* mode_name(X86Mode m)
{
    switch (m) {
    case X86Mode::Protected32: return "32-bit protected mode";
    case X86Mode::Real16: return "real mode";
    case X86Mode::Protected16: return "16-bit protected mode";
    }
    return "?";
}

std::string hex_bytes(const uint8_t* p, unsigned len)
{
    std::string s;
    char buf[4];
    for (unsigned i = 0; i < len; i++) {
        std::snprintf(buf, sizeof buf, i ? " %02x" : "%02x", p[i]);
        s += buf;
    }
    return s;
}

namespace {

using L = X86Layout;

constexpr uint32_t kCF = 1u << 0, kPF = 1u << 2, kAF = 1u << 4, kZF = 1u << 6, kSF = 1u << 7, kTF = 1u << 8,
                   kIF = 1u << 9, kDF = 1u << 10, kOF = 1u << 11;
constexpr uint32_t kStatus = kCF | kPF | kAF | kZF | kSF | kOF;
constexpr unsigned kEsp = 4, kEbp = 5, kEsi = 6, kEdi = 7, kEax = 0, kEcx = 1, kEdx = 2, kEbx = 3;

const char* const kAluNames[8] = {"ADD", "OR", "ADC", "SBB", "AND", "SUB", "XOR", "CMP"};
const char* const kShiftNames[8] = {"ROL", "ROR", "RCL", "RCR", "SHL", "SHR", "SAL", "SAR"};
const char* const kCc[16] = {"O", "NO", "B", "AE", "E", "NE", "BE", "A", "S", "NS", "P", "NP", "L", "GE", "LE", "G"};

enum class Rm { Any, MemOnly, RegOnly };

class Gen {
public:
    Gen(SplitMix64& rng, X86Case& c, X86Mode mode) : rng_(rng), c_(c), code16_(mode != X86Mode::Protected32), a16_(code16_)
    {
        c_.mode = mode;
        c_.code_base = code16_ ? L::kCode : 0;
    }

    void build();

private:
    // --- random values --------------------------------------------------------------------
    uint32_t value()
    {
        static constexpr uint32_t kEdges[] = {0,      1,          0x7F,       0x80,       0xFF,      0x7FFF,
                                              0x8000, 0xFFFF,     0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFF80,
                                              0xFFFF8000, 0x100,  0x10000,    0xFFFFFFFE};
        switch (rng_.below(4)) {
        case 0: return static_cast<uint32_t>(rng_.below(17));
        case 1: return kEdges[rng_.below(std::size(kEdges))];
        default: return static_cast<uint32_t>(rng_.next());
        }
    }
    bool coin() { return rng_.chance(1, 2); }

    // An address of `size` bytes in a data area, at least 0x1000 from the code and the ends.
    uint32_t data_addr(unsigned size)
    {
        uint32_t a;
        switch (rng_.below(3)) {
        case 0: a = 0x1000 + static_cast<uint32_t>(rng_.below(0x1E000 - 0x1000 - 16)); break;
        case 1: a = 0x23000 + static_cast<uint32_t>(rng_.below(0x2F000 - 0x23000)); break;
        default: a = c_.r[kEsp] - 256 + static_cast<uint32_t>(rng_.below(512)); break;
        }
        if (size > 1 && rng_.chance(3, 4))
            a &= ~(size - 1);
        return a;
    }
    // A branch target in the code region, as an instruction pointer (an offset from CS's base).
    uint32_t code_target()
    {
        return L::kCode + static_cast<uint32_t>(rng_.below(L::kCodeSize - 16)) - c_.code_base;
    }
    // The size of near branch displacements and return addresses: the code's default operand size.
    unsigned branch_size() const { return code16_ ? 2 : 4; }

    // --- encoding -------------------------------------------------------------------------
    void emit(uint8_t b) { c_.bytes[c_.len++] = b; }
    void emit16(uint32_t v) { emit(v & 0xFF), emit((v >> 8) & 0xFF); }
    void emit32(uint32_t v) { emit16(v), emit16(v >> 16); }
    void emit_imm(unsigned size, uint32_t v) { size == 1 ? emit(v & 0xFF) : size == 2 ? emit16(v) : emit32(v); }
    void set(unsigned reg, uint32_t v)
    {
        c_.r[reg] = v;
        fixed_ |= 1u << reg;
    }
    void poke(uint32_t addr, uint64_t v, unsigned len)
    {
        X86Poke p{addr, {}, len};
        std::memcpy(p.bytes, &v, len);
        c_.pokes.push_back(p);
    }
    // Chooses the operand size: the other one than the code's default (through 0x66) with
    // probability 1/4.
    unsigned osize()
    {
        if (rng_.chance(1, 4)) {
            emit(0x66);
            c_.features |= kFeatO16;
            return code16_ ? 4 : 2;
        }
        return code16_ ? 2 : 4;
    }
    // A free register for an address, other than those in `avoid` and those already fixed.
    int free_reg(uint32_t avoid)
    {
        uint32_t busy = avoid | fixed_;
        unsigned start = static_cast<unsigned>(rng_.below(8));
        for (unsigned i = 0; i < 8; i++) {
            unsigned r = (start + i) & 7;
            if (r != kEsp && !(busy & (1u << r)))
                return static_cast<int>(r);
        }
        return -1;
    }

    // ModRM (and SIB, displacement) with `regf` in the reg field. A memory operand of `size`
    // bytes lands in a data area; its address is left in ea_. Returns true for memory.
    bool modrm(unsigned regf, Rm kind, unsigned size, uint32_t avoid = 0)
    {
        bool mem = kind == Rm::MemOnly || (kind == Rm::Any && coin());
        mem_ = mem;
        if (!mem) {
            rm_reg_ = static_cast<unsigned>(rng_.below(8));
            emit(static_cast<uint8_t>(0xC0 | regf << 3 | rm_reg_));
            return false;
        }
        c_.features |= kFeatMem;
        c_.has_mem = true;
        if (a16_)
            return modrm16(regf);
        uint32_t target = data_addr(size);
        uint8_t r = static_cast<uint8_t>(regf << 3);
        int base = free_reg(avoid), index = free_reg(avoid);
        unsigned form = static_cast<unsigned>(rng_.below(7));
        if (base < 0 || index < 0)
            form = 0;
        if (form == 4 && (avoid & (1u << kEsp)))
            form = 0;
        switch (form) {
        case 0:  // [disp32]
            emit(0x05 | r);
            emit32(target);
            break;
        case 1:  // [base]
            if (base == kEbp)
                base = kEbx;
            if ((fixed_ | avoid) & (1u << base)) {
                emit(0x05 | r);
                emit32(target);
                break;
            }
            emit(static_cast<uint8_t>(r | base));
            set(base, target);
            break;
        case 2:  // [base + disp8]
        {
            int8_t d = static_cast<int8_t>(rng_.next());
            emit(static_cast<uint8_t>(0x40 | r | base));
            emit(static_cast<uint8_t>(d));
            set(base, target - static_cast<uint32_t>(static_cast<int32_t>(d)));
            break;
        }
        case 3:  // [base + disp32]: a base and displacement that wrap round 2^32 between them
        {
            uint32_t d = static_cast<uint32_t>(rng_.next());
            emit(static_cast<uint8_t>(0x80 | r | base));
            emit32(d);
            set(base, target - d);
            break;
        }
        case 4:  // [esp + disp8]
        {
            int8_t d = static_cast<int8_t>(rng_.below(128));
            emit(0x44 | r);
            emit(0x24);
            emit(static_cast<uint8_t>(d));
            target = c_.r[kEsp] + static_cast<uint32_t>(static_cast<int32_t>(d));
            break;
        }
        case 5:  // [base + index*scale + disp]
        {
            unsigned scale = static_cast<unsigned>(rng_.below(4));
            if (coin())
                index = base;
            unsigned mod = static_cast<unsigned>(rng_.below(3));
            if (mod == 0 && base == kEbp)
                mod = 1;
            uint32_t d = mod == 0 ? 0 : mod == 1 ? static_cast<uint32_t>(static_cast<int8_t>(rng_.next()))
                                                 : static_cast<uint32_t>(rng_.next());
            emit(static_cast<uint8_t>(mod << 6 | r | 4));
            emit(static_cast<uint8_t>(scale << 6 | index << 3 | base));
            if (mod == 1)
                emit(static_cast<uint8_t>(d));
            else if (mod == 2)
                emit32(d);
            if (index == base) {
                uint32_t v = (target - d) / ((1u << scale) + 1);
                set(base, v);
                target = v + (v << scale) + d;
            } else {
                uint32_t iv = rng_.chance(1, 2) ? static_cast<uint32_t>(rng_.next()) : static_cast<uint32_t>(rng_.below(64));
                set(index, iv);
                set(base, target - d - (iv << scale));
            }
            break;
        }
        default:  // [index*scale + disp32]
        {
            unsigned scale = static_cast<unsigned>(rng_.below(4));
            uint32_t iv = static_cast<uint32_t>(rng_.next());
            emit(0x04 | r);
            emit(static_cast<uint8_t>(scale << 6 | index << 3 | 5));
            emit32(target - (iv << scale));
            set(index, iv);
            break;
        }
        }
        ea_ = target;
        c_.mem_addr = target;
        return true;
    }

    // 16-bit addressing: every combination lands in 0-0xFFFF, which is data; the upper halves
    // of the registers stay random, as they must not matter.
    bool modrm16(unsigned regf)
    {
        unsigned mod = static_cast<unsigned>(rng_.below(3));
        unsigned rm = static_cast<unsigned>(rng_.below(8));
        emit(static_cast<uint8_t>(mod << 6 | regf << 3 | rm));
        uint32_t d = 0;
        if (mod == 0 && rm == 6) {
            d = static_cast<uint32_t>(rng_.below(0x10000));
            emit16(d);
        } else if (mod == 1) {
            d = static_cast<uint32_t>(static_cast<int8_t>(rng_.next()));
            emit(static_cast<uint8_t>(d));
        } else if (mod == 2) {
            d = static_cast<uint32_t>(rng_.below(0x10000));
            emit16(d);
        }
        static constexpr int kBase[8] = {kEbx, kEbx, kEbp, kEbp, -1, -1, kEbp, kEbx};
        static constexpr int kIndex[8] = {kEsi, kEdi, kEsi, kEdi, kEsi, kEdi, -1, -1};
        uint32_t a = d;
        if (!(mod == 0 && rm == 6)) {
            if (kBase[rm] >= 0)
                a += c_.r[kBase[rm]], fixed_ |= 1u << kBase[rm];
            if (kIndex[rm] >= 0)
                a += c_.r[kIndex[rm]], fixed_ |= 1u << kIndex[rm];
        }
        ea_ = a & 0xFFFF;
        c_.mem_addr = ea_;
        return true;
    }

    // The other address size (through 0x67) for a subset of ModRM forms.
    void maybe_a16()
    {
        if (rng_.chance(1, 6)) {
            emit(0x67);
            a16_ = !code16_;
            c_.features |= kFeatA16;
        }
    }
    void maybe_lock()
    {
        if (rng_.chance(1, 3)) {
            lock_ = true;
        }
    }
    // Inserts LOCK in front once we know the operand is memory.
    void apply_lock(unsigned at)
    {
        if (!lock_ || !mem_)
            return;
        std::memmove(c_.bytes + at + 1, c_.bytes + at, c_.len - at);
        c_.bytes[at] = 0xF0;
        c_.len++;
        c_.features |= kFeatLock;
    }

    // --- flag rules (Intel SDM, per instruction) -------------------------------------------
    // Shift count as the CPU masks it.
    static unsigned masked(uint32_t count) { return count & 0x1F; }
    uint32_t shift_undefined(unsigned kind, unsigned bits, uint32_t count)
    {
        unsigned n = masked(count);
        if (n == 0)
            return 0;  // flags not affected
        uint32_t u = 0;
        if (kind <= 3) {  // rotates: OF defined only for 1-bit rotates; SF ZF AF PF unaffected
            return n == 1 ? 0 : kOF;
        }
        u |= kAF;  // "For a non-zero count, the AF flag is undefined."
        if (n != 1)
            u |= kOF;
        if ((kind == 4 || kind == 5) && n >= bits)
            u |= kCF;  // SHL/SHR: CF undefined when the count is at least the operand size
        return u;
    }

    // --- the classes --------------------------------------------------------------------------
    void alu();
    void incdec();
    void negnot();
    void test();
    void mov();
    void movext();
    void lea();
    void xchg();
    void xadd();
    void cmpxchg();
    void cmpxchg8b();
    void bswap();
    void bittest();
    void bitscan();
    void shift(bool rotate);
    void dshift();
    void mul();
    void imul();
    void div();
    void convert();
    void setcc();
    void cmovcc();
    void jcc();
    void jmpcallret();
    void stack();
    void string(bool rep);
    void flagops();
    void nop();
    void segments();
    // A selector for a data segment register: any paragraph in real mode; in 16-bit
    // protected mode the flat data segment mostly, the null selector, or anything (a fault).
    uint16_t data_selector(bool stack);

    std::string sz(unsigned size) { return size == 1 ? "8" : size == 2 ? "16" : "32"; }

    SplitMix64& rng_;
    X86Case& c_;
    bool code16_;
    uint32_t fixed_ = 1u << kEsp;  // ESP always points into the stack
    bool a16_;
    bool lock_ = false;
    bool mem_ = false;
    unsigned rm_reg_ = 0;
    uint32_t ea_ = 0;
};

void Gen::build()
{
    for (uint32_t& r : c_.r)
        r = value();
    if (code16_)
        c_.r[kEsp] = L::kStackLow16 + static_cast<uint32_t>(rng_.below(L::kStackHigh16 - L::kStackLow16));
    else
        c_.r[kEsp] = L::kStackLow + static_cast<uint32_t>(rng_.below(L::kStackHigh - L::kStackLow));
    if (rng_.chance(7, 8))
        c_.r[kEsp] &= ~3u;
    c_.eflags = 2 | (static_cast<uint32_t>(rng_.next()) & kStatus);
    if (rng_.chance(1, 4))
        c_.eflags |= kDF;
    if (coin())
        c_.eflags |= kIF;
    // Far enough from the code region's ends for rel8 branches either way.
    c_.eip = L::kCode + 0x100 + static_cast<uint32_t>(rng_.below(0xE00)) - c_.code_base;

    c_.cls = static_cast<X86Class>(rng_.below(code16_ ? kNumX86Classes : kNumX86Classes - 1));
    switch (c_.cls) {
    case X86Class::Alu: alu(); break;
    case X86Class::IncDec: incdec(); break;
    case X86Class::NegNot: negnot(); break;
    case X86Class::Test: test(); break;
    case X86Class::Mov: mov(); break;
    case X86Class::MovExtend: movext(); break;
    case X86Class::Lea: lea(); break;
    case X86Class::Xchg: xchg(); break;
    case X86Class::Xadd: xadd(); break;
    case X86Class::Cmpxchg: cmpxchg(); break;
    case X86Class::Cmpxchg8b: cmpxchg8b(); break;
    case X86Class::Bswap: bswap(); break;
    case X86Class::BitTest: bittest(); break;
    case X86Class::BitScan: bitscan(); break;
    case X86Class::Shift: shift(false); break;
    case X86Class::Rotate: shift(true); break;
    case X86Class::DoubleShift: dshift(); break;
    case X86Class::Mul: mul(); break;
    case X86Class::Imul: imul(); break;
    case X86Class::Div: div(); break;
    case X86Class::Convert: convert(); break;
    case X86Class::Setcc: setcc(); break;
    case X86Class::Cmovcc: cmovcc(); break;
    case X86Class::Jcc: jcc(); break;
    case X86Class::JmpCallRet: jmpcallret(); break;
    case X86Class::Stack: stack(); break;
    case X86Class::String: string(false); break;
    case X86Class::RepString: string(true); break;
    case X86Class::FlagOps: flagops(); break;
    case X86Class::Nop: nop(); break;
    case X86Class::Segments: segments(); break;
    }
}

void Gen::alu()
{
    unsigned op = static_cast<unsigned>(rng_.below(8));
    bool lockable = op != 7;  // CMP does not write
    unsigned form = static_cast<unsigned>(rng_.below(9));
    unsigned at = c_.len;
    bool byte = form == 0 || form == 2 || form == 4 || form == 6;
    unsigned size = byte ? 1 : osize();
    if (byte)
        c_.features |= kFeatByte;
    if (form != 4 && form != 5)
        maybe_a16();
    if (lockable && (form == 0 || form == 1 || form >= 6))
        maybe_lock();
    std::string n = kAluNames[op];
    switch (form) {
    case 0:
    case 1:  // r/m, r
        emit(static_cast<uint8_t>(op * 8 + form));
        modrm(static_cast<unsigned>(rng_.below(8)), Rm::Any, size);
        n += " r/m" + sz(size) + ", r" + sz(size);
        break;
    case 2:
    case 3:  // r, r/m
        emit(static_cast<uint8_t>(op * 8 + form));
        modrm(static_cast<unsigned>(rng_.below(8)), Rm::Any, size);
        n += " r" + sz(size) + ", r/m" + sz(size);
        break;
    case 4:
    case 5:  // AL/eAX, imm
        emit(static_cast<uint8_t>(op * 8 + form));
        emit_imm(size, value());
        n += size == 1 ? " AL, imm8" : " eAX, imm" + sz(size);
        break;
    case 6:  // 80 /op r/m8, imm8
        emit(0x80);
        modrm(op, Rm::Any, 1);
        emit(static_cast<uint8_t>(value()));
        n += " r/m8, imm8 (80)";
        break;
    case 7:  // 81 /op r/m, imm
        emit(0x81);
        modrm(op, Rm::Any, size);
        emit_imm(size, value());
        n += " r/m" + sz(size) + ", imm" + sz(size) + " (81)";
        break;
    default:  // 83 /op r/m, imm8 sign-extended
        emit(0x83);
        modrm(op, Rm::Any, size);
        emit(static_cast<uint8_t>(value()));
        n += " r/m" + sz(size) + ", imm8 (83)";
        break;
    }
    apply_lock(at);
    if (op == 1 || op == 4 || op == 6)
        c_.undefined_flags = kAF;  // OR AND XOR: "The state of the AF flag is undefined."
    c_.name = n;
}

void Gen::incdec()
{
    unsigned at = c_.len;
    unsigned dec = static_cast<unsigned>(rng_.below(2));
    unsigned form = static_cast<unsigned>(rng_.below(3));
    if (form == 0) {  // 40+r / 48+r
        unsigned size = osize();
        emit(static_cast<uint8_t>(0x40 + dec * 8 + rng_.below(8)));
        c_.name = std::string(dec ? "DEC" : "INC") + " r" + sz(size) + " (4x)";
        return;
    }
    bool byte = form == 1;
    unsigned size = byte ? 1 : osize();
    if (byte)
        c_.features |= kFeatByte;
    maybe_a16();
    maybe_lock();
    emit(byte ? 0xFE : 0xFF);
    modrm(dec, Rm::Any, size);
    apply_lock(at);
    c_.name = std::string(dec ? "DEC" : "INC") + " r/m" + sz(size);
}

void Gen::negnot()
{
    unsigned at = c_.len;
    bool neg = coin();
    bool byte = coin();
    unsigned size = byte ? 1 : osize();
    if (byte)
        c_.features |= kFeatByte;
    maybe_a16();
    maybe_lock();
    emit(byte ? 0xF6 : 0xF7);
    modrm(neg ? 3 : 2, Rm::Any, size);
    apply_lock(at);
    c_.name = std::string(neg ? "NEG" : "NOT") + " r/m" + sz(size);
}

void Gen::test()
{
    unsigned form = static_cast<unsigned>(rng_.below(3));
    bool byte = coin();
    unsigned size = byte ? 1 : osize();
    if (byte)
        c_.features |= kFeatByte;
    if (form == 0) {
        emit(byte ? 0xA8 : 0xA9);
        emit_imm(size, value());
        c_.name = "TEST " + std::string(byte ? "AL" : "eAX") + ", imm";
    } else if (form == 1) {
        maybe_a16();
        emit(byte ? 0x84 : 0x85);
        modrm(static_cast<unsigned>(rng_.below(8)), Rm::Any, size);
        c_.name = "TEST r/m" + sz(size) + ", r" + sz(size);
    } else {
        maybe_a16();
        emit(byte ? 0xF6 : 0xF7);
        modrm(0, Rm::Any, size);
        emit_imm(size, value());
        c_.name = "TEST r/m" + sz(size) + ", imm";
    }
    c_.undefined_flags = kAF;
}

void Gen::mov()
{
    unsigned form = static_cast<unsigned>(rng_.below(5));
    bool byte = coin();
    unsigned size = byte ? 1 : osize();
    if (byte)
        c_.features |= kFeatByte;
    switch (form) {
    case 0:  // 88/89
    case 1:  // 8A/8B
        maybe_a16();
        emit(static_cast<uint8_t>(0x88 + form * 2 + !byte));
        modrm(static_cast<unsigned>(rng_.below(8)), Rm::Any, size);
        c_.name = form == 0 ? "MOV r/m" + sz(size) + ", r" : "MOV r" + sz(size) + ", r/m";
        break;
    case 2:  // C6/C7 /0
        maybe_a16();
        emit(byte ? 0xC6 : 0xC7);
        modrm(0, Rm::Any, size);
        emit_imm(size, value());
        c_.name = "MOV r/m" + sz(size) + ", imm";
        break;
    case 3:  // B0+r / B8+r
        emit(static_cast<uint8_t>((byte ? 0xB0 : 0xB8) + rng_.below(8)));
        emit_imm(size, value());
        c_.name = "MOV r" + sz(size) + ", imm (B0-BF)";
        break;
    default:  // A0-A3 moffs
    {
        bool store = coin();
        emit(static_cast<uint8_t>(0xA0 + store * 2 + !byte));
        if (code16_)
            emit16(0x1000 + static_cast<uint32_t>(rng_.below(0xE000)));
        else
            emit32(data_addr(size));
        c_.features |= kFeatMem;
        c_.name = store ? "MOV moffs, AL/eAX" : "MOV AL/eAX, moffs";
        break;
    }
    }
}

void Gen::movext()
{
    bool sign = coin();
    bool from16 = coin();
    unsigned size = osize();
    maybe_a16();
    emit(0x0F);
    emit(static_cast<uint8_t>((sign ? 0xBE : 0xB6) + from16));
    modrm(static_cast<unsigned>(rng_.below(8)), Rm::Any, from16 ? 2 : 1);
    c_.name = std::string(sign ? "MOVSX" : "MOVZX") + " r" + sz(size) + ", r/m" + (from16 ? "16" : "8");
}

void Gen::lea()
{
    unsigned size = osize();
    maybe_a16();
    emit(0x8D);
    modrm(static_cast<unsigned>(rng_.below(8)), Rm::MemOnly, 1);
    c_.name = "LEA r" + sz(size) + ", m" + (a16_ ? " (16-bit addressing)" : "");
}

void Gen::xchg()
{
    if (rng_.chance(1, 3)) {
        unsigned size = osize();
        emit(static_cast<uint8_t>(0x90 + 1 + rng_.below(7)));
        c_.name = "XCHG eAX, r" + sz(size) + " (91-97)";
        return;
    }
    unsigned at = c_.len;
    bool byte = coin();
    unsigned size = byte ? 1 : osize();
    if (byte)
        c_.features |= kFeatByte;
    maybe_a16();
    maybe_lock();  // redundant (XCHG with memory locks anyway) but allowed
    emit(byte ? 0x86 : 0x87);
    modrm(static_cast<unsigned>(rng_.below(8)), Rm::Any, size);
    apply_lock(at);
    c_.name = "XCHG r/m" + sz(size) + ", r" + sz(size);
}

void Gen::xadd()
{
    unsigned at = c_.len;
    bool byte = coin();
    unsigned size = byte ? 1 : osize();
    if (byte)
        c_.features |= kFeatByte;
    maybe_lock();
    emit(0x0F);
    emit(byte ? 0xC0 : 0xC1);
    modrm(static_cast<unsigned>(rng_.below(8)), Rm::Any, size);
    apply_lock(at);
    c_.name = "XADD r/m" + sz(size) + ", r" + sz(size);
}

void Gen::cmpxchg()
{
    unsigned at = c_.len;
    bool byte = coin();
    unsigned size = byte ? 1 : osize();
    if (byte)
        c_.features |= kFeatByte;
    maybe_lock();
    emit(0x0F);
    emit(byte ? 0xB0 : 0xB1);
    // The accumulator is the comparand: keep it out of the address.
    bool mem = modrm(static_cast<unsigned>(rng_.below(8)), Rm::Any, size, 1u << kEax);
    apply_lock(at);
    if (coin()) {  // make the comparison succeed
        if (mem)
            poke(ea_, c_.r[kEax], size);
        else if (!byte)
            c_.r[kEax] = c_.r[rm_reg_];
        else if (rm_reg_ < 4)
            c_.r[kEax] = (c_.r[kEax] & ~0xFFu) | (c_.r[rm_reg_] & 0xFF);
        else
            c_.r[kEax] = (c_.r[kEax] & ~0xFFu) | ((c_.r[rm_reg_ - 4] >> 8) & 0xFF);
    }
    c_.name = "CMPXCHG r/m" + sz(size) + ", r" + sz(size);
}

void Gen::cmpxchg8b()
{
    unsigned at = c_.len;
    maybe_lock();
    emit(0x0F);
    emit(0xC7);
    modrm(1, Rm::MemOnly, 8, (1u << kEax) | (1u << kEdx) | (1u << kEbx) | (1u << kEcx));
    apply_lock(at);
    if (coin())
        poke(ea_, uint64_t{c_.r[kEdx]} << 32 | c_.r[kEax], 8);
    c_.name = "CMPXCHG8B m64";
}

void Gen::bswap()
{
    emit(0x0F);
    emit(static_cast<uint8_t>(0xC8 + rng_.below(8)));
    c_.name = "BSWAP r32";
}

void Gen::bittest()
{
    unsigned at = c_.len;
    unsigned op = static_cast<unsigned>(rng_.below(4));  // BT BTS BTR BTC
    static const char* const names[4] = {"BT", "BTS", "BTR", "BTC"};
    unsigned size = osize();
    if (op != 0)
        maybe_lock();
    if (coin()) {
        // 0F A3/AB/B3/BB r/m, r: with memory the register is a signed bit offset from the
        // operand's address. Keep it within +-512 bytes so that the access stays in the window.
        // ESP as the offset register would have to be both the stack pointer and a small
        // offset: not used.
        unsigned reg = static_cast<unsigned>(rng_.below(7));
        reg += reg >= kEsp;
        emit(0x0F);
        emit(static_cast<uint8_t>(0xA3 + op * 8));
        bool mem = modrm(reg, Rm::Any, size, 1u << reg);
        if (mem) {
            uint32_t off = static_cast<uint32_t>(static_cast<int32_t>(rng_.below(8192)) - 4096);
            if (size == 2)
                off = (c_.r[reg] & 0xFFFF0000u) | (off & 0xFFFF);
            c_.r[reg] = off;
            fixed_ |= 1u << reg;
        }
        c_.name = std::string(names[op]) + " r/m" + sz(size) + ", r" + sz(size);
    } else {
        emit(0x0F);
        emit(0xBA);
        modrm(4 + op, Rm::Any, size);
        emit(static_cast<uint8_t>(rng_.next()));
        c_.name = std::string(names[op]) + " r/m" + sz(size) + ", imm8";
    }
    apply_lock(at);
    c_.undefined_flags = kOF | kSF | kAF | kPF;
}

void Gen::bitscan()
{
    bool reverse = coin();
    unsigned size = osize();
    unsigned reg = static_cast<unsigned>(rng_.below(8));
    emit(0x0F);
    emit(reverse ? 0xBD : 0xBC);
    bool mem = modrm(reg, Rm::Any, size);
    if (rng_.chance(1, 4)) {  // a zero source
        if (mem)
            poke(ea_, 0, size);
        else if (rm_reg_ != kEsp)
            c_.r[rm_reg_] &= size == 2 ? 0xFFFF0000u : 0;
    }
    c_.undefined_flags = kCF | kOF | kSF | kAF | kPF;
    // "If the content of the source operand is 0, the content of the destination operand is
    // undefined."
    c_.undefined_reg = static_cast<int>(reg);
    c_.undefined_reg_mask = size == 2 ? 0xFFFF : 0xFFFFFFFF;
    c_.undefined_reg_if_zf = true;
    c_.name = std::string(reverse ? "BSR" : "BSF") + " r" + sz(size) + ", r/m" + sz(size);
}

void Gen::shift(bool rotate)
{
    unsigned kind = rotate ? static_cast<unsigned>(rng_.below(4)) : std::array<unsigned, 3>{4, 5, 7}[rng_.below(3)];
    bool byte = coin();
    unsigned size = byte ? 1 : osize();
    if (byte)
        c_.features |= kFeatByte;
    maybe_a16();
    unsigned how = static_cast<unsigned>(rng_.below(3));  // 1, CL, imm8
    emit(static_cast<uint8_t>((how == 0 ? 0xD0 : how == 1 ? 0xD2 : 0xC0) + !byte));
    modrm(kind, Rm::Any, size, 1u << kEcx);
    uint32_t count = 1;
    if (how == 1) {
        if (coin())
            c_.r[kEcx] = (c_.r[kEcx] & ~0xFFu) | static_cast<uint32_t>(rng_.below(40));
        count = c_.r[kEcx] & 0xFF;
    } else if (how == 2) {
        count = coin() ? static_cast<uint32_t>(rng_.below(40)) : static_cast<uint32_t>(rng_.below(256));
        emit(static_cast<uint8_t>(count));
    }
    c_.undefined_flags = shift_undefined(kind, size * 8, count);
    c_.name = std::string(kShiftNames[kind]) + " r/m" + sz(size) + (how == 0 ? ", 1" : how == 1 ? ", CL" : ", imm8");
}

void Gen::dshift()
{
    bool right = coin();
    bool by_cl = coin();
    unsigned size = osize();
    maybe_a16();
    emit(0x0F);
    emit(static_cast<uint8_t>((right ? 0xAC : 0xA4) + by_cl));
    unsigned reg = static_cast<unsigned>(rng_.below(8));
    modrm(reg, Rm::Any, size, 1u << kEcx);
    uint32_t count;
    if (by_cl) {
        if (coin())
            c_.r[kEcx] = (c_.r[kEcx] & ~0xFFu) | static_cast<uint32_t>(rng_.below(40));
        count = c_.r[kEcx] & 0xFF;
    } else {
        count = coin() ? static_cast<uint32_t>(rng_.below(40)) : static_cast<uint32_t>(rng_.below(256));
        emit(static_cast<uint8_t>(count));
    }
    unsigned n = count & 0x1F;
    if (n != 0) {
        // "If the count is greater than the operand size, the result is undefined"; then so
        // are all flags. Otherwise AF is undefined, OF unless the count is 1, and CF holds the
        // last bit shifted out.
        if (n > size * 8) {
            c_.undefined_flags = kStatus;
            if (!mem_) {
                c_.undefined_reg = static_cast<int>(rm_reg_);
                c_.undefined_reg_mask = 0xFFFF;
            } else {
                c_.undefined_mem_addr = ea_;
                c_.undefined_mem_len = 2;
            }
        } else {
            c_.undefined_flags = kAF | (n == 1 ? 0 : kOF);
        }
    }
    c_.name = std::string(right ? "SHRD" : "SHLD") + " r/m" + sz(size) + ", r" + sz(size) + (by_cl ? ", CL" : ", imm8");
}

void Gen::mul()
{
    bool byte = coin();
    unsigned size = byte ? 1 : osize();
    if (byte)
        c_.features |= kFeatByte;
    maybe_a16();
    emit(byte ? 0xF6 : 0xF7);
    modrm(4, Rm::Any, size);
    c_.undefined_flags = kSF | kZF | kAF | kPF;
    c_.name = "MUL r/m" + sz(size);
}

void Gen::imul()
{
    unsigned form = static_cast<unsigned>(rng_.below(4));
    bool byte = form == 0 && coin();
    unsigned size = byte ? 1 : osize();
    if (byte)
        c_.features |= kFeatByte;
    maybe_a16();
    switch (form) {
    case 0:
        emit(byte ? 0xF6 : 0xF7);
        modrm(5, Rm::Any, size);
        c_.name = "IMUL r/m" + sz(size);
        break;
    case 1:
        emit(0x0F);
        emit(0xAF);
        modrm(static_cast<unsigned>(rng_.below(8)), Rm::Any, size);
        c_.name = "IMUL r" + sz(size) + ", r/m" + sz(size);
        break;
    case 2:
        emit(0x69);
        modrm(static_cast<unsigned>(rng_.below(8)), Rm::Any, size);
        emit_imm(size, value());
        c_.name = "IMUL r" + sz(size) + ", r/m" + sz(size) + ", imm" + sz(size);
        break;
    default:
        emit(0x6B);
        modrm(static_cast<unsigned>(rng_.below(8)), Rm::Any, size);
        emit(static_cast<uint8_t>(value()));
        c_.name = "IMUL r" + sz(size) + ", r/m" + sz(size) + ", imm8";
        break;
    }
    c_.undefined_flags = kSF | kZF | kAF | kPF;
}

void Gen::div()
{
    bool sign = coin();
    bool byte = coin();
    unsigned size = byte ? 1 : osize();
    if (byte)
        c_.features |= kFeatByte;
    maybe_a16();
    emit(byte ? 0xF6 : 0xF7);
    // The dividend is EDX:EAX (or AX): keep those out of the address.
    bool mem = modrm(sign ? 7 : 6, Rm::Any, size, (1u << kEax) | (1u << kEdx));
    uint32_t mask = size == 1 ? 0xFF : size == 2 ? 0xFFFF : 0xFFFFFFFF;
    unsigned pick = static_cast<unsigned>(rng_.below(8));
    uint32_t divisor = pick == 0 ? 0 : value() & mask;
    if (divisor == 0 && pick != 0)
        divisor = 1;
    if (mem) {
        poke(ea_, divisor, size);
    } else if (rm_reg_ != kEsp && !(byte && rm_reg_ == 4) && !(rm_reg_ == kEax || rm_reg_ == kEdx)) {
        uint32_t& r = byte && rm_reg_ >= 4 ? c_.r[rm_reg_ - 4] : c_.r[rm_reg_];
        if (byte && rm_reg_ >= 4)
            r = (r & ~0xFF00u) | divisor << 8;
        else
            r = (r & ~mask) | divisor;
    } else {
        divisor = 1;  // the divisor is the dividend or the stack pointer: leave it as it is
    }
    // Usually a quotient that fits: a high half below the divisor.
    if (coin() && divisor) {
        uint32_t high = static_cast<uint32_t>(rng_.below(divisor & mask ? divisor & mask : 1));
        if (size == 1)
            c_.r[kEax] = (c_.r[kEax] & ~0xFF00u) | (high & 0xFF) << 8;
        else if (size == 2)
            c_.r[kEdx] = (c_.r[kEdx] & ~0xFFFFu) | (high & 0xFFFF);
        else
            c_.r[kEdx] = high;
    }
    if (pick == 0)
        c_.features |= kFeatDivZero;
    c_.undefined_flags = kStatus;
    c_.name = std::string(sign ? "IDIV" : "DIV") + " r/m" + sz(size);
}

void Gen::convert()
{
    unsigned size = osize();
    bool cwd = coin();
    emit(cwd ? 0x99 : 0x98);
    c_.name = cwd ? (size == 2 ? "CWD" : "CDQ") : (size == 2 ? "CBW" : "CWDE");
}

void Gen::setcc()
{
    maybe_a16();
    unsigned cc = static_cast<unsigned>(rng_.below(16));
    emit(0x0F);
    emit(static_cast<uint8_t>(0x90 + cc));
    modrm(0, Rm::Any, 1);
    c_.features |= kFeatByte;
    c_.name = std::string("SET") + kCc[cc] + " r/m8";
}

void Gen::cmovcc()
{
    unsigned size = osize();
    maybe_a16();
    unsigned cc = static_cast<unsigned>(rng_.below(16));
    emit(0x0F);
    emit(static_cast<uint8_t>(0x40 + cc));
    modrm(static_cast<unsigned>(rng_.below(8)), Rm::Any, size);
    c_.name = std::string("CMOV") + kCc[cc] + " r" + sz(size) + ", r/m" + sz(size);
}

void Gen::jcc()
{
    unsigned form = static_cast<unsigned>(rng_.below(8));
    if (form < 3) {  // Jcc rel8
        unsigned cc = static_cast<unsigned>(rng_.below(16));
        emit(static_cast<uint8_t>(0x70 + cc));
        emit(static_cast<uint8_t>(rng_.next()));
        c_.name = std::string("J") + kCc[cc] + " rel8";
    } else if (form < 6) {  // Jcc rel32 (rel16 in 16-bit code)
        unsigned cc = static_cast<unsigned>(rng_.below(16));
        emit(0x0F);
        emit(static_cast<uint8_t>(0x80 + cc));
        emit_imm(branch_size(), code_target() - (c_.eip + 2 + branch_size()));
        c_.name = std::string("J") + kCc[cc] + " rel" + sz(branch_size());
    } else {  // LOOPNE LOOPE LOOP JECXZ
        unsigned op = static_cast<unsigned>(rng_.below(4));
        if (coin())
            c_.r[kEcx] = static_cast<uint32_t>(rng_.below(3));
        emit(static_cast<uint8_t>(0xE0 + op));
        emit(static_cast<uint8_t>(rng_.next()));
        static const char* const names[4] = {"LOOPNE rel8", "LOOPE rel8", "LOOP rel8", "JECXZ rel8"};
        c_.name = names[op];
    }
}

void Gen::jmpcallret()
{
    unsigned form = static_cast<unsigned>(rng_.below(8));
    switch (form) {
    case 0:
        emit(0xEB);
        emit(static_cast<uint8_t>(rng_.next()));
        c_.name = "JMP rel8";
        break;
    case 1:
        emit(0xE9);
        emit_imm(branch_size(), code_target() - (c_.eip + 1 + branch_size()));
        c_.name = "JMP rel" + sz(branch_size());
        break;
    case 2:
        emit(0xE8);
        emit_imm(branch_size(), code_target() - (c_.eip + 1 + branch_size()));
        c_.name = "CALL rel" + sz(branch_size());
        break;
    case 3:
    case 4:  // FF /4 JMP r/m, FF /2 CALL r/m
    {
        bool call = form == 3;
        unsigned size = branch_size();
        emit(0xFF);
        // Through ESP the target would be the stack pointer: not a code address.
        bool mem = modrm(call ? 2 : 4, Rm::Any, size);
        uint32_t target = code_target();
        if (mem)
            poke(ea_, target, size);
        else if (rm_reg_ == kEsp)
            c_.bytes[c_.len - 1] = static_cast<uint8_t>((c_.bytes[c_.len - 1] & ~7u) | kEax), c_.r[kEax] = target;
        else
            c_.r[rm_reg_] = target;
        c_.name = std::string(call ? "CALL r/m" : "JMP r/m") + sz(size);
        break;
    }
    case 5:
    case 6:  // RET
        emit(0xC3);
        poke(c_.r[kEsp], code_target(), branch_size());
        c_.name = "RET";
        break;
    default:
        emit(0xC2);
        emit16(static_cast<uint32_t>(rng_.below(64)) * (coin() ? 4 : 1));
        poke(c_.r[kEsp], code_target(), branch_size());
        c_.name = "RET imm16";
        break;
    }
}

void Gen::stack()
{
    unsigned form = static_cast<unsigned>(rng_.below(12));
    uint32_t esp = c_.r[kEsp];
    switch (form) {
    case 0: {
        unsigned size = osize();
        emit(static_cast<uint8_t>(0x50 + rng_.below(8)));
        c_.name = "PUSH r" + sz(size);
        break;
    }
    case 1: {
        unsigned size = osize();
        emit(static_cast<uint8_t>(0x58 + rng_.below(8)));
        c_.name = "POP r" + sz(size);
        break;
    }
    case 2: {
        unsigned size = osize();
        maybe_a16();
        emit(0xFF);
        modrm(6, Rm::Any, size);
        c_.name = "PUSH r/m" + sz(size);
        break;
    }
    case 3: {
        // POP r/m computes an ESP-based address after incrementing ESP: keep ESP out.
        unsigned size = osize();
        emit(0x8F);
        if (modrm(0, Rm::Any, size, 1u << kEsp) == false && rm_reg_ == kEsp)
            c_.bytes[c_.len - 1] = static_cast<uint8_t>(c_.bytes[c_.len - 1] & ~7u);
        c_.name = "POP r/m" + sz(size);
        break;
    }
    case 4: {
        unsigned size = osize();
        bool imm8 = coin();
        emit(imm8 ? 0x6A : 0x68);
        emit_imm(imm8 ? 1 : size, value());
        c_.name = std::string("PUSH imm") + (imm8 ? "8" : sz(size));
        break;
    }
    case 5: {
        unsigned size = osize();
        emit(0x9C);
        c_.name = size == 2 ? "PUSHFW" : "PUSHFD";
        break;
    }
    case 6: {
        // TF would single-step the next instruction: left clear; so is NT in protected mode,
        // where a later IRET would take it for a task return.
        unsigned size = osize();
        emit(0x9D);
        uint32_t keep_clear = kTF | (c_.mode == X86Mode::Protected16 ? 1u << 14 : 0);
        poke(esp, static_cast<uint32_t>(rng_.next()) & ~keep_clear, size);
        c_.name = size == 2 ? "POPFW" : "POPFD";
        break;
    }
    case 7: {
        unsigned size = osize();
        emit(0x60);
        c_.name = size == 2 ? "PUSHAW" : "PUSHAD";
        break;
    }
    case 8: {
        unsigned size = osize();
        emit(0x61);
        c_.name = size == 2 ? "POPAW" : "POPAD";
        break;
    }
    case 9:
    case 10: {
        // ENTER: nesting levels copy frame pointers from below EBP, which must be on the stack.
        unsigned level = rng_.chance(3, 4) ? static_cast<unsigned>(rng_.below(4)) : static_cast<unsigned>(rng_.below(256));
        emit(0xC8);
        emit16(static_cast<uint32_t>(rng_.below(512)));
        emit(static_cast<uint8_t>(level));
        set(kEbp, esp + static_cast<uint32_t>(rng_.below(256)) * 4);
        c_.name = (level & 31) == 0 ? "ENTER imm16, 0" : (level & 31) == 1 ? "ENTER imm16, 1" : "ENTER imm16, 2-31";
        break;
    }
    default:
        emit(0xC9);
        set(kEbp, esp + static_cast<uint32_t>(rng_.below(256)) * (coin() ? 4 : 1));
        c_.name = "LEAVE";
        break;
    }
}

void Gen::string(bool rep)
{
    // A4 MOVS, A6 CMPS, AA STOS, AC LODS, AE SCAS; +1 for the word/dword forms.
    static constexpr uint8_t kOps[5] = {0xA4, 0xA6, 0xAA, 0xAC, 0xAE};
    static const char* const kNames[5] = {"MOVS", "CMPS", "STOS", "LODS", "SCAS"};
    unsigned op = static_cast<unsigned>(rng_.below(5));
    bool compares = op == 1 || op == 4;
    uint8_t rep_prefix = 0;
    if (rep) {
        rep_prefix = compares ? (coin() ? 0xF3 : 0xF2) : (rng_.chance(7, 8) ? 0xF3 : 0xF2);
        emit(rep_prefix);
        c_.rep = true;
    }
    bool byte = coin();
    unsigned size = byte ? 1 : osize();
    if (byte)
        c_.features |= kFeatByte;
    bool flip = rng_.chance(1, 6);
    bool a16 = flip != code16_;
    if (flip) {
        emit(0x67);
        c_.features |= kFeatA16;
    }
    emit(static_cast<uint8_t>(kOps[op] + !byte));
    if (c_.eflags & kDF)
        c_.features |= kFeatDf;
    unsigned count = rep ? (rng_.chance(1, 10) ? 0 : static_cast<unsigned>(rng_.below(13))) : 1;
    // Source and destination in the data areas, with room for the whole run either way.
    uint32_t span = 16 * size + 16;
    auto place = [&](unsigned reg) {
        uint32_t a;
        if (a16) {
            a = (c_.r[reg] & 0xFFFF0000u) | static_cast<uint32_t>(rng_.below(0x10000));
        } else {
            a = coin() ? 0x1000 + span + static_cast<uint32_t>(rng_.below(0x1E000 - 0x1000 - 2 * span))
                       : 0x23000 + span + static_cast<uint32_t>(rng_.below(0x2F000 - 0x23000 - 2 * span));
            if (rng_.chance(3, 4))
                a &= ~(size - 1);
        }
        set(reg, a);
    };
    place(kEsi);
    place(kEdi);
    if (rep) {
        uint32_t cx = a16 ? (c_.r[kEcx] & 0xFFFF0000u) | count : count;
        set(kEcx, cx);
    }
    // For CMPS and SCAS, make a prefix of the elements equal so that REPE runs on.
    if (compares && coin()) {
        unsigned n = static_cast<unsigned>(rng_.below(count + 1));
        int step = (c_.eflags & kDF) ? -static_cast<int>(size) : static_cast<int>(size);
        for (unsigned i = 0; i < n; i++) {
            uint32_t off = static_cast<uint32_t>(static_cast<int>(i) * step);
            uint32_t di = c_.r[kEdi] + off, si = c_.r[kEsi] + off;
            if (a16)
                di &= 0xFFFF, si &= 0xFFFF;
            uint32_t v = op == 4 ? c_.r[kEax] : static_cast<uint32_t>(value());
            poke(di, v, size);
            if (op == 1)
                poke(si, v, size);
        }
    }
    c_.name = std::string(rep_prefix == 0xF2 ? (compares ? "REPNE " : "REP(F2) ") : rep_prefix ? (compares ? "REPE " : "REP ") : "") +
              kNames[op] + (size == 1 ? "B" : size == 2 ? "W" : "D") + (a16 ? " (16-bit addressing)" : "");
}

void Gen::flagops()
{
    static constexpr uint8_t kOps[7] = {0xF8, 0xF9, 0xF5, 0xFC, 0xFD, 0x9E, 0x9F};
    static const char* const kNames[7] = {"CLC", "STC", "CMC", "CLD", "STD", "SAHF", "LAHF"};
    unsigned op = static_cast<unsigned>(rng_.below(7));
    emit(kOps[op]);
    c_.name = kNames[op];
}

void Gen::nop()
{
    if (coin()) {
        emit(0x90);
        c_.name = "NOP";
        return;
    }
    unsigned size = osize();
    emit(0x0F);
    emit(0x1F);
    modrm(0, Rm::Any, size);
    c_.name = "NOP r/m" + sz(size) + " (0F 1F /0)";
}

uint16_t Gen::data_selector(bool stack)
{
    if (c_.mode == X86Mode::Real16)
        return static_cast<uint16_t>(rng_.next());
    switch (rng_.below(6)) {
    case 0: return stack ? 0x10 : 0;     // null (for SS a flat stack, as a null SS is #GP)
    case 1: return static_cast<uint16_t>(rng_.next());
    default: return 0x10;
    }
}

// Segment register loads and stores, far transfers and IRET, in the 16-bit modes. The code
// segment is kCode's paragraph in real mode (or a nearby one with a matching offset), selector
// 0x08 in protected mode; data segments are loaded with whatever selector, the rig resets
// them before the next case.
void Gen::segments()
{
    const bool real = c_.mode == X86Mode::Real16;
    static constexpr uint8_t kSregs[5] = {0, 2, 3, 4, 5};  // ES SS DS FS GS (not CS)
    static const char* const kSegNames[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    // A far target: CS and an IP that land in the code region.
    auto far_target = [&](uint16_t& cs, uint32_t& ip) {
        ip = code_target();
        cs = real ? L::kCodeParagraph : 0x08;
        if (real) {
            uint16_t k = static_cast<uint16_t>(rng_.below(0x100));
            cs = static_cast<uint16_t>(cs - k);
            ip += uint32_t{k} << 4;
        }
    };
    unsigned form = static_cast<unsigned>(rng_.below(11));
    uint32_t esp = c_.r[kEsp];
    switch (form) {
    case 0: {  // MOV Sreg, r/m16
        uint8_t sreg = kSregs[rng_.below(5)];
        maybe_a16();
        emit(0x8E);
        bool mem = modrm(sreg, Rm::Any, 2);
        uint16_t sel = data_selector(sreg == 2);
        if (mem)
            poke(ea_, sel, 2);
        else if (rm_reg_ != kEsp)
            c_.r[rm_reg_] = (c_.r[rm_reg_] & 0xFFFF0000u) | sel;
        else
            c_.bytes[c_.len - 1] = static_cast<uint8_t>(c_.bytes[c_.len - 1] & ~7u), c_.r[kEax] = sel;
        c_.name = std::string("MOV ") + kSegNames[sreg] + ", r/m16";
        break;
    }
    case 1: {  // MOV r/m, Sreg
        unsigned sreg = static_cast<unsigned>(rng_.below(6));
        unsigned size = osize();
        maybe_a16();
        emit(0x8C);
        modrm(sreg, Rm::Any, 2);
        c_.name = std::string("MOV r/m") + sz(size) + ", " + kSegNames[sreg];
        break;
    }
    case 2: {  // PUSH Sreg
        unsigned sreg = static_cast<unsigned>(rng_.below(6));
        unsigned size = osize();
        if (sreg < 4) {
            emit(static_cast<uint8_t>(0x06 + sreg * 8));
        } else {
            emit(0x0F);
            emit(sreg == 4 ? 0xA0 : 0xA8);
        }
        c_.name = std::string("PUSH ") + kSegNames[sreg] + " (" + sz(size) + ")";
        break;
    }
    case 3: {  // POP Sreg
        uint8_t sreg = kSregs[rng_.below(5)];
        unsigned size = osize();
        if (sreg < 4) {
            emit(static_cast<uint8_t>(0x07 + sreg * 8));
        } else {
            emit(0x0F);
            emit(sreg == 4 ? 0xA1 : 0xA9);
        }
        poke(esp, data_selector(sreg == 2), size);
        c_.name = std::string("POP ") + kSegNames[sreg] + " (" + sz(size) + ")";
        break;
    }
    case 4: {  // LES LDS LSS LFS LGS r, m16:16/32
        static constexpr uint8_t kSeg[5] = {0, 3, 2, 4, 5};
        unsigned which = static_cast<unsigned>(rng_.below(5));
        unsigned size = osize();
        maybe_a16();
        if (which < 2) {
            emit(which == 0 ? 0xC4 : 0xC5);
        } else {
            emit(0x0F);
            emit(static_cast<uint8_t>(which == 2 ? 0xB2 : which == 3 ? 0xB4 : 0xB5));
        }
        // The destination register must not be the stack pointer (LSS would load both).
        unsigned reg = static_cast<unsigned>(rng_.below(7));
        reg += reg >= kEsp;
        modrm(reg, Rm::MemOnly, size);
        poke(ea_, value(), size);
        poke(ea_ + size, data_selector(kSeg[which] == 2), 2);
        static const char* const kNames[5] = {"LES", "LDS", "LSS", "LFS", "LGS"};
        c_.name = std::string(kNames[which]) + " r" + sz(size) + ", m16:" + sz(size);
        break;
    }
    case 5:
    case 6: {  // JMP/CALL far ptr16:16 (ptr16:32 with 0x66)
        bool call = form == 6;
        unsigned size = osize();
        uint16_t cs;
        uint32_t ip;
        far_target(cs, ip);
        emit(call ? 0x9A : 0xEA);
        emit_imm(size, ip);
        emit16(cs);
        c_.name = std::string(call ? "CALL" : "JMP") + " far ptr16:" + sz(size);
        break;
    }
    case 7: {  // JMP/CALL far m16:16 (FF /5, FF /3)
        bool call = coin();
        unsigned size = osize();
        uint16_t cs;
        uint32_t ip;
        far_target(cs, ip);
        maybe_a16();
        emit(0xFF);
        modrm(call ? 3 : 5, Rm::MemOnly, size);
        poke(ea_, ip, size);
        poke(ea_ + size, cs, 2);
        c_.name = std::string(call ? "CALL" : "JMP") + " far m16:" + sz(size);
        break;
    }
    case 8:
    case 9: {  // RETF, RETF imm16
        unsigned size = osize();
        uint16_t cs;
        uint32_t ip;
        far_target(cs, ip);
        bool imm = form == 9;
        emit(imm ? 0xCA : 0xCB);
        if (imm)
            emit16(static_cast<uint32_t>(rng_.below(64)) * 2);
        poke(esp, ip, size);
        poke(esp + size, cs, size);
        c_.name = std::string(imm ? "RETF imm16" : "RETF") + " (" + sz(size) + ")";
        break;
    }
    default: {  // IRET: FLAGS with TF (and NT in protected mode) clear
        unsigned size = osize();
        uint16_t cs;
        uint32_t ip;
        far_target(cs, ip);
        emit(0xCF);
        uint32_t flags = (static_cast<uint32_t>(rng_.next()) & 0x0000FFD5u) | 2;
        flags &= ~(kTF | (real ? 0 : 1u << 14));
        if (size == 4)
            flags |= static_cast<uint32_t>(rng_.next()) & ((1u << 18) | (1u << 21));  // AC, ID
        poke(esp, ip, size);
        poke(esp + size, cs, size);
        poke(esp + 2 * size, flags, size);
        c_.name = std::string("IRET") + (size == 4 ? "D" : "");
        break;
    }
    }
}

}  // namespace

X86Case random_x86_case(SplitMix64& rng, X86Mode mode)
{
    X86Case c{};
    Gen(rng, c, mode).build();
    return c;
}

}  // namespace emu::test
