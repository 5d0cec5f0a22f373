// The x87 escape opcodes D8-DF (Intel SDM vol. 2, tables ): for each, the memory
// forms by ModRM.reg and the register forms by ModRM (reg * 8 + rm). The undocumented
// register aliases a P6 executes (FSTP1, FCOM2, FCOMP3, FXCH4, FCOMP5, FFREEP, FXCH7, FSTP8,
// FSTP9) are here; FISTTP (SSE3) is not, and raises #UD like every empty slot.
#include "cpu/x86/opcode_table.h"
#include "cpu/x86/x87_insns.h"

namespace emu::x86 {

namespace {

using namespace handlers::fpu;
using x87::Constant;

#define X87_ENTRY(first, last, name, handler)                                                   \
    {first, last, {name, 0, Imm::None, [](Op&, unsigned, uint8_t) -> Handler { return handler; }}}

// D8 and DC memory forms, DA and DE memory forms: the eight operations on a memory operand.
#define X87_ARITH_MEMORY(mem, kind)                                   \
    X87_ENTRY(0, 0, "FADD " kind, arith_mem(Arith::Add, mem)),        \
        X87_ENTRY(1, 1, "FMUL " kind, arith_mem(Arith::Mul, mem)),    \
        X87_ENTRY(2, 2, "FCOM " kind, arith_mem(Arith::Com, mem)),    \
        X87_ENTRY(3, 3, "FCOMP " kind, arith_mem(Arith::ComP, mem)),  \
        X87_ENTRY(4, 4, "FSUB " kind, arith_mem(Arith::Sub, mem)),    \
        X87_ENTRY(5, 5, "FSUBR " kind, arith_mem(Arith::SubR, mem)),  \
        X87_ENTRY(6, 6, "FDIV " kind, arith_mem(Arith::Div, mem)),    \
        X87_ENTRY(7, 7, "FDIVR " kind, arith_mem(Arith::DivR, mem))

// FCMOVcc ST(0), ST(i): the entry stores the Jcc condition code under which it moves.
#define X87_FCMOV(first, name, cc)                                                                     \
    {first, first + 7, {name, 0, Imm::None, [](Op& op, unsigned, uint8_t) -> Handler {                \
                            op.aux = cc;                                                               \
                            return conditional_move();                                                \
                        }}}

constexpr X87Table kD8 = make_x87_table(
    {X87_ARITH_MEMORY(Mem::F32, "m32fp")},
    {
        X87_ENTRY(0, 7, "FADD ST(0),ST(i)", arith_st0(Arith::Add)),
        X87_ENTRY(8, 15, "FMUL ST(0),ST(i)", arith_st0(Arith::Mul)),
        X87_ENTRY(16, 23, "FCOM ST(i)", compare_st(Order::Ordered, Pops::None)),
        X87_ENTRY(24, 31, "FCOMP ST(i)", compare_st(Order::Ordered, Pops::One)),
        X87_ENTRY(32, 39, "FSUB ST(0),ST(i)", arith_st0(Arith::Sub)),
        X87_ENTRY(40, 47, "FSUBR ST(0),ST(i)", arith_st0(Arith::SubR)),
        X87_ENTRY(48, 55, "FDIV ST(0),ST(i)", arith_st0(Arith::Div)),
        X87_ENTRY(56, 63, "FDIVR ST(0),ST(i)", arith_st0(Arith::DivR)),
    });

constexpr X87Table kD9 = make_x87_table(
    {
        X87_ENTRY(0, 0, "FLD m32fp", load(Mem::F32)),
        X87_ENTRY(2, 2, "FST m32fp", store(Mem::F32, Pops::None)),
        X87_ENTRY(3, 3, "FSTP m32fp", store(Mem::F32, Pops::One)),
        X87_ENTRY(4, 4, "FLDENV m14/28byte", control(Control::Ldenv)),
        X87_ENTRY(5, 5, "FLDCW m2byte", control(Control::Ldcw)),
        X87_ENTRY(6, 6, "FNSTENV m14/28byte", control(Control::Stenv)),
        X87_ENTRY(7, 7, "FNSTCW m2byte", control(Control::Stcw)),
    },
    {
        X87_ENTRY(0, 7, "FLD ST(i)", load_st()),
        X87_ENTRY(8, 15, "FXCH ST(i)", exchange()),
        X87_ENTRY(16, 16, "FNOP", unary(Unary::Fnop)),
        X87_ENTRY(24, 31, "FSTP1 ST(i)", store_st(Pops::One)),
        X87_ENTRY(32, 32, "FCHS", unary(Unary::Chs)),
        X87_ENTRY(33, 33, "FABS", unary(Unary::Abs)),
        X87_ENTRY(36, 36, "FTST", unary(Unary::Tst)),
        X87_ENTRY(37, 37, "FXAM", unary(Unary::Xam)),
        X87_ENTRY(40, 40, "FLD1", load_constant(Constant::One)),
        X87_ENTRY(41, 41, "FLDL2T", load_constant(Constant::L2T)),
        X87_ENTRY(42, 42, "FLDL2E", load_constant(Constant::L2E)),
        X87_ENTRY(43, 43, "FLDPI", load_constant(Constant::Pi)),
        X87_ENTRY(44, 44, "FLDLG2", load_constant(Constant::LG2)),
        X87_ENTRY(45, 45, "FLDLN2", load_constant(Constant::LN2)),
        X87_ENTRY(46, 46, "FLDZ", load_constant(Constant::Zero)),
        X87_ENTRY(48, 48, "F2XM1", unary(Unary::F2xm1)),
        X87_ENTRY(49, 49, "FYL2X", unary(Unary::Fyl2x)),
        X87_ENTRY(50, 50, "FPTAN", unary(Unary::Fptan)),
        X87_ENTRY(51, 51, "FPATAN", unary(Unary::Fpatan)),
        X87_ENTRY(52, 52, "FXTRACT", unary(Unary::Fxtract)),
        X87_ENTRY(53, 53, "FPREM1", unary(Unary::Fprem1)),
        X87_ENTRY(54, 54, "FDECSTP", unary(Unary::Fdecstp)),
        X87_ENTRY(55, 55, "FINCSTP", unary(Unary::Fincstp)),
        X87_ENTRY(56, 56, "FPREM", unary(Unary::Fprem)),
        X87_ENTRY(57, 57, "FYL2XP1", unary(Unary::Fyl2xp1)),
        X87_ENTRY(58, 58, "FSQRT", unary(Unary::Fsqrt)),
        X87_ENTRY(59, 59, "FSINCOS", unary(Unary::Fsincos)),
        X87_ENTRY(60, 60, "FRNDINT", unary(Unary::Frndint)),
        X87_ENTRY(61, 61, "FSCALE", unary(Unary::Fscale)),
        X87_ENTRY(62, 62, "FSIN", unary(Unary::Fsin)),
        X87_ENTRY(63, 63, "FCOS", unary(Unary::Fcos)),
    });

constexpr X87Table kDA = make_x87_table(
    {X87_ARITH_MEMORY(Mem::I32, "m32int")},
    {
        X87_FCMOV(0, "FCMOVB ST(0),ST(i)", 0x2),
        X87_FCMOV(8, "FCMOVE ST(0),ST(i)", 0x4),
        X87_FCMOV(16, "FCMOVBE ST(0),ST(i)", 0x6),
        X87_FCMOV(24, "FCMOVU ST(0),ST(i)", 0xA),
        X87_ENTRY(41, 41, "FUCOMPP", compare_st(Order::Unordered, Pops::Two)),
    });

constexpr X87Table kDB = make_x87_table(
    {
        X87_ENTRY(0, 0, "FILD m32int", load(Mem::I32)),
        X87_ENTRY(2, 2, "FIST m32int", store(Mem::I32, Pops::None)),
        X87_ENTRY(3, 3, "FISTP m32int", store(Mem::I32, Pops::One)),
        X87_ENTRY(5, 5, "FLD m80fp", load(Mem::F80)),
        X87_ENTRY(7, 7, "FSTP m80fp", store(Mem::F80, Pops::One)),
    },
    {
        X87_FCMOV(0, "FCMOVNB ST(0),ST(i)", 0x3),
        X87_FCMOV(8, "FCMOVNE ST(0),ST(i)", 0x5),
        X87_FCMOV(16, "FCMOVNBE ST(0),ST(i)", 0x7),
        X87_FCMOV(24, "FCMOVNU ST(0),ST(i)", 0xB),
        X87_ENTRY(32, 33, "FNENI/FNDISI", control(Control::Ignored)),
        X87_ENTRY(34, 34, "FNCLEX", control(Control::Clex)),
        X87_ENTRY(35, 35, "FNINIT", control(Control::Init)),
        X87_ENTRY(36, 36, "FNSETPM", control(Control::Ignored)),
        X87_ENTRY(40, 47, "FUCOMI ST(0),ST(i)", compare_eflags(Order::Unordered, Pops::None)),
        X87_ENTRY(48, 55, "FCOMI ST(0),ST(i)", compare_eflags(Order::Ordered, Pops::None)),
    });

constexpr X87Table kDC = make_x87_table(
    {X87_ARITH_MEMORY(Mem::F64, "m64fp")},
    {
        X87_ENTRY(0, 7, "FADD ST(i),ST(0)", arith_sti(Arith::Add, Pops::None)),
        X87_ENTRY(8, 15, "FMUL ST(i),ST(0)", arith_sti(Arith::Mul, Pops::None)),
        X87_ENTRY(16, 23, "FCOM2 ST(i)", compare_st(Order::Ordered, Pops::None)),
        X87_ENTRY(24, 31, "FCOMP3 ST(i)", compare_st(Order::Ordered, Pops::One)),
        // Here reg 4 is ST(i) = ST(0) - ST(i) and reg 5 ST(i) = ST(i) - ST(0) (likewise 6 and 7).
        X87_ENTRY(32, 39, "FSUBR ST(i),ST(0)", arith_sti(Arith::SubR, Pops::None)),
        X87_ENTRY(40, 47, "FSUB ST(i),ST(0)", arith_sti(Arith::Sub, Pops::None)),
        X87_ENTRY(48, 55, "FDIVR ST(i),ST(0)", arith_sti(Arith::DivR, Pops::None)),
        X87_ENTRY(56, 63, "FDIV ST(i),ST(0)", arith_sti(Arith::Div, Pops::None)),
    });

constexpr X87Table kDD = make_x87_table(
    {
        X87_ENTRY(0, 0, "FLD m64fp", load(Mem::F64)),
        X87_ENTRY(2, 2, "FST m64fp", store(Mem::F64, Pops::None)),
        X87_ENTRY(3, 3, "FSTP m64fp", store(Mem::F64, Pops::One)),
        X87_ENTRY(4, 4, "FRSTOR m94/108byte", control(Control::Rstor)),
        X87_ENTRY(6, 6, "FNSAVE m94/108byte", control(Control::Save)),
        X87_ENTRY(7, 7, "FNSTSW m2byte", control(Control::Stsw)),
    },
    {
        X87_ENTRY(0, 7, "FFREE ST(i)", free_register(Pops::None)),
        X87_ENTRY(8, 15, "FXCH4 ST(i)", exchange()),
        X87_ENTRY(16, 23, "FST ST(i)", store_st(Pops::None)),
        X87_ENTRY(24, 31, "FSTP ST(i)", store_st(Pops::One)),
        X87_ENTRY(32, 39, "FUCOM ST(i)", compare_st(Order::Unordered, Pops::None)),
        X87_ENTRY(40, 47, "FUCOMP ST(i)", compare_st(Order::Unordered, Pops::One)),
    });

constexpr X87Table kDE = make_x87_table(
    {X87_ARITH_MEMORY(Mem::I16, "m16int")},
    {
        X87_ENTRY(0, 7, "FADDP ST(i),ST(0)", arith_sti(Arith::Add, Pops::One)),
        X87_ENTRY(8, 15, "FMULP ST(i),ST(0)", arith_sti(Arith::Mul, Pops::One)),
        X87_ENTRY(16, 23, "FCOMP5 ST(i)", compare_st(Order::Ordered, Pops::One)),
        X87_ENTRY(25, 25, "FCOMPP", compare_st(Order::Ordered, Pops::Two)),
        X87_ENTRY(32, 39, "FSUBRP ST(i),ST(0)", arith_sti(Arith::SubR, Pops::One)),
        X87_ENTRY(40, 47, "FSUBP ST(i),ST(0)", arith_sti(Arith::Sub, Pops::One)),
        X87_ENTRY(48, 55, "FDIVRP ST(i),ST(0)", arith_sti(Arith::DivR, Pops::One)),
        X87_ENTRY(56, 63, "FDIVP ST(i),ST(0)", arith_sti(Arith::Div, Pops::One)),
    });

constexpr X87Table kDF = make_x87_table(
    {
        X87_ENTRY(0, 0, "FILD m16int", load(Mem::I16)),
        X87_ENTRY(2, 2, "FIST m16int", store(Mem::I16, Pops::None)),
        X87_ENTRY(3, 3, "FISTP m16int", store(Mem::I16, Pops::One)),
        X87_ENTRY(4, 4, "FBLD m80bcd", load(Mem::Bcd)),
        X87_ENTRY(5, 5, "FILD m64int", load(Mem::I64)),
        X87_ENTRY(6, 6, "FBSTP m80bcd", store(Mem::Bcd, Pops::One)),
        X87_ENTRY(7, 7, "FISTP m64int", store(Mem::I64, Pops::One)),
    },
    {
        X87_ENTRY(0, 7, "FFREEP ST(i)", free_register(Pops::One)),
        X87_ENTRY(8, 15, "FXCH7 ST(i)", exchange()),
        X87_ENTRY(16, 23, "FSTP8 ST(i)", store_st(Pops::One)),
        X87_ENTRY(24, 31, "FSTP9 ST(i)", store_st(Pops::One)),
        X87_ENTRY(32, 32, "FNSTSW AX", control(Control::StswAx)),
        X87_ENTRY(40, 47, "FUCOMIP ST(0),ST(i)", compare_eflags(Order::Unordered, Pops::One)),
        X87_ENTRY(48, 55, "FCOMIP ST(0),ST(i)", compare_eflags(Order::Ordered, Pops::One)),
    });

#undef X87_FCMOV
#undef X87_ARITH_MEMORY
#undef X87_ENTRY

}  // namespace

extern constexpr X87Table kX87Escapes[8] = {kD8, kD9, kDA, kDB, kDC, kDD, kDE, kDF};

}  // namespace emu::x86
