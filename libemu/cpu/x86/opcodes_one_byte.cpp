// The one-byte opcode map (Intel SDM vol. 2, table A-2) and its ModRM.reg groups 1-5 and 11,
// for 32-bit and 16-bit operand sizes. Prefixes and the 0F escape belong to the decoder; the x87
// escapes D8-DF have their own tables (opcodes_x87.cpp).
#include "cpu/x86/opcode_table.h"
#include "cpu/x86/operands.h"
#include "cpu/x86/x87_insns.h"

namespace emu::x86 {

namespace {

using namespace handlers;

// Byte-sized forms have even opcodes, full-size ones odd.
constexpr unsigned sized(unsigned osize, uint8_t opcode) { return (opcode & 1) ? osize : 1; }

// The eight ALU operations (ADD OR ADC SBB AND SUB XOR CMP) in their six forms at 8*op..8*op+5.
// CMP writes nothing, so LOCK on it is #UD.
#define X86_ALU_ROW(base, name, lockable)                                                                          \
    {base + 0, base + 1, {name, kModRM | (lockable), Imm::None, [](Op& op, unsigned v, uint8_t o) {                \
                              op.aux = o >> 3;                                                                     \
                              return alu(AluForm::RmReg, sized(v, o), op.aux);                                     \
                          }}},                                                                                     \
        {base + 2, base + 3, {name, kModRM, Imm::None, [](Op& op, unsigned v, uint8_t o) {                         \
                                  op.aux = o >> 3;                                                                 \
                                  return alu(AluForm::RegRm, sized(v, o), op.aux);                                 \
                              }}},                                                                                 \
        {base + 4, base + 4, {name, 0, Imm::Ib, [](Op& op, unsigned, uint8_t o) {                                  \
                                  op.aux = o >> 3;                                                                 \
                                  return alu(AluForm::AccImm, 1, op.aux);                                          \
                              }}},                                                                                 \
        {base + 5, base + 5, {name, 0, Imm::Iz, [](Op& op, unsigned v, uint8_t o) {                                \
                                  op.aux = o >> 3;                                                                 \
                                  return alu(AluForm::AccImm, v, op.aux);                                          \
                              }}}

// Group 1 (80-83): the ALU operation is ModRM.reg.
Handler group1_select(Op& op, unsigned v, uint8_t o)
{
    op.aux = op.reg;
    return alu(AluForm::RmImm, o == 0x81 || o == 0x83 ? v : 1, op.aux);
}
constexpr GroupTable kGroup1 = make_group({
    {0, 6, {"ALU Ev,I", kLockable, Imm::None, group1_select}},
    {7, 7, {"CMP Ev,I", 0, Imm::None, group1_select}},
});

// Group 2 (C0, C1, D0-D3): rotates and shifts, the kind in ModRM.reg. A register shifted by an
// immediate has its count masked here (to 5 bits, as the processor does): by 0 it changes
// nothing, flags included, and by 1 it is the by-one form.
Handler shift_select(ShiftCount count, Op& op, unsigned v, uint8_t o)
{
    op.aux = op.reg;
    const bool reg = op.rm != kNoReg;
    if (count == ShiftCount::Imm && reg) {
        op.imm &= 31;
        if (op.imm == 0)
            return nop();
        if (op.imm == 1)
            count = ShiftCount::One;
    }
    return shift(count, sized(v, o), op.aux, reg);
}
constexpr GroupTable kGroup2Imm = make_group({{0, 7, {"shift Ev,Ib", 0, Imm::Ib, [](Op& op, unsigned v, uint8_t o) {
                                                          return shift_select(ShiftCount::Imm, op, v, o);
                                                      }}}});
constexpr GroupTable kGroup2One = make_group({{0, 7, {"shift Ev,1", 0, Imm::None, [](Op& op, unsigned v, uint8_t o) {
                                                          return shift_select(ShiftCount::One, op, v, o);
                                                      }}}});
constexpr GroupTable kGroup2Cl = make_group({{0, 7, {"shift Ev,CL", 0, Imm::None, [](Op& op, unsigned v, uint8_t o) {
                                                         return shift_select(ShiftCount::Cl, op, v, o);
                                                     }}}});

// Group 3 (F6, F7): TEST takes an immediate; NOT and NEG write memory (lockable).
Handler group3_select(Op&, unsigned v, uint8_t o) { return group3(sized(v, o)); }
consteval GroupTable group3_table(Imm test_imm)
{
    return make_group({
        {0, 1, {"TEST Ev,I", 0, test_imm, group3_select}},
        {2, 3, {"NOT/NEG Ev", kLockable, Imm::None, group3_select}},
        {4, 7, {"MUL/IMUL/DIV/IDIV Ev", 0, Imm::None, group3_select}},
    });
}
constexpr GroupTable kGroup3Byte = group3_table(Imm::Ib);
constexpr GroupTable kGroup3Full = group3_table(Imm::Iz);

// Group 4 (FE): INC/DEC Eb. Group 5 (FF): INC, DEC, CALL, CALLF, JMP, JMPF, PUSH Ev.
constexpr GroupTable kGroup4 = make_group({
    {0, 1, {"INC/DEC Eb", kLockable, Imm::None, [](Op& op, unsigned, uint8_t) { return inc_dec(op.reg == 1, false, 1); }}},
});
constexpr GroupTable kGroup5 = make_group({
    {0, 1, {"INC/DEC Ev", kLockable, Imm::None, [](Op& op, unsigned v, uint8_t) { return inc_dec(op.reg == 1, false, v); }}},
    {2, 2, {"CALL Ev", kEndBlock, Imm::None, [](Op&, unsigned v, uint8_t) { return call_rm(v); }}},
    {3, 3, {"CALLF Mp", kEndBlock | kMemoryOnly, Imm::None,
            [](Op&, unsigned v, uint8_t) { return far_jmp_call(FarKind::Call, FarTarget::Memory, v); }}},
    {4, 4, {"JMP Ev", kEndBlock, Imm::None, [](Op&, unsigned v, uint8_t) { return jmp_rm(v); }}},
    {5, 5, {"JMPF Mp", kEndBlock | kMemoryOnly, Imm::None,
            [](Op&, unsigned v, uint8_t) { return far_jmp_call(FarKind::Jump, FarTarget::Memory, v); }}},
    {6, 6, {"PUSH Ev", 0, Imm::None, [](Op&, unsigned v, uint8_t) { return push(StackForm::Rm, v); }}},
});

// Group 1A (8F): POP Ev. Group 11 (C6, C7): MOV Ev,I.
constexpr GroupTable kGroup1A = make_group({
    {0, 0, {"POP Ev", 0, Imm::None, [](Op&, unsigned v, uint8_t) { return pop(StackForm::Rm, v); }}},
});
constexpr GroupTable kGroup11Byte = make_group({
    {0, 0, {"MOV Eb,Ib", 0, Imm::Ib, [](Op&, unsigned, uint8_t) { return mov(MovForm::RmImm, 1); }}},
});
constexpr GroupTable kGroup11Full = make_group({
    {0, 0, {"MOV Ev,Iz", 0, Imm::Iz, [](Op&, unsigned v, uint8_t) { return mov(MovForm::RmImm, v); }}},
});

Handler with_opcode_aux(Op& op, uint8_t o, Handler h)
{
    op.aux = o;
    return h;
}

constexpr std::array<OpcodeDef, 256> kOneByte = make_opcode_table<256>({
    X86_ALU_ROW(0x00, "ADD", kLockable),
    X86_ALU_ROW(0x08, "OR", kLockable),
    X86_ALU_ROW(0x10, "ADC", kLockable),
    X86_ALU_ROW(0x18, "SBB", kLockable),
    X86_ALU_ROW(0x20, "AND", kLockable),
    X86_ALU_ROW(0x28, "SUB", kLockable),
    X86_ALU_ROW(0x30, "XOR", kLockable),
    X86_ALU_ROW(0x38, "CMP", 0),
    {0x06, 0x06, {"PUSH ES", 0, Imm::None, [](Op& op, unsigned v, uint8_t o) { op.aux = o >> 3; return push_seg(v); }}},
    {0x0E, 0x0E, {"PUSH CS", 0, Imm::None, [](Op& op, unsigned v, uint8_t o) { op.aux = o >> 3; return push_seg(v); }}},
    {0x16, 0x16, {"PUSH SS", 0, Imm::None, [](Op& op, unsigned v, uint8_t o) { op.aux = o >> 3; return push_seg(v); }}},
    {0x1E, 0x1E, {"PUSH DS", 0, Imm::None, [](Op& op, unsigned v, uint8_t o) { op.aux = o >> 3; return push_seg(v); }}},
    {0x07, 0x07, {"POP ES", kEndBlock, Imm::None, [](Op& op, unsigned v, uint8_t o) { op.aux = o >> 3; return pop_seg(v); }}},
    {0x17, 0x17, {"POP SS", kEndBlock, Imm::None, [](Op& op, unsigned v, uint8_t o) { op.aux = o >> 3; return pop_seg(v); }}},
    {0x1F, 0x1F, {"POP DS", kEndBlock, Imm::None, [](Op& op, unsigned v, uint8_t o) { op.aux = o >> 3; return pop_seg(v); }}},
    {0x27, 0x27, {"DAA", 0, Imm::None, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, bcd()); }}},
    {0x2F, 0x2F, {"DAS", 0, Imm::None, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, bcd()); }}},
    {0x37, 0x37, {"AAA", 0, Imm::None, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, bcd()); }}},
    {0x3F, 0x3F, {"AAS", 0, Imm::None, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, bcd()); }}},
    {0x40, 0x47, {"INC Zv", kRegInOpcode, Imm::None, [](Op&, unsigned v, uint8_t) { return inc_dec(false, true, v); }}},
    {0x48, 0x4F, {"DEC Zv", kRegInOpcode, Imm::None, [](Op&, unsigned v, uint8_t) { return inc_dec(true, true, v); }}},
    {0x50, 0x57, {"PUSH Zv", kRegInOpcode, Imm::None, [](Op&, unsigned v, uint8_t) { return push(StackForm::Reg, v); }}},
    {0x58, 0x5F, {"POP Zv", kRegInOpcode, Imm::None, [](Op&, unsigned v, uint8_t) { return pop(StackForm::Reg, v); }}},
    {0x60, 0x60, {"PUSHA", 0, Imm::None, [](Op&, unsigned v, uint8_t) { return pusha(v); }}},
    {0x61, 0x61, {"POPA", 0, Imm::None, [](Op&, unsigned v, uint8_t) { return popa(v); }}},
    {0x62, 0x62, {"BOUND Gv,Ma", kModRM | kMemoryOnly | kEndBlock, Imm::None, [](Op&, unsigned v, uint8_t) { return bound(v); }}},
    {0x63, 0x63, {"ARPL Ew,Gw", kModRM, Imm::None, [](Op&, unsigned, uint8_t) { return arpl(); }}},
    {0x68, 0x68, {"PUSH Iz", 0, Imm::Iz, [](Op&, unsigned v, uint8_t) { return push(StackForm::Imm, v); }}},
    {0x69, 0x69, {"IMUL Gv,Ev,Iz", kModRM, Imm::IzS, [](Op& op, unsigned v, uint8_t) { op.aux = 1; return imul_reg(v); }}},
    {0x6A, 0x6A, {"PUSH Ib", 0, Imm::IbS, [](Op&, unsigned v, uint8_t) { return push(StackForm::Imm, v); }}},
    {0x6B, 0x6B, {"IMUL Gv,Ev,Ib", kModRM, Imm::IbS, [](Op& op, unsigned v, uint8_t) { op.aux = 1; return imul_reg(v); }}},
    {0x6C, 0x6D, {"INS", kEndBlock, Imm::None, [](Op& op, unsigned v, uint8_t o) {
                      op.aux = 0;
                      op.seg = kEs;  // the destination is ES:EDI, whatever the prefixes say
                      return io_string(sized(v, o));
                  }}},
    {0x6E, 0x6F, {"OUTS", kEndBlock, Imm::None, [](Op& op, unsigned v, uint8_t o) {
                      op.aux = 1;
                      return io_string(sized(v, o));
                  }}},
    {0x70, 0x7F, {"Jcc Jb", kEndBlock, Imm::IbS, [](Op& op, unsigned v, uint8_t o) {
                      op.aux = o & 0xF;
                      return jcc(op.aux, v);
                  }}},
    {0x80, 0x80, {"group 1 Eb,Ib", kModRM, Imm::Ib, nullptr, &kGroup1}},
    {0x81, 0x81, {"group 1 Ev,Iz", kModRM, Imm::Iz, nullptr, &kGroup1}},
    {0x82, 0x82, {"group 1 Eb,Ib", kModRM, Imm::Ib, nullptr, &kGroup1}},
    {0x83, 0x83, {"group 1 Ev,Ib", kModRM, Imm::IbS, nullptr, &kGroup1}},
    {0x84, 0x85, {"TEST Ev,Gv", kModRM, Imm::None, [](Op&, unsigned v, uint8_t o) { return test(false, sized(v, o)); }}},
    {0x86, 0x87, {"XCHG Ev,Gv", kModRM | kLockable, Imm::None, [](Op&, unsigned v, uint8_t o) { return xchg(false, sized(v, o)); }}},
    {0x88, 0x89, {"MOV Ev,Gv", kModRM, Imm::None, [](Op&, unsigned v, uint8_t o) { return mov(MovForm::RmReg, sized(v, o)); }}},
    {0x8A, 0x8B, {"MOV Gv,Ev", kModRM, Imm::None, [](Op&, unsigned v, uint8_t o) { return mov(MovForm::RegRm, sized(v, o)); }}},
    {0x8C, 0x8C, {"MOV Ev,Sw", kModRM, Imm::None,
                  [](Op& op, unsigned, uint8_t) { return op.reg < kNumSegs ? mov_from_seg() : nullptr; }}},
    {0x8D, 0x8D, {"LEA Gv,M", kModRM | kMemoryOnly, Imm::None, [](Op&, unsigned v, uint8_t) { return lea(v); }}},
    {0x8E, 0x8E, {"MOV Sw,Ew", kModRM | kEndBlock, Imm::None,
                  [](Op& op, unsigned, uint8_t) { return op.reg < kNumSegs && op.reg != kCs ? mov_to_seg() : nullptr; }}},
    {0x8F, 0x8F, {"group 1A", kModRM, Imm::None, nullptr, &kGroup1A}},
    {0x90, 0x90, {"NOP", 0, Imm::None, [](Op&, unsigned, uint8_t) { return nop(); }}},  // PAUSE with F3
    {0x91, 0x97, {"XCHG Zv,eAX", kRegInOpcode, Imm::None, [](Op&, unsigned v, uint8_t) { return xchg(true, v); }}},
    {0x98, 0x98, {"CBW/CWDE", 0, Imm::None, [](Op&, unsigned v, uint8_t) { return convert(Convert::Widen, v); }}},
    {0x99, 0x99, {"CWD/CDQ", 0, Imm::None, [](Op&, unsigned v, uint8_t) { return convert(Convert::Split, v); }}},
    {0x9A, 0x9A, {"CALLF Ap", kEndBlock, Imm::FarPtr,
                  [](Op&, unsigned v, uint8_t) { return far_jmp_call(FarKind::Call, FarTarget::Pointer, v); }}},
    {0x9B, 0x9B, {"WAIT", 0, Imm::None, [](Op&, unsigned, uint8_t) { return fpu::wait(); }}},
    {0x9C, 0x9C, {"PUSHF", 0, Imm::None, [](Op&, unsigned v, uint8_t) { return pushf(v); }}},
    {0x9D, 0x9D, {"POPF", kEndBlock, Imm::None, [](Op&, unsigned v, uint8_t) { return popf(v); }}},
    {0x9E, 0x9F, {"SAHF/LAHF", 0, Imm::None, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, flag_op()); }}},
    {0xA0, 0xA1, {"MOV eAX,Ov", 0, Imm::Moffs, [](Op&, unsigned v, uint8_t o) { return mov(MovForm::AccMoffs, sized(v, o)); }}},
    {0xA2, 0xA3, {"MOV Ov,eAX", 0, Imm::Moffs, [](Op&, unsigned v, uint8_t o) { return mov(MovForm::MoffsAcc, sized(v, o)); }}},
    {0xA4, 0xA7, {"MOVS/CMPS", kEndIfRep, Imm::None, [](Op& op, unsigned v, uint8_t o) {
                      return with_opcode_aux(op, o, string_op(sized(v, o), o, op));
                  }}},
    {0xA8, 0xA8, {"TEST AL,Ib", 0, Imm::Ib, [](Op&, unsigned, uint8_t) { return test(true, 1); }}},
    {0xA9, 0xA9, {"TEST eAX,Iz", 0, Imm::Iz, [](Op&, unsigned v, uint8_t) { return test(true, v); }}},
    {0xAA, 0xAF, {"STOS/LODS/SCAS", kEndIfRep, Imm::None, [](Op& op, unsigned v, uint8_t o) {
                      return with_opcode_aux(op, o, string_op(sized(v, o), o, op));
                  }}},
    {0xB0, 0xB7, {"MOV Zb,Ib", kRegInOpcode, Imm::Ib, [](Op&, unsigned, uint8_t) { return mov(MovForm::RegImm, 1); }}},
    {0xB8, 0xBF, {"MOV Zv,Iz", kRegInOpcode, Imm::Iz, [](Op&, unsigned v, uint8_t) { return mov(MovForm::RegImm, v); }}},
    {0xC0, 0xC1, {"group 2 Ev,Ib", kModRM, Imm::None, nullptr, &kGroup2Imm}},
    {0xC2, 0xC2, {"RET Iw", kEndBlock, Imm::Iw, [](Op&, unsigned v, uint8_t) { return ret(v); }}},
    {0xC3, 0xC3, {"RET", kEndBlock, Imm::None, [](Op&, unsigned v, uint8_t) { return ret(v); }}},
    {0xC4, 0xC4, {"LES Gv,Mp", kModRM | kMemoryOnly | kEndBlock, Imm::None,
                  [](Op& op, unsigned v, uint8_t) { op.aux = kEs; return load_far_pointer(v); }}},
    {0xC5, 0xC5, {"LDS Gv,Mp", kModRM | kMemoryOnly | kEndBlock, Imm::None,
                  [](Op& op, unsigned v, uint8_t) { op.aux = kDs; return load_far_pointer(v); }}},
    {0xC6, 0xC6, {"group 11 Eb,Ib", kModRM, Imm::None, nullptr, &kGroup11Byte}},
    {0xC7, 0xC7, {"group 11 Ev,Iz", kModRM, Imm::None, nullptr, &kGroup11Full}},
    {0xC8, 0xC8, {"ENTER Iw,Ib", 0, Imm::IwIb, [](Op&, unsigned v, uint8_t) { return enter(v); }}},
    {0xC9, 0xC9, {"LEAVE", 0, Imm::None, [](Op&, unsigned v, uint8_t) { return leave(v); }}},
    {0xCA, 0xCA, {"RETF Iw", kEndBlock, Imm::Iw, [](Op&, unsigned v, uint8_t) { return far_ret(v); }}},
    {0xCB, 0xCB, {"RETF", kEndBlock, Imm::None, [](Op&, unsigned v, uint8_t) { return far_ret(v); }}},
    {0xCC, 0xCC, {"INT3", kEndBlock, Imm::None, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, int_n()); }}},
    {0xCD, 0xCD, {"INT Ib", kEndBlock, Imm::Ib, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, int_n()); }}},
    {0xCE, 0xCE, {"INTO", kEndBlock, Imm::None, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, int_n()); }}},
    {0xCF, 0xCF, {"IRET", kEndBlock, Imm::None, [](Op&, unsigned v, uint8_t) { return iret(v); }}},
    {0xD0, 0xD1, {"group 2 Ev,1", kModRM, Imm::None, nullptr, &kGroup2One}},
    {0xD2, 0xD3, {"group 2 Ev,CL", kModRM, Imm::None, nullptr, &kGroup2Cl}},
    {0xD4, 0xD5, {"AAM/AAD Ib", 0, Imm::Ib, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, bcd()); }}},
    {0xD6, 0xD6, {"SALC", 0, Imm::None, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, bcd()); }}},
    {0xD7, 0xD7, {"XLAT", 0, Imm::None, [](Op&, unsigned, uint8_t) { return xlat(); }}},
    {0xD8, 0xD8, {"x87 escape D8", kModRM, Imm::None, nullptr, nullptr, &kX87Escapes[0]}},
    {0xD9, 0xD9, {"x87 escape D9", kModRM, Imm::None, nullptr, nullptr, &kX87Escapes[1]}},
    {0xDA, 0xDA, {"x87 escape DA", kModRM, Imm::None, nullptr, nullptr, &kX87Escapes[2]}},
    {0xDB, 0xDB, {"x87 escape DB", kModRM, Imm::None, nullptr, nullptr, &kX87Escapes[3]}},
    {0xDC, 0xDC, {"x87 escape DC", kModRM, Imm::None, nullptr, nullptr, &kX87Escapes[4]}},
    {0xDD, 0xDD, {"x87 escape DD", kModRM, Imm::None, nullptr, nullptr, &kX87Escapes[5]}},
    {0xDE, 0xDE, {"x87 escape DE", kModRM, Imm::None, nullptr, nullptr, &kX87Escapes[6]}},
    {0xDF, 0xDF, {"x87 escape DF", kModRM, Imm::None, nullptr, nullptr, &kX87Escapes[7]}},
    {0xE0, 0xE3, {"LOOPcc/JeCXZ Jb", kEndBlock, Imm::IbS, [](Op& op, unsigned, uint8_t o) {
                      op.aux = o & 3;
                      return loop();
                  }}},
    {0xE4, 0xE5, {"IN eAX,Ib", kEndBlock, Imm::Ib, [](Op& op, unsigned v, uint8_t o) { op.aux = 0; return in_out(sized(v, o)); }}},
    {0xE6, 0xE7, {"OUT Ib,eAX", kEndBlock, Imm::Ib, [](Op& op, unsigned v, uint8_t o) { op.aux = 1; return in_out(sized(v, o)); }}},
    {0xE8, 0xE8, {"CALL Jz", kEndBlock, Imm::IzS, [](Op&, unsigned v, uint8_t) { return call_rel(v); }}},
    {0xE9, 0xE9, {"JMP Jz", kEndBlock, Imm::IzS, [](Op&, unsigned v, uint8_t) { return jmp_rel(v); }}},
    {0xEA, 0xEA, {"JMPF Ap", kEndBlock, Imm::FarPtr,
                  [](Op&, unsigned v, uint8_t) { return far_jmp_call(FarKind::Jump, FarTarget::Pointer, v); }}},
    {0xEB, 0xEB, {"JMP Jb", kEndBlock, Imm::IbS, [](Op&, unsigned v, uint8_t) { return jmp_rel(v); }}},
    {0xEC, 0xED, {"IN eAX,DX", kEndBlock, Imm::None, [](Op& op, unsigned v, uint8_t o) { op.aux = 2; return in_out(sized(v, o)); }}},
    {0xEE, 0xEF, {"OUT DX,eAX", kEndBlock, Imm::None, [](Op& op, unsigned v, uint8_t o) { op.aux = 3; return in_out(sized(v, o)); }}},
    {0xF1, 0xF1, {"INT1", kEndBlock, Imm::None, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, int_n()); }}},
    {0xF4, 0xF4, {"HLT", kEndBlock, Imm::None, [](Op&, unsigned, uint8_t) { return hlt(); }}},
    {0xF5, 0xF5, {"CMC", 0, Imm::None, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, flag_op()); }}},
    {0xF6, 0xF6, {"group 3 Eb", kModRM, Imm::None, nullptr, &kGroup3Byte}},
    {0xF7, 0xF7, {"group 3 Ev", kModRM, Imm::None, nullptr, &kGroup3Full}},
    {0xF8, 0xF9, {"CLC/STC", 0, Imm::None, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, flag_op()); }}},
    {0xFA, 0xFB, {"CLI/STI", kEndBlock, Imm::None, [](Op& op, unsigned, uint8_t o) { op.aux = o & 1; return cli_sti(); }}},
    {0xFC, 0xFD, {"CLD/STD", 0, Imm::None, [](Op& op, unsigned, uint8_t o) { return with_opcode_aux(op, o, flag_op()); }}},
    {0xFE, 0xFE, {"group 4", kModRM, Imm::None, nullptr, &kGroup4}},
    {0xFF, 0xFF, {"group 5", kModRM, Imm::None, nullptr, &kGroup5}},
});

#undef X86_ALU_ROW

}  // namespace

const std::array<OpcodeDef, 256>& one_byte_opcodes() { return kOneByte; }

}  // namespace emu::x86
