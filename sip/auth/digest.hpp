#pragma once

// SIP digest authentication (RFC 3261 section 22, RFC 7616, RFC 8760) as pure
// functions: no I/O, no clock, no randomness. The registrar and the call
// actors pass `now` and random bytes in, and keep one nonce_counter each.

#include "common/result.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sb::sip::auth {

// -- algorithms and hashes ---------------------------------------------------

/// Digest algorithms we offer and accept. The "-sess" variants, auth-int and
/// userhash are not supported: our challenges never offer them, SIP UAs
/// hardly use them, and each would be one more response formula to get right.
enum class digest_algorithm { md5, sha256 };

/// "MD5" or "SHA-256", as written in challenges and credentials.
std::string_view to_string(digest_algorithm algorithm);

/// The algorithm named `name`, case-insensitively. An error naming the
/// problem (without echoing the input) for "-sess" variants and for any
/// other name.
result<digest_algorithm> parse_digest_algorithm(std::string_view name);

/// Length of a lowercase hex digest of `algorithm`: 32 for MD5, 64 for
/// SHA-256. HA1 values and responses have exactly this length.
std::size_t hex_length(digest_algorithm algorithm);

/// H(data) of `algorithm` in lowercase hex; empty only when OpenSSL cannot
/// compute it (e.g. MD5 disabled by a FIPS-only provider setup).
std::string digest_hex(digest_algorithm algorithm, std::string_view data);

/// HA1 = H(user ":" realm ":" password) in lowercase hex (RFC 7616 section
/// 3.4.2): what the provisioning API stores instead of a SIP password. An
/// error, never an empty string, when OpenSSL cannot compute the digest.
result<std::string> ha1(std::string_view user, std::string_view realm,
                        std::string_view password, digest_algorithm algorithm);

// -- credentials (Authorization / Proxy-Authorization) -----------------------

/// The Digest credentials of one Authorization or Proxy-Authorization header
/// value, unquoted and unescaped. Invariants after parse_credentials():
/// username, nonce, uri and response are non-empty; response is lowercase hex
/// of hex_length(algorithm); qop empty means the RFC 2069 form, and then nc
/// and cnonce are empty too; qop non-empty means cnonce is non-empty and nc is
/// 8 hex digits (as sent, since the response hashes them as sent) whose value
/// nc_value is at least 1.
struct digest_credentials {
  std::string username;
  std::string realm;
  std::string nonce;
  std::string uri;
  std::string response;
  digest_algorithm algorithm = digest_algorithm::md5;
  std::string cnonce;
  std::string opaque;
  std::string qop;
  std::string nc;
  uint32_t nc_value = 0;
};

/// Parses `Digest k=v, k="v", ...` (RFC 7616 section 3.4, RFC 3261 section
/// 25.1 LWS): scheme case-insensitive, keys case-insensitive, values tokens
/// or quoted strings with backslash escapes, empty list elements skipped,
/// unknown parameters ignored. Refused with an error whose message is a SIP
/// reason phrase ("Malformed Authorization header: ...", never echoing the
/// input): another scheme, a syntax error, a control character, a duplicate
/// parameter, a missing username/realm/nonce/uri/response, a response of the
/// wrong length, nc that is not 8 hex digits or is 0, qop without nc and
/// cnonce or nc/cnonce without qop, an unknown or "-sess" algorithm and
/// userhash=true. The registrar answers a refusal with 400.
result<digest_credentials> parse_credentials(std::string_view value);

// -- nonces ------------------------------------------------------------------

/// How far in the future (seconds) a nonce's timestamp may be before it is
/// stale: absorbs clock differences between the nodes sharing a secret.
inline constexpr int64_t nonce_future_tolerance_s = 5;

