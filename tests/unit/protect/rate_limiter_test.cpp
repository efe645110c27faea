#include "sip/protect/rate_limiter.hpp"

#include <catch2/catch.hpp>

using namespace sb::sip::protect;
using namespace std::chrono_literals;
using sb::net::ip_address;

namespace {

// The manual clock of these tests: whatever `now` each call is given.
const time_point t0 = time_point{} + 1'000'000s;

ip_address ip(const char* text) {
  auto a = sb::net::parse_ip_address(text);
  REQUIRE(a);
  return *a;
}

rate_limiter_config small(uint32_t density = 3, std::size_t cap = 100) {
  rate_limiter_config cfg;
  cfg.sampling_window = 5s;
  cfg.density = density;
  cfg.ban_time = 300s;
  cfg.max_tracked = cap;
  return cfg;
}

// Sends `n` requests from `a` at `now`; true if all were allowed.
bool send(rate_limiter& rl, const ip_address& a, int n, time_point now) {
  bool all = true;
  for (int i = 0; i < n; ++i)
    all = rl.on_request(a, now) == rate_verdict::allow && all;
  return all;
}

} // namespace

TEST_CASE("rate limiter defaults are the reference's", "[protect]") {
  rate_limiter_config cfg;
  CHECK(cfg.enabled);
  CHECK(cfg.sampling_window == 5s);
  CHECK(cfg.density == 50);
  CHECK(cfg.ban_time == 300s);
  CHECK(cfg.whitelist.empty());
  CHECK(cfg.max_tracked == 100000);
}

TEST_CASE("density requests per window pass, the next one bans", "[protect]") {
  rate_limiter rl(small(3));
  auto a = ip("192.0.2.1");
  CHECK(rl.on_request(a, t0) == rate_verdict::allow);
  CHECK(rl.on_request(a, t0 + 1s) == rate_verdict::allow);
  CHECK(rl.on_request(a, t0 + 4s) == rate_verdict::allow);
  CHECK_FALSE(rl.is_banned(a, t0 + 4s));
  CHECK(rl.on_request(a, t0 + 4s) == rate_verdict::newly_banned);
  CHECK(rl.is_banned(a, t0 + 4s));
  CHECK(rl.on_request(a, t0 + 5s) == rate_verdict::banned);
  // Another address is not affected.
  CHECK(rl.on_request(ip("192.0.2.2"), t0 + 5s) == rate_verdict::allow);
}

TEST_CASE("a window is fixed from its first request", "[protect]") {
  rate_limiter rl(small(3));
  auto a = ip("192.0.2.1");
  CHECK(send(rl, a, 3, t0));
  // t0 + 5s is the first instant of the next window: the count restarts.
  CHECK(send(rl, a, 3, t0 + 5s));
  CHECK(rl.on_request(a, t0 + 9s) == rate_verdict::newly_banned);
}

TEST_CASE("requests just inside the window still count", "[protect]") {
  rate_limiter rl(small(3));
  auto a = ip("192.0.2.1");
  CHECK(send(rl, a, 3, t0));
  CHECK(rl.on_request(a, t0 + 4999ms) == rate_verdict::newly_banned);
}

TEST_CASE("a ban is not extended and ends exactly at its expiry", "[protect]") {
  rate_limiter rl(small(1));
  auto a = ip("2001:db8::1");
  CHECK(send(rl, a, 1, t0));
  CHECK(rl.on_request(a, t0) == rate_verdict::newly_banned);
  for (int i = 1; i < 300; i += 50)
    CHECK(rl.on_request(a, t0 + i * 1s) == rate_verdict::banned);
  CHECK(rl.on_request(a, t0 + 299s) == rate_verdict::banned);
  CHECK(rl.is_banned(a, t0 + 299s));
  CHECK_FALSE(rl.is_banned(a, t0 + 300s));
  // Fresh window afterwards.
  CHECK(rl.on_request(a, t0 + 300s) == rate_verdict::allow);
  CHECK(rl.on_request(a, t0 + 300s) == rate_verdict::newly_banned);
}

