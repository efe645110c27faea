#include "actors/support/caf_config.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/settings.hpp>
#include <caf/timespan.hpp>
#include <catch2/catch.hpp>

using namespace std::chrono_literals;

TEST_CASE("YAML settings reach CAF's configuration", "[actors][config]") {
  sb::config::settings s;
  s.actors.scheduler_policy = "stealing";
  s.actors.max_threads = 3;
  s.actors.max_throughput = 42;
  s.cluster.heartbeat_interval_ms = 250;
  s.cluster.connection_timeout_ms = 900;
  caf::actor_system_config cfg;
  sb::actors::apply_settings(cfg, s);
  CHECK(caf::get<caf::atom_value>(cfg, "scheduler.policy") ==
        caf::atom("stealing"));
  CHECK(caf::get<size_t>(cfg, "scheduler.max-threads") == 3);
  CHECK(caf::get<size_t>(cfg, "scheduler.max-throughput") == 42);
  CHECK(caf::get<caf::timespan>(cfg, "middleman.heartbeat-interval") ==
        caf::timespan{250ms});
  CHECK(caf::get<caf::timespan>(cfg, "middleman.connection-timeout") ==
        caf::timespan{900ms});
}

TEST_CASE("the default policy is sharing", "[actors][config]") {
  caf::actor_system_config cfg;
  sb::actors::apply_settings(cfg, sb::config::settings{});
  CHECK(caf::get<caf::atom_value>(cfg, "scheduler.policy") ==
        caf::atom("sharing"));
  CHECK(caf::get<caf::timespan>(cfg, "middleman.heartbeat-interval") ==
        caf::timespan{200ms});
}
