#include "x86_lockstep_rig.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <cstring>
#include <stdexcept>

namespace emu::test {

namespace {

Bus& with_ram(Bus& bus, uint32_t base, uint32_t size)
{
    bus.add_ram(base, size);
    return bus;
}

}  // namespace

std::string format_eflags(uint32_t f)
{
    static constexpr struct {
        uint32_t bit;
        char name[3];
    } kFlags[] = {{x86::kOF, "OF"}, {x86::kDF, "DF"}, {x86::kIF, "IF"}, {x86::kSF, "SF"},
                  {x86::kZF, "ZF"}, {x86::kAF, "AF"}, {x86::kPF, "PF"}, {x86::kCF, "CF"}};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x [", f);
    std::string s = buf;
    bool first = true;
    for (const auto& fl : kFlags) {
        if (f & fl.bit) {
            s += first ? "" : " ";
            s += fl.name;
            first = false;
        }
    }
    return s + "]";
}

std::string format_regs(const X86Regs& s)
{
    static const char* const kNames[8] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
    std::string out;
    char buf[32];
    for (unsigned i = 0; i < 8; i++) {
        std::snprintf(buf, sizeof buf, "%s%s=%08x", i == 4 ? "\n  " : i ? " " : "  ", kNames[i], s.r[i]);
        out += buf;
    }
    std::snprintf(buf, sizeof buf, "\n  EIP=%08x EFLAGS=", s.eip);
    return out + buf + format_eflags(s.eflags) + "\n";
}

X86LockstepRig::X86LockstepRig(uint32_t ram_base, uint32_t ram_size, X86Mode mode)
    : cpu(with_ram(bus, ram_base, ram_size), io, clock),
      unicorn(UnicornX86::WriteHook::Off, mode == X86Mode::Protected32 ? UC_MODE_32 : UC_MODE_16),
      ram_base_(ram_base),
      ram_size_(ram_size),
      mode_(mode),
      unicorn_ram_(ram_size)
{
    cpu.reset_flat(ram_base);
    cpu.set_stop_on_exception(true);
    unicorn.map(ram_base, unicorn_ram_.data(), ram_size);
    // The only protected-mode code segment in 16-bit protected mode is 0x08 at kCode.
    unicorn.code_base_of = [this](uint16_t sel) {
        return mode_ == X86Mode::Protected16 ? X86Layout::kCode : uint32_t{sel} << 4;
    };
}

void X86LockstepRig::enter_mode()
{
    using namespace x86;
    if (mode_ == X86Mode::Protected32)
        return;
    // Real mode first, on both. Unicorn starts with a null LDTR (where RESET leaves a present
    // one at base 0 with limit 0xFFFF): ours likewise, so that selectors with TI set fault.
    cpu.reset_power_on();
    cpu.set_stop_on_exception(true);
    cpu.s.ldtr = Segment{0, 0, 0, 0};
    unicorn.restore_setup();  // the engine's initial real-mode context
    if (mode_ == X86Mode::Real16) {
        for (Segment& g : cpu.s.seg)
            g = Segment{0, 0, 0xFFFFFFFF, kRealModeData};
        cpu.s.seg[kCs] = Segment{X86Layout::kCodeParagraph, uint32_t{X86Layout::kCodeParagraph} << 4, 0xFFFFFFFF, kRealModeData};
        unicorn.set_reg16(UC_X86_REG_CS, X86Layout::kCodeParagraph);
        for (uc_x86_reg r : {UC_X86_REG_DS, UC_X86_REG_ES, UC_X86_REG_SS, UC_X86_REG_FS, UC_X86_REG_GS})
            unicorn.set_reg16(r, 0);
    } else {
        // The GDT: null, 16-bit code at kCode (limit 64 KiB), flat data with B = 0 (a 16-bit
        // stack), and its pseudo-descriptor at kGdt + 0x100.
        const uint64_t gdt[3] = {0, 0x00009B020000FFFFull, 0x008F93000000FFFFull};
        write(kGdt, gdt, sizeof gdt);
        const uint8_t gdtr[6] = {0x17, 0x00, kGdt & 0xFF, (kGdt >> 8) & 0xFF, (kGdt >> 16) & 0xFF, 0};
        write(kGdt + 0x100, gdtr, sizeof gdtr);
        // Real mode at kSetupCode: LGDT, CR0.PE, far jump to 0x08:0; there (kCode), the data
        // segment loads.
        const uint8_t enter[] = {0x0F, 0x01, 0x16, 0x00, 0x01,  // lgdt [0x100] (DS = kGdt >> 4)
                                 0x0F, 0x20, 0xC0,              // mov eax, cr0
                                 0x0C, 0x01,                    // or al, 1
                                 0x0F, 0x22, 0xC0,              // mov cr0, eax
                                 0xEA, 0x00, 0x00, 0x08, 0x00}; // jmp 0x08:0
        const uint8_t segments[] = {0xB8, 0x10, 0x00,  // mov ax, 0x10
                                    0x8E, 0xD8, 0x8E, 0xC0, 0x8E, 0xD0, 0x8E, 0xE0, 0x8E, 0xE8};
        constexpr unsigned kInstructions = 11;
        std::vector<uint8_t> saved(sizeof segments);
        std::memcpy(saved.data(), our_ram() + (X86Layout::kCode - ram_base_), saved.size());
        write(kSetupCode, enter, sizeof enter);
        write(X86Layout::kCode, segments, sizeof segments);
        cpu.s.seg[kCs] = Segment{kSetupCode >> 4, kSetupCode, 0xFFFF, kRealModeData};
        cpu.s.seg[kDs] = Segment{kGdt >> 4, kGdt, 0xFFFF, kRealModeData};
        cpu.s.eip = 0;
        unicorn.set_reg16(UC_X86_REG_CS, kSetupCode >> 4);
        unicorn.set_reg16(UC_X86_REG_DS, kGdt >> 4);
        unicorn.set_eip(0);
        cpu.run(kInstructions);
        UnicornX86::StepResult r = unicorn.step(kInstructions);
        if (!r.completed || cpu.icount() == 0 || cpu.s.seg[kSs].selector != 0x10 || unicorn.selector(2) != 0x10)
            throw std::runtime_error("X86LockstepRig: entering 16-bit protected mode failed (unicorn: " + r.text() + ")");
        write(X86Layout::kCode, saved.data(), static_cast<uint32_t>(saved.size()));
    }
    std::copy(std::begin(cpu.s.seg), std::end(cpu.s.seg), std::begin(setup_segments_));
    unicorn.save_setup();
}

void X86LockstepRig::write(uint32_t addr, const void* data, uint32_t len)
{
    if (len == 0)
        return;  // an empty segment may come with no data pointer at all
    if (addr < ram_base_ || len > ram_size_ || addr - ram_base_ > ram_size_ - len)
        throw std::out_of_range("X86LockstepRig::write outside RAM");
    bus.write_bytes(addr, data, len);
    std::memcpy(unicorn_ram_.data() + (addr - ram_base_), data, len);
    unicorn.invalidate_code(addr, len);
}

void X86LockstepRig::fill(const std::vector<uint8_t>& bytes)
{
    if (bytes.size() != ram_size_)
        throw std::invalid_argument("X86LockstepRig::fill needs exactly the RAM size");
    write(ram_base_, bytes.data(), ram_size_);
}

void X86LockstepRig::patch_unicorn(uint32_t addr, const void* data, uint32_t len)
{
    if (addr < ram_base_ || len > ram_size_ || addr - ram_base_ > ram_size_ - len)
        throw std::out_of_range("X86LockstepRig::patch_unicorn outside RAM");
    std::memcpy(unicorn_ram_.data() + (addr - ram_base_), data, len);
    unicorn.invalidate_code(addr, len);
}

void X86LockstepRig::resync_unicorn_from_ours()
{
    std::memcpy(unicorn_ram_.data(), our_ram(), ram_size_);
    unicorn.invalidate_code(ram_base_, ram_size_);
}

void X86LockstepRig::set_state(const X86Regs& s)
{
    if (mode_ != X86Mode::Protected32) {
        std::copy(std::begin(setup_segments_), std::end(setup_segments_), std::begin(cpu.s.seg));
        unicorn.restore_setup();
    }
    for (unsigned i = 0; i < 8; i++) {
        cpu.s.r[i] = s.r[i];
        unicorn.set_r(i, s.r[i]);
    }
    cpu.s.eip = s.eip;
    cpu.s.eflags = s.eflags;
    unicorn.set_eip(s.eip);
    unicorn.set_eflags(s.eflags);
}

X86Regs X86LockstepRig::ours() const
{
    X86Regs s{};
    std::memcpy(s.r, cpu.s.r, sizeof s.r);
    s.eip = cpu.s.eip;
    s.eflags = cpu.s.eflags;
    for (unsigned i = 0; i < 6; i++)
        s.sel[i] = cpu.s.seg[i].selector;
    return s;
}

X86Regs X86LockstepRig::theirs() const
{
    X86Regs s{};
    for (unsigned i = 0; i < 8; i++)
        s.r[i] = unicorn.r(i);
    s.eip = unicorn.eip();
    s.eflags = unicorn.eflags();
    if (mode_ != X86Mode::Protected32)
        for (unsigned i = 0; i < 6; i++)
            s.sel[i] = unicorn.selector(i);
    return s;
}

X86LockstepRig::OurStep X86LockstepRig::step_ours()
{
    // last_fault() keeps the previous fault, so an exception is recognised by the instruction
    // not retiring (icount unchanged) while a fault is recorded.
    uint64_t before = cpu.icount();
    RunEnd stop = cpu.run(1);
    OurStep r{true, stop, -1, 0, false, {}};
    if (stop == RunEnd::Stopped) {
        r.completed = false;
        r.what = "unsupported: " + cpu.stop()->detail;
    } else if (cpu.icount() == before) {
        const x86::Cpu::Fault& f = cpu.last_fault();
        r.completed = false;
        r.vector = f.vector;
        r.error_code = f.error_code;
        r.has_error_code = f.has_error_code;
        if (f.vector >= 0) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "exception %d", f.vector);
            r.what = buf;
            if (f.has_error_code) {
                std::snprintf(buf, sizeof buf, " (error code 0x%x)", f.error_code);
                r.what += buf;
            }
        } else {
            r.what = "no instruction retired and no exception recorded";
        }
    }
    return r;
}

