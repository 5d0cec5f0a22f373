#include "dev/uart16550.h"

namespace emu {

namespace {

enum Reg : unsigned { RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

constexpr uint8_t kLcrDlab = 0x80;

constexpr uint8_t kIerRdi = 0x01;   // received data available
constexpr uint8_t kIerThri = 0x02;  // transmitter holding register empty
constexpr uint8_t kIerRlsi = 0x04;  // receiver line status
constexpr uint8_t kIerMsi = 0x08;   // modem status

constexpr uint8_t kIirNoInt = 0x01;
constexpr uint8_t kIirId = 0x06;
constexpr uint8_t kIirMsi = 0x00;
constexpr uint8_t kIirThri = 0x02;
constexpr uint8_t kIirRdi = 0x04;
constexpr uint8_t kIirRlsi = 0x06;
constexpr uint8_t kIirCti = 0x0C;
constexpr uint8_t kIirFifoEnabled = 0xC0;

constexpr uint8_t kMcrLoop = 0x10;

constexpr uint8_t kMsrAnyDelta = 0x0F;
constexpr uint8_t kMsrPowerOn = 0xB0;  // DCD | DSR | CTS: a chardev without modem lines

constexpr uint8_t kLsrDr = 0x01;
constexpr uint8_t kLsrOe = 0x02;
constexpr uint8_t kLsrBi = 0x10;
constexpr uint8_t kLsrThre = 0x20;
constexpr uint8_t kLsrTemt = 0x40;
constexpr uint8_t kLsrIntAny = 0x1E;  // OE | PE | FE | BI raise the line status interrupt

constexpr uint8_t kFcrFe = 0x01;
constexpr uint8_t kFcrRfr = 0x02;  // receive FIFO reset
constexpr uint8_t kFcrXfr = 0x04;  // transmit FIFO reset
constexpr uint8_t kFcrSticky = 0xC9;  // trigger level, DMA mode, enable

constexpr uint64_t kNsPerSecond = 1'000'000'000;

}  // namespace

Uart16550::Uart16550(VirtualClock& clock, uint16_t base, std::function<void(uint8_t)> output)
    : clock_(clock), base_(base), output_(std::move(output))
{
    timeout_timer_ = clock_.add_timer([this] { timeout_expired(); });
    reset();
}

void Uart16550::reset()
{
    rx_fifo_.clear();
    divider_ = 0x0C;  // 9600 baud
    rbr_ = 0;
    thr_ = 0;
    tsr_ = 0;
    ier_ = 0;
    iir_ = kIirNoInt;
    lcr_ = 0;
    mcr_ = 0x08;  // OUT2, as QEMU's reset leaves it
    lsr_ = kLsrTemt | kLsrThre;
    msr_ = kMsrPowerOn;
    scr_ = 0;
    fcr_ = 0;
    rx_trigger_ = 1;
    thr_ipending_ = false;
    timeout_ipending_ = false;
    listening_ = false;
    char_time_ns_ = (kNsPerSecond / 9600) * 10;  // 8N1 at 9600 baud, as QEMU's reset
    clock_.disarm(timeout_timer_);
    irq.set(false);
}

// QEMU's priority order: line status, character timeout, data available, THR empty, modem.
// The timeout is masked by IER.RDI too, as on real parts (and in QEMU).
void Uart16550::update_irq()
{
    uint8_t id = kIirNoInt;
    if ((ier_ & kIerRlsi) && (lsr_ & kLsrIntAny))
        id = kIirRlsi;
    else if ((ier_ & kIerRdi) && timeout_ipending_)
        id = kIirCti;
    else if ((ier_ & kIerRdi) && (lsr_ & kLsrDr) &&
             (!(fcr_ & kFcrFe) || rx_fifo_.size() >= rx_trigger_))
        id = kIirRdi;
    else if ((ier_ & kIerThri) && thr_ipending_)
        id = kIirThri;
    else if ((ier_ & kIerMsi) && (msr_ & kMsrAnyDelta))
        id = kIirMsi;
    iir_ = static_cast<uint8_t>(id | (iir_ & 0xF0));
    irq.set(id != kIirNoInt);
}

void Uart16550::update_parameters()
{
    if (divider_ == 0 || divider_ > kBaudBase)
        return;
    unsigned frame = 1;  // start bit
    if (lcr_ & 0x08)
        frame++;  // parity
    frame += (lcr_ & 0x03) + 5;      // data bits
    frame += (lcr_ & 0x04) ? 2 : 1;  // stop bits
    uint64_t speed = kBaudBase / divider_;
    char_time_ns_ = (kNsPerSecond / speed) * frame;
}

void Uart16550::arm_timeout() { clock_.arm(timeout_timer_, clock_.ns() + char_time_ns_ * 4); }

void Uart16550::timeout_expired()
{
    if (!rx_fifo_.empty()) {
        timeout_ipending_ = true;
        update_irq();
    }
}

size_t Uart16550::room() const
{
    if (fcr_ & kFcrFe) {
        if (rx_fifo_.size() >= kFifoDepth)
            return 0;
        // Up to the trigger level, then one byte at a time, so that the guest sees its
        // trigger level honoured (QEMU's serial_can_receive, including its 0 at the level).
        return rx_fifo_.size() <= rx_trigger_ ? rx_trigger_ - rx_fifo_.size() : 1;
    }
    return (lsr_ & kLsrDr) ? 0 : 1;
}

void Uart16550::receive(std::span<const uint8_t> bytes)
{
    for (uint8_t b : bytes)
        take_byte(b);
}

void Uart16550::take_byte(uint8_t byte)
{
    if (fcr_ & kFcrFe) {
        // Overruns do not overwrite what the FIFO holds.
        if (rx_fifo_.size() < kFifoDepth)
            rx_fifo_.push_back(byte);
        else
            lsr_ |= kLsrOe;
        lsr_ |= kLsrDr;
        arm_timeout();
    } else {
        if (lsr_ & kLsrDr)
            lsr_ |= kLsrOe;
        rbr_ = byte;
        lsr_ |= kLsrDr;
    }
    update_irq();
}

// The byte leaves at once (a chardev write never blocks here). As in QEMU, THR empties and
// thr_ipending is set again, so IER.THRI gives one interrupt per byte written.
void Uart16550::transmit()
{
    tsr_ = thr_;
    lsr_ |= kLsrThre;
    if (!thr_ipending_) {
        thr_ipending_ = true;
        update_irq();
    }
    if (mcr_ & kMcrLoop)
        take_byte(tsr_);  // loopback: the byte comes back as if received
    else if (output_)
        output_(tsr_);
    lsr_ |= kLsrTemt;
}

void Uart16550::write_fcr(uint8_t value)
{
    fcr_ = value;
    if (value & kFcrFe) {
        iir_ |= kIirFifoEnabled;
        static constexpr uint8_t kLevels[4] = {1, 4, 8, 14};
        rx_trigger_ = kLevels[value >> 6];
    } else {
        iir_ &= static_cast<uint8_t>(~kIirFifoEnabled);
    }
}

void Uart16550::write_reg(unsigned offset, uint8_t value)
{
    switch (offset) {
    case RBR_THR:
        if (lcr_ & kLcrDlab) {
            divider_ = static_cast<uint16_t>((divider_ & 0xFF00) | value);
            update_parameters();
            break;
        }
        thr_ = value;
        thr_ipending_ = false;
        lsr_ &= static_cast<uint8_t>(~(kLsrThre | kLsrTemt));
        update_irq();  // the THRE interrupt drops here and rises again in transmit()
        transmit();
        break;
    case IER: {
        if (lcr_ & kLcrDlab) {
            divider_ = static_cast<uint16_t>((divider_ & 0x00FF) | (value << 8));
            update_parameters();
            break;
        }
        uint8_t changed = (ier_ ^ value) & 0x0F;
        ier_ = value & 0x0F;
        // Enabling the receive interrupt asks for input as much as reading LSR does.
        if (ier_ & kIerRdi) {
            listening_ = true;
            if (!(lsr_ & kLsrDr) && !(mcr_ & kMcrLoop))
                starved();
        }
        // Enabling THRI with THR empty raises the interrupt even if an IIR read had
        // cleared it (QEMU does this for Windows; Bochs too).
        if (changed & kIerThri)
            thr_ipending_ = (ier_ & kIerThri) && (lsr_ & kLsrThre);
        if (changed)
            update_irq();
        break;
    }
    case IIR_FCR: {
        unsigned v = value;
        // Switching the FIFO on or off flushes both FIFOs.
        if ((v ^ fcr_) & kFcrFe)
            v |= kFcrXfr | kFcrRfr;
        if (v & kFcrRfr) {
            lsr_ &= static_cast<uint8_t>(~(kLsrDr | kLsrBi));
            clock_.disarm(timeout_timer_);
            timeout_ipending_ = false;
            rx_fifo_.clear();
        }
        if (v & kFcrXfr) {
            lsr_ |= kLsrThre;
            thr_ipending_ = true;
        }
        write_fcr(static_cast<uint8_t>(v & kFcrSticky));
        update_irq();
        break;
    }
    case LCR:
        lcr_ = value;
        update_parameters();
        break;
    case MCR: mcr_ = value & 0x1F; break;
    case LSR:
    case MSR: break;  // read-only
    case SCR: scr_ = value; break;
    default: break;
    }
}

uint8_t Uart16550::read_reg(unsigned offset)
{
    switch (offset) {
    case RBR_THR: {
        if (lcr_ & kLcrDlab)
            return static_cast<uint8_t>(divider_);
        listening_ = true;
        uint8_t ret;
        if (fcr_ & kFcrFe) {
            ret = 0;
            if (!rx_fifo_.empty()) {
                ret = rx_fifo_.front();
                rx_fifo_.pop_front();
            }
            if (rx_fifo_.empty())
                lsr_ &= static_cast<uint8_t>(~(kLsrDr | kLsrBi));
            else
                arm_timeout();
            timeout_ipending_ = false;
        } else {
            ret = rbr_;
            lsr_ &= static_cast<uint8_t>(~(kLsrDr | kLsrBi));
        }
        update_irq();
        // QEMU asks its chardev for more input after every RBR read outside loopback; the
        // recorder needs to hear only when the receive side has run dry.
        if (!(mcr_ & kMcrLoop) && !(lsr_ & kLsrDr))
            starved();
        return ret;
    }
    case IER: return (lcr_ & kLcrDlab) ? static_cast<uint8_t>(divider_ >> 8) : ier_;
    case IIR_FCR: {
        uint8_t ret = iir_;
        if ((ret & kIirId) == kIirThri) {
            thr_ipending_ = false;
            update_irq();
        }
        return ret;
    }
    case LCR: return lcr_;
    case MCR: return mcr_;
    case LSR: {
        listening_ = true;
        uint8_t ret = lsr_;
        if (lsr_ & (kLsrBi | kLsrOe)) {
            lsr_ &= static_cast<uint8_t>(~(kLsrBi | kLsrOe));
            update_irq();
        }
        if (!(ret & kLsrDr) && !(mcr_ & kMcrLoop))
            starved();
        return ret;
    }
    case MSR: {
        if (mcr_ & kMcrLoop) {
            // Loopback wires OUT2/OUT1 to DCD/RI, RTS to CTS, DTR to DSR.
            return static_cast<uint8_t>(((mcr_ & 0x0C) << 4) | ((mcr_ & 0x02) << 3) |
                                        ((mcr_ & 0x01) << 5));
        }
        uint8_t ret = msr_;
        if (msr_ & kMsrAnyDelta) {
            msr_ &= 0xF0;
            update_irq();
        }
        return ret;
    }
    case SCR: return scr_;
    default: return 0xFF;
    }
}

uint32_t Uart16550::port_read(uint16_t port, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= uint32_t{read_reg((port + i - base_) & 7)} << (8 * i);
    return v;
}

void Uart16550::port_write(uint16_t port, uint32_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        write_reg((port + i - base_) & 7, static_cast<uint8_t>(value >> (8 * i)));
}

void Uart16550::serialize(StateArchive& a)
{
    a.section("uart16550", 2);
    std::vector<uint8_t> fifo(rx_fifo_.begin(), rx_fifo_.end());
    a.blob("rx_fifo", fifo);
    if (a.loading() && fifo.size() > kFifoDepth)
        a.fail("a receive FIFO of " + std::to_string(fifo.size()) + " bytes");
    else if (a.loading())
        rx_fifo_.assign(fifo.begin(), fifo.end());
    a.field("divider", divider_);
    a.field("rbr", rbr_);
    a.field("thr", thr_);
    a.field("tsr", tsr_);
    a.field("ier", ier_);
    a.field("iir", iir_);
    a.field("lcr", lcr_);
    a.field("mcr", mcr_);
    a.field("lsr", lsr_);
    a.field("msr", msr_);
    a.field("scr", scr_);
    a.field("fcr", fcr_);
    a.field("rx_trigger", rx_trigger_);
    a.field("thr_ipending", thr_ipending_);
    a.field("timeout_ipending", timeout_ipending_);
    // Not derived from divider and LCR: reset sets the 8N1 time, which LCR 0 does not give.
    a.field("char_time_ns", char_time_ns_);
    a.field("listening", listening_);
    bool level = irq.level();
    a.field("irq", level);
    if (a.loading())
        irq.restore_level(level);
}


}  // namespace emu
