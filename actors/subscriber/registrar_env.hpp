#pragma once

// What the subscriber actors and their directory share on one node: the
// stores, the way back to the SIP edge, the brute-force guard hook, the
// settings in force (replaced as a whole on reload) and the counters.
#include "actors/subscriber/location_store.hpp"
#include "actors/subscriber/register_auth.hpp"
#include "actors/subscriber/registrar_state.hpp"
#include "actors/support/trace_store.hpp"
#include "persistence/entities/store_reader.hpp"
#include "sip/edge/edge_types.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "common/metrics/fwd.hpp"

namespace sb::actors::subscriber {

struct admin_op;

struct registrar_settings {
  registrar_config registrar;
  std::string nonce_secret;
  int64_t nonce_max_age_s = 300;
  std::chrono::seconds keepalive_interval{30}; ///< 0: no NAT keepalives
  std::chrono::seconds idle{300};              ///< passivate after this
  std::string keepalive_from = "sip:keepalive@127.0.0.1";
};

class registrar_env {
public:
  registrar_env(persistence::rocks_store& store,
                std::unique_ptr<location_store> locations,
                registrar_settings settings, metrics::registry& metrics);
  ~registrar_env();
  registrar_env(const registrar_env&) = delete;
  registrar_env& operator=(const registrar_env&) = delete;

  persistence::store_reader reader;
  std::unique_ptr<location_store> locations;

  /// Sends the reply of edge request `key` (thread-safe; set before use).
  std::function<void(uint64_t key, sip::edge::sip_reply)> reply;
  /// Sends a NAT keepalive (thread-safe).
  std::function<void(sip::edge::outgoing_options)> send_options;
  /// Reports an authentication outcome for the source IP and "user@domain".
  std::function<void(const std::string& ip, const std::string& user,
                     auth_event)>
      on_auth;

  /// Cluster mode: whether this node owns `aor` in the current view
  /// (unset: a single node owns every AoR), and how a request for an AoR
  /// it does not own reaches the owner (false: the owner is unreachable).
  std::function<bool(const std::string& aor)> owns;
  std::function<bool(const std::string& aor,
                     const sip::edge::incoming_request&)>
      forward;
  /// The same for an API change of a binding (subscriber_messages.hpp):
  /// sent to the owner, whose answer runs the op's `done`.
  std::function<bool(const std::string& aor, std::shared_ptr<admin_op>)>
      forward_admin;

  std::shared_ptr<const registrar_settings> settings() const;

  /// The inputs of one authentication from the shell's world: the settings
  /// in force, the wall clock, fresh random bytes, the source address.
  /// (`secret` views the settings, which the returned pointer keeps.)
  std::pair<auth_input, std::shared_ptr<const registrar_settings>>
  auth_inputs(const std::string& source_ip) const;
  void set_settings(registrar_settings s);

  // Counters and gauges (metrics families live in the registry).
  void count_register(std::string_view status);
  void count_auth(std::string_view outcome);
  std::atomic<int64_t> bindings{0};
  std::atomic<int64_t> live_actors{0};
  /// The node's actor traces (sbctl trace): which subscriber and call
  /// actors record, and what they recorded.
  trace_store traces;

private:
  mutable std::mutex mu_;
  std::shared_ptr<const registrar_settings> settings_;
  metrics::gauge* bindings_gauge_ = nullptr;
  metrics::gauge* live_gauge_ = nullptr;
  metrics::counter_family* register_total_ = nullptr;
  metrics::counter_family* auth_total_ = nullptr;
};

} // namespace sb::actors::subscriber
