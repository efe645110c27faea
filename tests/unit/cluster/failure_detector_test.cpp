// The failure detector: heartbeats, suspicion, death within 2 s, leases
// that keep a late node and drop a frozen one, epochs.
#include "cluster/failure_detector.hpp"

#include <catch2/catch.hpp>

using namespace sb::cluster;
using namespace std::chrono_literals;

TEST_CASE("failure detector: join, suspect, dead, epochs",
          "[cluster][failure_detector]") {
  detector_settings s;
  steady_time t0{};
  auto v = make_view("sp1", {"sp1", "sp2", "sp3"});
  CHECK(live_members(v) == std::vector<std::string>{"sp1"});
  auto j = on_heartbeat(v, "sp2", t0);
  REQUIRE(j);
  CHECK(j->joined == std::vector<std::string>{"sp2"});
  CHECK(j->epoch == 2);
  REQUIRE(on_heartbeat(v, "sp3", t0));
  CHECK(v.epoch == 3);
  CHECK_FALSE(on_heartbeat(v, "sp3", t0 + 100ms)); // no change
  CHECK_FALSE(on_heartbeat(v, "nobody", t0));
  CHECK(live_members(v) == std::vector<std::string>{"sp1", "sp2", "sp3"});

  SECTION("a killed node: suspect, then dead before 2 s") {
    on_heartbeat(v, "sp3", t0 + 1000ms);
    CHECK_FALSE(on_tick(v, t0 + 700ms, s));
    CHECK(v.peers["sp2"].state == peer_state::suspect);
    CHECK(live_members(v).size() == 3); // a suspect keeps its keys
    auto c = on_tick(v, t0 + 1500ms, s);
    REQUIRE(c);
    CHECK(c->left == std::vector<std::string>{"sp2"});
    CHECK(c->epoch == 4);
    CHECK(live_members(v) == std::vector<std::string>{"sp1", "sp3"});
    SECTION("it comes back: a new epoch again") {
      auto back = on_heartbeat(v, "sp2", t0 + 5s);
      REQUIRE(back);
      CHECK(back->epoch == 5);
    }
  }
  SECTION("late heartbeats with a valid lease: suspect, not dead") {
    on_lease(v, "sp2", t0 + 3s);
    auto first = on_tick(v, t0 + 2s, s); // sp3 has no lease: dead
    REQUIRE(first);
    CHECK(first->left == std::vector<std::string>{"sp3"});
    CHECK(v.peers["sp2"].state == peer_state::suspect);
    // A frozen node cannot renew its lease: it dies when the lease ends.
    auto c = on_tick(v, t0 + 3s, s);
    REQUIRE(c);
    CHECK(c->left == std::vector<std::string>{"sp2"});
  }
}

TEST_CASE("failure detector: own lease lapsed after a freeze, grace after",
          "[cluster][failure_detector]") {
  auto t0 = steady_time{} + 100s;
  CHECK_FALSE(lease_lapsed(std::nullopt, t0, 1500ms)); // never renewed yet
  CHECK_FALSE(lease_lapsed(t0, t0 + 1500ms, 1500ms));
  CHECK(lease_lapsed(t0, t0 + 1501ms, 1500ms));

  auto v = make_view("sp1", {"sp1", "sp2", "sp3"});
  on_heartbeat(v, "sp2", t0);
  // Frozen for 10 s: without the grace, sp2 would look dead on waking.
  restart_grace(v, t0 + 10s);
  CHECK_FALSE(on_tick(v, t0 + 10s + 200ms, detector_settings{}));
  CHECK(v.peers.at("sp2").state == peer_state::alive);
  CHECK_FALSE(v.peers.at("sp3").last_heartbeat); // never heard stays so
}

TEST_CASE("failure detector: draining nodes leave placement, the flag back "
          "returns them",
          "[cluster][failure_detector]") {
  auto t0 = steady_time{} + 100s;
  auto v = make_view("sp1", {"sp1", "sp2", "sp3"});
  on_heartbeat(v, "sp2", t0);
  on_heartbeat(v, "sp3", t0);
  auto e = v.epoch;
  auto c = on_draining(v, "sp2", true);
  REQUIRE(c);
  CHECK(c->left == std::vector<std::string>{"sp2"});
  CHECK(c->epoch == e + 1);
  CHECK(live_members(v) == std::vector<std::string>{"sp1", "sp3"});
  CHECK_FALSE(on_draining(v, "sp2", true)); // every heartbeat repeats it
  CHECK_FALSE(on_draining(v, "sp9", true)); // not configured
  // Restarted without the flag: it owns its keys again.
  c = on_draining(v, "sp2", false);
  REQUIRE(c);
  CHECK(c->joined == std::vector<std::string>{"sp2"});
  CHECK(live_members(v) == std::vector<std::string>{"sp1", "sp2", "sp3"});

  REQUIRE(drain_self(v));
  CHECK_FALSE(drain_self(v));
  CHECK(live_members(v) == std::vector<std::string>{"sp2", "sp3"});
}
