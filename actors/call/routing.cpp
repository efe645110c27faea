#include "actors/call/routing.hpp"

namespace sb::actors::call {

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
