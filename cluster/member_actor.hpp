// The CAF shell of cluster membership, one per node: it publishes itself on
// the node's cluster port, keeps a middleman connection to every peer,
// exchanges heartbeats, renews this node's lease in Redis and reads the
// peers' leases, feeds all of that to the pure failure detector, bumps the
// cluster epoch in Redis on every change of the live set, and publishes the
// result into a `cluster_view`. It also answers peers asking for this
// node's named services (the actors other nodes route to). Generic: the
// application names its services and hears about changes through
// callbacks.
#pragma once

#include "cluster/cluster_view.hpp"
#include "cluster/failure_detector.hpp"
#include "common/result.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace sb::persistence {
class redis_client;
}

namespace sb::cluster {

struct member_peer {
  std::string name;
  std::string host; ///< its ha_int address
  uint16_t port = 0;
  std::vector<std::string> roles;
};

struct member_options {
  std::string self;
  std::vector<std::string> self_roles;
  std::string listen_host; ///< this node's ha_int address
  uint16_t listen_port = 0;
  std::vector<member_peer> peers;
  std::chrono::milliseconds heartbeat_interval{200};
  detector_settings detector;
  std::chrono::milliseconds lease_ttl{1500};
  std::chrono::milliseconds redis_timeout{300};
  std::string key_prefix = "sb:";
  /// The services this node offers to peers, by name.
  std::map<std::string, caf::actor> services;
  /// The services to ask every peer for when connected.
  std::vector<std::string> peer_services;
  /// This node's live actors, reported in heartbeats (any thread).
  std::function<uint64_t()> actor_count;
  /// Called (on the member actor) after the live set changed and the new
  /// epoch is published.
  std::function<void(const membership_change&)> on_change;
  /// Called (on the member actor) when this node found its own lease
  /// lapsed: drop every key it owned.
  std::function<void()> on_fenced;
  /// Called (on the member actor) when the lease is renewed again after a
  /// fence: the node may act on the keys it owns now.
  std::function<void()> on_rejoined;
};

/// A running membership: the member actor plus one connector thread per
/// peer (CAF 0.17's remote_actor blocks, and a frozen peer blocks it for
/// long). Stop before the actor system and the Redis client go.
class membership {
public:
  static result<std::unique_ptr<membership>>
  start(caf::actor_system& sys, persistence::redis_client& redis,
        member_options opts, std::shared_ptr<cluster_view> view);
  ~membership();
  void stop();
  /// Leaves placement for good (sbctl node drain): this node owns no key
  /// from now on; peers see it in its heartbeats.
  void drain();

  const std::shared_ptr<cluster_view>& view() const { return view_; }
  caf::actor actor() const { return actor_; }

private:
  struct connector;
  membership() = default;
  std::shared_ptr<cluster_view> view_;
  caf::actor actor_;
  std::vector<std::unique_ptr<connector>> connectors_;
  caf::actor_system* sys_ = nullptr;
  uint16_t port_ = 0;
};

} // namespace sb::cluster
