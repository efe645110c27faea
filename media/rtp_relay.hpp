#pragma once

// The forwarding half of a media session: one call's relay, one RTP and one
// RTCP socket per leg, bound on the relay address. A packet that arrives on
// leg A's RTP socket leaves through leg B's RTP socket towards B's peer
// (and the other way, and the same for RTCP), inside the Asio I/O thread
// that owns the sockets: packets never pass through an actor mailbox
// (ARCHITECTURE.md §5). The media session actor steers it (expect,
// close) and reads its counters.
//
// NAT: a leg's peer is first the address its SDP announced; the first
// packet that arrives on the leg's socket latches the real source
// (symmetric RTP, what rtpengine and every SBC do), and from then on only
// that source is accepted on the leg, so a third party cannot hijack the
// stream. A new SDP (expect) unlatches.
#include "common/asio.hpp"
#include "common/result.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace sb::media {

enum class leg_id : uint8_t { a = 0, b = 1 };

/// Local ports of one leg; 0 binds an ephemeral port (tests).
struct leg_ports {
  uint16_t rtp = 0;
  uint16_t rtcp = 0;
};

struct leg_stats {
  uint64_t packets = 0; ///< RTP and RTCP received from this leg's peer
  uint64_t bytes = 0;
  uint64_t rtp_packets = 0;
  uint64_t lost = 0;       ///< RTP sequence gaps (RFC 3550 A.1)
  uint64_t foreign = 0;    ///< dropped: not from the latched source
  uint64_t unroutable = 0; ///< dropped: the other leg has no peer yet
  std::optional<std::string> latched; ///< "ip:port" of the RTP source
  /// Steady-clock time of the last packet from the peer (for the media
  /// timeout); nullopt before the first.
  std::optional<std::chrono::steady_clock::time_point> last_packet;
};

class rtp_relay : public std::enable_shared_from_this<rtp_relay> {
public:
  using udp = boost::asio::ip::udp;

  /// Binds the four sockets on `local_ip` (IPv4 or IPv6). Fails, naming
  /// the port, when one cannot be bound (the caller takes another pair);
  /// `failed_rtp` then gets the RTP port of the pair that failed.
  static result<std::shared_ptr<rtp_relay>>
  open(boost::asio::io_context& io, const std::string& local_ip, leg_ports a,
       leg_ports b, uint16_t* failed_rtp = nullptr);

  ~rtp_relay();
  rtp_relay(const rtp_relay&) = delete;
  rtp_relay& operator=(const rtp_relay&) = delete;

  /// The ports bound for `leg` (what the rewritten SDP announces).
  leg_ports local_ports(leg_id leg) const;

  /// Where `leg`'s peer said (SDP) it receives RTP and RTCP; unlatches the
  /// leg. Thread-safe (posted to the I/O thread).
  void expect(leg_id leg, udp::endpoint rtp, udp::endpoint rtcp);

  /// Starts receiving. Call once.
  void start();

  /// Closes the sockets on the I/O thread; the relay is freed when the
  /// last handler has run. Idempotent, thread-safe.
  void close();

  /// A copy of `leg`'s counters. Thread-safe.
  leg_stats stats(leg_id leg) const;

private:
  struct impl;
  explicit rtp_relay(std::unique_ptr<impl> p);
  void receive(size_t socket);
  void on_packet(size_t socket, std::size_t size);

  std::unique_ptr<impl> impl_;
};

} // namespace sb::media
