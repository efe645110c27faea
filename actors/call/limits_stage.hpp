// The limits stage of the routing pipeline, after caller and callee are
// known: counts the call against the caller's concurrent_max and
// concurrent_max_out and the callee's concurrent_max (preferences,
// ngcp-digest Appendix A), and takes the caller's max_call_duration.
// Rejections (ngcp-digest §5.11):
//   403 "Maximum parallel calls exceeded"  the caller's limit
//   486 "Busy Here"                        the callee's limit
// What it counted is in ctx.admissions; the call releases it at its end.
#pragma once

#include "actors/call/caller_stage.hpp"
#include "actors/call/routing.hpp"

namespace sb::actors::call {

class call_registry;

routing_stage limits_stage(call_registry& registry, caller_lookup profile);

} // namespace sb::actors::call
