#pragma once

#include "cluster/cluster_view.hpp"
#include "cluster/member_actor.hpp"
#include "common/config/loader.hpp"
#include "persistence/redis/redis_thread.hpp"

#include <functional>
#include <map>
#include <memory>

#include <caf/actor_system.hpp>

namespace sb::apps {

/// Cluster mode (`cluster.enable`): this node's membership over CAF's
/// middleman (peers from network.yml, on their ha_int addresses), its lease
/// and the cluster epoch in Redis (its own connection), and the view the
/// rest of the node places keys with.
class cluster_service {
public:
  /// The view and the Redis connection exist before the membership
  /// starts, so the services that route by them can be built first.
  explicit cluster_service(const config::loaded_config& cfg);
  ~cluster_service();

  const std::shared_ptr<cluster::cluster_view>& view() const { return view_; }
  persistence::redis_client& redis() { return redis_->client(); }

  /// Starts the membership, offering `services` to the peers and asking
  /// them for `peer_services`.
  status start(caf::actor_system& sys,
               std::map<std::string, caf::actor> services,
               std::vector<std::string> peer_services,
               std::function<uint64_t()> actor_count,
               std::function<void()> on_change, std::function<void()> on_fenced,
               std::function<void()> on_rejoined = {});
  void stop();
  /// Leaves placement: peers take every key of this node.
  void drain();

private:
  const config::loaded_config& cfg_;
  std::shared_ptr<cluster::cluster_view> view_;
  std::unique_ptr<persistence::redis_thread> redis_;
  std::unique_ptr<cluster::membership> membership_;
};

} // namespace sb::apps
