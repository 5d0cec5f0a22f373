// JUnit XML for CI test reports: one suite, one case per verified item.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace emu::tools {

struct JunitCase {
    std::string name;
    double seconds = 0;
    std::optional<std::string> failure;  // one-line message; details follow in `output`
    std::string output;
};

Result<Done> write_junit(const std::string& path, const std::string& suite, const std::vector<JunitCase>& cases);

}  // namespace emu::tools
