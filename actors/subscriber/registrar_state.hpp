// The pure registrar core of the subscriber actor (one actor per address of
// record): RFC 3261 §10.2-10.3 binding updates, RFC 3327 Path, RFC 3581
// rport/received, and RFC 5626 +sip.instance/reg-id kept as binding keys.
//
// Functional core, actor shell (ARCHITECTURE.md §2.2): every operation takes
// the state, one input and `now`, changes the state and returns what the
// shell must do (reply, persist/replicate, arm a timer). No CAF, no sockets,
// no clock reads. Not thread-safe: a state is owned by one actor.
//
// Order of checks in `on_register` (the first failing one answers; nothing
// is changed unless the answer is 200):
//   500 aor_mismatch          request routed to the wrong actor (a bug)
//   400 star_*                Contact: * misuse (RFC 3261 §10.3 step 6)
//   400 empty_contact_uri     a Contact without URI
//   400 invalid_q             q not a RFC 3261 qvalue
//   400 duplicate_contact     two Contacts naming the same binding
//   423 interval_too_brief    0 < expiry < min_expires (with Min-Expires)
//   500 out_of_order          same Call-ID and CSeq not higher than stored
//   503 too_many_contacts     max_contacts exceeded after applying
#pragma once

#include "common/result.hpp"
#include "sip/msg/transport.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::actors::subscriber {

/// Wall-clock time as given by the shell. Never read here.
using time_point = std::chrono::system_clock::time_point;

/// The expiry of a permanent binding: it never expires.
inline constexpr time_point permanent_expiry = time_point::max();

/// q of a Contact without q param, for ordering only (1.0). A missing q is
/// kept as missing and never echoed.
inline constexpr uint16_t default_q_milli = 1000;

// -- inputs -------------------------------------------------------------------

// The transport and socket address types are the SIP layer's.
using sip::parse_transport;
using sip::sip_transport;
using sip::source_address;
using sip::to_string;

/// The topmost Via of the request, as far as NAT detection needs it.
struct via_info {
  std::string host;             ///< sent-by host (name or IP)
  std::optional<uint16_t> port; ///< sent-by port; absent → transport default
  bool rport = false;           ///< an rport param was present (RFC 3581)
};

/// One Contact header value of a REGISTER, already parsed by the SIP layer.
struct contact_input {
  std::string uri;                     ///< the URI inside <...>
  std::optional<std::string> q;        ///< raw q param text ("0.5")
  std::optional<uint32_t> expires;     ///< expires param
  std::optional<std::string> instance; ///< +sip.instance value, as received
  std::optional<uint32_t> reg_id;      ///< reg-id param (RFC 5626)
  std::string params;                  ///< raw header params, kept as is
};

/// A REGISTER as the core needs it. The SIP layer has already checked the
/// syntax (a malformed Contact, Expires or CSeq is its 400), the
/// Request-URI domain, Require and the credentials.
struct register_request {
  std::string aor; ///< canonical "sip:user@domain" (To header)
  std::vector<contact_input> contacts;
  bool star = false;               ///< "Contact: *"
  std::optional<uint32_t> expires; ///< Expires header
  std::string call_id;
  uint32_t cseq = 0;
  std::vector<std::string> path; ///< Path header values, topmost first
  source_address source;         ///< socket peer of the request
  via_info via;                  ///< topmost Via
  std::string user_agent;
  std::string local_socket; ///< name of the listening socket it arrived on
};

/// Registrar settings. See `validate`.
struct registrar_config {
  uint32_t min_expires = 60;       ///< 0 < e < this → 423; 0: no minimum
  uint32_t max_expires = 3600;     ///< longer requests are shortened to this
  uint32_t default_expires = 3600; ///< no expires param and no Expires
  uint32_t max_contacts = 0;       ///< per AoR, permanent ones excluded; 0: ∞
};

/// max_expires ≥ 1, min_expires ≤ default_expires ≤ max_expires.
status validate(const registrar_config& cfg);

// -- state ------------------------------------------------------------------

/// One binding of the AoR to a contact address.
struct binding {
  std::string uri;                     ///< Contact URI as last registered
  std::string params;                  ///< raw Contact header params
  std::optional<uint16_t> q;           ///< thousandths, 0..1000
  std::optional<std::string> instance; ///< +sip.instance, as received
  std::optional<uint32_t> reg_id;
  std::string call_id; ///< of the REGISTER that wrote it ("" if admin)
  uint32_t cseq = 0;
  time_point expires_at;         ///< `permanent_expiry` for permanent ones
  time_point updated_at;         ///< `now` of the last write
  uint64_t seq = 0;              ///< state's write counter at the last write
  std::vector<std::string> path; ///< route to the contact, topmost first
  /// Transport, address and port the REGISTER came from; absent for
  /// permanent bindings created by the admin API.
  std::optional<source_address> received;
  /// The sender is behind NAT: requests go to `received`, not to `uri`.
  bool natted = false;
  std::string user_agent;
  std::string local_socket; ///< socket to send from

