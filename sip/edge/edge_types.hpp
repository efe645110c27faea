#pragma once

#include "sip/msg/sip_message.hpp"
#include "sip/msg/transport.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

// The values that cross the SIP edge: a request handed to the platform and
// the reply that comes back for it. No sofia type appears here; the edge
// keeps every sofia object on its own thread and names transactions by key.
namespace sb::sip::edge {

using steady_time = std::chrono::steady_clock::time_point;

/// A request the edge accepted and hands to the platform. It must be
/// answered with `sip_edge::reply(key, ...)` exactly once; the edge answers
/// 500 itself when that does not happen within the reply guard time.
struct incoming_request {
  uint64_t key = 0;
  sip_message message;
  source_address source; ///< socket peer
  std::string
      local_socket; ///< "udp:127.0.0.1:5060", the listener it came in on
  steady_time received_at{};
};

/// A final (or provisional, 1xx) response to an incoming request. Via,
/// From, To (with a To tag added for final responses), Call-ID and CSeq are
/// copied from the request by the edge.
struct sip_reply {
  uint16_t code = 500;
  std::string reason;                ///< empty: the standard phrase
  std::vector<header_field> headers; ///< extra headers, in order
  std::string content_type;          ///< with `body` only
  std::string body;

  /// A reply without body.
  static sip_reply of(uint16_t code, std::string reason = {},
                      std::vector<header_field> headers = {}) {
    sip_reply r;
    r.code = code;
    r.reason = std::move(reason);
    r.headers = std::move(headers);
    return r;
  }
};

/// What the screening hook decides for a request before it goes anywhere.
struct screen_verdict {
  enum class action : uint8_t { pass, drop, reject } what = action::pass;
  sip_reply rejection; ///< for `reject`
  std::string why;     ///< metrics label: "rate_limit", "user_agent", ...
};

/// A request the platform sends without a transaction (NAT keepalives).
struct outgoing_options {
  std::string request_uri; ///< the binding's contact URI
  source_address target;   ///< where to send it (the NAT mapping)
  std::string from_uri;    ///< e.g. "sip:keepalive@127.0.0.1"
};

} // namespace sb::sip::edge