/// A stateless nonce: base64url without padding (43 characters) of the
/// 8-byte big-endian `now_s`, the 8 `random` bytes, and the first 16 bytes of
/// HMAC-SHA256(secret, timestamp || random || realm). Every node holding
/// `secret` can check it, so the secret must be the same on all nodes that
/// may receive the answer and must survive restarts; it should be at least
/// 16 random bytes. Empty only if OpenSSL fails.
std::string make_nonce(std::string_view secret, std::string_view realm,
                       int64_t now_s, std::span<const unsigned char, 8> random);

/// What check_nonce() found.
enum class nonce_check {
  valid,  ///< Ours, for this realm, and fresh.
  stale,  ///< Ours, but older than max_age or too far in the future.
  invalid ///< Not canonical base64url of 32 bytes, or the MAC does not match.
};

/// "valid", "stale" or "invalid".
std::string_view to_string(nonce_check check);

/// Checks a nonce made by make_nonce(): invalid unless it decodes and its MAC
/// matches `secret` and `realm` (compared in constant time); then stale if
/// now_s - timestamp > max_age_s or timestamp - now_s >
/// nonce_future_tolerance_s; valid otherwise. A changed secret (rotation, or
/// a node configured with another one) makes every earlier nonce invalid,
/// not stale: the MAC cannot tell an old secret from a forgery. verify()
/// turns that into stale_nonce when the digest is right, so UAs re-register
/// without asking their user for a password.
nonce_check check_nonce(std::string_view secret, std::string_view realm,
                        std::string_view nonce, int64_t now_s,
                        int64_t max_age_s);

/// The timestamp inside a canonical nonce of make_nonce()'s shape, without
/// checking its MAC; nullopt for anything else.
std::optional<int64_t> nonce_timestamp(std::string_view nonce);

// -- challenges and responses ------------------------------------------------

/// A WWW-Authenticate / Proxy-Authenticate value:
/// `Digest realm="r", nonce="n"[, opaque="o"], algorithm=MD5|SHA-256,
/// qop="auth"[, stale=true]`. realm and opaque are escaped for a quoted
/// string; they must not contain control characters (they come from our
/// configuration, not from the network).
std::string make_challenge(std::string_view realm, std::string_view nonce,
                           digest_algorithm algorithm, bool stale,
                           std::string_view opaque = {});

/// The response a client holding `ha1` must send. qop "auth" (RFC 7616
/// section 3.4.1): H(HA1:nonce:nc:cnonce:qop:H(method:uri)). qop empty (RFC
/// 2069 clients): H(HA1:nonce:H(method:uri)). Lowercase hex; empty for any
/// other qop (auth-int is not supported) or when OpenSSL fails.
std::string expected_response(std::string_view ha1, std::string_view method,
                              std::string_view uri, std::string_view nonce,
                              std::string_view nc, std::string_view cnonce,
                              std::string_view qop, digest_algorithm algorithm);

// -- replay protection -------------------------------------------------------

/// What nonce_counter::accept() decided.
enum class nc_verdict {
  accepted,       ///< nc is above every count accepted for this nonce.
  replay,         ///< nc was not above the highest accepted count.
  unknown_evicted ///< Not tracked, and possibly forgotten: answer as stale.
};

/// "accepted", "replay" or "unknown_evicted".
std::string_view to_string(nc_verdict verdict);

/// Bounded nonce-count replay protection (RFC 7616 section 3.3 "nc"). Tracks
/// the highest accepted nc of at most `capacity` nonces, evicting the least
/// recently accepted one. Forgetting a nonce must not reopen it for replays,
/// so the counter keeps a horizon: the newest timestamp among evicted nonces.
/// An untracked nonce issued at or before the horizon may have been evicted
/// and is answered unknown_evicted (the client gets a fresh nonce); a newer
/// one is simply new. Size `capacity` for the distinct nonces in use within
/// the nonce max_age: too small costs clients extra stale round trips, never
/// a replay. Only verify() should call accept(), after the digest was
/// checked, so unauthenticated requests cannot evict entries. Not
/// thread-safe: owned by one actor.
class nonce_counter {
public:
  /// nc value recording a use without qop (RFC 2069 clients send no nc):
  /// such a nonce is single-use, and any later use is a replay.
  static constexpr uint32_t single_use = UINT32_MAX;

