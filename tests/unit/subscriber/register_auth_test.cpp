// Who may register: digest authentication of a parsed REGISTER, lock level
// and allowed_ips, as the subscriber actor decides it. Pure: time, secret
// and nonce randomness are inputs.
#include "actors/subscriber/register_auth.hpp"

#include "sip/auth/digest.hpp"
#include "sip/msg/parse.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

using namespace sb::actors::subscriber;
namespace auth = sb::sip::auth;
using auth::digest_algorithm;
using sb::sip::sip_message;

namespace {

constexpr std::string_view secret = "register-auth-test-secret";
constexpr std::string_view realm = "example.test";
constexpr int64_t t0 = 1'700'000'000;
const std::string password = "s3cr3t";

auth_input input(int64_t now = t0, std::string source = "192.0.2.1") {
  auth_input in;
  in.secret = secret;
  in.now_s = now;
  in.nonce_max_age_s = 300;
  in.random = {9, 8, 7, 6, 5, 4, 3, 2};
  in.source_ip = std::move(source);
  return in;
}

std::string nonce_at(int64_t issued) {
  std::array<unsigned char, 8> random = {1, 2, 3, 4, 5, 6, 7, 8};
  return auth::make_nonce(secret, realm, issued, random);
}

std::string ha1_of(std::string_view user, std::string_view pw,
                   digest_algorithm a) {
  auto h = auth::ha1(user, realm, pw, a);
  REQUIRE(h.ok());
  return *h;
}

auth_profile profile() {
  auth_profile p;
  p.subscriber_id = 11;
  p.customer_id = 22;
  p.reseller_id = 1;
  p.username = "alice";
  p.domain = std::string(realm);
  p.ha1_md5 = ha1_of("alice", password, digest_algorithm::md5);
  p.ha1_sha256 = ha1_of("alice", password, digest_algorithm::sha256);
  return p;
}

struct creds_spec {
  std::string username = "alice";
  std::string pw = password;
  std::string nonce = nonce_at(t0);
  uint32_t nc = 1;
  digest_algorithm alg = digest_algorithm::md5;
  std::string uri = "sip:example.test";
  std::string realm_text = std::string(realm);
};

// An Authorization header value as a client holding the password sends it.
std::string authorization(const creds_spec& s) {
  char nc[9];
  std::snprintf(nc, sizeof nc, "%08x", s.nc);
  auto h1 = ha1_of(s.username, s.pw, s.alg);
  auto response = auth::expected_response(h1, "REGISTER", s.uri, s.nonce, nc,
                                          "0a4f113b", "auth", s.alg);
  return "Digest username=\"" + s.username + "\", realm=\"" + s.realm_text +
         "\", nonce=\"" + s.nonce + "\", uri=\"" + s.uri + "\", response=\"" +
         response + "\", algorithm=" +
         (s.alg == digest_algorithm::md5 ? "MD5" : "SHA-256") +
         ", cnonce=\"0a4f113b\", qop=auth, nc=" + nc;
}

sip_message register_with(const std::vector<std::string>& authorizations,
                          std::string to_user = "alice") {
  std::string text = "REGISTER sip:example.test SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnashds7\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:" +
                     to_user +
                     "@example.test>;tag=456248\r\n"
                     "To: <sip:" +
                     to_user +
                     "@example.test>\r\n"
                     "Call-ID: 843817637684230@998sdasdh09\r\n"
                     "CSeq: 1826 REGISTER\r\n"
                     "Contact: <sip:" +
                     to_user + "@192.0.2.1:5060>\r\n";
  for (const auto& a : authorizations)
    text += "Authorization: " + a + "\r\n";
  text += "Expires: 3600\r\nContent-Length: 0\r\n\r\n";
  auto r = sb::sip::parse_message(text);
  INFO(text);
  REQUIRE(std::holds_alternative<sip_message>(r));
  return std::get<sip_message>(r);
}

sip_message register_with(const creds_spec& s) {
  return register_with(std::vector<std::string>{authorization(s)});
}

std::vector<std::string> header_names(const sb::sip::edge::sip_reply& r) {
  std::vector<std::string> out;
  for (const auto& h : r.headers)
    out.push_back(h.name);
  return out;
}

std::vector<std::string> challenges(const sb::sip::edge::sip_reply& r) {
  std::vector<std::string> out;
  for (const auto& h : r.headers)
    if (h.name == "WWW-Authenticate")
      out.push_back(h.value);
  return out;
}

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

// The nonce="..." of a challenge.
std::string nonce_in(const std::string& challenge) {
  auto p = challenge.find("nonce=\"");
  REQUIRE(p != std::string::npos);
  p += 7;
  return challenge.substr(p, challenge.find('"', p) - p);
}

} // namespace

