// What this node knows of the cluster, readable from any thread: the
// member actor (the only writer) publishes a snapshot after every change,
// and the SIP edge, the directories and the control API read it to place
// keys and to reach the services of other nodes. Generic: it knows nodes,
// roles, keys and named services, never SIP.
#pragma once

#include "cluster/failure_detector.hpp"
#include "cluster/placement.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>

namespace sb::cluster {

/// One member as the control API shows it (`sbctl node list`).
struct member_status {
  std::string name;
  std::vector<std::string> roles;
  peer_state state = peer_state::dead;
  bool self = false;
  bool connected = false;        ///< a middleman connection is up
  bool draining = false;         ///< leaving: owns no key
  uint64_t incarnation = 0;      ///< bumps when the node restarts or was fenced
  uint64_t epoch = 0;            ///< the epoch the member reported last
  uint64_t actors = 0;           ///< its live actors, as it reported last
  int64_t heartbeat_age_ms = -1; ///< -1: never heard
  int64_t lease_ms = -1;         ///< remaining lease in Redis; -1: none
};

struct cluster_snapshot {
  std::string self;
  uint64_t epoch = 0;
  uint64_t fenced_count = 0; ///< times this node found its lease lost
  std::vector<member_status> members;
  /// The live nodes (self included), for placement.
  std::vector<placement_node> live;
  /// Named services of the connected peers, e.g. ("sp2", "directory").
  std::map<std::pair<std::string, std::string>, caf::actor> services;
};

class cluster_view {
public:
  void publish(cluster_snapshot s);
  cluster_snapshot get() const;

  /// The live owner of `key` among the nodes with `role`.
  std::optional<std::string> owner_of(std::string_view key,
                                      std::string_view role) const;
  /// The service `name` of node `node`; a null handle when the node is not
  /// connected (or has no such service).
  caf::actor service(const std::string& node, const std::string& name) const;
  std::string self() const;
  uint64_t epoch() const;

  /// Until when this node's own lease is known valid. A node past it may
  /// have lost its keys to others (it was frozen or cut off from Redis), so
  /// it must not act on any key until the member actor has renewed the
  /// lease and dropped what it lost.
  void set_lease_valid_until(steady_time t);
  bool lease_valid(steady_time now) const;

private:
  mutable std::mutex mu_;
  cluster_snapshot snap_;
  steady_time lease_until_{};
};

} // namespace sb::cluster
