#pragma once

// The CAF shell of a media session (one per call, on an `lb` node): feeds
// SDP offers and answers into media_session_state, opens one rtp_relay per
// stream on the ports it allocated, points the relays at the peers the SDP
// names, and reports counters. It monitors its owner (the call actor): when
// the owner ends, for whatever reason, the session ends too, and its ports
// go back to the pool on every path (the release runs when the actor's
// state is destroyed, so a crash of this actor releases them as well).
#include "actors/media/media_session_state.hpp"
#include "common/asio.hpp"
#include "common/metrics/fwd.hpp"
#include "common/result.hpp"
#include "media/port_pool.hpp"
#include "media/rtp_relay.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

namespace sb::actors::media {

/// The node's media counters (null members: not counted, as in tests).
struct media_metrics {
  metrics::gauge* sessions = nullptr;     ///< live media sessions
  metrics::gauge* pairs_in_use = nullptr; ///< port pairs allocated
  /// Packets each leg's peer sent into the relay, counted when a session
  /// ends; label leg = "a" (caller side) | "b".
  metrics::counter_family* packets = nullptr;
};

/// What the media sessions of a node share.
struct media_env {
  media_env(boost::asio::io_context& io, net::ip_address address,
            sb::media::port_pool pool)
      : io(io)
      , address(std::move(address))
      , pool(std::move(pool)) {}

  boost::asio::io_context& io; ///< runs every relay's sockets
  net::ip_address address;     ///< the relay address announced in SDP
  std::mutex pool_mu;          ///< guards `pool`
  sb::media::port_pool pool;
  media_metrics metrics; ///< set before the first session
};

/// An SDP passing through the session: an offer or an answer from leg
/// `from`; `done` gets the body for the other leg, or why it was refused
/// (the call answers 488 Not Acceptable Here). Called on the actor's
/// thread.
struct sdp_op {
  leg_id from = leg_id::a;
  bool offer = true;
  std::string body;
  std::function<void(result<std::string>)> done;
  /// Set before `done` runs: the session's state after this SDP, for the
  /// call's snapshot (media_snapshot.hpp).
  media_session_state after;
};

/// The counters of every stream's relay, per leg.
struct media_report {
  std::vector<std::array<sb::media::leg_stats, 2>> streams;
};

using media_sdp_atom = caf::atom_constant<caf::atom("md_sdp")>;
/// Payload: std::function<void(media_report)>, called on the actor's thread.
using media_stats_atom = caf::atom_constant<caf::atom("md_stats")>;

/// Spawns the session of `owner`'s call; `session_id` seeds the o= lines.
caf::actor spawn_media_session(caf::actor_system& sys,
                               std::shared_ptr<media_env> env, caf::actor owner,
                               uint64_t session_id);

/// Spawns the session of a call restored from its snapshot: takes the
/// same port pairs (all or none) and reopens the relays on them; each leg
/// latches onto the peer that sends to it, as it still sends to those
/// ports. Fails when a pair is in use or cannot be bound.
result<caf::actor> spawn_restored_media_session(caf::actor_system& sys,
                                                std::shared_ptr<media_env> env,
                                                caf::actor owner,
                                                media_session_state state);

} // namespace sb::actors::media

// Local-only: these carry closures and never leave their node.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<sb::actors::media::sdp_op>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(
    std::function<void(sb::actors::media::media_report)>)
