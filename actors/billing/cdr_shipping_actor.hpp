// The CAF shell of the cluster's CDR path (persistence/cdrlog): every node
// ships its outbox to the shared CDR log, the db nodes collect the log into
// their CDR store, and the first live db node trims what every db node of
// network.yml has collected. Detached (its own thread): appends and
// collects block on Redis and fsync.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

namespace sb::metrics {
class registry;
}

namespace sb::persistence {
class checkpoint_store;
class provisioning_log;
class rocks_store;
} // namespace sb::persistence

namespace sb::actors {

/// Internal tick: ship, collect, and now and then report and trim.
using cdr_tick_atom = caf::atom_constant<caf::atom("cdr_tick")>;
/// Ships the outbox now; replies with the CDRs still in it (uint64_t).
using cdr_flush_atom = caf::atom_constant<caf::atom("cdr_flush")>;

struct cdr_shipping_settings {
  std::string node;
  /// This node has the `db` role: it collects every CDR of the cluster.
  bool collect = false;
  /// The db nodes of network.yml: the log is trimmed only through what
  /// every one of them collected (one that never reported holds it all).
  std::vector<std::string> collectors;
  /// The live nodes; the first live collector by name trims.
  std::function<std::vector<std::string>()> live_nodes;
  /// Where collectors report their positions (`report_applied`).
  persistence::checkpoint_store* positions = nullptr;
  std::chrono::milliseconds poll{200};
  std::chrono::milliseconds maintain_interval{10000};
  /// Most CDRs per shipped change, and changes per collected batch.
  size_t batch = 256;
};

/// `log`, `store`, the positions store and `metrics` must outlive it.
caf::actor spawn_cdr_shipping_actor(caf::actor_system& sys,
                                    persistence::provisioning_log& log,
                                    persistence::rocks_store& store,
                                    cdr_shipping_settings settings,
                                    metrics::registry& metrics);

} // namespace sb::actors