TEST_CASE("register auth: no Authorization is challenged with MD5 then "
          "SHA-256",
          "[subscriber][register_auth]") {
  auto p = profile();
  auth::nonce_counter counter(16);
  auto d = authenticate(register_with(std::vector<std::string>{}), "alice",
                        realm, &p, input(), &counter);
  CHECK_FALSE(d.authenticated);
  CHECK(d.event == auth_event::none);
  CHECK(d.reply.code == 401);
  auto ch = challenges(d.reply);
  REQUIRE(ch.size() == 2);
  CHECK(header_names(d.reply) ==
        std::vector<std::string>{"WWW-Authenticate", "WWW-Authenticate"});
  CHECK(contains(ch[0], "algorithm=MD5"));
  CHECK(contains(ch[1], "algorithm=SHA-256"));
  for (const auto& c : ch) {
    CHECK(c.rfind("Digest ", 0) == 0);
    CHECK(contains(c, "realm=\"example.test\""));
    CHECK(contains(c, "qop=\"auth\""));
    CHECK_FALSE(contains(c, "stale=true"));
    // The nonce is ours, for this realm, and fresh.
    CHECK(auth::check_nonce(secret, realm, nonce_in(c), t0, 300) ==
          auth::nonce_check::valid);
  }
  // Credentials for another realm are no credentials for this one.
  creds_spec other;
  other.realm_text = "proxy.example.net";
  auto d2 =
      authenticate(register_with(other), "alice", realm, &p, input(), &counter);
  CHECK(d2.reply.code == 401);
  CHECK(d2.event == auth_event::none);
  CHECK(challenges(d2.reply).size() == 2);
}

TEST_CASE("register auth: the answers that need no profile",
          "[subscriber][register_auth]") {
  auto p = profile();
  auth::nonce_counter counter(16);
  SECTION("no credentials for the realm: the same challenge as authenticate") {
    auto msg = register_with(std::vector<std::string>{});
    auto early = answer_without_profile(msg, realm, input());
    REQUIRE(early);
    auto full = authenticate(msg, "alice", realm, &p, input(), &counter);
    CHECK(early->reply.code == 401);
    CHECK(early->why == "no_credentials");
    CHECK(early->why == full.why);
    CHECK(challenges(early->reply) == challenges(full.reply));
    creds_spec other;
    other.realm_text = "proxy.example.net";
    auto o = answer_without_profile(register_with(other), realm, input());
    REQUIRE(o);
    CHECK(o->reply.code == 401);
  }
  SECTION("malformed credentials: 400 with the parser's reason") {
    auto msg =
        register_with(std::vector<std::string>{"Basic YWxpY2U6c2VjcmV0"});
    auto early = answer_without_profile(msg, realm, input());
    REQUIRE(early);
    CHECK(early->reply.code == 400);
    CHECK(early->why == "malformed_credentials");
    CHECK(
        early->reply.reason ==
        authenticate(msg, "alice", realm, &p, input(), &counter).reply.reason);
  }
  SECTION("credentials for the realm: the profile decides") {
    CHECK_FALSE(
        answer_without_profile(register_with(creds_spec{}), realm, input()));
    creds_spec wrong;
    wrong.pw = "wrong";
    CHECK_FALSE(answer_without_profile(register_with(wrong), realm, input()));
  }
}

TEST_CASE("register auth: correct MD5 credentials authenticate",
          "[subscriber][register_auth]") {
  auto p = profile();
  auth::nonce_counter counter(16);
  auto d = authenticate(register_with(creds_spec{}), "alice", realm, &p,
                        input(t0 + 10), &counter);
  CHECK(d.authenticated);
  CHECK(d.event == auth_event::success);
  CHECK(d.why == "ok");
  // The next request on the same nonce with a higher nc is fine too.
  creds_spec next;
  next.nc = 2;
  auto d2 = authenticate(register_with(next), "alice", realm, &p,
                         input(t0 + 20), &counter);
  CHECK(d2.authenticated);
}

