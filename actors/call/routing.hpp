// The routing pipeline of a new call: an ordered list of small stages over
// one routing context, from caller identification to the B leg. Each
// stage reads and fills the context, or stops the call with a rejection.
// Features that come later (rewrite rules, NCOS, block lists, call
// forwards, hunting, peering, prepaid) are stages inserted at their place,
// not branches inside the call actor. Stages get their lookups (provisioning
// reader, location) when the pipeline is built, so running one is a plain
// function call that unit tests drive with fakes.
#pragma once

#include "actors/call/call_state.hpp"

#include "common/result.hpp"

#include <functional>
#include <string>
#include <vector>

namespace sb::actors::call {

/// What the stages know and decide about one new call.
struct routing_context {
  // The request as received.
  std::string call_id;
  std::string from_user;
  std::string from_domain;
  std::string request_user; ///< Request-URI user: what was dialled
  std::string request_domain;
  std::string source_ip;
  time_point now{}; ///< when the INVITE arrived
  // Filled by the stages.
  uint64_t caller_subscriber_id = 0; ///< 0: not (yet) identified
  uint64_t callee_subscriber_id = 0;
  call_plan plan; ///< targets, rejection, CDR parties, settings
  /// Calls counted against concurrent_max limits; the call actor releases
  /// them when the call ends, however it ends.
  struct admission {
    uint64_t subscriber_id = 0;
    bool out = false;
  };
  std::vector<admission> admissions;
};

/// A stage's verdict: go on, or stop the pipeline (the call is answered
/// with `plan.reject`, which the stage has set).
enum class stage_result : uint8_t { next, stop };

struct routing_stage {
  std::string name; ///< for logs, metrics and traces
  std::function<stage_result(routing_context&)> run;
};

/// Stops the pipeline with this answer (for stages).
stage_result reject(routing_context& ctx, int code, std::string reason);

/// Stops the pipeline with 500 after logging a storage error: a lookup
/// that failed must never look like "not found".
stage_result storage_failure(routing_context& ctx, const error& e);

/// Runs `stages` in order until one stops or all ran. Returns the name of
/// the stage that stopped, or an empty string. A stage that stops without
/// setting a rejection gets 500, so a call is never left unanswered.
std::string run_pipeline(const std::vector<routing_stage>& stages,
                         routing_context& ctx);

} // namespace sb::actors::call
