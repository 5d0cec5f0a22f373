// Decodes one i386 instruction (32-bit code segment) into an Op: prefixes, opcode, ModRM, SIB,
// displacement and immediates, and the handler that executes it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cpu/x86/op.h"

namespace emu::x86 {

enum class DecodeResult {
    Next,      // decoded; the block may continue after it
    EndBlock,  // decoded; the block must end after it (control flow, I/O, system state)
    TooShort,  // the instruction runs past the bytes given (it crosses a page)
};

// Decodes the instruction at `code` (at most `avail` bytes readable, up to 15 used). Invalid
// encodings decode to a handler that raises #UD.
DecodeResult decode(const uint8_t* code, size_t avail, Op& op);

}  // namespace emu::x86
