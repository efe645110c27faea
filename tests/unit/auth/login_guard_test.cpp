#include "mgmt/auth/login_guard.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sb::mgmt::auth;
using namespace std::chrono_literals;

namespace {

using time_point = login_guard::time_point;

// The manual clock of these tests: whatever `now` each call is given.
const time_point t0 = time_point{} + 1'000'000s;

login_guard make(unsigned max_failures = 5, std::size_t cap = 100) {
  auto g = login_guard::create({max_failures, 300s, 600s, cap});
  REQUIRE(g.ok());
  return std::move(*g);
}

} // namespace

TEST_CASE("login guard config is validated", "[auth]") {
  CHECK(validate(login_guard_config{}).ok());
  CHECK_FALSE(login_guard::create({0, 300s, 600s, 10}).ok());
  CHECK_FALSE(login_guard::create({1001, 300s, 600s, 10}).ok());
  CHECK_FALSE(login_guard::create({5, 0s, 600s, 10}).ok());
  CHECK_FALSE(login_guard::create({5, 300s, -1s, 10}).ok());
  CHECK_FALSE(login_guard::create({5, 300s, 600s, 0}).ok());
  auto defaults = login_guard_config{};
  CHECK(defaults.max_failures == 5);
  CHECK(defaults.window == 300s);
  CHECK(defaults.ban_time == 600s);
}

TEST_CASE("the Nth failure within the window bans", "[auth]") {
  auto g = make();
  for (int i = 0; i < 4; ++i) {
    CHECK_FALSE(g.record_failure("192.0.2.1", t0 + i * 10s));
    CHECK_FALSE(g.is_banned("192.0.2.1", t0 + i * 10s));
  }
  auto until = g.record_failure("192.0.2.1", t0 + 40s);
  REQUIRE(until);
  CHECK(*until == t0 + 40s + 600s);
  CHECK(g.is_banned("192.0.2.1", t0 + 41s) == until);
  CHECK_FALSE(g.is_banned("192.0.2.2", t0 + 41s));
  // Further failures during the ban neither count nor extend it.
  CHECK(g.record_failure("192.0.2.1", t0 + 100s) == until);
  CHECK(g.is_banned("192.0.2.1", t0 + 639s) == until);
  // The ban expires by time alone, exactly at `until`.
  CHECK_FALSE(g.is_banned("192.0.2.1", t0 + 640s));
  // The counter starts from zero afterwards.
  for (int i = 0; i < 4; ++i)
    CHECK_FALSE(g.record_failure("192.0.2.1", t0 + 700s + i * 1s));
  CHECK(g.record_failure("192.0.2.1", t0 + 705s));
}

TEST_CASE("failures outside the window do not count", "[auth]") {
  auto g = make(3);
  CHECK_FALSE(g.record_failure("a", t0));
  CHECK_FALSE(g.record_failure("a", t0 + 100s));
  // t0 is exactly `window` old now: it no longer counts.
  CHECK_FALSE(g.record_failure("a", t0 + 300s));
  CHECK_FALSE(g.is_banned("a", t0 + 300s));
  // t0+100 and t0+300 still count: the third in the window bans.
  CHECK(g.record_failure("a", t0 + 399s));
  // Slow guessing never bans.
  for (int i = 0; i < 50; ++i)
    CHECK_FALSE(g.record_failure("slow", t0 + i * 151s));
}

TEST_CASE("a success clears the counter but not an active ban", "[auth]") {
  auto g = make(3);
  g.record_failure("a", t0);
  g.record_failure("a", t0 + 1s);
  g.record_success("a", t0 + 2s);
  CHECK(g.tracked() == 0);
  CHECK_FALSE(g.record_failure("a", t0 + 3s));
  CHECK_FALSE(g.record_failure("a", t0 + 4s));
  auto until = g.record_failure("a", t0 + 5s);
  REQUIRE(until);
  g.record_success("a", t0 + 6s);
  CHECK(g.is_banned("a", t0 + 6s) == until);
  // After expiry a success forgets the old ban record.
  g.record_success("a", *until);
  CHECK(g.tracked() == 0);
}

