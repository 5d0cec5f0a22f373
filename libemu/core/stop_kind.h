// Why a run ended: the closed list in core/stop_kinds.inc, shared by the CPUs (which end runs
// the guest ends), the machines and the recordings (which store the ids).
#pragma once

#include <cstdint>
#include <optional>

namespace emu {

enum class StopKind : uint8_t {
#define RR_STOP(name, id, text, by) name = id,
#include "core/stop_kinds.inc"
#undef RR_STOP
};

const char* stop_kind_name(StopKind k);
// The StopKind with this stored id, if there is one.
std::optional<StopKind> stop_kind_from_id(uint8_t id);
// Whether the recorder, not the guest, ended a run this way: a replay then ends where the
// recording does instead of having to stop by itself.
bool stopped_by_recorder(StopKind k);

}  // namespace emu