  /// A counter tracking at most `capacity` nonces (at least 1).
  explicit nonce_counter(std::size_t capacity);

  nonce_counter(const nonce_counter&) = delete;
  nonce_counter& operator=(const nonce_counter&) = delete;
  // Moving keeps the list nodes, so the index's views stay valid.
  nonce_counter(nonce_counter&&) = default;
  nonce_counter& operator=(nonce_counter&&) = default;

  /// Records `nc` for `nonce` if it is above every count accepted for that
  /// nonce before (any nc >= 1 for a new nonce). A nonce that is not of
  /// make_nonce()'s shape is unknown_evicted.
  nc_verdict accept(std::string_view nonce, uint32_t nc);

  /// Nonces tracked now (at most the capacity).
  std::size_t size() const noexcept { return index_.size(); }

private:
  struct entry {
    std::string nonce;
    int64_t issued_s;
    uint32_t highest_nc;
  };
  std::size_t capacity_;
  // Most recently accepted first; index_ keys view the strings in lru_.
  std::list<entry> lru_;
  std::unordered_map<std::string_view, std::list<entry>::iterator> index_;
  std::optional<int64_t> horizon_;
};

// -- verification ------------------------------------------------------------

/// The nonce secret and the time of one verification.
struct nonce_params {
  std::string_view secret; ///< Same secret as make_nonce(); not owned.
  int64_t now_s = 0;
  int64_t max_age_s = 0;
};

/// The outcome of verify(), with what the registrar (401 / WWW-Authenticate)
/// or a call actor (407 / Proxy-Authenticate) answers. Every answer but ok
/// carries a fresh nonce; a parse_credentials() failure is answered 400.
enum class digest_verdict {
  ok,             ///< Authenticated: process the request.
  bad_response,   ///< Wrong digest: challenge, stale=false; count as a failed
                  ///< login (ban after repeated failures).
  stale_nonce,    ///< Right digest, but the nonce is stale, from an old
                  ///< secret or forgotten by the counter: challenge with
                  ///< stale=true (the UA retries without asking its user).
  bad_nonce,      ///< Nonce not ours and digest wrong for it: challenge,
                  ///< stale=false.
  replay,         ///< Right digest, nc not increasing: challenge with
                  ///< stale=true (a confused UA recovers with a new nonce, a
                  ///< replayer cannot answer it); log it.
  realm_mismatch, ///< Credentials for another realm: challenge, stale=false.
  unsupported     ///< qop other than auth, or no HA1 of the credentials'
                  ///< algorithm: challenge with what we support.
};

/// "ok", "bad_response", ... as in the enum.
std::string_view to_string(digest_verdict verdict);

/// Verifies parsed credentials against the HA1 the caller looked up for
/// `creds.username` and `creds.algorithm` (pass an empty `ha1` if there is
/// none). In order: unsupported (qop other than "" or "auth", or `ha1` not
/// hex_length(creds.algorithm) long: an empty HA1 must never verify);
/// realm_mismatch (realm != expected_realm); then the nonce is checked and
/// the response compared in constant time: an invalid nonce gives
/// stale_nonce if the response is right for it and bad_nonce otherwise; a
/// wrong response gives bad_response; a stale nonce stale_nonce; finally
/// `counter` decides replay or stale_nonce (evicted). Only ok records the nc
/// (qop "auth"), or marks the nonce used (no qop: single use). The caller
/// still checks creds.uri against the Request-URI.
digest_verdict verify(const digest_credentials& creds, std::string_view method,
                      std::string_view expected_realm, std::string_view ha1,
                      const nonce_params& nonce, nonce_counter& counter);

} // namespace sb::sip::auth
