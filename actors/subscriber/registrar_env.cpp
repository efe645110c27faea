#include "actors/subscriber/registrar_env.hpp"

#include "common/metrics/registry.hpp"

#include <random>

namespace sb::actors::subscriber {

registrar_env::registrar_env(persistence::rocks_store& store,
                             std::unique_ptr<location_store> locs,
                             registrar_settings settings,
                             metrics::registry& metrics)
    : reader(store)
    , locations(std::move(locs))
    , settings_(
          std::make_shared<const registrar_settings>(std::move(settings))) {
  bindings_gauge_ = &metrics
                         .add_gauge("sb_registrar_bindings",
                                    "Active registration bindings held by "
                                    "live subscriber actors on this node.")
                         .value()
                         ->with({});
  bindings_gauge_->set_callback(
      [this] { return static_cast<double>(bindings); });
  live_gauge_ = &metrics
                     .add_gauge("sb_registrar_live_actors",
                                "Subscriber actors activated on this node.")
                     .value()
                     ->with({});
  live_gauge_->set_callback(
      [this] { return static_cast<double>(live_actors); });
  register_total_ =
      metrics
          .add_counter(
              "sb_registrar_register_total",
              "REGISTER requests decided by the registrar, by outcome.",
              {"outcome"})
          .value();
  auth_total_ = metrics
                    .add_counter("sb_registrar_auth_total",
                                 "Digest authentications of REGISTER, by "
                                 "verdict.",
                                 {"verdict"})
                    .value();
}

registrar_env::~registrar_env() {
  // The registry outlives us; its gauges must not read a dead env.
  bindings_gauge_->clear_callback();
  live_gauge_->clear_callback();
}

std::shared_ptr<const registrar_settings> registrar_env::settings() const {
  std::lock_guard lock{mu_};
  return settings_;
}

std::pair<auth_input, std::shared_ptr<const registrar_settings>>
registrar_env::auth_inputs(const std::string& source_ip) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  auto s = settings();
  auth_input in;
  in.secret = s->nonce_secret;
  in.now_s = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  in.nonce_max_age_s = s->nonce_max_age_s;
  auto v = rng();
  for (auto& b : in.random) {
    b = static_cast<unsigned char>(v);
    v >>= 8;
  }
  in.source_ip = source_ip;
  return {in, s};
}

void registrar_env::set_settings(registrar_settings s) {
  auto p = std::make_shared<const registrar_settings>(std::move(s));
  std::lock_guard lock{mu_};
  settings_ = std::move(p);
}

void registrar_env::count_register(std::string_view status) {
  register_total_->with({std::string(status)}).inc();
}

void registrar_env::count_auth(std::string_view outcome) {
  auth_total_->with({std::string(outcome)}).inc();
}

} // namespace sb::actors::subscriber
