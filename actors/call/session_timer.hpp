// Session timers (RFC 4028) on each leg of a call. The B2BUA is the UAS of
// the A leg and the UAC of the B leg, and runs one timer per leg: a leg
// whose refresher is the peer must see a refresh (re-INVITE or UPDATE)
// within the interval, or the call ends on both legs; a leg refreshed by
// us gets an UPDATE (or a re-INVITE) at half the interval. Pure: the
// negotiation from the messages, the headers to send, and what is due
// when; the call actor arms the timers and sends the requests.
#pragma once

#include "sip/edge/edge_types.hpp"
#include "sip/msg/sip_message.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace sb::actors::call {

struct session_timer_settings {
  uint32_t session_expires = 1800; ///< what we ask for / grant by default
  uint32_t min_se = 90;            ///< the least we accept (RFC 4028: >= 90)
};

enum class refresher : uint8_t { us, peer };

struct leg_timer {
  uint32_t interval = 0; ///< seconds
  refresher who = refresher::peer;
};

/// What to do with the caller's INVITE (RFC 4028 §9): a 422 with Min-SE
/// when it asks for less than min_se; else, when it supports timers, the
/// A leg's timer: the interval it asked for (or ours), refreshed by the
/// caller. No timer on a caller that does not support them.
struct uas_negotiation {
  std::optional<sip::edge::sip_reply> reject;
  std::optional<leg_timer> timer;
};
uas_negotiation negotiate_as_uas(const sip::sip_message& invite,
                                 const session_timer_settings& s);

/// The headers of our 2xx to an INVITE or UPDATE on a leg with a timer we
/// granted as UAS: Session-Expires with refresher=uac, Require: timer.
std::vector<sip::header_field> uas_answer_headers(const leg_timer& t);

/// The headers of an INVITE or refresh we send as UAC (§7.1): Supported:
/// timer, Session-Expires and Min-SE.
std::vector<sip::header_field>
uac_request_headers(uint32_t interval, const session_timer_settings& s);

/// The B leg's timer from the 2xx to our INVITE (§7.2): its
/// Session-Expires decides; refresher=uac means us. None without one.
std::optional<leg_timer> from_uac_answer(const sip::sip_message& response);

/// When, after the last refresh, the leg needs us: our refresh at half the
/// interval; the peer's refresh is overdue at the interval minus
/// min(32 s, interval / 3) (§10).
std::chrono::seconds due_after(const leg_timer& t);

/// The request that refreshes a leg we refresh (RFC 4028 §7.4, §9): UPDATE
/// without a body where the peer allows it (or we have no SDP to repeat),
/// else a re-INVITE with the SDP the peer last got from us.
std::string_view refresh_method(bool peer_allows_update, bool have_sdp);

/// The interval in a Session-Expires value ("1800;refresher=uac"), or
/// nullopt when it does not parse.
std::optional<uint32_t> session_interval(std::string_view value);

} // namespace sb::actors::call
