#include "sip/protect/auth_failure_guard.hpp"

#include "common/text.hpp"

namespace sb::sip::protect {

namespace {

std::string ip_text(const net::ip_address& ip) {
  return ip.to_string();
}

std::string same_text(const std::string& user) {
  return user;
}

} // namespace

auth_failure_guard::auth_failure_guard(config cfg)
    : cfg_(std::move(cfg)) {}

void auth_failure_guard::on_failure(const net::ip_address& ip,
                                    std::string_view user, time_point now) {
  if (!cfg_.enabled)
    return;
  ips_.on_failure(ip, now, cfg_.attempts, cfg_.ban_time, cfg_.max_tracked);
  if (!user.empty())
    users_.on_failure(ascii_lower(user), now, cfg_.attempts, cfg_.ban_time,
                      cfg_.max_tracked);
}

void auth_failure_guard::on_success(const net::ip_address& ip,
                                    std::string_view user) {
  ips_.on_success(ip);
  if (!user.empty())
    users_.on_success(ascii_lower(user));
}

bool auth_failure_guard::ip_banned(const net::ip_address& ip,
                                   time_point now) const {
  return cfg_.enabled && ips_.banned(ip, now);
}

bool auth_failure_guard::user_banned(std::string_view user,
                                     time_point now) const {
  return cfg_.enabled && !user.empty() && users_.banned(ascii_lower(user), now);
}

std::vector<auth_ban> auth_failure_guard::bans_ip(time_point now) const {
  return ips_.bans(now, ip_text);
}

std::vector<auth_ban> auth_failure_guard::bans_user(time_point now) const {
  return users_.bans(now, same_text);
}

bool auth_failure_guard::unban_ip(const net::ip_address& ip) {
  return ips_.unban(ip);
}

bool auth_failure_guard::unban_user(std::string_view user) {
  return users_.unban(ascii_lower(user));
}

void auth_failure_guard::set_config(config cfg) {
  cfg_ = std::move(cfg);
}

std::size_t auth_failure_guard::expire(time_point now) {
  return ips_.expire(now, cfg_.ban_time) + users_.expire(now, cfg_.ban_time);
}

} // namespace sb::sip::protect
