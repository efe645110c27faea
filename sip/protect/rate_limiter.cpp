#include "sip/protect/rate_limiter.hpp"

#include <algorithm>

namespace sb::sip::protect {

rate_limiter::rate_limiter(config cfg)
    : cfg_(std::move(cfg)) {}

bool rate_limiter::window_ended(const entry& e, time_point now) const {
  return now - e.window_start >= cfg_.sampling_window;
}

void rate_limiter::index_entry(const entries::iterator& it) {
  const entry& e = it->second;
  if (e.banned) {
    by_expiry_.insert({e.expires_at, it->first});
  } else {
    by_start_.insert({e.window_start, it->first});
    by_seen_.insert({e.last_seen, it->first});
  }
}

void rate_limiter::unindex_entry(const entries::iterator& it) {
  const entry& e = it->second;
  if (e.banned) {
    by_expiry_.erase({e.expires_at, it->first});
  } else {
    by_start_.erase({e.window_start, it->first});
    by_seen_.erase({e.last_seen, it->first});
  }
}

void rate_limiter::erase(entries::iterator it) {
  unindex_entry(it);
  entries_.erase(it);
}

void rate_limiter::make_room(time_point now) {
  if (entries_.size() < cfg_.max_tracked)
    return;
  expire(now);
  // A loop, not an if: max_tracked may have shrunk on reload.
  while (!entries_.empty() && entries_.size() >= cfg_.max_tracked) {
    const index& victims = by_seen_.empty() ? by_expiry_ : by_seen_;
    erase(entries_.find(victims.begin()->second));
  }
}

rate_verdict rate_limiter::on_request(const net::ip_address& ip,
                                      time_point now) {
  if (!cfg_.enabled || cfg_.whitelist.contains(ip))
    return rate_verdict::allow;
  auto it = entries_.find(ip);
  if (it != entries_.end() && it->second.banned) {
    if (now < it->second.expires_at)
      return rate_verdict::banned;
    erase(it); // the ban is over: a fresh window below
    it = entries_.end();
  }
  if (it == entries_.end()) {
    make_room(now);
    it = entries_.emplace(ip, entry{now, now, 0, false, {}, {}}).first;
  } else {
    unindex_entry(it);
    entry& e = it->second;
    if (window_ended(e, now)) {
      e.window_start = now;
      e.count = 0;
    }
    e.last_seen = std::max(e.last_seen, now);
  }
  entry& e = it->second;
  ++e.count;
  auto verdict = rate_verdict::allow;
  if (e.count > cfg_.density) {
    e.banned = true;
    e.banned_at = now;
    e.expires_at = now + cfg_.ban_time;
    verdict = rate_verdict::newly_banned;
  }
  index_entry(it);
  return verdict;
}

bool rate_limiter::is_banned(const net::ip_address& ip, time_point now) const {
  if (!cfg_.enabled)
    return false;
  auto it = entries_.find(ip);
  return it != entries_.end() && it->second.banned &&
         now < it->second.expires_at;
}

std::vector<ban_entry> rate_limiter::bans(time_point now) const {
  std::vector<ban_entry> out;
  // ip_address{} (0.0.0.0) is the smallest address: the first ban ending
  // at or after `now`.
  for (auto it = by_expiry_.lower_bound({now, net::ip_address{}});
       it != by_expiry_.end(); ++it) {
    if (it->first <= now)
      continue;
    const entry& e = entries_.at(it->second);
    out.push_back({it->second.to_string(), e.banned_at, e.expires_at});
  }
  return out;
}

bool rate_limiter::unban(const net::ip_address& ip) {
  auto it = entries_.find(ip);
  if (it == entries_.end())
    return false;
  bool was_banned = it->second.banned;
  erase(it);
  return was_banned;
}

void rate_limiter::set_config(config cfg) {
  cfg_ = std::move(cfg);
  if (cfg_.whitelist.empty())
    return;
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto next = std::next(it);
    if (cfg_.whitelist.contains(it->first))
      erase(it);
    it = next;
  }
}

std::size_t rate_limiter::expire(time_point now) {
  std::size_t dropped = 0;
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    erase(entries_.find(by_expiry_.begin()->second));
    ++dropped;
  }
  while (!by_start_.empty() &&
         now - by_start_.begin()->first >= cfg_.sampling_window) {
    erase(entries_.find(by_start_.begin()->second));
    ++dropped;
  }
  return dropped;
}

} // namespace sb::sip::protect
