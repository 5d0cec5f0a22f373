// The version string every tool stores in recordings and prints with --version.
#pragma once

namespace emu::tools {

inline constexpr const char* kToolVersion = "rr-emu 0.2.0";

}  // namespace emu::tools
