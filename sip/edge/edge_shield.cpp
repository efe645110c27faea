#include "sip/edge/edge_shield.hpp"

#include "common/log.hpp"
#include "common/metrics/registry.hpp"
#include "common/text.hpp"

#include <algorithm>

namespace sb::sip::edge {

namespace {

// Steady time of a ban as Unix seconds for display.
int64_t unix_seconds(protect::time_point t) {
  auto delta = t - protect::clock::now();
  auto wall =
      std::chrono::system_clock::now() +
      std::chrono::duration_cast<std::chrono::system_clock::duration>(delta);
  return std::chrono::duration_cast<std::chrono::seconds>(
             wall.time_since_epoch())
      .count();
}

// The user an authentication ban applies to: the To user of a REGISTER,
// the From user otherwise (the identity the credentials are for).
std::string user_key(const sip_message& m) {
  auto parts = split_uri(m.method == "REGISTER" ? m.to.uri : m.from.uri);
  if (!parts || parts->user.empty())
    return {};
  return parts->user + "@" + ascii_lower(parts->host);
}

} // namespace

edge_shield::edge_shield(shield_config cfg, metrics::registry& metrics)
    : rate_(std::move(cfg.rate))
    , auth_(cfg.auth)
    , ua_(cfg.block_useragents) {
  bans_ = metrics
              .add_counter("sb_sip_bans_total",
                           "Bans imposed at the SIP edge, by kind.", {"kind"})
              .value();
  auto* blocked = active_ =
      metrics
          .add_gauge("sb_sip_active_bans",
                     "Bans in force at the SIP edge, by kind.", {"kind"})
          .value();
  for (std::string reason : {"rate_limit", "failed_auth"})
    blocked->with({reason == "rate_limit" ? reason : "failed_auth_ip"})
        .set_callback([this, reason] {
          auto bans = banned_ips();
          return static_cast<double>(
              std::count_if(bans.begin(), bans.end(), [&](const ban_view& b) {
                return b.reason == reason;
              }));
        });
  blocked->with({"failed_auth_user"}).set_callback([this] {
    return static_cast<double>(banned_users().size());
  });
}

edge_shield::~edge_shield() {
  // The registry outlives us; its gauges must not call into a dead shield.
  active_->with({"rate_limit"}).clear_callback();
  active_->with({"failed_auth_ip"}).clear_callback();
  active_->with({"failed_auth_user"}).clear_callback();
}

screen_verdict edge_shield::screen(const sip_message& m,
                                   const source_address& from) {
  screen_verdict v;
  auto ip = net::parse_ip_address(from.ip);
  auto now = protect::clock::now();
  std::lock_guard lock{mu_};
  if (m.user_agent && ua_.blocked(*m.user_agent)) {
    v.what = screen_verdict::action::drop;
    v.why = "user_agent";
    return v;
  }
  if (ip) {
    auto r = rate_.on_request(*ip, now);
    if (r != protect::rate_verdict::allow) {
      if (r == protect::rate_verdict::newly_banned) {
        bans_->with({"rate_limit"}).inc();
        spdlog::warn("sip: {} banned for the request rate", from.ip);
      }
      v.what = screen_verdict::action::drop;
      v.why = "rate_limit";
      return v;
    }
    if (auth_.ip_banned(*ip, now)) {
      v.what = screen_verdict::action::reject;
      v.rejection = sip_reply::of(403, "Try again later");
      v.why = "failed_auth";
      return v;
    }
  }
  if (auto user = user_key(m); !user.empty() && auth_.user_banned(user, now)) {
    v.what = screen_verdict::action::reject;
    v.rejection = sip_reply::of(403, "Try again later");
    v.why = "failed_auth";
  }
  return v;
}

void edge_shield::on_auth(const std::string& ip_text, const std::string& user,
                          bool success) {
  auto ip = net::parse_ip_address(ip_text);
  if (!ip)
    return;
  auto now = protect::clock::now();
  std::lock_guard lock{mu_};
  if (success) {
    auth_.on_success(*ip, user);
    return;
  }
  bool ip_before = auth_.ip_banned(*ip, now);
  bool user_before = auth_.user_banned(user, now);
  auth_.on_failure(*ip, user, now);
  if (!ip_before && auth_.ip_banned(*ip, now)) {
    bans_->with({"failed_auth_ip"}).inc();
    spdlog::warn("sip: {} banned after failed authentications", ip_text);
  }
  if (!user_before && auth_.user_banned(user, now)) {
    bans_->with({"failed_auth_user"}).inc();
    spdlog::warn("sip: user {} banned after failed authentications", user);
  }
}

std::vector<edge_shield::ban_view> edge_shield::banned_ips() {
  auto now = protect::clock::now();
  std::lock_guard lock{mu_};
  std::vector<ban_view> out;
  for (const auto& b : rate_.bans(now))
    out.push_back({b.ip, "rate_limit", 0, unix_seconds(b.banned_at),
                   unix_seconds(b.expires_at)});
  for (const auto& b : auth_.bans_ip(now))
    out.push_back({b.key, "failed_auth", b.failures, unix_seconds(b.banned_at),
                   unix_seconds(b.expires_at)});
  return out;
}

std::vector<edge_shield::ban_view> edge_shield::banned_users() {
  auto now = protect::clock::now();
  std::lock_guard lock{mu_};
  std::vector<ban_view> out;
  for (const auto& b : auth_.bans_user(now))
    out.push_back({b.key, "failed_auth", b.failures, unix_seconds(b.banned_at),
                   unix_seconds(b.expires_at)});
  return out;
}

bool edge_shield::unban_ip(const std::string& text) {
  auto ip = net::parse_ip_address(text);
  if (!ip)
    return false;
  std::lock_guard lock{mu_};
  bool a = rate_.unban(*ip);
  bool b = auth_.unban_ip(*ip);
  return a || b;
}

bool edge_shield::unban_user(const std::string& user) {
  std::lock_guard lock{mu_};
  return auth_.unban_user(user);
}

void edge_shield::reconfigure(shield_config cfg) {
  std::lock_guard lock{mu_};
  rate_.set_config(std::move(cfg.rate));
  auth_.set_config(cfg.auth);
  ua_ = protect::ua_blocklist(cfg.block_useragents);
}

} // namespace sb::sip::edge