TEST_CASE("register auth: SHA-256 credentials use ha1_sha256",
          "[subscriber][register_auth]") {
  auto p = profile();
  auth::nonce_counter counter(16);
  creds_spec s;
  s.alg = digest_algorithm::sha256;
  auto d =
      authenticate(register_with(s), "alice", realm, &p, input(), &counter);
  CHECK(d.authenticated);
  CHECK(d.event == auth_event::success);

  SECTION("without a SHA-256 HA1 they are not accepted") {
    auto q = profile();
    q.ha1_sha256.clear();
    auth::nonce_counter c2(16);
    auto d2 = authenticate(register_with(s), "alice", realm, &q, input(), &c2);
    CHECK_FALSE(d2.authenticated);
    CHECK(d2.reply.code == 401);
  }
}

TEST_CASE("register auth: a wrong password is a failure and a new challenge",
          "[subscriber][register_auth]") {
  auto p = profile();
  auth::nonce_counter counter(16);
  creds_spec s;
  s.pw = "wrong";
  auto d =
      authenticate(register_with(s), "alice", realm, &p, input(), &counter);
  CHECK_FALSE(d.authenticated);
  CHECK(d.event == auth_event::failure);
  CHECK(d.reply.code == 401);
  auto ch = challenges(d.reply);
  REQUIRE(ch.size() == 2);
  CHECK_FALSE(contains(ch[0], "stale=true"));
}

TEST_CASE("register auth: an unknown user is answered like a wrong password",
          "[subscriber][register_auth]") {
  auto p = profile();
  auth::nonce_counter counter(16);
  creds_spec s;
  s.pw = "wrong";
  auto wrong =
      authenticate(register_with(s), "alice", realm, &p, input(), &counter);
  auto unknown = authenticate(register_with(creds_spec{}), "alice", realm,
                              nullptr, input(), &counter);
  auto unknown_no_counter = authenticate(register_with(creds_spec{}), "alice",
                                         realm, nullptr, input(), nullptr);
  for (const auto* d : {&unknown, &unknown_no_counter}) {
    CHECK_FALSE(d->authenticated);
    CHECK(d->event == auth_event::failure);
    CHECK(d->reply.code == wrong.reply.code);
    CHECK(d->reply.reason == wrong.reply.reason);
    CHECK(header_names(d->reply) == header_names(wrong.reply));
    CHECK(d->why == wrong.why);
    // Same challenge text, nonce included (same time and randomness).
    CHECK(challenges(d->reply) == challenges(wrong.reply));
  }
}

TEST_CASE("register auth: credentials of another user are refused 403",
          "[subscriber][register_auth]") {
  auto p = profile();
  auth::nonce_counter counter(16);
  creds_spec s;
  s.username = "bob";
  auto d =
      authenticate(register_with(s), "alice", realm, &p, input(), &counter);
  CHECK_FALSE(d.authenticated);
  CHECK(d.reply.code == 403);
  CHECK(d.reply.reason == "Username mismatch");
  CHECK(d.event == auth_event::failure);
  // The comparison is case-insensitive.
  creds_spec upper;
  upper.username = "ALICE";
  auto d2 =
      authenticate(register_with(upper), "alice", realm, &p, input(), &counter);
  CHECK(d2.reply.code != 403);
}

TEST_CASE("register auth: a malformed Authorization is a 400",
          "[subscriber][register_auth]") {
  auto p = profile();
  auth::nonce_counter counter(16);
  for (std::string bad :
       {"Digest username=\"alice\"", "Basic YWxpY2U6c2VjcmV0",
        "Digest username=\"alice\", realm=\"example.test\", nonce=\"x\", "
        "uri=\"sip:example.test\", response=\"abc\""}) {
    INFO(bad);
    auto d = authenticate(register_with(std::vector<std::string>{bad}), "alice",
                          realm, &p, input(), &counter);
    CHECK_FALSE(d.authenticated);
    CHECK(d.reply.code == 400);
    CHECK(d.reply.reason.rfind("Malformed Authorization header", 0) == 0);
    CHECK(d.event == auth_event::none);
  }
}