bool X86LockstepRig::memory_equal(uint32_t addr, uint32_t len)
{
    uint32_t off = addr - ram_base_;
    return std::memcmp(our_ram() + off, unicorn_ram_.data() + off, len) == 0;
}

std::vector<std::string> X86LockstepRig::memory_differences(uint32_t addr, uint32_t len, unsigned max_lines)
{
    std::vector<std::string> out;
    const uint8_t* a = our_ram() + (addr - ram_base_);
    const uint8_t* b = unicorn_ram_.data() + (addr - ram_base_);
    for (uint32_t i = 0; i < len;) {
        if (a[i] == b[i]) {
            i++;
            continue;
        }
        if (out.size() >= max_lines) {
            out.push_back("... and more");
            break;
        }
        unsigned n = std::min<uint32_t>(16, len - i);
        out.push_back("ours    " + format_x86_bytes(addr + i, a + i, n));
        out.push_back("unicorn " + format_x86_bytes(addr + i, b + i, n));
        i += n;
    }
    return out;
}

std::string format_x86_bytes(uint32_t addr, const uint8_t* p, unsigned len)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%08x:", addr);
    std::string s = buf;
    for (unsigned i = 0; i < len; i++) {
        std::snprintf(buf, sizeof buf, " %02x", p[i]);
        s += buf;
    }
    return s;
}

}  // namespace emu::test
