// The x87 instruction families the escape tables (opcodes_x87.cpp) pick handlers from; the
// handlers are in insns_x87.cpp (data, arithmetic, comparisons, the stack, transcendentals)
// and insns_x87_state.cpp (control, environment and state save and restore, WAIT).
#pragma once

#include <cstdint>

#include "cpu/x86/op.h"
#include "cpu/x86/x87_float.h"

namespace emu::x86::handlers::fpu {

// The eight operations of the D8, DC, DA and DE memory forms, by ModRM.reg.
enum class Arith : uint8_t { Add, Mul, Com, ComP, Sub, SubR, Div, DivR };
// Memory operand formats.
enum class Mem : uint8_t { F32, F64, F80, I16, I32, I64, Bcd };
enum class Pops : uint8_t { None, One, Two };
enum class Order : uint8_t { Ordered, Unordered };  // FCOM (QNaN invalid) or FUCOM
enum class Unary : uint8_t {
    Chs, Abs, Tst, Xam, F2xm1, Fyl2x, Fptan, Fpatan, Fxtract, Fprem1, Fdecstp, Fincstp,
    Fprem, Fyl2xp1, Fsqrt, Fsincos, Frndint, Fscale, Fsin, Fcos, Fnop,
};
enum class Control : uint8_t {
    Init, Clex, Ignored,  // FNINIT, FNCLEX, and FNENI/FNDISI/FNSETPM (no-ops since the 387)
    Ldcw, Stcw, Stsw, StswAx, Ldenv, Stenv, Rstor, Save,
};

Handler arith_mem(Arith a, Mem m);   // ST(0) op= m, or FCOM/FCOMP/FICOM/FICOMP m
Handler arith_st0(Arith a);          // ST(0) op= ST(i) (D8 register forms, FCOM ST(i) too)
Handler arith_sti(Arith a, Pops p);  // ST(i) op= ST(0) (DC and DE register forms)
Handler load(Mem m);                 // FLD FILD FBLD
Handler store(Mem m, Pops p);        // FST FSTP FIST FISTP FBSTP
Handler load_st();                   // FLD ST(i)
Handler store_st(Pops p);            // FST, FSTP ST(i)
Handler exchange();                  // FXCH ST(i)
Handler free_register(Pops p);       // FFREE, FFREEP
Handler compare_st(Order o, Pops p); // FCOM FCOMP FUCOM FUCOMP ST(i), FCOMPP, FUCOMPP
Handler compare_eflags(Order o, Pops p);  // FCOMI FCOMIP FUCOMI FUCOMIP
Handler conditional_move();          // FCMOVcc: op.aux = the Jcc condition that moves
Handler unary(Unary u);
Handler load_constant(x87::Constant c);
Handler control(Control c);
Handler wait();                      // WAIT/FWAIT (9B)
Handler fxsave(bool restore);        // FXSAVE, FXRSTOR (0F AE /0, /1)

}  // namespace emu::x86::handlers::fpu
