#pragma once

#include "common/result.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

namespace sb::persistence {
class checkpoint_store;
class entity_txn;
class provisioning_log;
class rocks_store;
} // namespace sb::persistence

namespace sb::actors {

/// Appends one encoded `persistence::change` (as std::string) to the log,
/// applies everything up to it, and replies with its position (uint64_t).
using prov_append_atom = caf::atom_constant<caf::atom("pv_append")>;
/// Runs a `provisioning_txn` (as std::shared_ptr) in the actor.
using prov_txn_atom = caf::atom_constant<caf::atom("pv_txn")>;
/// Internal: write the transactions queued since the last flush.
using prov_flush_atom = caf::atom_constant<caf::atom("pv_flush")>;
/// Internal tick: apply what other nodes appended.
using prov_apply_atom = caf::atom_constant<caf::atom("pv_apply")>;

/// A provisioning write that must see the store as it is when it runs
/// (uniqueness, references, id allocation): the provisioning actor runs
/// `build` against a fresh entity_txn, appends the collected writes as one
/// change, applies it, and calls `done` once with the log position or the
/// error. Both run on the provisioning actor's thread; nothing is appended
/// when `build` fails or writes nothing (then `done` gets position 0).
///
/// Group commit: transactions that queue up while one is written are built
/// one after another against the same entity_txn (each sees the writes of
/// those before it; a failed one is rolled back alone) and appended as one
/// change, so concurrent writers share the fsyncs.
struct provisioning_txn {
  std::function<status(persistence::entity_txn&)> build;
  std::function<void(result<uint64_t>)> done;
};

/// Progress of the node's provisioning store, readable from any thread
/// (readiness, metrics): applied == last means caught up.
struct provisioning_progress {
  std::atomic<uint64_t> applied{0};
  std::atomic<uint64_t> last{0};
  std::atomic<bool> failing{false};
  /// How long after its append (on any node) the last change applied here
  /// was applied, in ms: the replication lag of provisioning.
  std::atomic<int64_t> apply_delay_ms{0};
};

/// Retention of a shared log (issue 6 item 3). Without `checkpoints` the
/// log is never trimmed and the node never loads a checkpoint.
struct provisioning_retention {
  persistence::checkpoint_store* checkpoints = nullptr;
  /// The newest changes always kept in the log.
  uint64_t keep = 100000;
  /// How often the node reports what it applied and, when it maintains
  /// the log, publishes a checkpoint and trims.
  std::chrono::milliseconds interval{10000};
  /// The live nodes, this one included; the first by name maintains the
  /// log. Unset: this node alone.
  std::function<std::vector<std::string>()> live_nodes;
};

/// Spawns the actor that owns the node's provisioning write path: appends go
/// to the log (local RocksDB or the cluster's Redis stream) and every change
/// of the log is applied to the local store in order. It runs detached (its
/// own thread) because appends and applies fsync. A node that finds the
/// log trimmed past what it applied (it started late, or was away long)
/// loads the newest checkpoint first. `log`, `store`, `progress` and the
/// retention's checkpoint store must outlive it.
caf::actor spawn_provisioning_actor(caf::actor_system& sys, std::string origin,
                                    persistence::provisioning_log& log,
                                    persistence::rocks_store& store,
                                    provisioning_progress& progress,
                                    size_t apply_batch,
                                    std::chrono::milliseconds poll_interval,
                                    provisioning_retention retention = {});

} // namespace sb::actors

// Local-only: a transaction carries closures and never leaves its node.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<sb::actors::provisioning_txn>)
