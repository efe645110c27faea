// Handbook 13.5 protection at the SIP edge: User-Agent block list, request
// rate bans and failed-authentication bans, as the edge's screening hook
// applies them. The shield reads steady_clock itself; nothing here depends
// on a ban expiring (ban times are long, windows are not waited for).
#include "sip/edge/edge_shield.hpp"

#include "common/metrics/registry.hpp"
#include "sip/msg/parse.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

using namespace sb::sip::edge;
using namespace std::chrono_literals;
using sb::sip::sip_message;
using sb::sip::sip_transport;
using sb::sip::source_address;
using action = screen_verdict::action;

namespace {

shield_config config() {
  shield_config cfg;
  cfg.rate.sampling_window = 5s;
  cfg.rate.density = 3;
  cfg.rate.ban_time = 300s;
  cfg.auth.attempts = 3;
  cfg.auth.ban_time = 3600s;
  cfg.block_useragents = {"friendly-scanner", "sipvicious"};
  return cfg;
}

sip_message message(const std::string& method, const std::string& user,
                    const std::string& user_agent = "test-phone/1.0",
                    const std::string& from_user = "") {
  std::string from = from_user.empty() ? user : from_user;
  std::string text = method +
                     " sip:example.test SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:" +
                     from +
                     "@Example.TEST>;tag=1\r\n"
                     "To: <sip:" +
                     user +
                     "@Example.TEST>\r\n"
                     "Call-ID: abc@192.0.2.1\r\n"
                     "CSeq: 1 " +
                     method + "\r\n";
  if (!user_agent.empty())
    text += "User-Agent: " + user_agent + "\r\n";
  text += "Content-Length: 0\r\n\r\n";
  auto r = sb::sip::parse_message(text);
  INFO(text);
  REQUIRE(std::holds_alternative<sip_message>(r));
  return std::get<sip_message>(r);
}

source_address from(const std::string& ip) {
  return {sip_transport::udp, ip, 5060};
}

bool has_key(const std::vector<edge_shield::ban_view>& bans,
             const std::string& key, const std::string& reason) {
  return std::any_of(bans.begin(), bans.end(), [&](const auto& b) {
    return b.key == key && b.reason == reason;
  });
}

// Bans `user` after failures from addresses that stay below the limit.
void fail_user(edge_shield& s, const std::string& user) {
  s.on_auth("198.51.100.1", user, false);
  s.on_auth("198.51.100.2", user, false);
  s.on_auth("198.51.100.3", user, false);
}

} // namespace

TEST_CASE("edge shield: a blocked User-Agent is dropped",
          "[sip][edge][shield]") {
  sb::metrics::registry metrics;
  edge_shield s(config(), metrics);
  auto v = s.screen(message("REGISTER", "alice", "Friendly-Scanner 2.0"),
                    from("192.0.2.1"));
  CHECK(v.what == action::drop);
  CHECK(v.why == "user_agent");
  auto ok = s.screen(message("REGISTER", "alice", "test-phone/1.0"),
                     from("192.0.2.2"));
  CHECK(ok.what == action::pass);
  auto none = s.screen(message("REGISTER", "alice", ""), from("192.0.2.3"));
  CHECK(none.what == action::pass);
}

TEST_CASE("edge shield: a source above the request density is banned",
          "[sip][edge][shield]") {
  sb::metrics::registry metrics;
  edge_shield s(config(), metrics);
  auto m = message("OPTIONS", "alice");
  for (int i = 0; i < 3; ++i)
    CHECK(s.screen(m, from("192.0.2.10")).what == action::pass);
  auto v = s.screen(m, from("192.0.2.10"));
  CHECK(v.what == action::drop);
  CHECK(v.why == "rate_limit");
  // Still banned, and nobody else is.
  CHECK(s.screen(m, from("192.0.2.10")).what == action::drop);
  CHECK(s.screen(m, from("192.0.2.11")).what == action::pass);

  auto bans = s.banned_ips();
  REQUIRE(bans.size() == 1);
  CHECK(bans[0].key == "192.0.2.10");
  CHECK(bans[0].reason == "rate_limit");
  CHECK(bans[0].expires_at_s - bans[0].banned_at_s >= 299);
  CHECK(bans[0].expires_at_s - bans[0].banned_at_s <= 301);
  CHECK(s.banned_users().empty());

  auto text = metrics.render();
  CHECK(text.find("sb_sip_bans_total{kind=\"rate_limit\"} 1") !=
        std::string::npos);
  CHECK(text.find("sb_sip_active_bans{kind=\"rate_limit\"} 1") !=
        std::string::npos);

  SECTION("unban_ip lifts it") {
    CHECK(s.unban_ip("192.0.2.10"));
    CHECK(s.screen(m, from("192.0.2.10")).what == action::pass);
    CHECK(s.banned_ips().empty());
    CHECK_FALSE(s.unban_ip("192.0.2.10"));
    CHECK_FALSE(s.unban_ip("not an address"));
  }
}

TEST_CASE("edge shield: a whitelisted address is never banned",
          "[sip][edge][shield]") {
  sb::metrics::registry metrics;
  auto cfg = config();
  auto wl = sb::net::ip_set::parse({"10.0.0.0/8"});
  REQUIRE(wl.ok());
  cfg.rate.whitelist = *wl;
  edge_shield s(cfg, metrics);
  auto m = message("OPTIONS", "alice");
  for (int i = 0; i < 50; ++i)
    REQUIRE(s.screen(m, from("10.1.2.3")).what == action::pass);
  CHECK(s.banned_ips().empty());
}

