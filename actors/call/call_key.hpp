// Where a call lives in a cluster: its placement key, found from the
// Call-ID of either leg, so an lb node sends every message of the call to
// the call's home node without a shared table. The caller's Call-ID is
// hashed; the B leg's Call-ID, which the call makes itself, carries that
// hash. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::actors::call {

/// "call:<16 hex digits>": the same for the caller's Call-ID and for the
/// B leg Call-ID `b_leg_call_id` made for it.
std::string call_home_key(std::string_view call_id);

/// The B leg Call-ID of the call whose caller used `a_call_id`:
/// "<token>-<16 hex digits>-b2b". `token` makes it unique.
std::string b_leg_call_id(std::string_view token, std::string_view a_call_id);

/// The id of a request a call sends through an lb node's edge from a node
/// without one: unique in the cluster, with the sending node (its place in
/// network.yml, from 0) in the top bits, so the lb knows where the answers
/// go without a table. An edge's own ids have 0 there.
uint64_t cluster_request_id(size_t host_index, uint64_t counter);
/// The node an id of cluster_request_id names; nullopt for an edge's own.
std::optional<size_t> request_id_host(uint64_t id);

} // namespace sb::actors::call
