#include "sip/protect/auth_failure_guard.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sb::sip::protect;
using namespace std::chrono_literals;
using sb::net::ip_address;

namespace {

const time_point t0 = time_point{} + 1'000'000s;

ip_address ip(const char* text) {
  auto a = sb::net::parse_ip_address(text);
  REQUIRE(a);
  return *a;
}

auth_failure_guard_config small(uint32_t attempts = 3, std::size_t cap = 100) {
  auth_failure_guard_config cfg;
  cfg.attempts = attempts;
  cfg.ban_time = 3600s;
  cfg.max_tracked = cap;
  return cfg;
}

} // namespace

TEST_CASE("auth guard defaults are the reference's", "[protect]") {
  auth_failure_guard_config cfg;
  CHECK(cfg.enabled);
  CHECK(cfg.attempts == 3);
  CHECK(cfg.ban_time == 3600s);
  CHECK(cfg.max_tracked == 100000);
}

TEST_CASE("the Nth failure bans the address and the user", "[protect]") {
  auth_failure_guard g(small(3));
  auto a = ip("192.0.2.1");
  g.on_failure(a, "alice@example.test", t0);
  g.on_failure(a, "alice@example.test", t0 + 1s);
  CHECK_FALSE(g.ip_banned(a, t0 + 1s));
  CHECK_FALSE(g.user_banned("alice@example.test", t0 + 1s));
  g.on_failure(a, "alice@example.test", t0 + 2s);
  CHECK(g.ip_banned(a, t0 + 2s));
  CHECK(g.user_banned("alice@example.test", t0 + 2s));
  CHECK_FALSE(g.ip_banned(ip("192.0.2.2"), t0 + 2s));
  CHECK_FALSE(g.user_banned("bob@example.test", t0 + 2s));
}

TEST_CASE("addresses and users are counted separately", "[protect]") {
  auth_failure_guard g(small(3));
  // One address guessing three users: the address is banned, no user is.
  g.on_failure(ip("192.0.2.1"), "a@x.test", t0);
  g.on_failure(ip("192.0.2.1"), "b@x.test", t0);
  g.on_failure(ip("192.0.2.1"), "c@x.test", t0);
  CHECK(g.ip_banned(ip("192.0.2.1"), t0));
  CHECK_FALSE(g.user_banned("a@x.test", t0));
  // Three addresses guessing one user: the user is banned, no address is.
  g.on_failure(ip("198.51.100.1"), "d@x.test", t0);
  g.on_failure(ip("198.51.100.2"), "d@x.test", t0);
  g.on_failure(ip("198.51.100.3"), "d@x.test", t0);
  CHECK(g.user_banned("d@x.test", t0));
  CHECK_FALSE(g.ip_banned(ip("198.51.100.1"), t0));
  // An empty user counts only for the address.
  g.on_failure(ip("203.0.113.1"), "", t0);
  CHECK(g.tracked_users() == 4);
  CHECK_FALSE(g.user_banned("", t0));
}

TEST_CASE("users compare case-insensitively and list in lower case",
          "[protect]") {
  auth_failure_guard g(small(3));
  g.on_failure(ip("192.0.2.1"), "Alice@Example.TEST", t0);
  g.on_failure(ip("192.0.2.2"), "alice@example.test", t0);
  g.on_failure(ip("192.0.2.3"), "ALICE@EXAMPLE.TEST", t0);
  CHECK(g.user_banned("aLiCe@example.test", t0));
  auto bans = g.bans_user(t0);
  REQUIRE(bans.size() == 1);
  CHECK(bans[0] == auth_ban{"alice@example.test", 3, t0, t0 + 3600s});
  CHECK(g.unban_user("ALICE@example.test"));
  CHECK_FALSE(g.user_banned("alice@example.test", t0));
}

TEST_CASE("a ban ends exactly at its expiry and is not extended", "[protect]") {
  auth_failure_guard g(small(2));
  auto a = ip("2001:db8::1");
  g.on_failure(a, "u@x.test", t0);
  g.on_failure(a, "u@x.test", t0 + 10s);
  // Failures during the ban are counted for the listing only.
  g.on_failure(a, "u@x.test", t0 + 20s);
  auto bans = g.bans_ip(t0 + 20s);
  REQUIRE(bans.size() == 1);
  CHECK(bans[0] == auth_ban{"2001:db8::1", 3, t0 + 10s, t0 + 3610s});
  CHECK(g.ip_banned(a, t0 + 3609s));
  CHECK_FALSE(g.ip_banned(a, t0 + 3610s));
  CHECK(g.bans_ip(t0 + 3610s).empty());
  CHECK_FALSE(g.user_banned("u@x.test", t0 + 3610s));
  // The counter starts from zero afterwards.
  g.on_failure(a, "u@x.test", t0 + 3610s);
  CHECK_FALSE(g.ip_banned(a, t0 + 3610s));
  g.on_failure(a, "u@x.test", t0 + 3611s);
  CHECK(g.ip_banned(a, t0 + 3611s));
}

TEST_CASE("a counter is forgotten ban_time after its last failure",
          "[protect]") {
  auth_failure_guard g(small(3));
  auto a = ip("192.0.2.1");
  g.on_failure(a, "u@x.test", t0);
  g.on_failure(a, "u@x.test", t0 + 3599s);
  // Still within ban_time of the last failure: the third one bans.
  g.on_failure(a, "u@x.test", t0 + 3599s + 3599s);
  CHECK(g.ip_banned(a, t0 + 7198s));

  auto b = ip("192.0.2.2");
  g.on_failure(b, "v@x.test", t0);
  g.on_failure(b, "v@x.test", t0 + 1s);
  g.on_failure(b, "v@x.test", t0 + 1s + 3600s); // the old two are forgotten
  CHECK_FALSE(g.ip_banned(b, t0 + 3601s));
  CHECK_FALSE(g.user_banned("v@x.test", t0 + 3601s));
}

