#pragma once

// The call actors of a node: a manager that takes each new INVITE
// (digest with 407, RFC 3261 §22.3, with the registrar's nonce rules and
// brute-force guard) and spawns one call actor per call, which runs the
// routing pipeline, owns the media session and carries out what the pure
// call core (call_state) decides, in SIP. The node's SIP edge routes the
// messages of a live call by the call registry, and what it cannot place
// to the manager.
#include "actors/call/call_env.hpp"

#include <functional>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace sb::actors::call {

caf::actor spawn_call_manager(caf::actor_system& sys,
                              std::shared_ptr<call_env> env);

/// Restores the confirmed calls whose snapshots name `node` (this node,
/// restarted; or its HA peer, whose address it took over), each as a call
/// actor on this node that goes on where the snapshot left it (and from
/// then on names this node). Returns how many; snapshots that do not parse
/// are logged and left alone. Calls that `node` was still setting up
/// (their setup records) are ended: 503 to the caller, CANCEL to each
/// branch, their CDRs.
///
/// `wanted` (call id, the call's edge node or "") picks some of them: the
/// HA peer takes the calls whose edge and media moved with the address,
/// the new owners of a dead proxy's calls those whose edge is an lb that
/// lives on. Unset: every one.
using restore_filter =
    std::function<bool(const std::string& call_id, const std::string& edge)>;
result<size_t> restore_calls(caf::actor_system& sys,
                             std::shared_ptr<call_env> env,
                             const std::string& node,
                             const restore_filter& wanted = {});

/// The node was fenced (its lease lapsed: its keys may be another's now):
/// every call leaves it silently, keeping its snapshot, which the node
/// that took over runs, or this one again once it is back (restore_calls).
void hand_over_calls(call_env& env);

/// The node drains towards its HA peer: each established call, once quiet,
/// leaves with its last snapshot written (the peer restores it); a call
/// being set up ends with its CDR. Busy calls ignore the ask: the drain
/// repeats it until no call is left.
void migrate_calls(call_env& env);

/// Routes one request or notification from the edge (edge thread): to
/// the call that owns its Call-ID, or to the manager.
void dispatch_call_request(call_env& env, const caf::actor& manager,
                           sip::edge::incoming_request&& rq);

/// Routes one answer from the edge to the call that sent the request.
void dispatch_call_response(call_env& env, sip::edge::incoming_response&& r);

} // namespace sb::actors::call
