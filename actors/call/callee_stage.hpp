// The callee stage of the routing pipeline: who is called, and where.
// The Request-URI user is a subscriber's username in the domain, or one of
// the platform's E.164 numbers (digits, no '+', a leading '+' is
// dropped). Unknown → 404; the callee's lock level forbids incoming calls
// (3, 4) → 403 "Callee locked"; no live binding → 480 "Offline" (the
// reference's default for an unregistered callee without CFNA). Otherwise
// the plan forks to the callee's bindings in registrar order (q, then
// most recent) and the CDR's destination is filled in. Lookups are
// injected, so the stage is a plain function for tests; `store_lookups`
// reads the node's provisioning and location stores.
#pragma once

#include "actors/call/routing.hpp"
#include "actors/subscriber/register_auth.hpp"
#include "common/result.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::persistence {
class store_reader;
}
namespace sb::actors::subscriber {
class location_store;
}

namespace sb::actors::call {

/// What routing knows about a local subscriber: the registrar's profile
/// (ids, username, domain, uuid, lock, IP lists), one reader for both.
using party_facts = subscriber::auth_profile;

struct callee_lookups {
  std::function<result<std::optional<party_facts>>(std::string_view user,
                                                   std::string_view domain)>
      by_username;
  std::function<result<std::optional<party_facts>>(std::string_view e164)>
      by_number;
  /// The subscriber's live bindings, in forking order.
  std::function<result<std::vector<branch_target>>(const party_facts&,
                                                   time_point now)>
      contacts;
};

/// Lock levels (ngcp-digest §1.3): 1 foreign (on-net only), 2 outgoing,
/// 3 incoming and outgoing, 4 global, 5 ported (call forwards only).
inline constexpr int lock_outgoing = 2;
inline constexpr int lock_incoming_and_outgoing = 3;
inline constexpr int lock_global = 4;
inline constexpr int lock_ported = 5;

/// A CDR side for a local subscriber (ids, uuid, user and domain).
billing::cdr_party cdr_party_of(const party_facts& p);

routing_stage callee_stage(callee_lookups lookups);

/// Lookups over this node's stores: provisioning (domain and username
/// indexes, numbers) and the registrar's location records.
callee_lookups store_lookups(const persistence::store_reader& reader,
                             subscriber::location_store& locations);

} // namespace sb::actors::call
