#pragma once

// What the call actors of one node share: the registrar's environment
// (provisioning reader, location store, digest inputs, brute-force hook),
// the call registry the SIP edge routes by, the CDR writer, the media
// relay (null on a node without one: SDP then passes unchanged), the way
// to the SIP edge, the settings in force and the counters.
#include "actors/call/call_registry.hpp"
#include "actors/call/cdr_writer.hpp"
#include "actors/call/session_timer.hpp"
#include "actors/media/media_session_actor.hpp"
#include "actors/subscriber/registrar_env.hpp"
#include "actors/support/shared_records.hpp"
#include "sip/edge/edge_types.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/metrics/fwd.hpp"

namespace sb::actors::call {

struct call_env_settings {
  std::chrono::seconds ring_timeout{180};
  std::chrono::seconds max_duration{21600};
  /// No RTP from either side this long on an answered call: it ends.
  std::chrono::seconds rtp_timeout{60};
  /// The same while the call is on hold (little or no RTP flows then).
  std::chrono::seconds rtp_timeout_onhold{3600};
  /// How often an answered call looks at its media counters.
  std::chrono::milliseconds media_check{2000};
  session_timer_settings session_timers;
  /// Cluster mode: how long an in-dialog request for a call this node does
  /// not run waits for that call to be restored here (dialog_wait.hpp)
  /// before it is answered 481. Covers detection and restore after a
  /// node's death (about 1.3 s) and a migration (about 0.2 s).
  std::chrono::milliseconds dialog_wait{3000};
};

class call_env {
public:
  /// `cdr_kind`: where `cdrs` writes (see cdr_writer).
  call_env(std::shared_ptr<subscriber::registrar_env> registrar,
           persistence::rocks_store& store, std::string_view cdr_kind,
           std::shared_ptr<media::media_env> media, call_env_settings settings,
           metrics::registry& metrics);
  call_env(const call_env&) = delete;
  call_env& operator=(const call_env&) = delete;

  std::shared_ptr<subscriber::registrar_env> registrar;
  call_registry registry;
  cdr_writer cdrs;
  std::shared_ptr<media::media_env> media;
  /// Cluster mode: where confirmed calls keep their snapshots (keyed by
  /// the caller's Call-ID), and this node's name in them. Null: calls end
  /// with the node.
  std::shared_ptr<shared_records> snapshots;
  std::string node;

  // The SIP edge (thread-safe; set before the first call).
  std::function<void(uint64_t key, sip::edge::sip_reply)> reply;
  std::function<void(sip::edge::outgoing_request)> send_request;
  std::function<void(uint64_t id)> cancel_request;
  std::function<uint64_t()> new_request_id;
  /// Answers an INVITE a former process received (a call in setup when its
  /// node died), statelessly.
  std::function<void(sip::edge::orphan_reply)> reply_orphan;
  /// Cluster mode: the lb node whose edge has the request of `key`
  /// (forwarded here: the call's home is this node); nullopt for this
  /// node's own edge. Such a call sends through that lb and has its media
  /// on that lb's relay.
  struct remote_edge {
    caf::actor sip; ///< its remote_sip actor
    std::string node;
  };
  std::function<std::optional<remote_edge>(uint64_t key)> edge_of;
  /// Cluster mode: the remote_sip actor of node `node` (a restored call's
  /// edge); null when it is not connected.
  std::function<caf::actor(const std::string& node)> edge_named;

  std::shared_ptr<const call_env_settings> settings() const;
  void set_settings(call_env_settings s);

  /// A call started / ended with `status` (the CDR's call_status).
  void call_started();
  void call_ended(std::string_view status);
  /// A call left this node unended: its snapshot goes on elsewhere (or
  /// here again once the node is back in the cluster).
  void call_handed_over();
  /// A call went on through its dead lb's HA peer.
  void call_edge_moved();
  /// A call of a dead node ended here without an actor (it was in setup).
  void orphan_ended(std::string_view status);
  int64_t active_calls() const { return active_.load(); }

  /// The node is being drained: new calls are refused with 503 (the UA or
  /// the load balancer in front tries another node), calls up continue.
  std::atomic<bool> draining{false};

private:
  mutable std::mutex mu_;
  std::shared_ptr<const call_env_settings> settings_;
  std::atomic<int64_t> active_{0};
  metrics::gauge* active_gauge_ = nullptr;
  metrics::counter_family* calls_total_ = nullptr;
  metrics::counter* edge_moved_ = nullptr;
};

} // namespace sb::actors::call
