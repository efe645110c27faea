#pragma once

#include "common/net/ip_net.hpp"
#include "sip/protect/protect_time.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sb::sip::protect {

/// Request-rate ban per source address (Kamailio's pike module, the
/// reference's security.dos_* settings).
struct rate_limiter_config {
  /// Off: every request is allowed and nothing is tracked (state is kept).
  bool enabled = true;
  /// Length of one counting window (security.dos_sampling_time_unit).
  seconds sampling_window{5};
  /// Requests allowed per window; the next one bans
  /// (security.dos_reqs_density_per_unit).
  uint32_t density = 50;
  /// How long a ban lasts, from the request that caused it.
  seconds ban_time{300};
  /// Sources that are always allowed and never tracked.
  net::ip_set whitelist;
  /// Most sources tracked at once (counting and banned together).
  std::size_t max_tracked = 100000;
};

/// What to do with one request.
enum class rate_verdict {
  allow,
  /// Refused: the source is banned.
  banned,
  /// Refused: this request exceeded the density and banned the source.
  newly_banned,
};

/// An active ban, as the management API lists it.
struct ban_entry {
  std::string ip;
  time_point banned_at;
  time_point expires_at;

  friend bool operator==(const ban_entry&, const ban_entry&) = default;
};

/// Counts requests per source address in fixed windows and bans a source
/// that sends more than `density` requests within one window.
///
/// A source's window starts at its first request (or its first request after
/// the previous window ended) and lasts `sampling_window`. Request number
/// density + 1 inside it bans the source for `ban_time` from that request.
/// Requests from a banned source are refused and neither counted nor extend
/// the ban; the ban ends by time alone (now >= expires_at), after which the
/// source starts from a fresh window.
///
/// Pure: no clock reads (`now` is a parameter), no I/O. Not thread-safe: the
/// owner serialises every call.
///
/// Bounded memory: at most max_tracked sources. A new source at the cap first
/// drops every expired ban and every counter whose window ended (each entry
/// is dropped once, so the cost is amortised), then evicts the least recently
/// seen counting source; an active ban is evicted only when every tracked
/// source is banned, and then the one expiring soonest.
class rate_limiter {
public:
  using config = rate_limiter_config;

  explicit rate_limiter(config cfg = {});

  /// Counts one request from `ip` and says whether to serve it.
  rate_verdict on_request(const net::ip_address& ip, time_point now);

  /// True if `ip` is under an active ban at `now` and the limiter is
  /// enabled (what on_request would refuse, without counting).
  bool is_banned(const net::ip_address& ip, time_point now) const;

  /// The bans active at `now`, soonest expiry first (also while disabled:
  /// they are kept and apply again once re-enabled).
  std::vector<ban_entry> bans(time_point now) const;

  /// Lifts the ban of `ip` and forgets its counter. True if a ban record
  /// (possibly expired but not yet dropped) was removed.
  bool unban(const net::ip_address& ip);

  /// Sources tracked (counting or banned, expired or not yet dropped).
  std::size_t tracked() const noexcept { return entries_.size(); }

  /// Applies a reloaded configuration. Counters and bans are kept: a running
  /// window is measured with the new sampling_window, an existing ban keeps
  /// its expiry. Sources the new whitelist contains are forgotten, bans
  /// included. A lower max_tracked takes effect at the next new source.
  void set_config(config cfg);

  const config& current_config() const noexcept { return cfg_; }

  /// Drops expired bans and counters whose window ended at `now`; returns
  /// how many sources were dropped. Never needed for correctness (decisions
  /// compare with `now`); meant for a periodic timer to return memory.
  std::size_t expire(time_point now);

private:
  struct entry {
    time_point window_start{}; ///< key in by_start_ while counting
    time_point last_seen{};    ///< key in by_seen_ while counting
    uint32_t count = 0;        ///< requests in the current window
    bool banned = false;
    time_point banned_at{};
    time_point expires_at{}; ///< key in by_expiry_ while banned
  };
  using entries = std::map<net::ip_address, entry>;
  using index = std::set<std::pair<time_point, net::ip_address>>;

  void index_entry(const entries::iterator& it);
  void unindex_entry(const entries::iterator& it);
  void erase(entries::iterator it);
  void make_room(time_point now);
  bool window_ended(const entry& e, time_point now) const;

  config cfg_;
  entries entries_;
  index by_start_;  ///< counting sources by window start
  index by_seen_;   ///< counting sources by last request
  index by_expiry_; ///< banned sources by ban end
};

} // namespace sb::sip::protect
