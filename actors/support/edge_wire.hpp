// The SIP edge's values as JSON, for the messages between a node's actors
// and the edge of another node (remote_sip): an answer to a forwarded
// request, a request a call sends through an lb, the stateless answer to
// an INVITE a former node received. Written by our own peers; anything
// else (another version, a bug) decodes to an error, never an exception.
#pragma once

#include "common/result.hpp"
#include "sip/edge/edge_types.hpp"

#include <nlohmann/json.hpp>

namespace sb::actors {

nlohmann::json reply_to_json(const sip::edge::sip_reply& r);
/// What does not decode is a 500 for the UA.
sip::edge::sip_reply reply_from_json(const nlohmann::json& j);

nlohmann::json request_to_json(const sip::edge::outgoing_request& r);
result<sip::edge::outgoing_request> request_from_json(const nlohmann::json& j);

nlohmann::json orphan_to_json(const sip::edge::orphan_reply& o);
result<sip::edge::orphan_reply> orphan_from_json(const nlohmann::json& j);

} // namespace sb::actors
