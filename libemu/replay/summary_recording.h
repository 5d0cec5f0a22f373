// The first form of a recording: what ran (machine, shift, guest images by content hash) and
// how it ended (final icount, stop reason, exit code). Format version 0 has no event stream
// yet; the chunked event format of the architecture supersedes it with version 1.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "machine/elf_loader.h"
#include "machine/virt.h"

namespace emu {

// Bump when the layout below changes.
constexpr uint32_t kSummaryFormatVersion = 0;

struct SummaryRecording {
    uint32_t format_version = kSummaryFormatVersion;
    std::string machine;
    unsigned icount_shift = 0;
    std::string kernel_path;
    uint64_t kernel_size = 0;
    uint64_t kernel_hash_high = 0;  // XXH3-128 of the kernel file
    uint64_t kernel_hash_low = 0;
    uint64_t icount = 0;
    std::string stop;  // stop_kind_name() of the outcome
    int exit_code = 0;
    uint64_t file_bytes = 0;
};

Result<Done> write_summary_recording(const std::string& path, const std::string& machine, const ElfImage& kernel,
                                     const RunOutcome& outcome, unsigned icount_shift);

// Whether `image` is the guest image the recording was made with (size and content hash).
bool is_recorded_image(const SummaryRecording& recording, const ElfImage& image);

// Reads and checks a recording; a truncated, foreign or future-version file is an Error with
// status BadRecording and a one-line reason.
Result<SummaryRecording> read_summary_recording(const std::string& path);

}  // namespace emu
