#include "machine/pc_firmware_tables.h"

#include <cstring>
#include <initializer_list>
#include <string_view>

#include "cpu/x86/cpuid.h"
#include "dev/acpi_pm.h"
#include "dev/ioapic.h"
#include "dev/local_apic.h"

namespace emu {

namespace {

// The ISA IRQs with an MP interrupt entry: all but the cascade (2) and the four lines QEMU's
// board gives to PCI, as SeaBIOS writes them.
constexpr uint16_t kPciIrqs = (1u << 5) | (1u << 9) | (1u << 10) | (1u << 11);
constexpr uint8_t kSciIrq = 9;  // the FADT's SCI, as QEMU's PIIX4 PM has it

// QEMU's identification strings.
constexpr std::string_view kMpOem = "BOCHSCPU";
constexpr std::string_view kMpProduct = "0.1         ";
constexpr std::string_view kAcpiOem = "BOCHS ";
constexpr std::string_view kAcpiOemTable = "BXPC    ";
constexpr std::string_view kAcpiCreator = "BXPC";

// Little-endian table building.
class Bytes {
public:
    explicit Bytes(std::vector<uint8_t>& b) : b_(b) {}
    uint32_t at() const { return static_cast<uint32_t>(b_.size()); }
    void align(unsigned n)
    {
        while (b_.size() % n)
            b_.push_back(0);
    }
    void u8(uint64_t v) { b_.push_back(static_cast<uint8_t>(v)); }
    void u16(uint64_t v) { le(v, 2); }
    void u32(uint64_t v) { le(v, 4); }
    void str(std::string_view s) { b_.insert(b_.end(), s.begin(), s.end()); }
    void zeros(unsigned n) { b_.insert(b_.end(), n, 0); }
    void put16(uint32_t at, uint16_t v) { b_[at] = static_cast<uint8_t>(v), b_[at + 1] = static_cast<uint8_t>(v >> 8); }
    void put32(uint32_t at, uint32_t v)
    {
        for (unsigned i = 0; i < 4; ++i)
            b_[at + i] = static_cast<uint8_t>(v >> (8 * i));
    }
    // Sets the byte at `sum_at` so that [from, from + len) sums to zero.
    void checksum(uint32_t from, uint32_t len, uint32_t sum_at)
    {
        b_[sum_at] = 0;
        uint8_t s = 0;
        for (uint32_t i = 0; i < len; ++i)
            s = static_cast<uint8_t>(s + b_[from + i]);
        b_[sum_at] = static_cast<uint8_t>(-s);
    }

private:
    void le(uint64_t v, unsigned n)
    {
        for (unsigned i = 0; i < n; ++i)
            b_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    std::vector<uint8_t>& b_;
};

// An ACPI table header (36 bytes); finish_acpi() fills in the length and checksum.
uint32_t start_acpi(Bytes& w, std::string_view signature, uint8_t revision)
{
    w.align(16);
    uint32_t at = w.at();
    w.str(signature);
    w.u32(0);  // length
    w.u8(revision);
    w.u8(0);  // checksum
    w.str(kAcpiOem);
    w.str(kAcpiOemTable);
    w.u32(1);  // OEM revision
    w.str(kAcpiCreator);
    w.u32(1);  // creator revision
    return at;
}

void finish_acpi(Bytes& w, uint32_t at)
{
    w.put32(at + 4, w.at() - at);
    w.checksum(at, w.at() - at, at + 9);
}

void mp_tables(Bytes& w, PcFirmwareTables& t)
{
    w.align(16);
    t.mp_floating = w.at();
    w.str("_MP_");
    w.u32(0);  // the configuration table's address, below
    w.u8(1);   // length in 16-byte units
    w.u8(4);   // spec 1.4
    w.u8(0);   // checksum
    w.zeros(5);  // feature bytes: a configuration table follows; no IMCR (virtual wire mode)

    w.align(16);
    t.mp_config = w.at();
    w.put32(t.mp_floating + 4, PcFirmwareTables::kBase + t.mp_config);
    w.checksum(t.mp_floating, 16, t.mp_floating + 10);
    w.str("PCMP");
    w.u16(0);  // base table length
    w.u8(4);
    w.u8(0);  // checksum
    w.str(kMpOem);
    w.str(kMpProduct);
    w.u32(0);  // OEM table
    w.u16(0);
    w.u16(0);  // entry count
    w.u32(PcFirmwareTables::kLocalApic);
    w.u16(0);  // extended table
    w.u8(0);
    w.u8(0);
    unsigned entries = 0;

    w.u8(0);  // processor
    w.u8(0);  // local APIC ID
    w.u8(LocalApic::kVersion & 0xFF);
    w.u8(0x03);  // enabled, bootstrap processor
    w.u32(x86::kCpuidSignature);
    w.u32(x86::kCpuidFeatures | x86::kCpuidFeatureApic);
    w.zeros(8);
    entries++;

    constexpr uint8_t kIsaBus = 0;
    w.u8(1);  // bus
    w.u8(kIsaBus);
    w.str("ISA   ");
    entries++;

    constexpr uint8_t kIoApicId = 0;
    w.u8(2);  // I/O APIC
    w.u8(kIoApicId);
    w.u8(IoApic::kVersion);
    w.u8(1);  // enabled
    w.u32(PcFirmwareTables::kIoApic);
    entries++;

    for (uint8_t irq = 0; irq < 16; ++irq) {
        if (irq == 2 || (kPciIrqs >> irq) & 1)
            continue;
        w.u8(3);  // I/O interrupt assignment
        w.u8(0);  // INT
        w.u16(0);  // polarity and trigger as the bus has them
        w.u8(kIsaBus);
        w.u8(irq);
        w.u8(kIoApicId);
        w.u8(irq == 0 ? 2 : irq);
        entries++;
    }
    for (uint8_t lint = 0; lint < 2; ++lint) {
        w.u8(4);  // local interrupt assignment
        w.u8(lint == 0 ? 3 : 1);  // ExtINT, NMI
        w.u16(0);
        w.u8(kIsaBus);
        w.u8(0);
        w.u8(lint == 0 ? 0x00 : 0xFF);  // the bootstrap processor; every processor
        w.u8(lint);
        entries++;
    }
    w.put16(t.mp_config + 4, static_cast<uint16_t>(w.at() - t.mp_config));
    w.put16(t.mp_config + 34, static_cast<uint16_t>(entries));
    w.checksum(t.mp_config, w.at() - t.mp_config, t.mp_config + 7);
}

void acpi_tables(Bytes& w, PcFirmwareTables& t)
{
    const uint32_t base = PcFirmwareTables::kBase;

    w.align(64);
    t.facs = w.at();
    w.str("FACS");
    w.u32(64);
    w.zeros(56);  // hardware signature, waking vectors, global lock, flags: all zero

    t.dsdt = start_acpi(w, "DSDT", 1);
    // AML: Name (_S5, Package (4) { Zero, Zero, Zero, Zero }), QEMU's S5 object: SLP_TYP 0 in
    // PM1a_CNT is soft-off. There are no devices to describe.
    for (uint8_t b : std::initializer_list<uint8_t>{0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00})
        w.u8(b);
    finish_acpi(w, t.dsdt);

    t.fadt = start_acpi(w, "FACP", 1);
    w.u32(base + t.facs);
    w.u32(base + t.dsdt);
    w.u8(1);  // interrupt model: multiple APIC
    w.u8(0);  // reserved (preferred PM profile in later revisions)
    w.u16(kSciIrq);
    // No SMI command port: the machine is in ACPI mode from the start (dev/acpi_pm.h).
    w.zeros(4 + 4);       // SMI command port, ACPI enable/disable, S4BIOS, P-state control
    w.u32(AcpiPm::kPm1EventBlock);
    w.u32(0);             // PM1b event
    w.u32(AcpiPm::kPm1ControlBlock);
    w.u32(0);             // PM1b control
    w.u32(0);             // PM2 control
    w.u32(AcpiPm::kPmTimerBlock);
    w.zeros(2 * 4);       // GPE0, GPE1 blocks
    w.u8(4);              // PM1 event length
    w.u8(2);              // PM1 control length
    w.u8(0);              // PM2 control length
    w.u8(4);              // PM timer length
    w.zeros(4);           // GPE0/1 lengths, GPE1 base, C-state control
    w.u16(0x0FFF);        // C2 latency: not supported
    w.u16(0x0FFF);        // C3 latency: not supported
    w.zeros(4);           // flush size and stride
    w.zeros(2);           // duty cycle
    w.u8(0);              // RTC day alarm
    w.u8(0);              // RTC month alarm
    w.u8(0x32);           // RTC century register
    w.zeros(3);           // boot architecture flags (reserved in 1.0), reserved
    w.u32((1u << 0) | (1u << 2) | (1u << 5) | (1u << 7));  // WBINVD, C1, sleep button, RTC S4
    finish_acpi(w, t.fadt);

    t.madt = start_acpi(w, "APIC", 1);
    w.u32(PcFirmwareTables::kLocalApic);
    w.u32(1);  // PC-AT compatible: there are 8259s
    w.u8(0);   // processor local APIC
    w.u8(8);
    w.u8(0);   // processor ID
    w.u8(0);   // APIC ID
    w.u32(1);  // enabled
    w.u8(1);   // I/O APIC
    w.u8(12);
    w.u8(0);   // I/O APIC ID
    w.u8(0);
    w.u32(PcFirmwareTables::kIoApic);
    w.u32(0);  // GSI base
    auto override_irq = [&](uint8_t irq, uint32_t gsi, uint16_t flags) {
        w.u8(2);  // interrupt source override
        w.u8(10);
        w.u8(0);  // ISA
        w.u8(irq);
        w.u32(gsi);
        w.u16(flags);
    };
    override_irq(0, 2, 0);
    for (uint8_t irq = 0; irq < 16; ++irq)
        if ((kPciIrqs >> irq) & 1)
            override_irq(irq, irq, 0x000D);  // active high, level-triggered
    w.u8(4);  // local APIC NMI
    w.u8(6);
    w.u8(0xFF);  // every processor
    w.u16(0);
    w.u8(1);  // LINT1
    finish_acpi(w, t.madt);

    t.rsdt = start_acpi(w, "RSDT", 1);
    w.u32(base + t.fadt);
    w.u32(base + t.madt);
    finish_acpi(w, t.rsdt);

    // The RSDP goes on a 16-byte boundary, where guests search.
    w.align(16);
    t.rsdp = w.at();
    w.str("RSD PTR ");
    w.u8(0);  // checksum
    w.str(kAcpiOem);
    w.u8(0);  // revision 0: ACPI 1.0, RSDT only
    w.u32(base + t.rsdt);
    w.checksum(t.rsdp, 20, t.rsdp + 8);
}

}  // namespace

PcFirmwareTables build_pc_firmware_tables()
{
    PcFirmwareTables t;
    Bytes w(t.bytes);
    mp_tables(w, t);
    acpi_tables(w, t);
    return t;
}

bool install_pc_firmware_tables(Bus& bus)
{
    PcFirmwareTables t = build_pc_firmware_tables();
    return bus.write_bytes(PcFirmwareTables::kBase, t.bytes.data(), t.bytes.size());
}

}  // namespace emu
