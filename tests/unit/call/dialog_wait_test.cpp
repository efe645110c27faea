#include "actors/call/dialog_wait.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace sb::actors::call;
using namespace std::chrono_literals;

namespace {

struct outcome {
  std::vector<std::pair<int, int>> delivered; // request, call
  std::vector<int> expired;
};

outcome sweep(dialog_wait<int>& w, std::chrono::steady_clock::time_point now,
              const std::set<std::string>& running) {
  outcome o;
  w.sweep(
      now,
      [&](const std::string& id) -> std::optional<int> {
        if (!running.count(id))
          return std::nullopt;
        return static_cast<int>(id.size());
      },
      [&](int rq, int call) { o.delivered.emplace_back(rq, call); },
      [&](int rq) { o.expired.push_back(rq); });
  return o;
}

} // namespace

TEST_CASE("dialog wait: a request reaches its call once the call runs here",
          "[call][dialog_wait]") {
  dialog_wait<int> w(8, 3000ms);
  std::chrono::steady_clock::time_point t0{};
  REQUIRE(w.park("abc", 1, t0));
  REQUIRE(w.park("xy", 2, t0 + 10ms));
  // Nothing restored yet: both wait.
  auto o = sweep(w, t0 + 100ms, {});
  CHECK(o.delivered.empty());
  CHECK(o.expired.empty());
  CHECK(w.size() == 2);
  // "abc" restored: its request goes to it, the other keeps waiting.
  o = sweep(w, t0 + 1200ms, {"abc"});
  REQUIRE(o.delivered.size() == 1);
  CHECK(o.delivered[0] == std::pair{1, 3});
  CHECK(o.expired.empty());
  CHECK(w.size() == 1);
}

TEST_CASE("dialog wait: a request whose call never comes is given up on time",
          "[call][dialog_wait]") {
  dialog_wait<int> w(8, 3000ms);
  std::chrono::steady_clock::time_point t0{};
  REQUIRE(w.park("a", 1, t0));
  REQUIRE(w.park("b", 2, t0 + 1000ms));
  CHECK(sweep(w, t0 + 2999ms, {}).expired.empty());
  auto o = sweep(w, t0 + 3000ms, {});
  CHECK(o.expired == std::vector<int>{1});
  CHECK(w.size() == 1);
  o = sweep(w, t0 + 4000ms, {});
  CHECK(o.expired == std::vector<int>{2});
  CHECK(w.empty());
}

TEST_CASE("dialog wait: a full room refuses instead of growing",
          "[call][dialog_wait]") {
  dialog_wait<int> w(2, 3000ms);
  std::chrono::steady_clock::time_point t0{};
  CHECK(w.park("a", 1, t0));
  CHECK(w.park("b", 2, t0));
  CHECK_FALSE(w.park("c", 3, t0));
  CHECK(w.size() == 2);
  // Room again once a request left.
  sweep(w, t0 + 1ms, {"a"});
  CHECK(w.park("c", 3, t0 + 1ms));
}
