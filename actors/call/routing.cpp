#include "actors/call/routing.hpp"

#include "common/log.hpp"

namespace sb::actors::call {

stage_result reject(routing_context& ctx, int code, std::string reason) {
  ctx.plan.reject = rejection{code, std::move(reason)};
  return stage_result::stop;
}

stage_result storage_failure(routing_context& ctx, const error& e) {
  spdlog::error("routing {}: {}", ctx.call_id, e.message);
  return reject(ctx, 500, "Server Internal Error");
}

std::string run_pipeline(const std::vector<routing_stage>& stages,
                         routing_context& ctx) {
  for (const auto& s : stages) {
    if (s.run(ctx) == stage_result::next)
      continue;
    if (!ctx.plan.reject)
      ctx.plan.reject = rejection{500, "Server Internal Error"};
    return s.name;
  }
  return {};
}

} // namespace sb::actors::call
