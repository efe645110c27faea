#pragma once

#include "common/config/loader.hpp"
#include "common/metrics/fwd.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace sb::persistence {
class redis_checkpoint_store;
class redis_provisioning_log;
class redis_thread;
class rocks_store;
} // namespace sb::persistence

namespace sb::apps {

/// Cluster mode: the node's side of the cluster's CDR log
/// (persistence/cdrlog): its own Redis connection, the log on stream
/// `<key_prefix>cdrlog`, and the actor that ships this node's outbox and,
/// on a db node, collects every node's CDRs. Create it before the actor
/// system (it must outlive the actor); start the actor once the cluster
/// view exists.
class cdr_service {
public:
  cdr_service(const config::loaded_config& cfg, const config::settings& s);
  ~cdr_service();

  void start(caf::actor_system& sys, persistence::rocks_store& store,
             std::function<std::vector<std::string>()> live_nodes,
             metrics::registry& metrics);

  /// Ships what the outbox holds (waiting up to `timeout`), then stops the
  /// actor: a node that leaves for good (a drain) takes no CDR with it.
  void stop(caf::actor_system& sys, std::chrono::milliseconds timeout);

private:
  const config::loaded_config& cfg_;
  std::unique_ptr<persistence::redis_thread> redis_;
  std::unique_ptr<persistence::redis_provisioning_log> log_;
  std::unique_ptr<persistence::redis_checkpoint_store> positions_;
  caf::actor actor_;
};

} // namespace sb::apps
