#include "tools/common/junit.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace emu::tools {

namespace {

std::string xml_escape(const std::string& s)
{
    std::string out;
    for (unsigned char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\n':
        case '\t': out += static_cast<char>(c); break;
        default:
            if (c >= 0x20)
                out += static_cast<char>(c);  // other control characters are not valid XML 1.0
        }
    }
    return out;
}

}  // namespace

Result<Done> write_junit(const std::string& path, const std::string& suite, const std::vector<JunitCase>& cases)
{
    size_t failures = 0;
    double total = 0;
    for (const JunitCase& c : cases) {
        failures += c.failure.has_value();
        total += c.seconds;
    }
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
    char head[256];
    std::snprintf(head, sizeof head, "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n",
                  xml_escape(suite).c_str(), cases.size(), failures, total);
    xml += head;
    for (const JunitCase& c : cases) {
        char time[32];
        std::snprintf(time, sizeof time, "%.3f", c.seconds);
        xml += "    <testcase classname=\"" + xml_escape(suite) + "\" name=\"" + xml_escape(c.name) + "\" time=\"" + time +
               "\">\n";
        if (c.failure)
            xml += "      <failure message=\"" + xml_escape(*c.failure) + "\">" + xml_escape(c.output) + "</failure>\n";
        else if (!c.output.empty())
            xml += "      <system-out>" + xml_escape(c.output) + "</system-out>\n";
        xml += "    </testcase>\n";
    }
    xml += "  </testsuite>\n</testsuites>\n";

    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        return Error{ExitStatus::IoError, path + ": cannot create: " + std::strerror(errno)};
    bool ok = std::fwrite(xml.data(), 1, xml.size(), f) == xml.size();
    ok = std::fclose(f) == 0 && ok;
    if (!ok)
        return Error{ExitStatus::IoError, path + ": write error"};
    return Done{};
}

}  // namespace emu::tools
