#include "apps/sbnode/node_state.hpp"

#include "common/log.hpp"

#include <chrono>

namespace sb::apps {

namespace {

nlohmann::json to_json(const std::vector<config::setting_change>& changes) {
  auto a = nlohmann::json::array();
  for (const auto& c : changes)
    a.push_back({{"key", c.key}, {"before", c.before}, {"after", c.after}});
  return a;
}

} // namespace

node_state::node_state(config::loaded_config cfg,
                       std::optional<std::string> node_arg)
    : running(cfg.values)
    , loaded_(std::move(cfg))
    , node_arg_(std::move(node_arg))
    , started_(std::chrono::steady_clock::now()) {}

mgmt::readiness node_state::ready() const {
  mgmt::readiness r;
  if (draining)
    r.reasons.push_back("draining");
  if (!storage_open)
    r.reasons.push_back("storage not open");
  if (provisioning && provisioning->failing)
    r.reasons.push_back("provisioning log failing");
  else if (provisioning && provisioning->applied < provisioning->last)
    r.reasons.push_back("provisioning catching up: applied " +
                        std::to_string(provisioning->applied.load()) + " of " +
                        std::to_string(provisioning->last.load()));
  r.ready = r.reasons.empty();
  return r;
}

nlohmann::json node_state::status() const {
  auto pending = nlohmann::json::array();
  for (const auto& c : pending_restart_)
    pending.push_back(c.key);
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::steady_clock::now() - started_)
                    .count();
  auto rd = ready();
  return {
      {"node", loaded_.node},
      {"version", SB_VERSION},
      {"fingerprint", loaded_.fingerprint},
      {"ready", rd.ready},
      {"draining", draining.load()},
      {"pending_restart", pending},
      {"log_level", log::level()},
      {"uptime_s", uptime},
      {"actors", actors_running ? actors_running() : 0.0},
      {"provisioning_applied", provisioning ? provisioning->applied.load() : 0},
      {"provisioning_last", provisioning ? provisioning->last.load() : 0},
      {"provisioning_apply_delay_ms",
       provisioning ? provisioning->apply_delay_ms.load() : 0}};
}

result<nlohmann::json> node_state::reload() {
  auto fresh = config::load(loaded_.dir, loaded_.node);
  if (!fresh) {
    if (reloads_failed_)
      reloads_failed_->inc();
    return fresh.err();
  }
  // Diff against what is in effect, not against the files read at start:
  // an earlier reload may already have applied part of it.
  auto effective = loaded_;
  effective.values = running;
  auto plan = config::plan_reload(effective, *fresh);
  for (const auto& c : plan.applied)
    if (c.key == "logging.level")
      log::set_level(plan.running.logging.level);
  running = plan.running;
  // Restart-only keys keep their start-up values, so comparing the start-up
  // configuration with the fresh one lists every restart still pending.
  pending_restart_ = plan.restart_required;
  loaded_.fingerprint = fresh->fingerprint;
  if (reloads_ok_)
    reloads_ok_->inc();
  for (const auto& c : plan.applied)
    spdlog::info("reload: {} {} -> {}", c.key, c.before, c.after);
  if (on_reload && !plan.applied.empty())
    on_reload(running);
  for (const auto& c : plan.restart_required)
    spdlog::warn("reload: {} {} -> {} needs a restart", c.key, c.before,
                 c.after);
  return nlohmann::json{{"node", loaded_.node},
                        {"fingerprint", fresh->fingerprint},
                        {"applied", to_json(plan.applied)},
                        {"restart_required", to_json(plan.restart_required)}};
}

bool node_state::set_log_level(std::string_view level) {
  return log::set_level(level);
}

void node_state::register_metrics(metrics::registry& reg) {
  if (auto f = reg.add_counter("sb_config_reloads_total",
                               "Configuration reloads by result", {"result"})) {
    reloads_ok_ = &(*f)->with({"ok"});
    reloads_failed_ = &(*f)->with({"failed"});
  }
  if (auto f = reg.add_gauge("sb_node_ready",
                             "1 when the node should receive traffic")) {
    ready_gauge_ = &(*f)->with({});
    ready_gauge_->set_callback([this] { return ready().ready ? 1.0 : 0.0; });
  }
  if (auto f = reg.add_gauge("sb_actors_running", "Live actors")) {
    actors_gauge_ = &(*f)->with({});
    actors_gauge_->set_callback(
        [this] { return actors_running ? actors_running() : 0.0; });
  }
  if (auto f = reg.add_gauge("sb_provisioning_applied_position",
                             "Last provisioning log position applied")) {
    applied_gauge_ = &(*f)->with({});
    applied_gauge_->set_callback([this] {
      return provisioning ? static_cast<double>(provisioning->applied.load())
                          : 0.0;
    });
  }
  if (auto f = reg.add_gauge("sb_provisioning_lag_entries",
                             "Provisioning changes in the log not yet applied "
                             "here")) {
    lag_gauge_ = &(*f)->with({});
    lag_gauge_->set_callback([this] {
      if (!provisioning)
        return 0.0;
      auto last = provisioning->last.load();
      auto applied = provisioning->applied.load();
      return last > applied ? static_cast<double>(last - applied) : 0.0;
    });
  }
  if (auto f = reg.add_gauge("sb_provisioning_apply_delay_seconds",
                             "Time from the append of the last applied "
                             "provisioning change (on any node) to its "
                             "application here")) {
    delay_gauge_ = &(*f)->with({});
    delay_gauge_->set_callback([this] {
      return provisioning
                 ? static_cast<double>(provisioning->apply_delay_ms.load()) /
                       1000.0
                 : 0.0;
    });
  }
  if (auto f =
          reg.add_gauge("sb_node_info", "Node identity", {"node", "version"}))
    (*f)->with({loaded_.node, SB_VERSION}).set(1);
  if (auto f = reg.add_gauge("sb_node_start_time_seconds",
                             "Start time of the node, Unix seconds"))
    (*f)->with({}).set(static_cast<double>(
        std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count()));
}

void node_state::unregister_metrics() {
  if (ready_gauge_)
    ready_gauge_->clear_callback();
  if (actors_gauge_)
    actors_gauge_->clear_callback();
  if (applied_gauge_)
    applied_gauge_->clear_callback();
  if (lag_gauge_)
    lag_gauge_->clear_callback();
  if (delay_gauge_)
    delay_gauge_->clear_callback();
}

} // namespace sb::apps