  friend bool operator==(const binding&, const binding&) = default;
};

/// Whether `b` never expires (admin binding).
inline bool is_permanent(const binding& b) {
  return b.expires_at == permanent_expiry;
}

/// Whether `b` has expired at `now` (now ≥ expires_at).
inline bool is_expired(const binding& b, time_point now) {
  return now >= b.expires_at;
}

/// Seconds left, rounded up, so a live binding never shows 0 (which means
/// "removed" in a REGISTER reply); 0 when expired. A permanent binding shows
/// `permanent_shown`.
uint32_t remaining_seconds(const binding& b, time_point now,
                           uint32_t permanent_shown);

/// The registrar state of one AoR.
///
/// Invariants (kept by every function here, checked by the decoder): no
/// two bindings have the same key: the same instance + reg-id among
/// bindings with +sip.instance, equal URIs (`sip_uri_equal`) among those
/// without, and no binding without instance has the URI of one with
/// (it is taken over instead). At most `max_contacts` non-permanent
/// bindings for the config in force when they were written; `seq` ≥ every
/// binding's seq. Bindings are in insertion order; order for use comes
/// from `targets`.
struct registrar_state {
  std::string aor;
  std::vector<binding> bindings;
  uint64_t seq = 0; ///< write counter, bumped once per successful write

  friend bool operator==(const registrar_state&,
                         const registrar_state&) = default;
};

// -- outputs ----------------------------------------------------------------

/// What the shell must carry out after a call.
struct registrar_effects {
  /// Bindings changed: persist and replicate the state.
  bool changed = false;
  std::vector<binding> added;     ///< new bindings
  std::vector<binding> refreshed; ///< rewritten (refresh or Call-ID change)
  std::vector<binding> removed;   ///< removed by request (expires=0, *, admin)
  std::vector<binding> expired;   ///< removed because they had expired
  /// Arm (or re-arm) the expiry timer for this time and call `on_timer`
  /// then; nullopt: cancel it, nothing can expire. Always set to the
  /// state's next expiry, even when nothing changed.
  std::optional<time_point> timer;
};

/// Why `on_register` answered as it did; stable names for metrics labels.
enum class register_status : uint8_t {
  ok,
  aor_mismatch,
  star_with_contacts,
  star_expires_not_zero,
  empty_contact_uri,
  invalid_q,
  duplicate_contact,
  interval_too_brief,
  out_of_order,
  too_many_contacts,
};

/// snake_case name of `s` ("out_of_order").
std::string_view to_string(register_status s);

/// A binding as listed in a 2xx reply (one Contact header value).
struct reply_contact {
  std::string uri;
  uint32_t expires = 0;      ///< remaining seconds, see `remaining_seconds`
  std::optional<uint16_t> q; ///< thousandths; see `format_q`
  std::optional<std::string> instance;
  std::optional<uint32_t> reg_id;
  bool permanent = false; ///< expires shows max_expires then

  friend bool operator==(const reply_contact&, const reply_contact&) = default;
};

/// The SIP reply to send.
struct register_reply {
  uint16_t code = 200;
  std::string reason; ///< standard reason phrase ("Bad Request")
  /// Why, for logs and a Warning: 399 header; empty on 200.
  std::string detail;
  std::optional<uint32_t> min_expires; ///< set on 423 only
  /// 2xx only: every current binding, in `targets` order.
  std::vector<reply_contact> contacts;
};

/// Result of `on_register`.
struct register_outcome {
  register_status status = register_status::ok;
  register_reply reply;
  registrar_effects effects;
};

// -- operations -------------------------------------------------------------

/// Applies a REGISTER (RFC 3261 §10.3) to `st`, all or nothing: on any
/// status other than ok, `st` is unchanged and effects.changed is false.
///
/// Per Contact: expiry = expires param, else Expires header, else
/// default_expires; above max_expires it is shortened; 0 removes; below
/// min_expires → 423 with Min-Expires. A Contact with +sip.instance is
/// matched on instance + reg-id (falling back to an equal URI of a binding
/// without instance); one without is matched on URI equality. A matched
/// binding with another Call-ID is replaced; with the same Call-ID it is
/// replaced only if CSeq is higher, else the whole request fails with 500
/// (RFC 3261 §12.2.2 uses 500 for out-of-order CSeq; the transaction layer
/// must absorb retransmissions, since a late one is answered 500 here).
///
/// Contact: * needs Expires: 0 and no other Contact (else 400); it removes
/// every non-permanent binding, unless one has this Call-ID with a CSeq not
/// lower than the request's: then 500 and nothing is removed.
///
/// A REGISTER without Contact is a query: 200 with the bindings.
/// Expired bindings are dropped on success (effects.expired). Permanent
/// bindings do not count against max_contacts, are not removed by *, but
/// a Contact equal to one takes it over (it becomes a normal binding).
/// The limit refuses a request only if it would grow the count above
/// max_contacts, so refreshes still work after the limit was lowered.
register_outcome on_register(registrar_state& st, const register_request& rq,
                             const registrar_config& cfg, time_point now);