TEST_CASE("register auth: a stale nonce with the right digest asks again "
          "with stale=true",
          "[subscriber][register_auth]") {
  auto p = profile();
  auth::nonce_counter counter(16);
  auto d = authenticate(register_with(creds_spec{}), "alice", realm, &p,
                        input(t0 + 301), &counter);
  CHECK_FALSE(d.authenticated);
  CHECK(d.reply.code == 401);
  CHECK(d.event == auth_event::none);
  auto ch = challenges(d.reply);
  REQUIRE(ch.size() == 2);
  for (const auto& c : ch) {
    CHECK(contains(c, "stale=true"));
    CHECK(auth::check_nonce(secret, realm, nonce_in(c), t0 + 301, 300) ==
          auth::nonce_check::valid);
  }
}

TEST_CASE("register auth: a replayed nc asks again with stale=true",
          "[subscriber][register_auth]") {
  auto p = profile();
  auth::nonce_counter counter(16);
  auto rq = register_with(creds_spec{});
  REQUIRE(
      authenticate(rq, "alice", realm, &p, input(), &counter).authenticated);
  auto d = authenticate(rq, "alice", realm, &p, input(t0 + 1), &counter);
  CHECK_FALSE(d.authenticated);
  CHECK(d.reply.code == 401);
  CHECK(d.why == "replay");
  CHECK(d.event == auth_event::none);
  auto ch = challenges(d.reply);
  REQUIRE(ch.size() == 2);
  CHECK(contains(ch[0], "stale=true"));
  CHECK(contains(ch[1], "stale=true"));
}

TEST_CASE("register auth: lock level 4 refuses a correct REGISTER",
          "[subscriber][register_auth]") {
  auth::nonce_counter counter(16);
  auto p = profile();
  p.lock = register_lock_level;
  auto d = authenticate(register_with(creds_spec{}), "alice", realm, &p,
                        input(), &counter);
  CHECK_FALSE(d.authenticated);
  CHECK(d.reply.code == 403);
  CHECK(d.reply.reason == "Subscriber locked");
  SECTION("lower lock levels do not") {
    auto q = profile();
    q.lock = 3;
    creds_spec s;
    s.nc = 2;
    auto d2 =
        authenticate(register_with(s), "alice", realm, &q, input(), &counter);
    CHECK(d2.authenticated);
  }
}

TEST_CASE("register auth: allowed_ips and man_allowed_ips",
          "[subscriber][register_auth]") {
  auth::nonce_counter counter(16);
  auto p = profile();
  p.allowed_ips = {"10.0.0.0/8"};
  SECTION("a source outside allowed_ips is refused") {
    auto d = authenticate(register_with(creds_spec{}), "alice", realm, &p,
                          input(t0, "192.0.2.1"), &counter);
    CHECK_FALSE(d.authenticated);
    CHECK(d.reply.code == 403);
    CHECK(d.reply.reason == "Unauthorized IP detected");
  }
  SECTION("a source inside is accepted") {
    auto d = authenticate(register_with(creds_spec{}), "alice", realm, &p,
                          input(t0, "10.1.2.3"), &counter);
    CHECK(d.authenticated);
  }
  SECTION("ignore_allowed_ips skips allowed_ips") {
    p.ignore_allowed_ips = true;
    auto d = authenticate(register_with(creds_spec{}), "alice", realm, &p,
                          input(t0, "192.0.2.1"), &counter);
    CHECK(d.authenticated);
  }
  SECTION("man_allowed_ips apply even with ignore_allowed_ips") {
    p.ignore_allowed_ips = true;
    p.man_allowed_ips = {"10.0.0.0/8"};
    auto d = authenticate(register_with(creds_spec{}), "alice", realm, &p,
                          input(t0, "192.0.2.1"), &counter);
    CHECK_FALSE(d.authenticated);
    CHECK(d.reply.code == 403);
    CHECK(d.reply.reason == "Unauthorized IP detected");
  }
}

