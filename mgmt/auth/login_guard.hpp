#pragma once

#include "common/result.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::mgmt::auth {

/// Lock-out policy for failed API/web logins. The reference leaves this
/// UNVERIFIED (digest §2.5); defaults live in constants.yml.
struct login_guard_config {
  /// Failures within `window` that ban an address (the Nth one bans).
  unsigned max_failures = 5;
  /// A failure counts while now - failure_time < window.
  std::chrono::seconds window{300};
  /// How long a ban lasts, from the failure that triggered it.
  std::chrono::seconds ban_time{600};
  /// Most addresses tracked at once (counters and bans together); roughly
  /// 300 bytes each plus 8 per counted failure, so ~30-40 MB at the default.
  std::size_t max_tracked = 100000;
};

/// max_failures in 1..1000 (it bounds per-address memory), window and
/// ban_time positive, max_tracked at least 1.
status validate(const login_guard_config& cfg);

/// A current ban, as listed by the bans API.
struct login_ban {
  std::string ip;
  std::chrono::system_clock::time_point until;

  friend bool operator==(const login_ban&, const login_ban&) = default;
};

/// Bans addresses after repeated failed logins. Pure: no clock reads, `now`
/// is always passed in, expiry is decided by comparing with it, so nothing
/// has to be swept for correctness. Not thread-safe: owned by one actor.
///
/// An address is a key chosen by the caller (the textual peer address; for
/// IPv6 the caller should pass the /64 prefix, or one host can rotate).
/// Counters slide: the Nth failure within `window` bans for `ban_time`, and
/// the counter starts from zero afterwards. Failures during an active ban are
/// ignored (the caller does not even check credentials then) and do not
/// extend it. A success clears the counter but never lifts an active ban.
///
/// Bounded memory: at most max_tracked addresses. Adding a new one at the cap
/// first drops expired entries, then evicts the address whose last failure
/// is oldest; only when every tracked address is banned is the ban that ends
/// soonest evicted. So a flood of distinct addresses can at worst reset the
/// least recent counters, never grow memory or spend more than O(log n) per
/// call beyond the expired entries it removes.
class login_guard {
public:
  using time_point = std::chrono::system_clock::time_point;

  /// A guard with `cfg`, or the validate() error.
  static result<login_guard> create(login_guard_config cfg);

  /// Counts a failed login from `ip`. Returns the ban end when `ip` is banned
  /// after this call (by this failure or an earlier one), else nullopt.
  std::optional<time_point> record_failure(std::string_view ip, time_point now);

  /// Forgets the failures of `ip` after a successful login. An active ban
  /// stays (see the class comment).
  void record_success(std::string_view ip, time_point now);

  /// When the ban of `ip` ends, if it is banned at `now` (now < until).
  std::optional<time_point> is_banned(std::string_view ip,
                                      time_point now) const;

  /// The bans active at `now`, ordered by ip.
  std::vector<login_ban> bans(time_point now) const;

  /// Lifts the ban of `ip` and forgets its failures. True when a ban record
  /// (possibly already expired but not yet pruned) was removed.
  bool unban(std::string_view ip);

  /// Drops expired bans and counters whose failures are all outside the
  /// window; returns how many addresses were dropped. Costs O(k log n) for k
  /// dropped, so it may be called on every timer tick.
  std::size_t prune(time_point now);

  /// Addresses tracked (counting or banned, expired or not).
  std::size_t tracked() const { return entries_.size(); }

  const login_guard_config& config() const { return cfg_; }

private:
  explicit login_guard(login_guard_config cfg)
      : cfg_(cfg) {}

  struct entry {
    std::vector<time_point> failures; ///< in the window, fewer than max
    time_point last{};                ///< newest failure: key in by_last_
    std::optional<time_point> until;  ///< banned: key in by_until_
  };
  using index = std::set<std::pair<time_point, std::string>>;
  using entries = std::map<std::string, entry, std::less<>>;

  void erase(entries::iterator it);
  void make_room(time_point now);

  login_guard_config cfg_;
  entries entries_;
  index by_last_;  ///< addresses counting failures (not banned)
  index by_until_; ///< banned addresses
};

} // namespace sb::mgmt::auth
