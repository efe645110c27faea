#include "actors/call/caller_stage.hpp"

#include "actors/subscriber/profile_lookup.hpp"
#include "common/log.hpp"
#include "persistence/entities/provisioning_keys.hpp"
#include "persistence/entities/store_reader.hpp"

namespace sb::actors::call {

namespace {

constexpr int lock_outgoing = 2;
constexpr int lock_ported = 5;

stage_result refuse(routing_context& ctx, int code, std::string reason) {
  ctx.plan.reject = rejection{code, std::move(reason)};
  return stage_result::stop;
}

} // namespace

routing_stage caller_stage(caller_lookup lookup) {
  return {"caller", [l = std::move(lookup)](routing_context& ctx) {
            if (ctx.caller_subscriber_id == 0) {
              // Identification runs first; reaching here without a caller
              // is a pipeline bug, not the caller's fault.
              spdlog::error("routing {}: caller checks without a caller",
                            ctx.call_id);
              return refuse(ctx, 500, "Server Internal Error");
            }
            auto found = l(ctx.caller_subscriber_id);
            if (!found) {
              spdlog::error("routing {}: {}", ctx.call_id, found.err().message);
              return refuse(ctx, 500, "Server Internal Error");
            }
            if (!*found) // removed since it authenticated
              return refuse(ctx, 403, "Forbidden");
            const auto& c = **found;
            const auto& p = c.profile;
            auto& s = ctx.plan.cdr.source;
            s.user_id = c.uuid;
            s.subscriber_id = p.subscriber_id;
            s.account_id = p.customer_id;
            s.reseller_id = p.reseller_id;
            s.user = p.username;
            s.domain = p.domain;
            s.ip = ctx.source_ip;
            if (p.lock == lock_outgoing ||
                p.lock == lock_incoming_and_outgoing || p.lock == lock_global ||
                p.lock == lock_ported)
              return refuse(ctx, 403, "Caller locked");
            if (!subscriber::ip_allowed(p, ctx.source_ip))
              return refuse(ctx, 403, "Unauthorized IP detected");
            return stage_result::next;
          }};
}

caller_lookup store_caller_lookup(const persistence::store_reader& reader) {
  return [&reader](uint64_t id) -> result<std::optional<caller_facts>> {
    auto p = subscriber::load_profile(reader, id);
    if (!p)
      return p.err();
    if (!*p)
      return std::optional<caller_facts>{};
    auto doc = reader.load(persistence::keys::kind_subscribers, id);
    if (!doc)
      return doc.err();
    caller_facts f{std::move(**p),
                   *doc ? (**doc).value("uuid", "") : std::string()};
    return std::optional<caller_facts>{std::move(f)};
  };
}

} // namespace sb::actors::call
