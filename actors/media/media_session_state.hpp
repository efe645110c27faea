// The pure control core of a media session (one per call, on an `lb`
// node): which relay ports each stream uses on each leg, the SDP each leg
// is given (sip/sdp rewrite_sdp: the relay in place of the other side),
// and where each leg's peer said it receives (the relay's `expect`).
// Offers and answers may come from either leg (re-INVITE, UPDATE, hold);
// ports are allocated once per stream and kept until the session ends.
//
// rtcp-mux (RFC 5761) is offered onwards when the offerer offers it and
// kept only when the answerer accepts it too, so both legs of a stream
// either mux or do not, which is what the relay forwards.
#pragma once

#include "common/net/ip_net.hpp"
#include "common/result.hpp"
#include "media/port_pool.hpp"
#include "media/rtp_relay.hpp"
#include "sip/sdp/sdp.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::actors::media {

using sb::media::leg_id;

/// One m= line: the relay's RTP port on each leg (RTCP is the next one).
struct media_stream {
  std::array<std::optional<uint16_t>, 2> port;
  std::array<bool, 2> mux_offered{}; ///< a=rtcp-mux in that leg's last SDP
};

struct media_session_state {
  std::vector<media_stream> streams;
  /// The origin presented on each leg; its version moves when the SDP
  /// sent on that leg changes (RFC 3264 §8).
  std::array<sip::sdp_origin_spec, 2> origin;
  std::array<std::string, 2> last_sent;
  /// Streams of the last offer, and who offered; answers from the other
  /// leg are taken until the next offer.
  std::optional<leg_id> offerer;
  size_t offered_streams = 0;
};

/// Where a leg's peer receives one stream, from its SDP.
struct peer_address {
  net::ip_address ip;
  uint16_t rtp = 0;
  uint16_t rtcp = 0;
};

struct sdp_forward {
  std::string body; ///< for the other leg
  /// Per stream, where the sending leg receives; nullopt when the stream
  /// is disabled or its address is not an IP (latching will learn it).
  std::vector<std::optional<peer_address>> expect;
  /// RTP ports allocated by this call (the shell opens relays on them).
  std::vector<uint16_t> allocated;
};

/// A session presenting `session_id` (and +1 on leg B) as o= session ids.
media_session_state make_media_session(uint64_t session_id);

/// An SDP offer from `from`: allocates the ports of new streams on both
/// legs (all or nothing: a full pool is an error and allocates nothing)
/// and returns it rewritten for the other leg. Errors: the body does not
/// parse, or it has fewer m= lines than before (RFC 3264 §8.1: lines are
/// never removed), or no ports are left.
result<sdp_forward> on_offer(media_session_state& st,
                             sb::media::port_pool& pool, leg_id from,
                             std::string_view sdp,
                             const net::ip_address& relay);

/// The answer from `from` to the pending offer, rewritten for the offerer.
/// It may come more than once (a 183's answer repeated in the 200).
/// Errors: no offer pending from the other leg, the body does not parse,
/// or its m= count differs from the offer's (RFC 3264 §6).
result<sdp_forward> on_answer(media_session_state& st, leg_id from,
                              std::string_view sdp,
                              const net::ip_address& relay);

/// Returns every port of the session to the pool (the session ends).
void release_ports(media_session_state& st, sb::media::port_pool& pool);

} // namespace sb::actors::media
