#include "actors/call/caller_stage.hpp"

#include "actors/subscriber/profile_lookup.hpp"
#include "common/log.hpp"

namespace sb::actors::call {

routing_stage caller_stage(caller_lookup lookup) {
  return {"caller", [l = std::move(lookup)](routing_context& ctx) {
            if (ctx.caller_subscriber_id == 0) {
              // Identification runs first; reaching here without a caller
              // is a pipeline bug, not the caller's fault.
              spdlog::error("routing {}: caller checks without a caller",
                            ctx.call_id);
              return reject(ctx, 500, "Server Internal Error");
            }
            auto found = l(ctx.caller_subscriber_id);
            if (!found)
              return storage_failure(ctx, found.err());
            if (!*found) // removed since it authenticated
              return reject(ctx, 403, "Forbidden");
            const auto& p = **found;
            ctx.plan.cdr.source = cdr_party_of(p);
            ctx.plan.cdr.source.ip = ctx.source_ip;
            if (p.lock == lock_outgoing ||
                p.lock == lock_incoming_and_outgoing || p.lock == lock_global ||
                p.lock == lock_ported)
              return reject(ctx, 403, "Caller locked");
            if (!subscriber::ip_allowed(p, ctx.source_ip))
              return reject(ctx, 403, "Unauthorized IP detected");
            return stage_result::next;
          }};
}

caller_lookup store_caller_lookup(const persistence::store_reader& reader) {
  return
      [&reader](uint64_t id) { return subscriber::load_profile(reader, id); };
}

} // namespace sb::actors::call