TEST_CASE("unban lifts a ban and lists show only active bans", "[auth]") {
  auto g = make(1);
  g.record_failure("192.0.2.9", t0);
  g.record_failure("192.0.2.3", t0 + 10s);
  g.record_failure("2001:db8::1", t0 + 20s);
  auto list = g.bans(t0 + 30s);
  REQUIRE(list.size() == 3);
  CHECK(list[0] == login_ban{"192.0.2.3", t0 + 610s});
  CHECK(list[1] == login_ban{"192.0.2.9", t0 + 600s});
  CHECK(list[2] == login_ban{"2001:db8::1", t0 + 620s});
  CHECK(g.bans(t0 + 600s).size() == 2);
  CHECK(g.bans(t0 + 620s).empty());
  CHECK(g.unban("192.0.2.3"));
  CHECK_FALSE(g.is_banned("192.0.2.3", t0 + 30s));
  CHECK_FALSE(g.unban("192.0.2.3"));
  CHECK_FALSE(g.unban("198.51.100.1"));
  CHECK(g.bans(t0 + 30s).size() == 2);
}

TEST_CASE("unban also forgets failures", "[auth]") {
  auto g = make(2);
  g.record_failure("a", t0);
  CHECK_FALSE(g.unban("a")); // counting, not banned
  CHECK_FALSE(g.record_failure("a", t0 + 1s));
  CHECK(g.record_failure("a", t0 + 2s));
}

TEST_CASE("prune drops expired counters and bans only", "[auth]") {
  auto g = make(2);
  g.record_failure("count-old", t0);
  g.record_failure("count-new", t0 + 200s);
  g.record_failure("ban", t0);
  g.record_failure("ban", t0 + 1s); // banned until t0+601
  CHECK(g.tracked() == 3);
  CHECK(g.prune(t0 + 299s) == 0);
  CHECK(g.prune(t0 + 300s) == 1); // count-old
  CHECK(g.prune(t0 + 500s) == 1); // count-new
  CHECK(g.is_banned("ban", t0 + 500s));
  CHECK(g.prune(t0 + 601s) == 1);
  CHECK(g.tracked() == 0);
}

TEST_CASE("a flood of addresses stays within the cap", "[auth]") {
  auto g = make(3, 4);
  // A patient attacker with two failures, then a flood.
  g.record_failure("attacker", t0);
  g.record_failure("attacker", t0 + 1s);
  g.record_failure("banned", t0);
  g.record_failure("banned", t0);
  auto until = g.record_failure("banned", t0);
  REQUIRE(until);
  for (int i = 0; i < 1000; ++i) {
    g.record_failure("flood-" + std::to_string(i), t0 + 2s + i * 1ms);
    REQUIRE(g.tracked() <= 4);
  }
  // The ban survives the flood; the counters evicted are the least recent,
  // so the attacker's two failures are forgotten (the documented cost).
  CHECK(g.is_banned("banned", t0 + 3s) == until);
  CHECK_FALSE(g.record_failure("attacker", t0 + 3s));
}

TEST_CASE("at the cap, expired entries go before live ones", "[auth]") {
  auto g = make(1, 2);
  g.record_failure("a", t0);        // banned until t0+600
  g.record_failure("b", t0 + 100s); // until t0+700
  // Both banned: the one ending soonest makes room.
  g.record_failure("c", t0 + 200s);
  CHECK(g.tracked() == 2);
  CHECK_FALSE(g.is_banned("a", t0 + 200s));
  CHECK(g.is_banned("b", t0 + 200s));
  CHECK(g.is_banned("c", t0 + 200s));
  // Later, b has expired: it goes, c stays.
  g.record_failure("d", t0 + 700s);
  CHECK(g.is_banned("c", t0 + 700s));
  CHECK(g.is_banned("d", t0 + 700s));
  CHECK(g.tracked() == 2);
}
