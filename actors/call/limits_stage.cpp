#include "actors/call/limits_stage.hpp"

#include "actors/call/call_registry.hpp"

namespace sb::actors::call {

routing_stage limits_stage(call_registry& registry, caller_lookup profile) {
  return {"limits",
          [&registry, profile = std::move(profile)](routing_context& ctx) {
            if (ctx.caller_subscriber_id) {
              auto p = profile(ctx.caller_subscriber_id);
              if (!p)
                return storage_failure(ctx, p.err());
              if (*p) {
                const auto& caller = **p;
                if (!registry.admit(caller.subscriber_id, true,
                                    caller.concurrent_max,
                                    caller.concurrent_max_out))
                  return reject(ctx, 403, "Maximum parallel calls exceeded");
                ctx.admissions.push_back({caller.subscriber_id, true});
                if (caller.max_call_duration > 0)
                  ctx.plan.settings.max_duration =
                      std::chrono::seconds{caller.max_call_duration};
              }
            }
            if (ctx.callee_subscriber_id) {
              auto p = profile(ctx.callee_subscriber_id);
              if (!p)
                return storage_failure(ctx, p.err());
              if (*p) {
                const auto& callee = **p;
                if (!registry.admit(callee.subscriber_id, false,
                                    callee.concurrent_max, 0))
                  return reject(ctx, 486, "Busy Here");
                ctx.admissions.push_back({callee.subscriber_id, false});
              }
            }
            return stage_result::next;
          }};
}

} // namespace sb::actors::call
