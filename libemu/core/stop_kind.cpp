#include "core/stop_kind.h"

namespace emu {

namespace {
enum class By { Guest, Recorder };
}  // namespace

const char* stop_kind_name(StopKind k)
{
    switch (k) {
#define RR_STOP(name, id, text, by) \
    case StopKind::name: return text;
#include "core/stop_kinds.inc"
#undef RR_STOP
    }
    return "?";
}

std::optional<StopKind> stop_kind_from_id(uint8_t id)
{
    switch (id) {
#define RR_STOP(name, id, text, by) \
    case id: return StopKind::name;
#include "core/stop_kinds.inc"
#undef RR_STOP
    }
    return std::nullopt;
}

bool stopped_by_recorder(StopKind k)
{
    switch (k) {
#define RR_STOP(name, id, text, by) \
    case StopKind::name: return By::by == By::Recorder;
#include "core/stop_kinds.inc"
#undef RR_STOP
    }
    return false;
}

}  // namespace emu