TEST_CASE("a success clears counters but not an active ban", "[protect]") {
  auth_failure_guard g(small(3));
  auto a = ip("192.0.2.1");
  g.on_failure(a, "u@x.test", t0);
  g.on_failure(a, "u@x.test", t0);
  g.on_success(a, "U@x.test");
  CHECK(g.tracked_ips() == 0);
  CHECK(g.tracked_users() == 0);
  g.on_failure(a, "u@x.test", t0 + 1s);
  g.on_failure(a, "u@x.test", t0 + 1s);
  CHECK_FALSE(g.ip_banned(a, t0 + 1s));
  g.on_failure(a, "u@x.test", t0 + 1s);
  CHECK(g.ip_banned(a, t0 + 1s));
  g.on_success(a, "u@x.test");
  CHECK(g.ip_banned(a, t0 + 2s));
  CHECK(g.user_banned("u@x.test", t0 + 2s));
}

TEST_CASE("unban lifts address and user bans", "[protect]") {
  auth_failure_guard g(small(1));
  auto a = ip("192.0.2.1");
  g.on_failure(a, "u@x.test", t0);
  CHECK(g.ip_banned(a, t0));
  CHECK(g.unban_ip(a));
  CHECK_FALSE(g.ip_banned(a, t0));
  CHECK_FALSE(g.unban_ip(a));
  CHECK(g.user_banned("u@x.test", t0));
  CHECK(g.unban_user("u@x.test"));
  CHECK_FALSE(g.unban_user("u@x.test"));
  CHECK(g.tracked_ips() == 0);
  CHECK(g.tracked_users() == 0);
}

TEST_CASE("a disabled guard counts nothing and reports no ban", "[protect]") {
  auth_failure_guard g(small(1));
  auto a = ip("192.0.2.1");
  g.on_failure(a, "u@x.test", t0);
  auto cfg = small(1);
  cfg.enabled = false;
  g.set_config(cfg);
  CHECK_FALSE(g.ip_banned(a, t0));
  CHECK_FALSE(g.user_banned("u@x.test", t0));
  g.on_failure(ip("192.0.2.2"), "v@x.test", t0);
  CHECK(g.tracked_ips() == 1);
  cfg.enabled = true;
  g.set_config(cfg);
  CHECK(g.ip_banned(a, t0)); // the ban was kept
}

TEST_CASE("auth guard reload keeps counters and bans", "[protect]") {
  auth_failure_guard g(small(5));
  auto a = ip("192.0.2.1");
  auto b = ip("192.0.2.2");
  for (int i = 0; i < 5; ++i)
    g.on_failure(a, "", t0);
  g.on_failure(b, "", t0);
  g.on_failure(b, "", t0);
  auto cfg = small(3);
  cfg.ban_time = 60s;
  g.set_config(cfg);
  CHECK(g.ip_banned(a, t0 + 3599s)); // keeps its original expiry
  g.on_failure(b, "", t0 + 30s);     // third of the new three
  CHECK(g.ip_banned(b, t0 + 30s));
  CHECK_FALSE(g.ip_banned(b, t0 + 90s));
}

TEST_CASE("expire drops ended bans and forgotten counters", "[protect]") {
  auth_failure_guard g(small(2));
  g.on_failure(ip("192.0.2.1"), "a@x.test", t0);
  g.on_failure(ip("192.0.2.1"), "a@x.test", t0); // both banned
  g.on_failure(ip("192.0.2.2"), "b@x.test", t0 + 10s);
  CHECK(g.expire(t0 + 3599s) == 0);
  CHECK(g.expire(t0 + 3600s) == 2);
  CHECK(g.tracked_ips() == 1);
  CHECK(g.tracked_users() == 1);
  CHECK(g.expire(t0 + 3610s) == 2);
  CHECK(g.tracked_ips() == 0);
  CHECK(g.tracked_users() == 0);
}

TEST_CASE("auth guard tables are bounded and keep active bans", "[protect]") {
  auth_failure_guard g(small(2, 3));
  auto a = ip("192.0.2.1");
  g.on_failure(a, "a@x.test", t0);
  g.on_failure(a, "a@x.test", t0); // a banned
  g.on_failure(ip("192.0.2.2"), "b@x.test", t0 + 1s);
  g.on_failure(ip("192.0.2.3"), "c@x.test", t0 + 2s);
  g.on_failure(ip("192.0.2.2"), "", t0 + 3s); // .2 banned, .3 least recent
  g.on_failure(ip("192.0.2.4"), "d@x.test", t0 + 4s);
  CHECK(g.tracked_ips() == 3);
  CHECK(g.tracked_users() == 3);
  CHECK(g.ip_banned(a, t0 + 4s));
  CHECK(g.ip_banned(ip("192.0.2.2"), t0 + 4s));
  // .3 was evicted: one more failure does not ban it.
  g.on_failure(ip("192.0.2.3"), "", t0 + 5s);
  CHECK_FALSE(g.ip_banned(ip("192.0.2.3"), t0 + 5s));
  // Only bans left in the address table: the soonest-ending one goes.
  g.on_failure(ip("192.0.2.3"), "", t0 + 6s); // banned
  CHECK(g.tracked_ips() == 3);
  g.on_failure(ip("192.0.2.9"), "", t0 + 7s);
  CHECK_FALSE(g.ip_banned(a, t0 + 7s));
  CHECK(g.ip_banned(ip("192.0.2.2"), t0 + 7s));
  CHECK(g.ip_banned(ip("192.0.2.3"), t0 + 7s));
}
