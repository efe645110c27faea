#pragma once

// The SIP side of the registrar core: a REGISTER `sip_message` into the
// core's `register_request`, and the core's reply into SIP headers. Pure.
#include "actors/subscriber/registrar_state.hpp"
#include "sip/edge/edge_types.hpp"
#include "sip/msg/sip_message.hpp"

namespace sb::actors::subscriber {

/// The core's input for `rq`, for the address of record `aor`.
register_request to_register_request(const sip::sip_message& rq,
                                     std::string aor,
                                     const sip::source_address& source,
                                     std::string local_socket);

/// The SIP reply for an outcome: 200 with one Contact per binding
/// (expires, q, +sip.instance, reg-id) and the request's Path echoed
/// (RFC 3327 §5.3); 423 with Min-Expires; errors with a Warning: 399
/// naming the detail.
sip::edge::sip_reply to_sip_reply(const register_outcome& out,
                                  const sip::sip_message& rq);

/// "sip:<user>@<domain>": the canonical address of record of a subscriber
/// (domain lower-cased, user as provisioned).
std::string canonical_aor(std::string_view user, std::string_view domain);

} // namespace sb::actors::subscriber
