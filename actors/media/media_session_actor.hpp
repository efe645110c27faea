#pragma once

// The CAF shell of a media session (one per call, on an `lb` node): feeds
// SDP offers and answers into media_session_state, opens one rtp_relay per
// stream on the ports it allocated, points the relays at the peers the SDP
// names, and reports counters. It monitors its owner (the call actor): when
// the owner ends, for whatever reason, the session ends too, and its ports
// go back to the pool on every path (the release runs when the actor's
// state is destroyed, so a crash of this actor releases them as well).
#include "actors/media/media_report.hpp"
#include "actors/media/media_session_state.hpp"
#include "common/asio.hpp"
#include "common/metrics/fwd.hpp"
#include "common/result.hpp"
#include "media/port_pool.hpp"
#include "media/rtp_relay.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
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
  std::mutex pool_mu;          ///< guards `pool` and `holders`
  sb::media::port_pool pool;
  /// The session that holds each allocated RTP port, so that a call
  /// restored elsewhere can adopt the session its frozen node still owns.
  std::unordered_map<uint16_t, caf::actor_addr> holders;
  media_metrics metrics; ///< set before the first session
};

// The session's messages. Every payload is a value that can cross nodes:
// the call that owns a session may run on another node (issue 6).

/// An SDP offer or answer from a leg: (media_sdp_atom, uint8_t leg_id,
/// bool offer, std::string body) -> (bool ok, std::string the body for the
/// other leg or why it was refused, std::string the session's state after
/// it as JSON (media_snapshot.hpp), for the call's snapshot). A refused
/// SDP leaves the state as it was; the call answers 488.
using media_sdp_atom = caf::atom_constant<caf::atom("md_sdp")>;
/// The relays' counters: (media_stats_atom) -> std::string, the
/// media_report as JSON (media_report.hpp).
using media_stats_atom = caf::atom_constant<caf::atom("md_stats")>;

/// What an SDP answer of the session means: the body for the other leg and
/// the state after it, or why not (the reason, or an answer that does not
/// parse).
struct sdp_passed {
  std::string body;
  media_session_state after;
};
result<sdp_passed> sdp_answer(bool ok, const std::string& text,
                              const std::string& after_json);

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

/// The same for a call restored on another node while the node it ran on
/// is frozen, not dead: its session still holds the ports and relays the
/// media. That session is handed to `owner` (it monitors the new owner
/// and forgets the old) and goes on with its own, newer state; otherwise
/// as spawn_restored_media_session.
result<caf::actor>
adopt_or_restore_media_session(caf::actor_system& sys,
                               std::shared_ptr<media_env> env, caf::actor owner,
                               media_session_state state);

/// (media_adopt_atom, caf::actor new owner): the session is the new
/// owner's from now on.
using media_adopt_atom = caf::atom_constant<caf::atom("md_adopt")>;

} // namespace sb::actors::media
