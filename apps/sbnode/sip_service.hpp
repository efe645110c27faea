#pragma once

#include "actors/call/call_env.hpp"
#include "actors/subscriber/registrar_env.hpp"
#include "cluster/death_watch.hpp"
#include "common/config/loader.hpp"
#include "sip/edge/edge_shield.hpp"
#include "sip/edge/sip_edge.hpp"

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace sb::cluster {
class cluster_view;
}

namespace sb::persistence {
class rocks_store;
}

namespace sb::apps {

class cluster_service;

/// The node's SIP side: the edge (sofia thread, listeners on the sip_ext
/// interfaces), its shield, the subscriber directory the edge routes
/// REGISTERs to, and the call manager and registry that take INVITEs and
/// every message of a call. Built on nodes with the `lb` role
/// (single-node: all roles), and in a cluster on nodes with the `proxy`
/// role too: without the lb role there is no edge, and the node's actors
/// answer and send keepalives through the lb nodes.
class sip_service {
public:
  static result<std::unique_ptr<sip_service>>
  start(const config::loaded_config& cfg, const config::settings& s,
        const std::filesystem::path& data_dir, persistence::rocks_store& store,
        caf::actor_system& sys, std::shared_ptr<actors::media::media_env> media,
        metrics::registry& metrics, cluster_service* cluster = nullptr);

  ~sip_service();

  /// Applies reloadable settings (registrar, security, sip timers).
  void reload(const config::settings& s);

  /// Stops the edge (no new requests), then the actors.
  void stop();

  caf::actor directory() const { return directory_; }
  /// Live subscriber and call actors on this node.
  uint64_t live_actors() const;
  /// Cluster mode: the actor peers forward requests to (service "sip").
  caf::actor remote_sip() const { return remote_sip_; }
  /// Cluster mode: the bindings of every AoR, as the registrars of all
  /// nodes wrote them (Redis); null on a single node.
  std::shared_ptr<actors::shared_records> shared_locations() const {
    return shared_locations_;
  }
  /// Cluster mode: the view changed; hand over actors whose keys moved, and
  /// in an HA pair take over the calls of a peer that died.
  void cluster_changed();
  /// Cluster mode: this node's lease lapsed; drop every actor (calls keep
  /// their snapshots and come back here on the next change of the view
  /// with a valid lease, unless another node took them).
  void fenced();
  /// Cluster mode: goes on with the confirmed calls this node ran before it
  /// restarted (their snapshots in Redis), and logs how many.
  void restore_calls(caf::actor_system& sys);
  /// Cluster mode: the lease is renewed again after a fence; the calls
  /// handed over then and not taken by another node come back.
  void rejoined();
  /// The node is being drained: new calls get 503. In an HA pair the
  /// established calls move to the peer (drain_step).
  void drain();
  /// One poll of a drain (the drain's thread): once the shared service
  /// address has left this host (keepalived moved it to the peer), or
  /// `give_up_waiting` (it never did), the calls freeze with their last
  /// snapshots and the peer is asked to take them over; calls being set up
  /// end here with their CDRs. Without a peer the calls end on this node.
  void drain_step(bool give_up_waiting);
  const actors::call::call_env& calls() const { return *calls_; }
  /// The call actors' trace store (sbctl trace).
  actors::trace_store& traces() { return env_->traces; }
  sip::edge::edge_shield& shield() { return *shield_; }

private:
  sip_service() = default;

  std::shared_ptr<actors::subscriber::registrar_env> env_;
  std::shared_ptr<actors::call::call_env> calls_;
  caf::actor call_manager_;
  std::unique_ptr<sip::edge::edge_shield> shield_;
  std::unique_ptr<sip::edge::sip_edge> edge_;
  caf::actor directory_;
  caf::actor remote_sip_;
  std::shared_ptr<actors::shared_records> shared_locations_;
  std::string nonce_secret_;
  std::string keepalive_from_;
  caf::actor_system* sys_ = nullptr;
  std::shared_ptr<cluster::cluster_view> view_;
  std::string peer_; ///< the HA peer (network.yml `peer`), if any
  /// This host's shared service addresses (sip_ext `shared_ip`).
  std::vector<std::string> shared_ips_;
  /// Where a drain towards the HA peer is (drain thread only): not
  /// moving the calls (no drain, or no peer to move them to), waiting for
  /// the shared address to leave, freezing the calls, the peer asked.
  enum class handover { none, awaiting_address, migrating, done };
  handover handover_ = handover::none;
  /// When the HA peer dies (fed by the membership and the drain threads,
  /// hence the mutex).
  std::mutex peer_mu_;
  std::optional<cluster::death_watch> peer_watch_;
  /// Every other node: the calls placed on one that dies (from an lb that
  /// lives on) go on at the new owners of their keys.
  std::vector<cluster::death_watch> member_watches_;
  /// Each lb of network.yml that has an HA peer → that peer: when the lb
  /// dies, the calls through it go on through the peer.
  std::map<std::string, std::string> lb_peers_;
  /// Calls were handed over at a fence and not looked for since.
  std::atomic<bool> calls_fenced_{false};

  void take_over_peer();
  void adopt_calls_of_dead();
};

} // namespace sb::apps