TEST_CASE("bans are listed while active", "[protect]") {
  rate_limiter rl(small(1));
  auto a = ip("192.0.2.1");
  auto b = ip("::ffff:192.0.2.2");
  send(rl, a, 2, t0);
  send(rl, b, 2, t0 + 10s);
  send(rl, ip("192.0.2.3"), 1, t0 + 10s);
  auto list = rl.bans(t0 + 20s);
  REQUIRE(list.size() == 2);
  CHECK(list[0] == ban_entry{"192.0.2.1", t0, t0 + 300s});
  CHECK(list[1] == ban_entry{"192.0.2.2", t0 + 10s, t0 + 310s});
  CHECK(rl.bans(t0 + 300s).size() == 1);
  CHECK(rl.bans(t0 + 310s).empty());
}

TEST_CASE("whitelisted addresses are always allowed and never tracked",
          "[protect]") {
  auto cfg = small(1);
  cfg.whitelist = *sb::net::ip_set::parse({"10.0.0.0/8", "2001:db8::/32"});
  rate_limiter rl(cfg);
  CHECK(send(rl, ip("10.1.2.3"), 100, t0));
  CHECK(send(rl, ip("::ffff:10.1.2.3"), 100, t0));
  CHECK(send(rl, ip("2001:db8::7"), 100, t0));
  CHECK(rl.tracked() == 0);
  CHECK_FALSE(send(rl, ip("11.0.0.1"), 2, t0));
  CHECK(rl.tracked() == 1);
}

TEST_CASE("a disabled limiter allows everything and keeps its bans",
          "[protect]") {
  rate_limiter rl(small(1));
  auto a = ip("192.0.2.1");
  send(rl, a, 2, t0);
  auto cfg = small(1);
  cfg.enabled = false;
  rl.set_config(cfg);
  CHECK(send(rl, a, 10, t0 + 1s));
  CHECK(send(rl, ip("192.0.2.9"), 10, t0 + 1s));
  CHECK_FALSE(rl.is_banned(a, t0 + 1s));
  CHECK(rl.tracked() == 1);
  CHECK(rl.bans(t0 + 1s).size() == 1);
  cfg.enabled = true;
  rl.set_config(cfg);
  CHECK(rl.on_request(a, t0 + 2s) == rate_verdict::banned);
}

TEST_CASE("unban lifts a ban and forgets the counter", "[protect]") {
  rate_limiter rl(small(2));
  auto a = ip("192.0.2.1");
  send(rl, a, 3, t0);
  CHECK(rl.is_banned(a, t0));
  CHECK(rl.unban(a));
  CHECK_FALSE(rl.is_banned(a, t0));
  CHECK(rl.tracked() == 0);
  CHECK_FALSE(rl.unban(a));
  CHECK(send(rl, a, 2, t0 + 1s));
  CHECK_FALSE(rl.unban(a)); // counting, not banned: forgotten, false
  CHECK(rl.tracked() == 0);
}

TEST_CASE("rate limiter reload keeps counters and bans", "[protect]") {
  rate_limiter rl(small(3));
  auto a = ip("192.0.2.1");
  auto b = ip("192.0.2.2");
  send(rl, a, 4, t0); // banned until t0 + 300s
  CHECK(send(rl, b, 2, t0));
  auto cfg = small(2);
  cfg.ban_time = 10s;
  cfg.sampling_window = 10s;
  rl.set_config(cfg);
  CHECK(rl.tracked() == 2);
  // b's window (started at t0) now lasts 10s and holds 2 of 2 requests.
  CHECK(rl.on_request(b, t0 + 7s) == rate_verdict::newly_banned);
  CHECK(rl.bans(t0 + 7s)[0] == ban_entry{"192.0.2.2", t0 + 7s, t0 + 17s});
  // a keeps the expiry it was banned with.
  CHECK(rl.is_banned(a, t0 + 299s));
}

TEST_CASE("reload forgets sources the new whitelist covers", "[protect]") {
  rate_limiter rl(small(1));
  send(rl, ip("192.0.2.1"), 2, t0);
  send(rl, ip("198.51.100.1"), 1, t0);
  auto cfg = small(1);
  cfg.whitelist.add(sb::net::ip_network::host(ip("192.0.2.1")));
  rl.set_config(cfg);
  CHECK(rl.tracked() == 1);
  CHECK(rl.bans(t0).empty());
  CHECK(send(rl, ip("192.0.2.1"), 5, t0));
}

