#pragma once

#include "actors/provisioning/provisioning_actor.hpp"
#include "common/config/diff.hpp"
#include "common/config/loader.hpp"
#include "common/metrics/registry.hpp"
#include "mgmt/node/node_control.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sb::apps {

/// What a running node knows about itself: the configuration in effect,
/// restarts pending, readiness flags. Serves the management listener's
/// /readyz and /control endpoints; reload() and the control calls run on
/// the management I/O thread only, the flags are atomics for other threads.
class node_state final : public mgmt::node_control {
public:
  node_state(config::loaded_config cfg, std::optional<std::string> node_arg);

  /// Settings in effect (the loaded ones plus reloaded changes).
  config::settings running;
  std::atomic<bool> draining{false};
  std::atomic<bool> storage_open{false};
  /// Progress of the provisioning store (set before serving).
  const actors::provisioning_progress* provisioning = nullptr;
  /// Live actors of the actor system, for metrics and status.
  std::function<double()> actors_running;
  /// Called after a reload changed the settings in force (SIGHUP thread).
  std::function<void(const config::settings&)> on_reload;

  mgmt::readiness ready() const override;
  nlohmann::json status() const override;
  result<nlohmann::json> reload() override;
  bool set_log_level(std::string_view level) override;

  void register_metrics(metrics::registry& reg);
  void unregister_metrics();

private:
  config::loaded_config loaded_;
  std::optional<std::string> node_arg_;
  std::vector<config::setting_change> pending_restart_;
  std::chrono::steady_clock::time_point started_;
  metrics::counter* reloads_ok_ = nullptr;
  metrics::counter* reloads_failed_ = nullptr;
  metrics::gauge* ready_gauge_ = nullptr;
  metrics::gauge* actors_gauge_ = nullptr;
  metrics::gauge* applied_gauge_ = nullptr;
  metrics::gauge* lag_gauge_ = nullptr;
  metrics::gauge* delay_gauge_ = nullptr;
};

} // namespace sb::apps
