#pragma once

// Handbook 13.5 protection at the SIP edge, around the pure tables of
// sip/protect: the User-Agent block list, the per-address request-rate ban
// and the failed-authentication bans per address and per user. One mutex:
// the edge thread screens every request, subscriber actors report
// authentication outcomes, the API lists and lifts bans.
//
// What a banned or blocked source gets:
//   blocked User-Agent, rate-limit ban   nothing (dropped: a flood or a
//                                        scanner learns nothing)
//   failed-auth ban (address or user)    403 "Try again later", as the
//                                        reference answers
#include "common/metrics/fwd.hpp"
#include "sip/edge/edge_types.hpp"
#include "sip/protect/auth_failure_guard.hpp"
#include "sip/protect/rate_limiter.hpp"
#include "sip/protect/ua_blocklist.hpp"

#include <mutex>
#include <string>
#include <vector>

namespace sb::sip::edge {

struct shield_config {
  protect::rate_limiter_config rate;
  protect::auth_failure_guard_config auth;
  std::vector<std::string> block_useragents;
};

class edge_shield {
public:
  edge_shield(shield_config cfg, metrics::registry& metrics);
  ~edge_shield();
  edge_shield(const edge_shield&) = delete;
  edge_shield& operator=(const edge_shield&) = delete;

  /// The edge's screening hook.
  screen_verdict screen(const sip_message& m, const source_address& from);

  /// A digest authentication of `user` ("user@domain") from `ip` failed or
  /// succeeded.
  void on_auth(const std::string& ip, const std::string& user, bool success);

  /// A ban as the API shows it.
  struct ban_view {
    std::string key;    ///< address or user
    std::string reason; ///< "rate_limit" or "failed_auth"
    uint32_t failures = 0;
    int64_t banned_at_s = 0;  ///< Unix seconds
    int64_t expires_at_s = 0; ///< Unix seconds
  };
  std::vector<ban_view> banned_ips();
  std::vector<ban_view> banned_users();
  /// Lifts every ban of the address / user; false if there was none.
  bool unban_ip(const std::string& ip);
  bool unban_user(const std::string& user);

  /// Applies new settings, keeping counters and bans.
  void reconfigure(shield_config cfg);

private:
  std::mutex mu_;
  protect::rate_limiter rate_;
  protect::auth_failure_guard auth_;
  protect::ua_blocklist ua_;
  metrics::counter_family* bans_ = nullptr;
  metrics::gauge_family* active_ = nullptr;
};

} // namespace sb::sip::edge