TEST_CASE("edge shield: failed authentications ban the address",
          "[sip][edge][shield]") {
  sb::metrics::registry metrics;
  edge_shield s(config(), metrics);
  const std::string ip = "192.0.2.20";
  // Each failure follows a request; three requests stay within the density.
  for (int i = 0; i < 3; ++i) {
    auto m = message("REGISTER", "user" + std::to_string(i));
    REQUIRE(s.screen(m, from(ip)).what == action::pass);
    s.on_auth(ip, "user" + std::to_string(i) + "@example.test", false);
  }
  CHECK(has_key(s.banned_ips(), ip, "failed_auth"));
  CHECK(s.banned_users().empty()); // one failure per user

  // The next request from that address is refused. (A shield that saw no
  // requests, so that the rate limit cannot answer first.)
  sb::metrics::registry metrics2;
  edge_shield fresh(config(), metrics2);
  for (int i = 0; i < 3; ++i)
    fresh.on_auth(ip, "user" + std::to_string(i) + "@example.test", false);
  auto v = fresh.screen(message("REGISTER", "carol"), from(ip));
  CHECK(v.what == action::reject);
  CHECK(v.rejection.code == 403);
  CHECK(v.rejection.reason == "Try again later");
  CHECK(v.why == "failed_auth");
  CHECK(fresh.screen(message("REGISTER", "carol"), from("192.0.2.21")).what ==
        action::pass);

  SECTION("unban_ip lifts it") {
    CHECK(fresh.unban_ip(ip));
    CHECK(fresh.screen(message("REGISTER", "carol"), from(ip)).what ==
          action::pass);
    CHECK(fresh.banned_ips().empty());
  }
}

TEST_CASE("edge shield: a success before the limit clears the count",
          "[sip][edge][shield]") {
  sb::metrics::registry metrics;
  edge_shield s(config(), metrics);
  const std::string ip = "192.0.2.30";
  s.on_auth(ip, "alice@example.test", false);
  s.on_auth(ip, "alice@example.test", false);
  s.on_auth(ip, "alice@example.test", true);
  s.on_auth(ip, "alice@example.test", false);
  CHECK(s.screen(message("REGISTER", "alice"), from(ip)).what == action::pass);
  CHECK(s.banned_ips().empty());
  CHECK(s.banned_users().empty());
  s.on_auth("not an ip", "alice@example.test", false); // ignored
  CHECK(s.banned_users().empty());
}

TEST_CASE("edge shield: a user ban applies from any address",
          "[sip][edge][shield]") {
  sb::metrics::registry metrics;
  edge_shield s(config(), metrics);
  fail_user(s, "alice@example.test");
  CHECK(s.banned_ips().empty());
  auto users = s.banned_users();
  REQUIRE(users.size() == 1);
  CHECK(users[0].key == "alice@example.test");
  CHECK(users[0].reason == "failed_auth");
  CHECK(users[0].failures == 3);

  // REGISTER: the To user (host compared case-insensitively).
  auto v = s.screen(message("REGISTER", "alice"), from("192.0.2.40"));
  CHECK(v.what == action::reject);
  CHECK(v.rejection.code == 403);
  CHECK(v.rejection.reason == "Try again later");
  CHECK(v.why == "failed_auth");
  // A REGISTER for bob is not affected, even if sent "from" alice.
  CHECK(s.screen(message("REGISTER", "bob", "ua", "alice"), from("192.0.2.41"))
            .what == action::pass);
  // Other requests: the From user.
  CHECK(s.screen(message("INVITE", "bob", "ua", "alice"), from("192.0.2.42"))
            .what == action::reject);
  CHECK(s.screen(message("INVITE", "alice", "ua", "bob"), from("192.0.2.43"))
            .what == action::pass);

  SECTION("unban_user lifts it") {
    CHECK(s.unban_user("alice@example.test"));
    CHECK(s.screen(message("REGISTER", "alice"), from("192.0.2.44")).what ==
          action::pass);
    CHECK(s.banned_users().empty());
    CHECK_FALSE(s.unban_user("alice@example.test"));
  }
}

TEST_CASE("edge shield: reconfigure keeps the bans", "[sip][edge][shield]") {
  sb::metrics::registry metrics;
  edge_shield s(config(), metrics);
  auto m = message("OPTIONS", "bob");
  for (int i = 0; i < 4; ++i)
    s.screen(m, from("192.0.2.50"));
  REQUIRE(s.screen(m, from("192.0.2.50")).what == action::drop);
  fail_user(s, "alice@example.test");

  auto cfg = config();
  cfg.rate.density = 1000;
  cfg.auth.attempts = 100;
  cfg.block_useragents = {"evil-ua"};
  s.reconfigure(cfg);

  CHECK(s.screen(m, from("192.0.2.50")).what == action::drop);
  CHECK(has_key(s.banned_ips(), "192.0.2.50", "rate_limit"));
  CHECK(s.screen(message("REGISTER", "alice"), from("192.0.2.51")).what ==
        action::reject);
  CHECK(s.banned_users().size() == 1);
  // The new block list is in force, the old one is not.
  CHECK(s.screen(message("OPTIONS", "bob", "Evil-UA/1"), from("192.0.2.52"))
            .why == "user_agent");
  CHECK(s.screen(message("OPTIONS", "bob", "sipvicious"), from("192.0.2.53"))
            .what == action::pass);
}

TEST_CASE("edge shield: the metrics registry outlives the shield",
          "[sip][edge][shield]") {
  sb::metrics::registry metrics;
  {
    edge_shield s(config(), metrics);
    fail_user(s, "alice@example.test");
    CHECK(metrics.render().find(
              "sb_sip_active_bans{kind=\"failed_auth_user\"} 1") !=
          std::string::npos);
  }
  // Rendering after the shield is gone must not call into it.
  CHECK_NOTHROW(metrics.render());
}
