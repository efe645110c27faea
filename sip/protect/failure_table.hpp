#pragma once

#include "sip/protect/protect_time.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sb::sip::protect {

/// An active authentication ban, as the management API lists it.
struct auth_ban {
  /// The address ("192.0.2.1") or the user key ("alice@example.test").
  std::string key;
  /// Failures counted, including those during the ban.
  uint32_t failures = 0;
  time_point banned_at;
  time_point expires_at;

  friend bool operator==(const auth_ban&, const auth_ban&) = default;
};

namespace detail {

/// Failure counters and bans for one kind of key; the engine behind
/// auth_failure_guard (one table for addresses, one for users). The limits
/// are passed into each call so a reload changes them without rebuilding.
///
/// A counter is forgotten once `ban_time` passed since its last failure
/// (Kamailio htable auto-expiry, as the reference uses it). Failure number
/// `attempts` bans the key for `ban_time` from that failure. Failures during
/// an active ban are counted for the listing but do not extend it; once it
/// ends the key starts from zero. Not thread-safe.
template <class Key>
class failure_table {
public:
  /// Counts a failure of `key`; true if this failure banned it.
  bool on_failure(const Key& key, time_point now, uint32_t attempts,
                  seconds ban_time, std::size_t max_tracked) {
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.banned) {
      if (now < it->second.expires_at) {
        ++it->second.failures;
        return false;
      }
      erase(it);
      it = entries_.end();
    }
    if (it == entries_.end()) {
      make_room(now, ban_time, max_tracked);
      it = entries_.emplace(key, entry{}).first;
    } else {
      by_last_.erase({it->second.last_failure, it->first});
      if (now - it->second.last_failure >= ban_time)
        it->second.failures = 0;
    }
    entry& e = it->second;
    ++e.failures;
    e.last_failure = std::max(e.last_failure, now);
    if (e.failures >= attempts) {
      e.banned = true;
      e.banned_at = now;
      e.expires_at = now + ban_time;
      by_expiry_.insert({e.expires_at, it->first});
      return true;
    }
    by_last_.insert({e.last_failure, it->first});
    return false;
  }

  /// Forgets the counter of `key`; a ban record (active or not) stays.
  void on_success(const Key& key) {
    auto it = entries_.find(key);
    if (it != entries_.end() && !it->second.banned)
      erase(it);
  }

  bool banned(const Key& key, time_point now) const {
    auto it = entries_.find(key);
    return it != entries_.end() && it->second.banned &&
           now < it->second.expires_at;
  }

  /// The bans active at `now`, soonest expiry first.
  template <class ToText>
  std::vector<auth_ban> bans(time_point now, ToText to_text) const {
    std::vector<auth_ban> out;
    for (const auto& [until, key] : by_expiry_) {
      if (until <= now)
        continue;
      const entry& e = entries_.at(key);
      out.push_back({to_text(key), e.failures, e.banned_at, e.expires_at});
    }
    return out;
  }

  /// Lifts a ban and forgets the counter; true if a ban record was removed.
  bool unban(const Key& key) {
    auto it = entries_.find(key);
    if (it == entries_.end())
      return false;
    bool was_banned = it->second.banned;
    erase(it);
    return was_banned;
  }

  /// Drops expired bans and forgotten counters; returns how many.
  std::size_t expire(time_point now, seconds ban_time) {
    std::size_t dropped = 0;
    while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
      erase(entries_.find(by_expiry_.begin()->second));
      ++dropped;
    }
    while (!by_last_.empty() && now - by_last_.begin()->first >= ban_time) {
      erase(entries_.find(by_last_.begin()->second));
      ++dropped;
    }
    return dropped;
  }

  std::size_t size() const noexcept { return entries_.size(); }

private:
  struct entry {
    uint32_t failures = 0;
    time_point last_failure{}; ///< key in by_last_ while counting
    bool banned = false;
    time_point banned_at{};
    time_point expires_at{}; ///< key in by_expiry_ while banned
  };
  using entries = std::map<Key, entry, std::less<>>;
  using index = std::set<std::pair<time_point, Key>>;

  void erase(typename entries::iterator it) {
    if (it->second.banned)
      by_expiry_.erase({it->second.expires_at, it->first});
    else
      by_last_.erase({it->second.last_failure, it->first});
    entries_.erase(it);
  }

  // At the cap: drop what expired, then the least recently failed counter,
  // and a ban (the one ending soonest) only when everything is banned.
  void make_room(time_point now, seconds ban_time, std::size_t max_tracked) {
    if (entries_.size() < max_tracked)
      return;
    expire(now, ban_time);
    while (!entries_.empty() && entries_.size() >= max_tracked) {
      const index& victims = by_last_.empty() ? by_expiry_ : by_last_;
      erase(entries_.find(victims.begin()->second));
    }
  }

  entries entries_;
  index by_last_;   ///< counting keys by last failure
  index by_expiry_; ///< banned keys by ban end
};

} // namespace detail

} // namespace sb::sip::protect
