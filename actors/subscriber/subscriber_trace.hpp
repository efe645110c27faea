// Traces of the registrar core (ARCHITECTURE.md §8), the subscriber actor's
// counterpart of call_trace: the state an AoR's actor had when tracing
// chose it, then every input (a REGISTER with the settings it met, the
// expiry timer, an admin add or remove, a save that failed and rolled the
// state back) with its `now` and what the core answered. Plain JSON with
// "kind": "subscriber", so `sbctl trace replay` can tell it from a call's
// and re-run it through this build's registrar.
#pragma once

#include "actors/subscriber/registrar_state.hpp"
#include "actors/support/replay_result.hpp"
#include "common/result.hpp"

#include <functional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::actors::subscriber {

struct register_event {
  register_request request;
  registrar_config config;
};
struct expiry_event {};
struct add_binding_event {
  permanent_binding_request request;
};
struct remove_binding_event {
  std::string uri;
};
struct remove_all_event {};
/// Saving the step's result failed: the shell put this state back.
struct rolled_back_event {
  registrar_state state;
};

using subscriber_event =
    std::variant<register_event, expiry_event, add_binding_event,
                 remove_binding_event, remove_all_event, rolled_back_event>;

nlohmann::json event_to_json(const subscriber_event& e);
result<subscriber_event> event_from_json(const nlohmann::json& j);

/// One input through the core, its answer as JSON (the reply and effects).
nlohmann::json step(registrar_state& st, const subscriber_event& e,
                    time_point now);

struct subscriber_trace {
  registrar_state initial;
  struct step_record {
    subscriber_event event;
    time_point now{};
    nlohmann::json effects;
  };
  std::vector<step_record> steps;
};

nlohmann::json trace_to_json(const subscriber_trace& t);
/// Errors name what is wrong ("steps[2].event: unknown type 'x'").
result<subscriber_trace> trace_from_json(const nlohmann::json& j);
/// Whether `j` is a subscriber trace (rather than a call's).
bool is_subscriber_trace(const nlohmann::json& j);

/// The core's operations, recorded: the shell calls these in place of the
/// plain ones while its actor is traced.
class subscriber_recorder {
public:
  explicit subscriber_recorder(const registrar_state& initial);

  register_outcome on_register(registrar_state& st, const register_request& rq,
                               const registrar_config& cfg, time_point now);
  registrar_effects on_timer(registrar_state& st, time_point now);
  result<registrar_effects>
  add(registrar_state& st, const permanent_binding_request& rq, time_point now);
  registrar_effects remove(registrar_state& st, std::string_view uri,
                           time_point now);
  registrar_effects remove_all(registrar_state& st, time_point now);
  /// The shell restored `before` after a failed save.
  void rolled_back(const registrar_state& before, time_point now);

  const subscriber_trace& trace() const { return trace_; }

private:
  subscriber_trace trace_;
};

using subscriber_step = std::function<nlohmann::json(
    registrar_state&, const subscriber_event&, time_point)>;

/// Replays `t` from its initial state through `step_fn` (the core's by
/// default) and reports the first step whose answer differs.
replay_result replay(const subscriber_trace& t,
                     const subscriber_step& step_fn = step);

} // namespace sb::actors::subscriber
