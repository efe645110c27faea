#include "actors/subscriber/register_auth.hpp"

#include "actors/subscriber/registrar_state.hpp"
#include "common/net/ip_net.hpp"
#include "common/text.hpp"

namespace sb::actors::subscriber {

namespace auth = sip::auth;
using sip::edge::sip_reply;

namespace {

sip_reply refuse(uint16_t code, std::string reason) {
  return sip_reply::of(code, std::move(reason));
}

bool matches_any(const std::vector<std::string>& nets,
                 const net::ip_address& ip) {
  for (const auto& text : nets) {
    auto n = net::parse_ip_network(text);
    if (n && n->contains(ip))
      return true;
  }
  return false;
}

// Credentials for our realm; others (for a proxy on the way) are ignored.
// An error: a malformed Authorization header.
result<std::optional<auth::digest_credentials>>
realm_credentials(const sip::sip_message& rq, std::string_view realm,
                  const auth_scheme& scheme) {
  for (const auto& value : rq.headers_named(scheme.credentials_header)) {
    auto c = auth::parse_credentials(value);
    if (!c)
      return c.err();
    if (iequals(c->realm, realm))
      return std::optional<auth::digest_credentials>{std::move(*c)};
  }
  return std::optional<auth::digest_credentials>{};
}

// The decision when `creds` is an error or empty; nullopt otherwise.
std::optional<auth_decision> without_credentials(
    const result<std::optional<auth::digest_credentials>>& creds,
    std::string_view realm, const auth_input& in, const auth_scheme& scheme) {
  auth_decision d;
  if (!creds) {
    d.reply = refuse(400, creds.err().message);
    d.why = "malformed_credentials";
    return d;
  }
  if (*creds)
    return std::nullopt;
  d.reply = challenge(realm, in, false, scheme);
  d.why = "no_credentials";
  return d;
}

} // namespace

std::optional<auth_decision> answer_without_profile(const sip::sip_message& rq,
                                                    std::string_view realm,
                                                    const auth_input& in,
                                                    const auth_scheme& scheme) {
  return without_credentials(realm_credentials(rq, realm, scheme), realm, in,
                             scheme);
}

sip_reply challenge(std::string_view realm, const auth_input& in, bool stale,
                    const auth_scheme& scheme) {
  auto nonce = auth::make_nonce(in.secret, realm, in.now_s, in.random);
  auto r = sip_reply::of(scheme.code, std::string(scheme.reason));
  // MD5 first: deployed UAs (and SIPp) answer the topmost challenge and
  // fail on SHA-256 (RFC 8760 §2.4 would put SHA-256 first).
  for (auto alg : {auth::digest_algorithm::md5, auth::digest_algorithm::sha256})
    r.headers.push_back({std::string(scheme.challenge_header),
                         auth::make_challenge(realm, nonce, alg, stale)});
  return r;
}

bool ip_allowed(const auth_profile& p, std::string_view ip_text) {
  bool check_user = !p.ignore_allowed_ips && !p.allowed_ips.empty();
  if (!check_user && p.man_allowed_ips.empty())
    return true;
  auto ip = net::parse_ip_address(ip_text);
  if (!ip)
    return false;
  return (!check_user || matches_any(p.allowed_ips, *ip)) &&
         (p.man_allowed_ips.empty() || matches_any(p.man_allowed_ips, *ip));
}

auth_decision authenticate(const sip::sip_message& rq, std::string_view to_user,
                           std::string_view realm, const auth_profile* profile,
                           const auth_input& in, auth::nonce_counter* counter,
                           const auth_scheme& scheme) {
  auto found = realm_credentials(rq, realm, scheme);
  if (auto early = without_credentials(found, realm, in, scheme))
    return std::move(*early);
  const auto& creds = *found;
  auth_decision d;
  // creds->uri is not compared with the Request-URI: UAs (SIPp among
  // them) write the address they sent to, and Kamailio does not compare
  // either. The response hashes creds->uri, nonces are single-realm and
  // short-lived, and nc replays are refused.
  if (!iequals(creds->username, to_user)) {
    d.reply = refuse(403, "Username mismatch");
    d.why = "username_mismatch";
    d.event = auth_event::failure;
    return d;
  }
  auth::digest_verdict verdict = auth::digest_verdict::bad_response;
  if (profile && counter) {
    const auto& ha1 = creds->algorithm == auth::digest_algorithm::sha256
                          ? profile->ha1_sha256
                          : profile->ha1_md5;
    verdict = auth::verify(*creds, rq.method, realm, ha1,
                           {in.secret, in.now_s, in.nonce_max_age_s}, *counter);
  }
  d.why = std::string(auth::to_string(verdict));
  switch (verdict) {
  case auth::digest_verdict::ok:
    break;
  case auth::digest_verdict::stale_nonce:
  case auth::digest_verdict::replay:
    d.reply = challenge(realm, in, true, scheme);
    return d;
  case auth::digest_verdict::bad_response:
  case auth::digest_verdict::bad_nonce:
    d.reply = challenge(realm, in, false, scheme);
    d.event = auth_event::failure;
    return d;
  case auth::digest_verdict::realm_mismatch:
  case auth::digest_verdict::unsupported:
    d.reply = challenge(realm, in, false, scheme);
    return d;
  }
  d.event = auth_event::success;
  if (!scheme.check_lock_and_ip) {
    d.authenticated = true;
    return d;
  }
  if (profile->lock == register_lock_level) {
    d.reply = refuse(403, "Subscriber locked");
    d.why = "locked";
    return d;
  }
  if (!ip_allowed(*profile, in.source_ip)) {
    d.reply = refuse(403, "Unauthorized IP detected");
    d.why = "ip_not_allowed";
    return d;
  }
  d.authenticated = true;
  return d;
}

} // namespace sb::actors::subscriber
