#include "cpu/a64/sp_alignment.h"

#include <array>
#include <mutex>
#include <stdexcept>

#include "core/bits.h"
#include "cpu/a64/cpu.h"

namespace emu::a64 {

namespace {

// The handlers the check runs after, by Op::inner. Each distinct load/store handler takes one
// slot the first time a block needs it; a CPU only reads the slots its own builds registered,
// so the table needs a lock only to grow.
constexpr size_t kMaxWrapped = 2048;
std::array<Handler, kMaxWrapped> g_inner;
size_t g_wrapped = 0;
std::mutex g_mutex;

uint16_t inner_index(Handler h)
{
    std::lock_guard<std::mutex> lock(g_mutex);
    for (size_t i = 0; i < g_wrapped; i++)
        if (g_inner[i] == h)
            return static_cast<uint16_t>(i);
    if (g_wrapped == kMaxWrapped)
        throw std::logic_error("sp_alignment: more load/store handlers than slots");
    g_inner[g_wrapped] = h;
    return static_cast<uint16_t>(g_wrapped++);
}

const Op* SP_ALIGNMENT_CHECKED(Cpu& c, const Op* op)
{
    if (__builtin_expect(c.s.r[kSp] & 15, 0))
        return sp_misaligned(c, op, g_inner[op->inner]);
    return g_inner[op->inner](c, op);
}

}  // namespace

bool checks_sp_alignment(uint32_t insn)
{
    bool load_store = (bits(insn, 28, 25) & 0b0101) == 0b0100;
    bool literal = bits(insn, 29, 27) == 0b011 && bits(insn, 25, 24) == 0;
    // PRFM (immediate, unscaled, register): size 11, V 0, opc 10 in the register classes.
    bool prefetch = bits(insn, 29, 27) == 0b111 && bits(insn, 31, 30) == 3 && bit(insn, 26) == 0 &&
                    bits(insn, 23, 22) == 2;
    return load_store && !literal && !prefetch && bits(insn, 9, 5) == 31;
}

void add_sp_alignment_check(Op& op)
{
    if (op.inner == kChecksSpItself)
        return;
    op.inner = inner_index(op.fn);
    op.fn = SP_ALIGNMENT_CHECKED;
}

const Op* sp_misaligned(Cpu& c, const Op* op, Handler unchecked)
{
    if (c.sp_alignment_checked())
        return c.raise(op, ExceptionClass::SpAlignment, 0, c.pc_of(op), false);
    return unchecked(c, op);
}

}  // namespace emu::a64
