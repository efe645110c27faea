// Traces of the call core (ARCHITECTURE.md §8): the plan and `now` a call
// started with, then every event with its `now`, each with the effects
// the core answered. A trace is plain JSON, so a call recorded on a node
// can be copied into tests/traces/ and replayed anywhere through the pure
// logic: `replay` feeds the same inputs to a fresh state and reports the
// first step whose effects differ, or that the run is identical. The
// recorder (what the actor shell will wrap around start/on_event) and the
// JSON forms of events, effects and plans live here; the trace store and
// `sbctl trace` come with the cluster work (issue 6).
#pragma once

#include "actors/call/call_state.hpp"
#include "actors/support/replay_result.hpp"
#include "common/result.hpp"

#include <functional>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::actors::call {

/// Milliseconds since the epoch, and back (the JSON form of times).
int64_t ms_of(time_point t);
time_point at_ms(int64_t ms);

nlohmann::json party_to_json(const billing::cdr_party& p);
billing::cdr_party party_from_json(const nlohmann::json& j);
nlohmann::json cdr_to_json(const billing::cdr_record& r);
/// The parties and dialled numbers of a CDR (times and status are the
/// core's to set when the call ends).
billing::cdr_record cdr_from_json(const nlohmann::json& j);

nlohmann::json event_to_json(const call_event& e);
result<call_event> event_from_json(const nlohmann::json& j);

nlohmann::json effects_to_json(const call_effects& fx);

nlohmann::json plan_to_json(const call_plan& p);
result<call_plan> plan_from_json(const nlohmann::json& j);

/// A call's trace: from its start (plan, `started`, what start answered),
/// or, for a call restored from a snapshot on another node (a failover),
/// from the state it was restored with.
struct call_trace {
  call_plan plan;
  time_point started{};
  nlohmann::json start_effects;
  std::optional<call_state> restored;
  struct step {
    call_event event;
    time_point now{};
    nlohmann::json effects;
  };
  std::vector<step> steps;
};

nlohmann::json trace_to_json(const call_trace& t);
/// Errors name what is wrong ("steps[3].event: unknown type 'x'").
result<call_trace> trace_from_json(const nlohmann::json& j);

/// Runs the core and records what it did, step by step.
class call_recorder {
public:
  call_effects start(call_state& st, call_plan plan, time_point now);
  /// The call goes on from `st`, restored from its snapshot.
  void restored(const call_state& st);
  call_effects on(call_state& st, const call_event& e, time_point now);
  const call_trace& trace() const { return trace_; }

private:
  call_trace trace_;
};

/// The core's step function; replay takes another to show divergence.
using call_step =
    std::function<call_effects(call_state&, const call_event&, time_point)>;

using actors::replay_result;

/// Replays `t` through `start` (or from the state it was restored with) and
/// `step` (the core's on_event by default).
replay_result replay(const call_trace& t, const call_step& step = on_event);

} // namespace sb::actors::call
