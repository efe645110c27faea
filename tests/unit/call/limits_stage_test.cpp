// The limits stage and the registry's call counts: concurrent_max,
// concurrent_max_out, max_call_duration, and releases.
#include "actors/call/call_registry.hpp"
#include "actors/call/limits_stage.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace sb::actors::call;

namespace {

party_facts sub(uint64_t id, int64_t max = 0, int64_t max_out = 0,
                int64_t duration = 0) {
  party_facts f;
  f.subscriber_id = id;
  f.concurrent_max = max;
  f.concurrent_max_out = max_out;
  f.max_call_duration = duration;
  return f;
}

caller_lookup from(std::map<uint64_t, party_facts> subs) {
  return [subs](uint64_t id) -> sb::result<std::optional<party_facts>> {
    auto it = subs.find(id);
    if (it == subs.end())
      return std::optional<party_facts>{};
    return std::optional<party_facts>{it->second};
  };
}

routing_context call(uint64_t caller, uint64_t callee) {
  routing_context c;
  c.caller_subscriber_id = caller;
  c.callee_subscriber_id = callee;
  return c;
}

} // namespace

TEST_CASE("limits stage: concurrent_max_out and concurrent_max",
          "[call][limits]") {
  call_registry reg;
  auto stage = limits_stage(
      reg, from({{1, sub(1, 0, 1, 30)}, {2, sub(2, 1)}, {3, sub(3)}}));

  auto first = call(1, 3);
  REQUIRE(stage.run(first) == stage_result::next);
  CHECK(first.plan.settings.max_duration == std::chrono::seconds{30});
  CHECK(first.admissions.size() == 2);
  CHECK(reg.active(1, true) == 1);
  CHECK(reg.active(3, false) == 1);

  SECTION("a second outgoing call of 1 is refused 403, counting nothing") {
    auto second = call(1, 3);
    CHECK(stage.run(second) == stage_result::stop);
    REQUIRE(second.plan.reject);
    CHECK(second.plan.reject->code == 403);
    CHECK(second.plan.reject->reason == "Maximum parallel calls exceeded");
    CHECK(second.admissions.empty());
    CHECK(reg.active(1) == 1);
    SECTION("after a release it passes again") {
      reg.release(1, true);
      reg.release(3, false);
      auto third = call(1, 3);
      CHECK(stage.run(third) == stage_result::next);
    }
  }
  SECTION("a callee at its concurrent_max is busy (486)") {
    auto to2 = call(3, 2);
    REQUIRE(stage.run(to2) == stage_result::next);
    auto again = call(3, 2);
    CHECK(stage.run(again) == stage_result::stop);
    CHECK(again.plan.reject->code == 486);
    // The caller's count taken before the refusal is in admissions, for
    // the call to release.
    CHECK(again.admissions.size() == 1);
    CHECK(again.admissions[0].subscriber_id == 3);
  }
  SECTION("without limits any number passes; no duration keeps the default") {
    auto free = call(3, 0);
    auto before = free.plan.settings.max_duration;
    CHECK(stage.run(free) == stage_result::next);
    CHECK(free.plan.settings.max_duration == before);
  }
}

TEST_CASE("call registry: dialogs and requests map to their call",
          "[call][limits]") {
  call_registry reg;
  CHECK_FALSE(reg.by_call_id("x"));
  reg.add_dialog("x", caf::actor{});
  CHECK(reg.by_call_id("x"));
  reg.remove_dialog("x");
  CHECK_FALSE(reg.by_call_id("x"));
  reg.add_request(5, caf::actor{});
  CHECK(reg.by_request(5));
  reg.remove_request(5);
  CHECK_FALSE(reg.by_request(5));
  CHECK(reg.admit(9, false, 2, 0));
  CHECK(reg.admit(9, true, 2, 0));
  CHECK_FALSE(reg.admit(9, true, 2, 0));
  reg.release(9, false);
  reg.release(9, true);
  CHECK(reg.active(9) == 0);
}
