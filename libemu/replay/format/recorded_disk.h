// The disk images a recording was made with (RecordingConfig::drive_blobs): each an embedded
// copy, or a file on this host whose size and content hash match the recorded ones. Because the
// image is identified by content and requests complete at icounts the guest alone decides, a
// replay needs no block events, only the same bytes.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "host/disk_image.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_reader.h"

namespace emu {

// `paths[i]` (when present and not empty) is where drive i's image is on this host, instead of
// the embedded copy or the path the recording stores. A file whose size or hash differs is
// refused (BadRecording). On success, config.machine.virtio.drives[i].image points into the
// returned images, which must outlive the machine.
Result<std::vector<DiskImage>> recorded_disks(const RecordingReader& reader, RecordingConfig& config,
                                              const std::vector<std::string>& paths);

}  // namespace emu
