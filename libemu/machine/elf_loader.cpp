#include "machine/elf_loader.h"

#include "core/format.h"
#include "host/input_file.h"

#include <algorithm>
#include <cstring>

namespace emu {

namespace {

constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPfExecute = 1;
constexpr uint32_t kShtSymtab = 2;
constexpr uint16_t kEtExec = 2;

// Bounds-checked little-endian reads over the file.
class Reader {
public:
    explicit Reader(const std::vector<uint8_t>& f) : f_(f) {}
    bool has(uint64_t off, uint64_t len) const { return off <= f_.size() && len <= f_.size() - off; }
    template <class T>
    T get(uint64_t off) const
    {
        T v;
        std::memcpy(&v, f_.data() + off, sizeof v);
        return v;
    }

private:
    const std::vector<uint8_t>& f_;
};

Error malformed(const std::string& name, const std::string& what)
{
    return Error{ExitStatus::BadRecording, name + ": malformed ELF: " + what};
}

}  // namespace

Result<ElfImage> read_elf(const std::string& path)
{
    Result<std::vector<uint8_t>> file = read_input_file(path);
    if (!file)
        return file.error();
    return parse_elf(std::move(*file), path);
}

Result<ElfImage> parse_elf(std::vector<uint8_t> file, const std::string& name)
{
    Reader r(file);
    if (!r.has(0, 52) || std::memcmp(file.data(), "\x7f" "ELF", 4) != 0)
        return malformed(name, "not an ELF file");
    bool is64 = file[4] == 2;
    if (file[4] != 1 && file[4] != 2)
        return malformed(name, "unknown ELF class");
    if (file[5] != 1)
        return malformed(name, "not little-endian");
    if (is64 && !r.has(0, 64))
        return malformed(name, "truncated header");

    ElfImage img;
    img.path = name;
    uint16_t type = r.get<uint16_t>(16);
    uint16_t machine = r.get<uint16_t>(18);
    if (type != kEtExec)
        return malformed(name, "not an executable (ET_EXEC); link it with -static -no-pie");
    if (machine == static_cast<uint16_t>(ElfMachine::AArch64) && is64)
        img.machine = ElfMachine::AArch64;
    else if (machine == static_cast<uint16_t>(ElfMachine::I386) && !is64)
        img.machine = ElfMachine::I386;
    else
        return malformed(name, "unsupported machine " + std::to_string(machine));

    uint64_t phoff, shoff;
    uint16_t phentsize, phnum, shentsize, shnum;
    if (is64) {
        img.entry = r.get<uint64_t>(24);
        phoff = r.get<uint64_t>(32);
        shoff = r.get<uint64_t>(40);
        phentsize = r.get<uint16_t>(54);
        phnum = r.get<uint16_t>(56);
        shentsize = r.get<uint16_t>(58);
        shnum = r.get<uint16_t>(60);
    } else {
        img.entry = r.get<uint32_t>(24);
        phoff = r.get<uint32_t>(28);
        shoff = r.get<uint32_t>(32);
        phentsize = r.get<uint16_t>(42);
        phnum = r.get<uint16_t>(44);
        shentsize = r.get<uint16_t>(46);
        shnum = r.get<uint16_t>(48);
    }
    if (phentsize < (is64 ? 56 : 32) || !r.has(phoff, uint64_t{phnum} * phentsize))
        return malformed(name, "program headers out of the file");

    for (uint16_t i = 0; i < phnum; i++) {
        uint64_t ph = phoff + uint64_t{i} * phentsize;
        if (r.get<uint32_t>(ph) != kPtLoad)
            continue;
        ElfSegment seg;
        uint64_t offset, filesz;
        seg.executable = r.get<uint32_t>(ph + (is64 ? 4 : 24)) & kPfExecute;
        if (is64) {
            offset = r.get<uint64_t>(ph + 8);
            seg.vaddr = r.get<uint64_t>(ph + 16);
            seg.paddr = r.get<uint64_t>(ph + 24);
            filesz = r.get<uint64_t>(ph + 32);
            seg.memsz = r.get<uint64_t>(ph + 40);
        } else {
            offset = r.get<uint32_t>(ph + 4);
            seg.vaddr = r.get<uint32_t>(ph + 8);
            seg.paddr = r.get<uint32_t>(ph + 12);
            filesz = r.get<uint32_t>(ph + 16);
            seg.memsz = r.get<uint32_t>(ph + 20);
        }
        if (filesz > seg.memsz || !r.has(offset, filesz))
            return malformed(name, "segment " + std::to_string(i) + " out of the file");
        seg.data.assign(file.begin() + static_cast<ptrdiff_t>(offset),
                        file.begin() + static_cast<ptrdiff_t>(offset + filesz));
        img.segments.push_back(std::move(seg));
    }
    if (img.segments.empty())
        return malformed(name, "no loadable segment");

    // Symbols are optional (stripped images load fine); a broken table is ignored, not fatal.
    if (shnum && shentsize >= (is64 ? 64 : 40) && r.has(shoff, uint64_t{shnum} * shentsize)) {
        for (uint16_t i = 0; i < shnum; i++) {
            uint64_t sh = shoff + uint64_t{i} * shentsize;
            if (r.get<uint32_t>(sh + 4) != kShtSymtab)
                continue;
            uint64_t off = is64 ? r.get<uint64_t>(sh + 24) : r.get<uint32_t>(sh + 16);
            uint64_t size = is64 ? r.get<uint64_t>(sh + 32) : r.get<uint32_t>(sh + 20);
            uint32_t link = r.get<uint32_t>(sh + (is64 ? 40 : 24));
            uint64_t entsize = is64 ? 24 : 16;
            if (link >= shnum || !r.has(off, size))
                continue;
            uint64_t strsh = shoff + uint64_t{link} * shentsize;
            uint64_t stroff = is64 ? r.get<uint64_t>(strsh + 24) : r.get<uint32_t>(strsh + 16);
            uint64_t strsize = is64 ? r.get<uint64_t>(strsh + 32) : r.get<uint32_t>(strsh + 20);
            if (!r.has(stroff, strsize))
                continue;
            for (uint64_t s = off; s + entsize <= off + size; s += entsize) {
                uint32_t nameoff = r.get<uint32_t>(s);
                uint64_t value = is64 ? r.get<uint64_t>(s + 8) : r.get<uint32_t>(s + 4);
                if (nameoff == 0 || nameoff >= strsize)
                    continue;
                const char* str = reinterpret_cast<const char*>(file.data() + stroff + nameoff);
                size_t len = strnlen(str, strsize - nameoff);
                if (len == strsize - nameoff)
                    continue;
                img.symbols.emplace(std::string(str, len), value);
            }
        }
    }
    img.file = std::move(file);
    return img;
}

uint64_t ElfImage::physical_entry() const
{
    for (const ElfSegment& s : segments)
        if (s.executable && s.vaddr != s.paddr && entry >= s.vaddr && entry - s.vaddr < s.data.size())
            return entry - s.vaddr + s.paddr;
    return entry;
}

uint64_t ElfImage::physical_low() const
{
    uint64_t low = UINT64_MAX;
    for (const ElfSegment& s : segments)
        low = std::min(low, s.paddr);
    return low;
}

uint64_t ElfImage::physical_high() const
{
    uint64_t high = 0;
    for (const ElfSegment& s : segments)
        high = std::max(high, s.paddr + s.memsz);
    return high;
}

Result<Done> load_elf(const ElfImage& image, Bus& bus)
{
    for (const ElfSegment& seg : image.segments) {
        if (seg.memsz == 0)
            continue;
        if (!bus.ram_at(seg.paddr, seg.memsz))
            return Error{ExitStatus::BadRecording, image.path + ": segment at physical address " + hex(seg.paddr) +
                                                       " (" + std::to_string(seg.memsz) +
                                                       " bytes) does not fit in the machine's RAM"};
        bus.write_bytes(seg.paddr, seg.data.data(), seg.data.size());
        std::vector<uint8_t> zeros(seg.memsz - seg.data.size(), 0);
        bus.write_bytes(seg.paddr + seg.data.size(), zeros.data(), zeros.size());
    }
    return Done{};
}

}  // namespace emu
