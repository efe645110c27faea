#pragma once

// What the relay reads from a packet: enough of the RTP fixed header
// (RFC 3550 §5.1) to count losses per leg. Total: anything that is not
// RTP version 2 with a complete header is simply "not RTP" (RTCP, STUN,
// garbage are forwarded or dropped by the relay, never parsed further).
#include <cstddef>
#include <cstdint>
#include <optional>

namespace sb::media {

struct rtp_header {
  uint8_t payload_type = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
};

/// The fixed header of `data`, or nullopt when it is not an RTP packet:
/// shorter than 12 bytes plus its CSRC list, version not 2, or an RTCP
/// packet type (200-204 in the second byte, RFC 5761 §4) on a muxed port.
std::optional<rtp_header> parse_rtp_header(const uint8_t* data,
                                           std::size_t size);

/// Packets received and lost on one leg, RFC 3550 Appendix A.1 simplified:
/// the extended highest sequence number against the first one seen. A
/// new SSRC (the source restarted) starts counting again. Duplicates and
/// late packets are not losses.
class loss_tracker {
public:
  void on_packet(const rtp_header& h);
  uint64_t received() const noexcept { return received_before_ + received_; }
  /// Expected minus received, never below zero.
  uint64_t lost() const noexcept;

private:
  bool started_ = false;
  uint32_t ssrc_ = 0;
  uint32_t base_ = 0;    ///< first extended sequence number of this SSRC
  uint32_t highest_ = 0; ///< highest extended sequence number seen
  uint64_t received_ = 0;
  uint64_t expected_before_ = 0; ///< of earlier SSRCs
  uint64_t received_before_ = 0;
};

} // namespace sb::media
