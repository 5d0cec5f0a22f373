// rr-inspect --pcap: the network frames a recording gave the guest (NetFrame events), as a
// pcap file (Ethernet, nanosecond timestamps of virtual time: icount << shift). Frames the
// guest sent are not recorded, only hashed into the output digest, so they are not in it.
#pragma once

#include <string>

#include "core/result.h"

namespace emu::tools {

// Returns how many frames were written.
Result<uint64_t> export_pcap(const std::string& recording, const std::string& out);

}  // namespace emu::tools
