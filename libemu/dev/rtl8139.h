// The Realtek RTL8139C+ Fast Ethernet controller (10ec:8139, revision 0x20) as a conventional
// PCI function, in the chip's plain mode (no C+ descriptor rings): the registers at I/O BAR0 and,
// the same 256 bytes again, at memory BAR1; INTA.
//
// Transmit: four descriptors used in turn, each an address (TSAD) and a status (TSD). Writing a
// TSD with OWN clear while the transmitter is on sends the descriptor's SIZE bytes to `transmit`
// at once and sets OWN and TOK, then TOK in ISR.
//
// Receive: frames come from the input gate (core/input_gate.h) into the ring at RBSTART of
// 8, 16, 32 or 64 KiB (RCR.RBLEN): at the write offset (CBR) a 4-byte header (status, length
// with the CRC) then the frame, padded to 60 bytes as the wire has it, then its Ethernet CRC;
// the next frame starts at the next dword. The driver's read offset is CAPR + 16. With
// RCR.WRAP (and a ring under 64 KiB) a frame runs on past the ring's end instead of wrapping to
// its start. Frames pass the address filter of RCR (AAP all, APM ours, AM multicast by the MAR
// hash, AB broadcast). A frame that does not fit sets RXOVW and counts in MPC; as in QEMU, it
// stays in the host back end while the RXOVW interrupt is masked (room() is what fits), and is
// taken and dropped when it is unmasked.
//
// Not here: the 93C46 EEPROM behind 9346CR (the MAC is read from IDR), the C+ mode, the timer
// (TCTR reads 0, TimerInt never fires), wake-on-LAN, loopback. DMA does not depend on the PCI
// bus-master bit.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>

#include "core/bus.h"
#include "core/input_gate.h"
#include "core/io_ports.h"
#include "dev/irq_line.h"
#include "dev/pci_function.h"

namespace emu {

namespace rtl8139 {
// Register offsets (RTL8139C(L)+ datasheet, section 6).
constexpr uint8_t kIdr0 = 0x00, kMar0 = 0x08, kTsd0 = 0x10, kTsad0 = 0x20, kRbstart = 0x30, kErbcr = 0x34,
                  kErsr = 0x36, kCr = 0x37, kCapr = 0x38, kCbr = 0x3a, kImr = 0x3c, kIsr = 0x3e, kTcr = 0x40,
                  kRcr = 0x44, kTctr = 0x48, kMpc = 0x4c, k9346Cr = 0x50, kConfig0 = 0x51, kConfig1 = 0x52,
                  kTimerInt = 0x54, kMsr = 0x58, kConfig3 = 0x59, kConfig4 = 0x5a, kMulint = 0x5c, kRerid = 0x5e,
                  kTsadSummary = 0x60, kBmcr = 0x62, kBmsr = 0x64, kAnar = 0x66, kAnlpar = 0x68, kAner = 0x6a,
                  kCscr = 0x74, kConfig5 = 0xd8;
// CR
constexpr uint8_t kCrBufe = 1 << 0, kCrTe = 1 << 2, kCrRe = 1 << 3, kCrRst = 1 << 4;
// ISR and IMR
constexpr uint16_t kIntRok = 1 << 0, kIntRer = 1 << 1, kIntTok = 1 << 2, kIntTer = 1 << 3, kIntRxovw = 1 << 4,
                   kIntLinkChange = 1 << 5, kIntFovw = 1 << 6, kIntLenChange = 1 << 13, kIntTimeout = 1 << 14,
                   kIntSerr = 1 << 15;
// TSD
constexpr uint32_t kTsdSizeMask = 0x1fff, kTsdOwn = 1 << 13, kTsdTun = 1 << 14, kTsdTok = 1 << 15,
                   kTsdTabt = 1u << 30;
// RCR
constexpr uint32_t kRcrAap = 1 << 0, kRcrApm = 1 << 1, kRcrAm = 1 << 2, kRcrAb = 1 << 3, kRcrWrap = 1 << 7;
constexpr unsigned kRcrRblenShift = 11;
// The receive header's status word.
constexpr uint16_t kRxRok = 1 << 0, kRxBroadcast = 1 << 13, kRxPhysical = 1 << 14, kRxMulticast = 1 << 15;
// Frames shorter than this are padded on the wire (without the CRC).
constexpr size_t kMinFrame = 60;
}  // namespace rtl8139

class Rtl8139 final : public PciFunction, public PortDevice, public MmioDevice, public InputPort {
public:
    static constexpr unsigned kIoBar = 0, kMemoryBar = 1;
    static constexpr uint32_t kRegisterBytes = 256;
    // QEMU's default for the first NIC.
    static constexpr std::array<uint8_t, 6> kDefaultMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

