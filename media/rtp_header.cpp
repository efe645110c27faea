#include "media/rtp_header.hpp"

namespace sb::media {

std::optional<rtp_header> parse_rtp_header(const uint8_t* data,
                                           std::size_t size) {
  if (size < 12 || (data[0] >> 6) != 2)
    return std::nullopt;
  if (data[1] >= 200 && data[1] <= 204) // RTCP SR/RR/SDES/BYE/APP
    return std::nullopt;
  std::size_t csrc = data[0] & 0x0f;
  if (size < 12 + 4 * csrc)
    return std::nullopt;
  rtp_header h;
  h.payload_type = data[1] & 0x7f;
  h.sequence = static_cast<uint16_t>(data[2] << 8 | data[3]);
  h.timestamp = static_cast<uint32_t>(data[4]) << 24 |
                static_cast<uint32_t>(data[5]) << 16 |
                static_cast<uint32_t>(data[6]) << 8 | data[7];
  h.ssrc = static_cast<uint32_t>(data[8]) << 24 |
           static_cast<uint32_t>(data[9]) << 16 |
           static_cast<uint32_t>(data[10]) << 8 | data[11];
  return h;
}

void loss_tracker::on_packet(const rtp_header& h) {
  if (started_ && h.ssrc != ssrc_) {
    expected_before_ += highest_ - base_ + 1;
    received_before_ += received_;
    received_ = 0;
    started_ = false;
  }
  if (!started_) {
    started_ = true;
    ssrc_ = h.ssrc;
    base_ = highest_ = h.sequence;
    received_ = 1;
    return;
  }
  ++received_;
  // Extend the 16-bit sequence with the cycle of the highest seen: a
  // forward step of less than half the space is new, else it is late.
  auto delta =
      static_cast<uint16_t>(h.sequence - static_cast<uint16_t>(highest_));
  if (delta != 0 && delta < 0x8000)
    highest_ += delta;
}

uint64_t loss_tracker::lost() const noexcept {
  uint64_t expected = expected_before_ + (started_ ? highest_ - base_ + 1 : 0);
  uint64_t received = received_before_ + received_;
  return expected > received ? expected - received : 0;
}

} // namespace sb::media