TEST_CASE("expire drops ended windows and ended bans", "[protect]") {
  rate_limiter rl(small(1));
  send(rl, ip("192.0.2.1"), 2, t0); // banned until t0 + 300s
  send(rl, ip("192.0.2.2"), 1, t0); // window until t0 + 5s
  send(rl, ip("192.0.2.3"), 1, t0 + 3s);
  CHECK(rl.expire(t0 + 4s) == 0);
  CHECK(rl.expire(t0 + 5s) == 1);
  CHECK(rl.tracked() == 2);
  CHECK(rl.expire(t0 + 8s) == 1);
  CHECK(rl.expire(t0 + 299s) == 0);
  CHECK(rl.expire(t0 + 300s) == 1);
  CHECK(rl.tracked() == 0);
}

TEST_CASE("a full table drops ended windows first", "[protect]") {
  rate_limiter rl(small(5, 3));
  auto a = ip("192.0.2.1");
  auto b = ip("192.0.2.2");
  auto c = ip("192.0.2.3");
  send(rl, a, 1, t0);
  send(rl, b, 1, t0 + 1s);
  send(rl, c, 1, t0 + 2s);
  // a's window ended at t0 + 5s; b and c are still counting.
  send(rl, b, 1, t0 + 5s);
  send(rl, ip("192.0.2.4"), 1, t0 + 5s);
  CHECK(rl.tracked() == 3);
  // b kept its count: 2 so far, so 3 more pass and the 6th bans.
  CHECK(send(rl, b, 3, t0 + 5s));
  CHECK(rl.on_request(b, t0 + 5s) == rate_verdict::newly_banned);
}

TEST_CASE("a full table evicts the least recently seen counter", "[protect]") {
  rate_limiter rl(small(5, 3));
  auto a = ip("192.0.2.1");
  auto b = ip("192.0.2.2");
  auto c = ip("192.0.2.3");
  send(rl, a, 1, t0);
  send(rl, b, 1, t0 + 1s);
  send(rl, c, 1, t0 + 2s);
  send(rl, a, 1, t0 + 3s); // a seen again: b is now the least recent
  send(rl, ip("192.0.2.4"), 1, t0 + 4s);
  CHECK(rl.tracked() == 3);
  // a still has its count of 2 (3 more pass, the next one bans)...
  CHECK(send(rl, a, 3, t0 + 4s));
  CHECK(rl.on_request(a, t0 + 4s) == rate_verdict::newly_banned);
  // ...while b starts over (it was evicted): 5 pass.
  CHECK(send(rl, b, 5, t0 + 4s));
}

TEST_CASE("a full table never evicts an active ban while a counter is left",
          "[protect]") {
  rate_limiter rl(small(1, 3));
  auto a = ip("192.0.2.1");
  auto b = ip("192.0.2.2");
  send(rl, a, 2, t0);      // banned
  send(rl, b, 2, t0 + 1s); // banned
  send(rl, ip("192.0.2.3"), 1, t0 + 2s);
  send(rl, ip("192.0.2.4"), 1, t0 + 3s); // evicts .3, the only counter
  send(rl, ip("192.0.2.5"), 1, t0 + 3s); // evicts .4
  CHECK(rl.tracked() == 3);
  CHECK(rl.is_banned(a, t0 + 3s));
  CHECK(rl.is_banned(b, t0 + 3s));
}

TEST_CASE("a table full of bans evicts the one expiring soonest", "[protect]") {
  rate_limiter rl(small(1, 2));
  auto a = ip("192.0.2.1");
  auto b = ip("192.0.2.2");
  send(rl, b, 2, t0 + 1s); // until t0 + 301s
  send(rl, a, 2, t0);      // until t0 + 300s
  send(rl, ip("192.0.2.3"), 1, t0 + 2s);
  CHECK(rl.tracked() == 2);
  CHECK_FALSE(rl.is_banned(a, t0 + 2s));
  CHECK(rl.is_banned(b, t0 + 2s));
}

TEST_CASE("a smaller max_tracked applies at the next new source", "[protect]") {
  rate_limiter rl(small(5, 10));
  for (int i = 1; i <= 6; ++i)
    send(rl, ip(("192.0.2." + std::to_string(i)).c_str()), 1, t0 + i * 1ms);
  rl.set_config(small(5, 3));
  CHECK(rl.tracked() == 6);
  send(rl, ip("192.0.2.100"), 1, t0 + 1s);
  CHECK(rl.tracked() == 3);
}
