#pragma once

// Messages of the subscriber directory and the subscriber actors. They
// carry closures or edge keys, so they stay on their node (cluster
// migration, issue 6, moves the location_record instead).
#include "actors/subscriber/register_auth.hpp"
#include "actors/subscriber/registrar_state.hpp"
#include "common/result.hpp"
#include "sip/edge/edge_types.hpp"

#include <functional>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

namespace sb::actors::subscriber {

/// A REGISTER from the edge, to the directory: shared_ptr<incoming_request>.
using sip_request_atom = caf::atom_constant<caf::atom("sb_sipreq")>;
/// The directory to an actor: shared_ptr<routed_register>.
using register_atom = caf::atom_constant<caf::atom("sb_reg")>;
/// Admin operation on bindings: shared_ptr<admin_op>.
using admin_atom = caf::atom_constant<caf::atom("sb_regadm")>;
/// Timer of an actor: the generation it was armed with.
using expiry_atom = caf::atom_constant<caf::atom("sb_regexp")>;
using keepalive_atom = caf::atom_constant<caf::atom("sb_regka")>;
using idle_atom = caf::atom_constant<caf::atom("sb_regidle")>;
/// An idle actor asks the directory to let it go: (aor, actor).
using passivate_atom = caf::atom_constant<caf::atom("sb_regpsv")>;
/// The directory confirms: the actor quits (no message can follow).
using stop_atom = caf::atom_constant<caf::atom("sb_regstop")>;
/// Activate every AoR with stored bindings (node start).
using restore_atom = caf::atom_constant<caf::atom("sb_regrst")>;
/// To the directory, cluster mode: the view changed, stop the actors of
/// AoRs this node no longer owns (their state is in the shared store).
using rebalance_atom = caf::atom_constant<caf::atom("sb_regrbl")>;
/// To the directory, cluster mode: this node was fenced, stop them all.
using fenced_atom = caf::atom_constant<caf::atom("sb_regfnc")>;

/// A REGISTER with the provisioning profile the directory found for it.
struct routed_register {
  sip::edge::incoming_request request;
  auth_profile profile;
};

/// Add or remove a binding on behalf of the REST API.
struct admin_op {
  uint64_t subscriber_id = 0;
  /// Filled by the directory from provisioning.
  auth_profile profile;
  /// Set: add this permanent binding. Unset: remove `remove_uri`.
  std::optional<permanent_binding_request> add;
  std::string remove_uri;
  /// Called once from the actor's thread: the API id of the binding.
  std::function<void(result<uint64_t>)> done;
  /// Sent here by another node's API: this node owned the AoR then, so
  /// it is applied here even if the view has changed since.
  bool forwarded = false;
};

} // namespace sb::actors::subscriber

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<sb::sip::edge::incoming_request>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(
    std::shared_ptr<sb::actors::subscriber::routed_register>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<sb::actors::subscriber::admin_op>)