TEST_CASE("register auth: ip_allowed", "[subscriber][register_auth]") {
  auth_profile p;
  CHECK(ip_allowed(p, "192.0.2.1"));
  CHECK(ip_allowed(p, "not an ip"));

  p.allowed_ips = {"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"};
  CHECK(ip_allowed(p, "10.200.0.1"));
  CHECK(ip_allowed(p, "192.0.2.7"));
  CHECK_FALSE(ip_allowed(p, "192.0.2.8"));
  CHECK(ip_allowed(p, "2001:db8::5"));
  CHECK_FALSE(ip_allowed(p, "2001:db9::5"));
  CHECK_FALSE(ip_allowed(p, "garbage"));
  CHECK_FALSE(ip_allowed(p, ""));

  p.ignore_allowed_ips = true;
  CHECK(ip_allowed(p, "192.0.2.8"));

  p.man_allowed_ips = {"192.0.2.0/24"};
  CHECK(ip_allowed(p, "192.0.2.8"));
  CHECK_FALSE(ip_allowed(p, "10.200.0.1"));

  p.ignore_allowed_ips = false; // both lists must pass
  CHECK(ip_allowed(p, "192.0.2.7"));
  CHECK_FALSE(ip_allowed(p, "192.0.2.8"));
  CHECK_FALSE(ip_allowed(p, "10.200.0.1"));

  // Entries that do not parse never match.
  auth_profile q;
  q.allowed_ips = {"not-a-net", "10.0.0.0/33"};
  CHECK_FALSE(ip_allowed(q, "10.0.0.1"));
}

namespace {

// An INVITE from alice, with these Proxy-Authorization / Authorization
// headers.
sip_message invite_with(const std::string& header, const std::string& value) {
  std::string text = "INVITE sip:bob@example.test SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKinv1\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:alice@example.test>;tag=1\r\n"
                     "To: <sip:bob@example.test>\r\n"
                     "Call-ID: inv-1@192.0.2.1\r\n"
                     "CSeq: 2 INVITE\r\n"
                     "Contact: <sip:alice@192.0.2.1:5060>\r\n";
  if (!header.empty())
    text += header + ": " + value + "\r\n";
  text += "Content-Length: 0\r\n\r\n";
  auto r = sb::sip::parse_message(text);
  REQUIRE(std::holds_alternative<sip_message>(r));
  return std::get<sip_message>(r);
}

std::string invite_credentials(const std::string& pw) {
  auto h1 = ha1_of("alice", pw, digest_algorithm::md5);
  auto nonce = nonce_at(t0);
  auto response = auth::expected_response(h1, "INVITE", "sip:bob@example.test",
                                          nonce, "00000001", "0a4f113b", "auth",
                                          digest_algorithm::md5);
  return "Digest username=\"alice\", realm=\"example.test\", nonce=\"" + nonce +
         "\", uri=\"sip:bob@example.test\", response=\"" + response +
         "\", algorithm=MD5, cnonce=\"0a4f113b\", qop=auth, nc=00000001";
}

} // namespace

TEST_CASE("proxy auth: an INVITE is challenged 407 and answers with "
          "Proxy-Authorization, lock and IPs are left to the call stages",
          "[subscriber][register_auth]") {
  auto p = profile();
  auth::nonce_counter counter(16);
  SECTION("no credentials: 407 with Proxy-Authenticate, MD5 first") {
    auto early = answer_without_profile(invite_with("", ""), realm, input(),
                                        proxy_scheme);
    REQUIRE(early);
    CHECK(early->reply.code == 407);
    CHECK(early->reply.reason == "Proxy Authentication Required");
    REQUIRE(early->reply.headers.size() == 2);
    CHECK(early->reply.headers[0].name == "Proxy-Authenticate");
    CHECK(contains(early->reply.headers[0].value, "algorithm=MD5"));
  }
  SECTION("credentials in Authorization do not count for a proxy") {
    auto m = invite_with("Authorization", invite_credentials(password));
    auto early = answer_without_profile(m, realm, input(), proxy_scheme);
    REQUIRE(early);
    CHECK(early->reply.code == 407);
  }
  SECTION("right password: authenticated, even when locked or off its IPs") {
    p.lock = register_lock_level;
    p.allowed_ips = {"10.0.0.0/8"};
    auto m = invite_with("Proxy-Authorization", invite_credentials(password));
    CHECK_FALSE(answer_without_profile(m, realm, input(), proxy_scheme));
    auto d = authenticate(m, "alice", realm, &p, input(t0 + 5), &counter,
                          proxy_scheme);
    CHECK(d.authenticated);
    CHECK(d.event == auth_event::success);
  }
  SECTION("wrong password: a new 407 and a failure for the guard") {
    auto m = invite_with("Proxy-Authorization", invite_credentials("wrong"));
    auto d = authenticate(m, "alice", realm, &p, input(t0 + 5), &counter,
                          proxy_scheme);
    CHECK_FALSE(d.authenticated);
    CHECK(d.reply.code == 407);
    CHECK(d.event == auth_event::failure);
  }
}
