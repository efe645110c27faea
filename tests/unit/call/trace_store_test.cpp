// The node's trace store: the run-time filter and the bounded keeping.
#include "actors/support/trace_store.hpp"

#include <catch2/catch.hpp>

using namespace sb::actors;

TEST_CASE("trace store: filter by kind, key and rate, bounded",
          "[trace][trace_store]") {
  trace_store s(2);
  CHECK_FALSE(s.wants("call", "c1", 0.0)); // off until started
  s.start({"call", "", 0.5});
  CHECK(s.wants("call", "c1", 0.1));
  CHECK_FALSE(s.wants("call", "c1", 0.7)); // not sampled
  CHECK_FALSE(s.wants("subscriber", "c1", 0.1));
  s.start({"call", "c2", 1.0});
  CHECK_FALSE(s.wants("call", "c1", 0.1));
  CHECK(s.wants("call", "c2", 0.99));
  s.stop();
  CHECK_FALSE(s.wants("call", "c2", 0.0));
  CHECK_FALSE(s.filter());

  auto a = s.add("call", "c1", {{"steps", {1, 2, 3}}}, 10);
  auto b = s.add("call", "c2", {{"steps", {1}}}, 20);
  auto c = s.add("call", "c3", {{"steps", nlohmann::json::array()}}, 30);
  CHECK(c == 3);
  auto l = s.list();
  REQUIRE(l.size() == 2); // the oldest went
  CHECK(l[0].id == b);
  CHECK(l[0].steps == 1);
  CHECK_FALSE(s.get(a));
  REQUIRE(s.get(c));
  CHECK((*s.get(c))["steps"].empty());
}
