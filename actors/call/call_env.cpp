#include "actors/call/call_env.hpp"

#include "common/metrics/registry.hpp"

namespace sb::actors::call {

call_env::call_env(std::shared_ptr<subscriber::registrar_env> registrar_env,
                   persistence::rocks_store& store, std::string_view cdr_kind,
                   std::shared_ptr<media::media_env> media_env,
                   call_env_settings s, metrics::registry& metrics)
    : registrar(std::move(registrar_env))
    , cdrs(store, cdr_kind)
    , media(std::move(media_env))
    , settings_(std::make_shared<const call_env_settings>(s)) {
  active_gauge_ =
      &metrics.add_gauge("sb_calls_active", "Calls with a live call actor.")
           .value()
           ->with({});
  calls_total_ = metrics
                     .add_counter("sb_calls_total",
                                  "Calls ended, by the call_status of their "
                                  "CDR.",
                                  {"status"})
                     .value();
  edge_moved_ = &metrics
                     .add_counter("sb_calls_edge_moved_total",
                                  "Calls that went on through the HA peer "
                                  "of their dead lb.")
                     .value()
                     ->with({});
}

std::shared_ptr<const call_env_settings> call_env::settings() const {
  std::lock_guard lock{mu_};
  return settings_;
}

void call_env::set_settings(call_env_settings s) {
  auto p = std::make_shared<const call_env_settings>(s);
  std::lock_guard lock{mu_};
  settings_ = std::move(p);
}

void call_env::call_started() {
  active_gauge_->set(static_cast<double>(++active_));
}

void call_env::call_handed_over() {
  active_gauge_->set(static_cast<double>(--active_));
}

void call_env::call_edge_moved() {
  edge_moved_->inc();
}

void call_env::orphan_ended(std::string_view status) {
  calls_total_->with({std::string(status)}).inc();
}

void call_env::call_ended(std::string_view status) {
  active_gauge_->set(static_cast<double>(--active_));
  calls_total_->with({std::string(status)}).inc();
}

} // namespace sb::actors::call
