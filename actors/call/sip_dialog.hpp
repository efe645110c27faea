// The SIP side of a call's legs (RFC 3261 §12): what the call actor keeps
// about each dialog to send requests on it, and the pure builders of
// those requests and of the answers it relays. The A leg is the caller's
// dialog (we are its UAS); each B branch is a dialog we start (its UAC).
// Nothing of one leg is copied to the other except what `relayed_headers`
// names and the bodies the media session rewrote: the topology stays
// hidden (no Via, Contact, Record-Route or Call-ID crosses).
#pragma once

#include "sip/edge/edge_types.hpp"
#include "sip/msg/sip_message.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::actors::call {

struct dialog_leg {
  std::string call_id;
  sip::name_addr local;  ///< our side: From of our requests (with our tag)
  sip::name_addr remote; ///< the peer: To of our requests (its tag once known)
  std::string remote_target;          ///< Request-URI of our requests
  std::vector<std::string> route_set; ///< Route of our requests, in order
  std::string next_hop;               ///< "udp:ip:port"; empty: by URI
  std::string contact;                ///< our Contact header value
  uint32_t local_cseq = 0;            ///< last CSeq we sent
  uint32_t remote_cseq = 0;           ///< last CSeq the peer sent
};

/// "\"Alice\" <sip:alice@example.org>;tag=1234".
std::string format_name_addr(const sip::name_addr& a);

/// Our Contact on a listener ("udp:127.0.0.1:5060" →
/// "<sip:127.0.0.1:5060;transport=udp>").
std::string contact_for(std::string_view local_socket);

/// The A leg from the caller's INVITE: its From and Contact, its
/// Record-Route as the route set (RFC 3261 §12.1.1), its source address as
/// the next hop (NAT), and our tag and Contact.
dialog_leg caller_leg(const sip::sip_message& invite,
                      const sip::source_address& source, std::string our_tag,
                      std::string contact);

/// A B leg to `target_uri` (a binding's contact) with the callee's AoR as
/// To, the caller's identity as From (with our tag), `path` as the first
/// routes and `next_hop` where the binding is reached.
dialog_leg callee_leg(std::string call_id, sip::name_addr caller,
                      std::string our_tag, sip::name_addr callee_aor,
                      std::string target_uri, std::vector<std::string> path,
                      std::string next_hop, std::string contact);

/// A request on `leg`: a new CSeq (counted in `leg`), or `cseq` for an
/// ACK (it shares its INVITE's number).
sip::edge::outgoing_request make_request(dialog_leg& leg, std::string method,
                                         uint64_t id,
                                         std::optional<uint32_t> cseq = {});

/// The CANCEL of an INVITE we sent (RFC 3261 §9.1: same Request-URI,
/// Route, From, To, Call-ID, CSeq number and Via branch), to be sent
/// without a transaction: by a node that finds the call orphaned.
sip::edge::outgoing_request
cancel_of(const sip::edge::outgoing_request& invite);

/// What an answer that creates or refreshes the dialog (a tagged 1xx or a
/// 2xx to INVITE) tells about it: the peer's tag, its Contact as the
/// remote target and, on the first one, the reversed Record-Route as the
/// route set (RFC 3261 §12.1.2).
void learn_from_response(dialog_leg& leg, const sip::sip_message& response);

/// RFC 3261 §21.4.7 / §21.4.19 for an INVITE whose bodies we cannot
/// handle: a body other than SDP → 415 with Accept, an Accept header that
/// excludes SDP → 406. Nullopt when SDP (or no body) is fine.
std::optional<sip::edge::sip_reply>
unacceptable_body(const sip::sip_message& m);

/// Whether a comma-separated header (Supported, Require, Allow) lists
/// `token`, case-insensitively.
bool has_token(const sip::sip_message& m, std::string_view header,
               std::string_view token);

/// Whether an SDP puts the call on hold (RFC 3264 §8.4: a stream sendonly
/// or inactive, or the 0.0.0.0 address); false when it does not parse.
bool sdp_holds(std::string_view body);

/// Whether the message carries an SDP body.
bool has_sdp(const sip::sip_message& m);

/// The headers one leg's message passes to the other leg's: the
/// extensions negotiated end to end (Require/Supported 100rel, RSeq,
/// RAck, Info-Package, Event) and nothing that names a hop.
std::vector<sip::header_field> relayed_headers(const sip::sip_message& m);

/// An RAck (RFC 3262) renumbered for the other leg: "1 2 INVITE" with the
/// other leg's INVITE CSeq 7 → "1 7 INVITE".
std::string renumber_rack(std::string_view rack, uint32_t invite_cseq);

} // namespace sb::actors::call
