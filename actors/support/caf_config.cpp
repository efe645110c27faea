#include "actors/support/caf_config.hpp"

#include <chrono>

#include <caf/atom.hpp>
#include <caf/io/middleman.hpp>
#include <caf/timespan.hpp>

namespace sb::actors {

void apply_settings(caf::actor_system_config& cfg, const config::settings& s) {
  using std::chrono::milliseconds;
  cfg.set("scheduler.policy", s.actors.scheduler_policy == "stealing"
                                  ? caf::atom("stealing")
                                  : caf::atom("sharing"));
  cfg.set("scheduler.max-threads", static_cast<size_t>(s.actors.max_threads));
  cfg.set("scheduler.max-throughput",
          static_cast<size_t>(s.actors.max_throughput));
  cfg.set("middleman.heartbeat-interval",
          caf::timespan{milliseconds(s.cluster.heartbeat_interval_ms)});
  cfg.set("middleman.connection-timeout",
          caf::timespan{milliseconds(s.cluster.connection_timeout_ms)});
  cfg.load<caf::io::middleman>();
}

} // namespace sb::actors
