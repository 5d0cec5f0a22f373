// What rr-bisect says about the icount it found: the instruction that ran last before it
// (disassembled when Capstone is there) and the recorded inputs just before it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "machine/machine.h"

namespace emu::bisect {

struct Where {
    uint64_t icount = 0;
    uint64_t pc = 0;                 // the next instruction to run
    bool has_last = false;           // icount > 0
    uint64_t last_pc = 0;            // the instruction that ran last, from icount - 1 to icount
    std::string last_instruction;    // its disassembly, or empty
    std::vector<std::string> events_text;  // the last recorded inputs at or before icount
    std::vector<std::string> events_json;
};

// The disassembly of the instruction at pc (read from guest memory as physical addresses:
// right for guests without the MMU on), or empty.
std::string instruction_at(Machine& m, const std::string& machine_name, uint64_t pc);

// The last `count` recorded inputs (and the exit) at or before icount.
Result<Done> add_events_before(const std::string& recording, uint64_t icount, size_t count, Where& where);

std::string where_text(const Where& w);
// JSON members without braces: "pc", "last_pc", "last_instruction", "last_events".
std::string where_json(const Where& w);

}  // namespace emu::bisect
