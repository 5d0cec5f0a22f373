#include "dev/pl011.h"

#include <algorithm>

#include "core/state_archive.h"

namespace emu {

namespace {

enum Reg : uint64_t {
    DR = 0x000,
    RSR = 0x004,
    FR = 0x018,
    ILPR = 0x020,
    IBRD = 0x024,
    FBRD = 0x028,
    LCR_H = 0x02C,
    CR = 0x030,
    IFLS = 0x034,
    IMSC = 0x038,
    RIS = 0x03C,
    MIS = 0x040,
    ICR = 0x044,
    DMACR = 0x048,
};

constexpr uint32_t kFrRxfe = 1u << 4;
constexpr uint32_t kFrRxff = 1u << 6;
constexpr uint32_t kFrTxfe = 1u << 7;

constexpr uint32_t kIntRx = 1u << 4;
constexpr uint32_t kIntTx = 1u << 5;
constexpr uint32_t kIntRt = 1u << 6;  // receive timeout

// PrimeCell identification registers at 0xFE0..0xFFC, one byte each.
constexpr uint8_t kId[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

}  // namespace

void Pl011::update_irq() { irq.set((ris_ & imsc_) != 0); }

void Pl011::receive(std::span<const uint8_t> bytes)
{
    for (uint8_t b : bytes.first(std::min(bytes.size(), room())))
        rx_fifo_.push_back(b);
    if (!bytes.empty()) {
        ris_ |= kIntRx | kIntRt;
        update_irq();
    }
}

uint64_t Pl011::mmio_read(uint64_t offset, unsigned)
{
    if (offset >= 0xFE0 && offset < 0x1000)
        return kId[(offset - 0xFE0) >> 2];
    switch (offset) {
    case DR: {
        listening_ = true;
        if (rx_fifo_.empty()) {
            starved();
            return 0;
        }
        uint8_t b = rx_fifo_.front();
        rx_fifo_.pop_front();
        if (rx_fifo_.empty()) {
            ris_ &= ~(kIntRx | kIntRt);
            starved();
        }
        update_irq();
        return b;
    }
    case RSR: return rsr_;
    case FR: {
        listening_ = true;
        // Transmission is instantaneous: the transmit FIFO is always empty.
        uint32_t fr = kFrTxfe;
        if (rx_fifo_.empty()) {
            fr |= kFrRxfe;
            starved();
        }
        if (rx_fifo_.size() >= rx_capacity())
            fr |= kFrRxff;
        return fr;
    }
    case ILPR: return ilpr_;
    case IBRD: return ibrd_;
    case FBRD: return fbrd_;
    case LCR_H: return lcr_h_;
    case CR: return cr_;
    case IFLS: return ifls_;
    case IMSC: return imsc_;
    case RIS: return ris_;
    case MIS: return ris_ & imsc_;
    case DMACR: return dmacr_;
    default: return 0;
    }
}

void Pl011::mmio_write(uint64_t offset, uint64_t value, unsigned)
{
    uint32_t v = static_cast<uint32_t>(value);
    switch (offset) {
    case DR:
        output_(static_cast<uint8_t>(v));
        ris_ |= kIntTx;
        update_irq();
        break;
    case RSR: rsr_ = 0; break;
    case ILPR: ilpr_ = v; break;
    case IBRD: ibrd_ = v; break;
    case FBRD: fbrd_ = v; break;
    case LCR_H:
        // QEMU empties the receive FIFO when FEN changes; we keep what was received, because
        // the recorder promises that no input byte is lost. A guest that switches the FIFO on
        // after input arrived (Linux does, at console setup) sees those bytes first.
        lcr_h_ = v;
        break;
    case CR: cr_ = v; break;
    case IFLS: ifls_ = v; break;
    case IMSC:
        imsc_ = v & 0x7FF;
        // Unmasking a receive interrupt asks for input as much as reading FR does.
        if (imsc_ & (kIntRx | kIntRt)) {
            listening_ = true;
            if (rx_fifo_.empty())
                starved();
        }
        update_irq();
        break;
    case ICR:
        ris_ &= ~v;
        update_irq();
        break;
    case DMACR: dmacr_ = v; break;
    default: break;
    }
}

void Pl011::serialize(StateArchive& a)
{
    a.section("pl011", 2);
    std::vector<uint8_t> fifo(rx_fifo_.begin(), rx_fifo_.end());
    a.blob("rx_fifo", fifo);
    if (a.loading() && fifo.size() > kFifoDepth)
        a.fail("a receive FIFO of " + std::to_string(fifo.size()) + " bytes");
    else if (a.loading())
        rx_fifo_.assign(fifo.begin(), fifo.end());
    a.field("lcr_h", lcr_h_);
    a.field("cr", cr_);
    a.field("ifls", ifls_);
    a.field("ibrd", ibrd_);
    a.field("fbrd", fbrd_);
    a.field("ilpr", ilpr_);
    a.field("dmacr", dmacr_);
    a.field("imsc", imsc_);
    a.field("ris", ris_);
    a.field("rsr", rsr_);
    a.field("listening", listening_);
    bool level = irq.level();
    a.field("irq", level);
    if (a.loading())
        irq.restore_level(level);
}


}  // namespace emu
