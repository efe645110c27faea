// The caller-checks stage of the routing pipeline, after the caller was
// identified (digest on INVITE or a trusted source; ctx.caller_subscriber_id
// set): the caller's lock level and allowed_ips decide whether it may call
// at all, and the CDR's source is filled in. Rejections (ngcp-digest §5.11):
//   403 "Caller locked"             lock 2 (outgoing), 3, 4 (global) or 5
//                                   (ported: only call forwards run)
//   403 "Unauthorized IP detected"  source not in allowed_ips /
//                                   man_allowed_ips (ignore_allowed_ips
//                                   honoured), as for REGISTER
// Lock 1 ("foreign": on-net calls only) passes here; it matters once
// calls can leave the platform (peering), as its own stage after routing.
#pragma once

#include "actors/call/callee_stage.hpp"
#include "actors/subscriber/register_auth.hpp"

#include <functional>
#include <optional>

namespace sb::actors::call {

using caller_lookup =
    std::function<result<std::optional<party_facts>>(uint64_t subscriber_id)>;

routing_stage caller_stage(caller_lookup lookup);

/// The lookup over this node's provisioning store.
caller_lookup store_caller_lookup(const persistence::store_reader& reader);

} // namespace sb::actors::call
