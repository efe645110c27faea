#pragma once

// Who may register: the pure decision the subscriber actor (and, for
// unknown users, the subscriber directory) takes before the registrar core
// sees a REGISTER. Digest per RFC 3261 §22 / RFC 7616 / RFC 8760 (sip/auth),
// then the lock level and the allowed_ips / man_allowed_ips preferences
// (ngcp-digest §1.3, §1.6). No I/O, no clock, no randomness: `now` and the
// random bytes of a fresh nonce are inputs.
//
// Answers, in order:
//   400  malformed Authorization (parse_credentials' reason)
//   403  "Username mismatch": credentials of another user than the To user
//   401  no credentials for this realm, or anything verify() refuses; an
//        unknown user is answered exactly like a wrong password
//   403  "Subscriber locked": lock level 4 (global; also status locked)
//   403  "Unauthorized IP detected": source not in allowed_ips /
//        man_allowed_ips (unless ignore_allowed_ips)
#include "sip/auth/digest.hpp"
#include "sip/edge/edge_types.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::actors::subscriber {

/// What provisioning says about one subscriber, as far as REGISTER needs it.
struct auth_profile {
  uint64_t subscriber_id = 0;
  uint64_t customer_id = 0;
  uint64_t reseller_id = 0;
  std::string username; ///< as provisioned
  std::string domain;   ///< the realm
  std::string uuid;     ///< the subscriber's uuid (CDRs)
  /// The number it shows (CDR cli): the `cli` preference, else the
  /// primary number as cc+ac+sn; empty without either.
  std::string cli;
  std::string ha1_md5;
  std::string ha1_sha256;
  int lock = 0;
  /// IPs or CIDRs (subscriber preference, else the domain's); empty: any
  std::vector<std::string> allowed_ips;
  std::vector<std::string> man_allowed_ips; ///< admin list; empty: any
  bool ignore_allowed_ips = false;
  // Call limits (preferences; 0: none). Calls read the same profile.
  int64_t concurrent_max = 0;     ///< calls in and out together
  int64_t concurrent_max_out = 0; ///< outgoing calls
  int64_t max_call_duration = 0;  ///< seconds
};

/// Which digest exchange (RFC 3261 §22): a registrar's 401 with
/// WWW-Authenticate / Authorization, or a proxy's 407 with
/// Proxy-Authenticate / Proxy-Authorization (INVITE and other requests a
/// caller sends through the platform). The registrar also checks the lock
/// level and allowed IPs here; for calls the routing pipeline's caller
/// stage does, with the call's own reasons.
struct auth_scheme {
  uint16_t code;
  std::string_view reason;
  std::string_view challenge_header;
  std::string_view credentials_header;
  bool check_lock_and_ip;
};
inline constexpr auth_scheme registrar_scheme{
    401, "Unauthorized", "WWW-Authenticate", "Authorization", true};
inline constexpr auth_scheme proxy_scheme{407, "Proxy Authentication Required",
                                          "Proxy-Authenticate",
                                          "Proxy-Authorization", false};

/// Lock level that refuses REGISTER (global lock; status "locked").
inline constexpr int register_lock_level = 4;

/// How a request fared, for the brute-force guard.
enum class auth_event : uint8_t { none, success, failure };

struct auth_input {
  std::string_view secret; ///< nonce secret shared by the nodes
  int64_t now_s = 0;
  int64_t nonce_max_age_s = 300;
  std::array<unsigned char, 8> random{}; ///< for a fresh nonce
  std::string source_ip;
};

struct auth_decision {
  bool authenticated = false;
  /// The answer when not authenticated.
  sip::edge::sip_reply reply;
  auth_event event = auth_event::none;
  /// verify()'s verdict or the refusal, for logs and metrics labels.
  std::string why;
};

/// Decides a REGISTER (or any request the subscriber authenticates with
/// 401). `profile` null: the user does not exist in this (existing) domain.
/// `counter` is the actor's nonce-count table; unused when `profile` is null.
auth_decision authenticate(const sip::sip_message& rq, std::string_view to_user,
                           std::string_view realm, const auth_profile* profile,
                           const auth_input& in,
                           sip::auth::nonce_counter* counter,
                           const auth_scheme& scheme = registrar_scheme);

/// The first two answers of `authenticate`, which need no profile: 400 for
/// a malformed Authorization header, 401 when none carries credentials
/// for `realm`. Nullopt when credentials for the realm are present. The
/// directory answers these itself, before any provisioning lookup.
std::optional<auth_decision>
answer_without_profile(const sip::sip_message& rq, std::string_view realm,
                       const auth_input& in,
                       const auth_scheme& scheme = registrar_scheme);

/// The 401 with one challenge per algorithm: MD5, then SHA-256. RFC 8760
/// prefers SHA-256 on top, but UAs take the topmost challenge they can
/// answer and many (SIPp among them) stop at an unknown algorithm.
sip::edge::sip_reply challenge(std::string_view realm, const auth_input& in,
                               bool stale,
                               const auth_scheme& scheme = registrar_scheme);

/// Whether `ip` passes allowed_ips (skipped with ignore_allowed_ips) and
/// man_allowed_ips (always); an empty list allows any address, entries
/// that do not parse never match.
bool ip_allowed(const auth_profile& p, std::string_view ip);

} // namespace sb::actors::subscriber
