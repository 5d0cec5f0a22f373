// A minimal JSON writer for the tools' --json output: objects, strings, numbers, booleans.
#pragma once

#include <cstdint>
#include <string>

namespace emu::tools {

std::string json_string(const std::string& s);

}  // namespace emu::tools
