#include "mgmt/auth/login_guard.hpp"

#include <algorithm>

namespace sb::mgmt::auth {

status validate(const login_guard_config& cfg) {
  if (cfg.max_failures < 1 || cfg.max_failures > 1000)
    return error{"login guard: max_failures must be in 1..1000, got " +
                 std::to_string(cfg.max_failures)};
  if (cfg.window.count() <= 0)
    return error{"login guard: window must be positive"};
  if (cfg.ban_time.count() <= 0)
    return error{"login guard: ban_time must be positive"};
  if (cfg.max_tracked < 1)
    return error{"login guard: max_tracked must be at least 1"};
  return {};
}

result<login_guard> login_guard::create(login_guard_config cfg) {
  if (auto st = validate(cfg); !st)
    return st.err();
  return login_guard{cfg};
}

void login_guard::erase(entries::iterator it) {
  if (it->second.until)
    by_until_.erase({*it->second.until, it->first});
  else
    by_last_.erase({it->second.last, it->first});
  entries_.erase(it);
}

void login_guard::make_room(time_point now) {
  if (entries_.size() < cfg_.max_tracked)
    return;
  prune(now);
  if (entries_.size() < cfg_.max_tracked)
    return;
  const index& victims = by_last_.empty() ? by_until_ : by_last_;
  erase(entries_.find(victims.begin()->second));
}

std::optional<login_guard::time_point>
login_guard::record_failure(std::string_view ip, time_point now) {
  auto it = entries_.find(ip);
  if (it != entries_.end() && it->second.until) {
    if (now < *it->second.until)
      return it->second.until;
    // The ban is over: start counting afresh.
    erase(it);
    it = entries_.end();
  }
  if (it == entries_.end()) {
    make_room(now);
    it = entries_.emplace(std::string(ip), entry{}).first;
  } else {
    by_last_.erase({it->second.last, it->first});
  }
  entry& e = it->second;
  std::erase_if(e.failures,
                [&](time_point t) { return now - t >= cfg_.window; });
  e.failures.push_back(now);
  if (e.failures.size() >= cfg_.max_failures) {
    e.failures.clear();
    e.until = now + cfg_.ban_time;
    by_until_.insert({*e.until, it->first});
    return e.until;
  }
  e.last = std::max(e.last, now);
  by_last_.insert({e.last, it->first});
  return std::nullopt;
}

void login_guard::record_success(std::string_view ip, time_point now) {
  auto it = entries_.find(ip);
  if (it == entries_.end() || (it->second.until && now < *it->second.until))
    return;
  erase(it);
}

std::optional<login_guard::time_point>
login_guard::is_banned(std::string_view ip, time_point now) const {
  auto it = entries_.find(ip);
  if (it == entries_.end() || !it->second.until || now >= *it->second.until)
    return std::nullopt;
  return it->second.until;
}

std::vector<login_ban> login_guard::bans(time_point now) const {
  std::vector<login_ban> out;
  for (auto it = by_until_.upper_bound({now, std::string{}});
       it != by_until_.end(); ++it)
    if (now < it->first)
      out.push_back({it->second, it->first});
  std::sort(out.begin(), out.end(),
            [](const login_ban& a, const login_ban& b) { return a.ip < b.ip; });
  return out;
}

bool login_guard::unban(std::string_view ip) {
  auto it = entries_.find(ip);
  if (it == entries_.end())
    return false;
  bool was_banned = it->second.until.has_value();
  erase(it);
  return was_banned;
}

std::size_t login_guard::prune(time_point now) {
  std::size_t dropped = 0;
  while (!by_until_.empty() && by_until_.begin()->first <= now) {
    erase(entries_.find(by_until_.begin()->second));
    ++dropped;
  }
  while (!by_last_.empty() && now - by_last_.begin()->first >= cfg_.window) {
    erase(entries_.find(by_last_.begin()->second));
    ++dropped;
  }
  return dropped;
}

} // namespace sb::mgmt::auth