/// Removes bindings expired at `now`; effects.expired lists exactly them.
/// Safe to call early or late (spurious timers change nothing).
registrar_effects on_timer(registrar_state& st, time_point now);

/// The earliest expiry of a non-permanent binding; nullopt when none.
std::optional<time_point> next_expiry(const registrar_state& st);

/// Live bindings for forking: q descending (missing q = 1.0), then most
/// recently written first, then insertion order.
std::vector<binding> targets(const registrar_state& st, time_point now);

/// Natted UDP bindings: the shell pings each with OPTIONS to `received`
/// (via `path` if any) to keep the NAT mapping open. Connection-oriented
/// transports keep their mapping with the connection. Pass the state right
/// after `on_timer` so expired bindings are gone.
std::vector<binding> keepalive_targets(const registrar_state& st);

/// What the admin API (POST /api/subscriberregistrations) gives for a
/// permanent binding.
struct permanent_binding_request {
  std::string uri;
  std::optional<uint16_t> q; ///< thousandths, ≤ 1000
  std::vector<std::string> path;
  std::string local_socket;
  std::string user_agent;
};

/// Adds a permanent binding, or replaces the binding with an equal URI
/// (permanent or not, reported in `refreshed`). Errors (state unchanged):
/// empty URI, q > 1000.
result<registrar_effects>
add_permanent_binding(registrar_state& st, const permanent_binding_request& rq,
                      time_point now);

/// Removes every binding whose URI equals `uri` (permanent or not), as the
/// admin API's DELETE does. Nothing changes when none matches.
registrar_effects remove_binding(registrar_state& st, std::string_view uri,
                                 time_point now);

/// Removes every binding, permanent ones too: the subscriber is gone from
/// provisioning. Nothing changes when there is none.
registrar_effects remove_all_bindings(registrar_state& st, time_point now);

// -- SIP value helpers --------------------------------------------------------

/// Parses an RFC 3261 qvalue ("0", "0.", "0.5", "0.125", "1", "1.000") into
/// thousandths; nullopt for anything else (".5", "1.5", "0.1234", " 1").
std::optional<uint16_t> parse_q(std::string_view text);

/// Formats thousandths as a qvalue with 1-3 decimals: 500 → "0.5",
/// 1000 → "1.0", 125 → "0.125". Precondition: q ≤ 1000.
std::string format_q(uint16_t q);

/// RFC 3261 §19.1.4 URI equality for sip/sips: scheme, host and parameter
/// names case-insensitive; user and password case-sensitive; %HH equals the
/// character unless it is reserved; an omitted port never equals an
/// explicit one (not even 5060); user, ttl, method, maddr and transport
/// present in one URI only → different, other params only in one are
/// ignored, params in both must match (transport, user, maddr values
/// case-insensitively); headers must all match. IPv6 references are
/// compared as text, case-insensitively. Other schemes: equal if the
/// schemes are equal (case-insensitively) and the rest is byte-equal.
bool sip_uri_equal(std::string_view a, std::string_view b);

/// Whether +sip.instance values are the same instance: one layer of
/// quotes and of <> removed, compared case-insensitively (UUID URNs).
bool instance_equal(std::string_view a, std::string_view b);

/// NAT detection: the Via sent-by host is not the source IP (IP addresses
/// compared as addresses, names never equal an IP), or rport was asked for
/// and the sent-by port (default 5060; 5061 tls; 80 ws; 443 wss) is not the
/// source port.
bool is_natted(const source_address& source, const via_info& via);

// -- serialization ------------------------------------------------------------

/// Times in the JSON forms: integer nanoseconds since the Unix epoch.
int64_t to_unix_ns(time_point t);
time_point from_unix_ns(int64_t ns);

/// The version `to_json` writes and `registrar_state_from_json` reads.
inline constexpr int registrar_state_version = 1;

/// The state as JSON for persistence, replication and migration. Times are
/// integer nanoseconds since the Unix epoch (exact round trip); absent
/// optionals are null; a permanent binding has "expires_at": null.
nlohmann::json to_json(const registrar_state& st);

/// One binding as it appears in the state's "bindings".
nlohmann::json to_json(const binding& b);

/// Strict inverse of `to_json`: every member must be present with its type,
/// unknown members are refused, the version must be
/// `registrar_state_version`, and the invariants hold. Errors name the
/// JSON Pointer of the offending member ("/bindings/1/cseq: ...").
result<registrar_state> registrar_state_from_json(const nlohmann::json& j);

} // namespace sb::actors::subscriber
