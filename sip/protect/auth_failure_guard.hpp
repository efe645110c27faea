#pragma once

#include "common/net/ip_net.hpp"
#include "sip/protect/failure_table.hpp"
#include "sip/protect/protect_time.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sb::sip::protect {

/// Brute-force protection of digest authentication (the reference's
/// security.failed_auth_* settings).
struct auth_failure_guard_config {
  /// Off: failures are not counted and nothing is reported banned (state is
  /// kept for when it is switched on again).
  bool enabled = true;
  /// Failed authentications that ban an address or a user (the Nth bans).
  uint32_t attempts = 3;
  /// How long a ban lasts, and how long a failure counts: a counter is
  /// forgotten once ban_time passed since its last failure.
  seconds ban_time{3600};
  /// Most addresses, and separately most users, tracked at once.
  std::size_t max_tracked = 100000;
};

/// Counts failed digest authentications per source address and per user and
/// bans either once it reaches `attempts` failures (see
/// detail::failure_table for the counting rules).
///
/// Users are keys like "alice@example.test", compared ASCII
/// case-insensitively (listed in lower case); an empty user is not tracked.
/// A success clears the counters of its user and its address, never an
/// active ban. Pure: `now` is a parameter. Not thread-safe: the owner
/// serialises every call. Bounded like rate_limiter: per table, at most
/// max_tracked keys, evicting expired entries, then the least recently failed
/// counter, and an active ban only when the table holds nothing else.
class auth_failure_guard {
public:
  using config = auth_failure_guard_config;

  explicit auth_failure_guard(config cfg = {});

  /// Counts one failed authentication of `user` from `ip`.
  void on_failure(const net::ip_address& ip, std::string_view user,
                  time_point now);

  /// Clears the counters of `user` and `ip` after a successful
  /// authentication. Ban records stay: an active ban is not lifted, and an
  /// expired one is dropped by expire() or the next failure (it no longer
  /// counts either way).
  void on_success(const net::ip_address& ip, std::string_view user);

  /// True if `ip` is banned at `now` and the guard is enabled.
  bool ip_banned(const net::ip_address& ip, time_point now) const;

  /// True if `user` is banned at `now` and the guard is enabled.
  bool user_banned(std::string_view user, time_point now) const;

  /// Active address bans at `now`, soonest expiry first.
  std::vector<auth_ban> bans_ip(time_point now) const;

  /// Active user bans at `now` (keys in lower case), soonest expiry first.
  std::vector<auth_ban> bans_user(time_point now) const;

  /// Lift a ban and forget the counter; true if a ban record was removed.
  bool unban_ip(const net::ip_address& ip);
  bool unban_user(std::string_view user);

  /// Applies a reloaded configuration; counters and bans are kept (a running
  /// ban keeps its expiry, counters are judged by the new limits at the next
  /// failure).
  void set_config(config cfg);

  const config& current_config() const noexcept { return cfg_; }

  /// Drops expired bans and forgotten counters of both tables; returns how
  /// many entries were dropped. Only returns memory: decisions compare with
  /// `now` anyway.
  std::size_t expire(time_point now);

  /// Addresses and users tracked.
  std::size_t tracked_ips() const noexcept { return ips_.size(); }
  std::size_t tracked_users() const noexcept { return users_.size(); }

private:
  config cfg_;
  detail::failure_table<net::ip_address> ips_;
  detail::failure_table<std::string> users_;
};

} // namespace sb::sip::protect
