// The two-byte opcode map, 0F xx (Intel SDM vol. 2, table A-3), as far as an i686 without
// MMX or SSE has it, and its ModRM.reg groups 6-9 and 15.
#include "cpu/x86/opcode_table.h"
#include "cpu/x86/operands.h"
#include "cpu/x86/x87_insns.h"

namespace emu::x86 {

namespace {

using namespace handlers;

constexpr unsigned sized(unsigned osize, uint8_t opcode) { return (opcode & 1) ? osize : 1; }

// Group 6 (0F 00): SLDT STR LLDT LTR VERR VERW. Loading LDTR or TR ends the block.
Handler group6_select(Op&, unsigned, uint8_t) { return group6(); }
constexpr GroupTable kGroup6 = make_group({
    {0, 1, {"SLDT/STR Ew", 0, Imm::None, group6_select}},
    {2, 3, {"LLDT/LTR Ew", kEndBlock, Imm::None, group6_select}},
    {4, 5, {"VERR/VERW Ew", 0, Imm::None, group6_select}},
});

// Group 7 (0F 01): SGDT SIDT LGDT LIDT SMSW LMSW INVLPG.
Handler group7_select(Op&, unsigned, uint8_t) { return group7(); }
constexpr GroupTable kGroup7 = make_group({
    {0, 1, {"SGDT/SIDT Ms", kMemoryOnly, Imm::None, group7_select}},
    {2, 3, {"LGDT/LIDT Ms", kMemoryOnly | kEndBlock, Imm::None, group7_select}},
    {4, 4, {"SMSW Ew", kEndBlock, Imm::None, group7_select}},
    {6, 6, {"LMSW Ew", kEndBlock, Imm::None, group7_select}},
    {7, 7, {"INVLPG M", kMemoryOnly | kEndBlock, Imm::None, group7_select}},
});

// Group 8 (0F BA): BT BTS BTR BTC Ev,Ib.
constexpr GroupTable kGroup8 = make_group({
    {4, 4, {"BT Ev,Ib", 0, Imm::None, [](Op&, unsigned v, uint8_t) { return bit_test(BitOp::Test, true, v); }}},
    {5, 5, {"BTS Ev,Ib", kLockable, Imm::None, [](Op&, unsigned v, uint8_t) { return bit_test(BitOp::Set, true, v); }}},
    {6, 6, {"BTR Ev,Ib", kLockable, Imm::None, [](Op&, unsigned v, uint8_t) { return bit_test(BitOp::Reset, true, v); }}},
    {7, 7, {"BTC Ev,Ib", kLockable, Imm::None,
            [](Op&, unsigned v, uint8_t) { return bit_test(BitOp::Complement, true, v); }}},
});

// Group 15 (0F AE): FXSAVE and FXRSTOR; the rest (SSE's LDMXCSR, STMXCSR, the fences and
// CLFLUSH) belongs to extensions this CPU does not report.
constexpr GroupTable kGroup15 = make_group({
    {0, 0, {"FXSAVE M512", kMemoryOnly, Imm::None, [](Op&, unsigned, uint8_t) { return fpu::fxsave(false); }}},
    {1, 1, {"FXRSTOR M512", kMemoryOnly, Imm::None, [](Op&, unsigned, uint8_t) { return fpu::fxsave(true); }}},
});

// Group 9 (0F C7): CMPXCHG8B Mq.
constexpr GroupTable kGroup9 = make_group({
    {1, 1, {"CMPXCHG8B Mq", kMemoryOnly | kLockable, Imm::None, [](Op&, unsigned, uint8_t) { return cmpxchg8b(); }}},
});

Handler far_pointer_load(Op& op, unsigned v, uint8_t o)
{
    op.aux = o == 0xB2 ? kSs : o == 0xB4 ? kFs : kGs;
    return load_far_pointer(v);
}

constexpr std::array<OpcodeDef, 256> kTwoByte = make_opcode_table<256>({
    {0x00, 0x00, {"group 6", kModRM, Imm::None, nullptr, &kGroup6}},
    {0x01, 0x01, {"group 7", kModRM, Imm::None, nullptr, &kGroup7}},
    {0x02, 0x03, {"LAR/LSL Gv,Ew", kModRM, Imm::None, [](Op& op, unsigned v, uint8_t o) {
                      op.aux = o & 1;
                      return lar_lsl(v);
                  }}},
    {0x06, 0x06, {"CLTS", kEndBlock, Imm::None, [](Op&, unsigned, uint8_t) { return clts(); }}},
    {0x08, 0x09, {"INVD/WBINVD", 0, Imm::None, [](Op&, unsigned, uint8_t) { return cache_op(); }}},
    {0x1F, 0x1F, {"NOP Ev", kModRM, Imm::None, [](Op&, unsigned, uint8_t) { return nop(); }}},
    {0x20, 0x20, {"MOV Rd,Cd", kModRM | kModRMRegOnly | kEndBlock, Imm::None,
                  [](Op& op, unsigned, uint8_t) { op.aux = 0; return mov_cr(); }}},
    {0x22, 0x22, {"MOV Cd,Rd", kModRM | kModRMRegOnly | kEndBlock, Imm::None,
                  [](Op& op, unsigned, uint8_t) { op.aux = 1; return mov_cr(); }}},
    {0x21, 0x21, {"MOV Rd,Dd", kModRM | kModRMRegOnly | kEndBlock, Imm::None,
                  [](Op& op, unsigned, uint8_t) { op.aux = 0; return mov_dr(); }}},
    {0x23, 0x23, {"MOV Dd,Rd", kModRM | kModRMRegOnly | kEndBlock, Imm::None,
                  [](Op& op, unsigned, uint8_t) { op.aux = 1; return mov_dr(); }}},
    {0x30, 0x30, {"WRMSR", kEndBlock, Imm::None, [](Op& op, unsigned, uint8_t) { op.aux = 1; return rdmsr_wrmsr(); }}},
    {0x31, 0x31, {"RDTSC", 0, Imm::None, [](Op&, unsigned, uint8_t) { return rdtsc(); }}},
    {0x32, 0x32, {"RDMSR", kEndBlock, Imm::None, [](Op& op, unsigned, uint8_t) { op.aux = 0; return rdmsr_wrmsr(); }}},
    {0x40, 0x4F, {"CMOVcc Gv,Ev", kModRM, Imm::None, [](Op&, unsigned v, uint8_t o) { return cmovcc(o & 0xF, v); }}},
    {0x80, 0x8F, {"Jcc Jz", kEndBlock, Imm::IzS, [](Op& op, unsigned v, uint8_t o) {
                      op.aux = o & 0xF;
                      return jcc(op.aux, v);
                  }}},
    {0x90, 0x9F, {"SETcc Eb", kModRM, Imm::None, [](Op&, unsigned, uint8_t o) { return setcc(o & 0xF); }}},
    {0xA0, 0xA0, {"PUSH FS", 0, Imm::None, [](Op& op, unsigned v, uint8_t) { op.aux = kFs; return push_seg(v); }}},
    {0xA1, 0xA1, {"POP FS", kEndBlock, Imm::None, [](Op& op, unsigned v, uint8_t) { op.aux = kFs; return pop_seg(v); }}},
    {0xA2, 0xA2, {"CPUID", 0, Imm::None, [](Op&, unsigned, uint8_t) { return cpuid(); }}},
    {0xA3, 0xA3, {"BT Ev,Gv", kModRM, Imm::None, [](Op&, unsigned v, uint8_t) { return bit_test(BitOp::Test, false, v); }}},
    {0xA4, 0xA4, {"SHLD Ev,Gv,Ib", kModRM, Imm::Ib, [](Op&, unsigned v, uint8_t) { return double_shift(false, false, v); }}},
    {0xA5, 0xA5, {"SHLD Ev,Gv,CL", kModRM, Imm::None, [](Op&, unsigned v, uint8_t) { return double_shift(false, true, v); }}},
    {0xA8, 0xA8, {"PUSH GS", 0, Imm::None, [](Op& op, unsigned v, uint8_t) { op.aux = kGs; return push_seg(v); }}},
    {0xA9, 0xA9, {"POP GS", kEndBlock, Imm::None, [](Op& op, unsigned v, uint8_t) { op.aux = kGs; return pop_seg(v); }}},
    {0xAB, 0xAB, {"BTS Ev,Gv", kModRM | kLockable, Imm::None, [](Op&, unsigned v, uint8_t) { return bit_test(BitOp::Set, false, v); }}},
    {0xAC, 0xAC, {"SHRD Ev,Gv,Ib", kModRM, Imm::Ib, [](Op&, unsigned v, uint8_t) { return double_shift(true, false, v); }}},
    {0xAD, 0xAD, {"SHRD Ev,Gv,CL", kModRM, Imm::None, [](Op&, unsigned v, uint8_t) { return double_shift(true, true, v); }}},
    {0xAE, 0xAE, {"group 15", kModRM, Imm::None, nullptr, &kGroup15}},
    {0xAF, 0xAF, {"IMUL Gv,Ev", kModRM, Imm::None, [](Op& op, unsigned v, uint8_t) { op.aux = 0; return imul_reg(v); }}},
    {0xB0, 0xB1, {"CMPXCHG Ev,Gv", kModRM | kLockable, Imm::None, [](Op&, unsigned v, uint8_t o) { return cmpxchg(sized(v, o)); }}},
    {0xB2, 0xB2, {"LSS Gv,Mp", kModRM | kMemoryOnly | kEndBlock, Imm::None, far_pointer_load}},
    {0xB3, 0xB3, {"BTR Ev,Gv", kModRM | kLockable, Imm::None, [](Op&, unsigned v, uint8_t) { return bit_test(BitOp::Reset, false, v); }}},
    {0xB4, 0xB5, {"LFS/LGS Gv,Mp", kModRM | kMemoryOnly | kEndBlock, Imm::None, far_pointer_load}},
    {0xB6, 0xB7, {"MOVZX Gv,Eb/Ew", kModRM, Imm::None, [](Op&, unsigned v, uint8_t o) { return movx(false, o & 1 ? 2 : 1, v); }}},
    {0xBA, 0xBA, {"group 8 Ev,Ib", kModRM, Imm::Ib, nullptr, &kGroup8}},
    {0xBB, 0xBB, {"BTC Ev,Gv", kModRM | kLockable, Imm::None,
                  [](Op&, unsigned v, uint8_t) { return bit_test(BitOp::Complement, false, v); }}},
    {0xBC, 0xBD, {"BSF/BSR Gv,Ev", kModRM, Imm::None, [](Op&, unsigned v, uint8_t o) { return bit_scan(o == 0xBD, v); }}},
    {0xBE, 0xBF, {"MOVSX Gv,Eb/Ew", kModRM, Imm::None, [](Op&, unsigned v, uint8_t o) { return movx(true, o & 1 ? 2 : 1, v); }}},
    {0xC0, 0xC1, {"XADD Ev,Gv", kModRM | kLockable, Imm::None, [](Op&, unsigned v, uint8_t o) { return xadd(sized(v, o)); }}},
    {0xC7, 0xC7, {"group 9", kModRM, Imm::None, nullptr, &kGroup9}},
    {0xC8, 0xCF, {"BSWAP Zd", kRegInOpcode, Imm::None, [](Op&, unsigned, uint8_t) { return bswap(); }}},
});

}  // namespace

const std::array<OpcodeDef, 256>& two_byte_opcodes() { return kTwoByte; }

}  // namespace emu::x86
