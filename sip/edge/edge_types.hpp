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
  /// False for ACK and for a CANCEL of a pending INVITE: notifications
  /// the edge has already answered as RFC 3261 wants (key is 0 for ACK,
  /// the INVITE's key for CANCEL); no reply may be sent for them.
  bool needs_reply = true;
  /// A notification that the 2xx to this INVITE (`message`) was
  /// retransmitted for 64*T1 and never ACKed (RFC 3261 §13.3.1.4).
  bool ack_timeout = false;
  /// The message as received, kept only when the edge is told to
  /// (`edge_options::keep_raw`, cluster mode): a request for an actor on
  /// another node travels as this text and is parsed there.
  std::string raw{};
  /// It arrived from another node's edge: handled here whatever this
  /// node's view says, so two views that differ for a moment never bounce
  /// a request between nodes.
  bool forwarded = false;
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
  /// To tag of the dialog this answer creates (INVITE); empty: the edge's
  /// own for final answers, none for provisional ones.
  std::string to_tag;

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

/// A request the platform sends as a client transaction (the B legs of a
/// call and every in-dialog request): nta adds the Via, retransmits on
/// UDP, times out with 408 and ACKs non-2xx answers to an INVITE. An ACK
/// for a 2xx goes out without a transaction.
struct outgoing_request {
  uint64_t id = 0; ///< from `sip_edge::new_request_id()`; answers carry it
  std::string method;
  std::string request_uri;
  /// "udp:203.0.113.5:40000": where to send (a NATed binding's address or
  /// the first Route); empty: resolve the Request-URI.
  std::string next_hop;
  std::vector<std::string> route; ///< Route header values, in order
  std::string from;               ///< the full header value, with its tag
  std::string to;                 ///< the full header value
  std::string call_id;
  uint32_t cseq = 1;
  std::string contact;               ///< header value; empty: none
  std::vector<header_field> headers; ///< extra headers, in order
  std::string content_type;          ///< with `body` only
  std::string body;
  /// For an ACK: the INVITE it acknowledges. The edge resends the ACK when
  /// that INVITE's 2xx is retransmitted (RFC 3261 §13.2.2.4).
  uint64_t ack_for = 0;
  /// The Via branch ("z9hG4bK…"); empty: the edge picks one. Set on an
  /// INVITE whose CANCEL may have to be sent by another process.
  std::string branch;
  /// Sent once without a transaction (no answer comes back): the CANCEL
  /// of an INVITE a former process sent, with that INVITE's branch.
  bool stateless = false;
};

/// A final answer to a request whose transaction is gone with the process
/// that received it (a call in setup when its node died): `request` is its
/// text as received, `source` where it came from; the reply's `to_tag` is
/// the tag the call gave itself then.
struct orphan_reply {
  std::string request;
  source_address source;
  sip_reply reply;
};

/// A response to an outgoing request (every 1xx but 100, and the finals;
/// a retransmitted 2xx already ACKed is absorbed by the edge).
struct incoming_response {
  uint64_t id = 0;
  sip_message message;
  /// The response as received (`edge_options::keep_raw`): an answer for a
  /// call on another node travels as this text. Empty for the edge's own
  /// answers (408 timeout, 503 unreachable): status and reason say all.
  std::string raw{};
};

/// A request the platform sends without a transaction (NAT keepalives).
struct outgoing_options {
  std::string request_uri; ///< the binding's contact URI
  source_address target;   ///< where to send it (the NAT mapping)
  std::string from_uri;    ///< e.g. "sip:keepalive@127.0.0.1"
  /// The listener the binding came in on ("udp:10.0.0.10:5060"): in a
  /// cluster the lb node that has this address sends the keepalive, so it
  /// leaves from the address the NAT let the REGISTER in through.
  std::string local_socket{};
};

} // namespace sb::sip::edge