    // Registers its register window on `bus` where BAR1 points (0 until assigned).
    explicit Rtl8139(Bus& bus, std::array<uint8_t, 6> mac = kDefaultMac);

    // The registers, through BAR0 (ports) or BAR1 (memory); `offset` within the 256 bytes.
    uint32_t read(uint8_t offset, unsigned size) const;
    void write(uint8_t offset, uint32_t value, unsigned size);
    // Port `port` where BAR0 decodes it: false for a port outside.
    bool io_read(uint16_t port, unsigned size, uint32_t& value);
    bool io_write(uint16_t port, uint32_t value, unsigned size);

    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;
    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;

    // The receiver is on.
    bool listening() const override;
    // The largest frame the ring takes now (0 when none), or any frame while RXOVW is unmasked.
    size_t room() const override;
    // One whole frame, as it came off the wire without its CRC.
    void receive(std::span<const uint8_t> frame) override;

    // Every frame the guest sends.
    std::function<void(std::span<const uint8_t>)> transmit;
    // The driver made room in the ring or switched the receiver on: frames held by a recorder
    // can go in now.
    std::function<void()> rx_room;
    // INTA#.
    IrqLine irq;

    // The ring's size in bytes (RCR.RBLEN).
    uint32_t ring_bytes() const { return 8192u << ((rcr_ >> rtl8139::kRcrRblenShift) & 3); }

    void serialize(StateArchive& a) override;

private:
    void config_written(uint8_t offset, unsigned size) override;
    // The register containing `offset`: its first byte and width.
    static std::pair<uint8_t, unsigned> register_at(uint8_t offset);
    uint8_t read8(uint8_t offset) const;
    void write_register(uint8_t start, uint32_t value);
    void reset();
    void transmit_pending();
    bool accepts(std::span<const uint8_t> frame, uint16_t& status) const;
    // Free bytes between the write and the read offsets; the whole ring when they are equal.
    uint32_t ring_free() const;
    void ring_write(uint32_t offset, const uint8_t* data, size_t n);
    void update_irq();
    void place_registers();

    Bus& bus_;
    std::array<uint8_t, 6> rom_mac_;  // what IDR is reset to (QEMU's macaddr=)
    std::array<uint8_t, 6> mac_{};
    std::array<uint8_t, 8> mar_{};
    std::array<uint32_t, 4> tsd_{};
    std::array<uint32_t, 4> tsad_{};
    uint32_t rbstart_ = 0;
    uint8_t cr_ = 0;  // RE and TE; BUFE is computed
    uint32_t rx_read_ = 0;   // CAPR + 16
    uint32_t rx_write_ = 0;  // CBR
    uint16_t imr_ = 0, isr_ = 0;
    uint32_t tcr_ = 0, rcr_ = 0;
    uint32_t mpc_ = 0;
    uint8_t cfg9346_ = 0;
    uint8_t config0_ = 0, config1_ = 0, config3_ = 0, config4_ = 0, config5_ = 0;
    uint8_t msr_ = 0;
    uint32_t timer_int_ = 0;
    uint16_t mulint_ = 0;
    uint16_t bmcr_ = 0, anar_ = 0;
    unsigned tx_next_ = 0;  // the descriptor the chip sends next
};

}  // namespace emu
