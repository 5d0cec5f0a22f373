// Decodes one i386 instruction into an Op: prefixes, opcode, ModRM, SIB, displacement and
// immediates, and the handler that executes it. The code segment's D bit (or real mode) gives
// the default operand and address size, which 0x66 and 0x67 flip.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cpu/x86/op.h"

namespace emu::x86 {

enum class CodeSize : uint8_t { Bits32, Bits16 };

enum class DecodeResult {
    Next,      // decoded; the block may continue after it
    EndBlock,  // decoded; the block must end after it (control flow, I/O, system state)
    TooShort,  // the instruction runs past the bytes given (it crosses a page)
};

// Decodes the instruction at `code` (at most `avail` bytes readable, up to 15 used). Invalid
// encodings decode to a handler that raises #UD.
DecodeResult decode(const uint8_t* code, size_t avail, Op& op, CodeSize size);

}  // namespace emu::x86
