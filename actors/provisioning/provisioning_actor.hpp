#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

namespace sb::persistence {
class provisioning_log;
class rocks_store;
} // namespace sb::persistence

namespace sb::actors {

/// Appends one encoded `persistence::change` (as std::string) to the log,
/// applies everything up to it, and replies with its position (uint64_t).
using prov_append_atom = caf::atom_constant<caf::atom("pv_append")>;
/// Internal tick: apply what other nodes appended.
using prov_apply_atom = caf::atom_constant<caf::atom("pv_apply")>;

/// Progress of the node's provisioning store, readable from any thread
/// (readiness, metrics): applied == last means caught up.
struct provisioning_progress {
  std::atomic<uint64_t> applied{0};
  std::atomic<uint64_t> last{0};
  std::atomic<bool> failing{false};
};

/// Spawns the actor that owns the node's provisioning write path: appends go
/// to the log (local RocksDB or the cluster's Redis stream) and every change
/// of the log is applied to the local store in order. It runs detached (its
/// own thread) because appends and applies fsync. `log`, `store` and
/// `progress` must outlive it.
caf::actor spawn_provisioning_actor(caf::actor_system& sys,
                                    persistence::provisioning_log& log,
                                    persistence::rocks_store& store,
                                    provisioning_progress& progress,
                                    size_t apply_batch,
                                    std::chrono::milliseconds poll_interval);

} // namespace sb::actors
