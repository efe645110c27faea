#include "sip/auth/digest.hpp"

#include "tests/unit/sip/digest_vectors.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>

using namespace sb::sip::auth;
using namespace sb::test::digest;

namespace {

constexpr std::string_view secret = "s3cret-for-tests";
constexpr std::string_view realm = "example.org";
constexpr int64_t t0 = 1700000000;
constexpr int64_t max_age = 300;

std::string nonce_at(int64_t now, unsigned char seed = 1,
                     std::string_view key = secret,
                     std::string_view for_realm = realm) {
  std::array<unsigned char, 8> random{};
  for (std::size_t i = 0; i < random.size(); ++i)
    random[i] = static_cast<unsigned char>(seed + i);
  return make_nonce(key, for_realm, now, random);
}

// Credentials a well-behaved client holding `h1` sends for `nonce`.
digest_credentials answer(std::string_view h1, std::string nonce,
                          uint32_t nc = 1, std::string qop = "auth",
                          digest_algorithm a = digest_algorithm::md5) {
  digest_credentials c;
  c.username = "alice";
  c.realm = std::string(realm);
  c.nonce = std::move(nonce);
  c.uri = "sip:example.org";
  c.algorithm = a;
  c.qop = std::move(qop);
  if (!c.qop.empty()) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", nc);
    c.nc = buf;
    c.nc_value = nc;
    c.cnonce = "0a4f113b";
  }
  c.response = expected_response(h1, "REGISTER", c.uri, c.nonce, c.nc, c.cnonce,
                                 c.qop, a);
  return c;
}

} // namespace

TEST_CASE("nonces are stateless, bound to secret, realm and time", "[digest]") {
  const std::array<unsigned char, 8> random = {1, 2, 3, 4, 5, 6, 7, 8};
  // Computed independently (Python hmac + base64.urlsafe_b64encode).
  CHECK(make_nonce("s3cret", "example.org", t0, random) ==
        "AAAAAGVT8QABAgMEBQYHCLS6M_wNWbgwQQYBvhE5VvM");
  auto n = nonce_at(t0);
  CHECK(n.size() == 43);
  CHECK(n == nonce_at(t0));
  CHECK(n != nonce_at(t0, 2));
  CHECK(nonce_timestamp(n) == t0);
  CHECK_FALSE(nonce_timestamp("garbage"));

  CHECK(check_nonce(secret, realm, n, t0, max_age) == nonce_check::valid);
  CHECK(check_nonce(secret, realm, n, t0 + max_age, max_age) ==
        nonce_check::valid);
  CHECK(check_nonce(secret, realm, n, t0 + max_age + 1, max_age) ==
        nonce_check::stale);
  CHECK(check_nonce(secret, realm, n, t0 - nonce_future_tolerance_s, max_age) ==
        nonce_check::valid);
  CHECK(check_nonce(secret, realm, n, t0 - nonce_future_tolerance_s - 1,
                    max_age) == nonce_check::stale);
  CHECK(check_nonce(secret, realm, n, t0, -1) == nonce_check::stale);
  CHECK(check_nonce(secret, "other.org", n, t0, max_age) ==
        nonce_check::invalid);
  CHECK(check_nonce("rotated", realm, n, t0, max_age) == nonce_check::invalid);
  // Stale needs a valid MAC: an old nonce under another secret is invalid.
  CHECK(check_nonce("rotated", realm, n, t0 + 10 * max_age, max_age) ==
        nonce_check::invalid);
  CHECK(check_nonce(secret, realm, nonce_at(INT64_MIN), INT64_MAX, max_age) ==
        nonce_check::stale);
  CHECK(check_nonce(secret, realm, nonce_at(INT64_MAX), INT64_MIN, max_age) ==
        nonce_check::stale);

  for (const char* bad : {"", "AAAA",
                          "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4Gi"
                          "To0v"}) {
    INFO(bad);
    CHECK(check_nonce(secret, realm, bad, t0, max_age) == nonce_check::invalid);
  }
  CHECK(check_nonce(secret, realm, n + "A", t0, max_age) ==
        nonce_check::invalid);
  for (std::size_t i = 0; i < n.size(); ++i) {
    auto tampered = n;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    INFO(tampered);
    CHECK(check_nonce(secret, realm, tampered, t0, max_age) ==
          nonce_check::invalid);
  }
}

TEST_CASE("nonce counts only go up", "[digest]") {
  nonce_counter counter{4};
  auto a = nonce_at(t0, 1);
  auto b = nonce_at(t0, 2);
  CHECK(counter.accept(a, 1) == nc_verdict::accepted);
  CHECK(counter.accept(a, 1) == nc_verdict::replay);
  CHECK(counter.accept(a, 3) == nc_verdict::accepted);
  CHECK(counter.accept(a, 2) == nc_verdict::replay);
  CHECK(counter.accept(b, 2) == nc_verdict::accepted); // independent nonces
  CHECK(counter.accept(b, 0) == nc_verdict::replay);
  CHECK(counter.accept(nonce_at(t0, 3), 0) == nc_verdict::replay);
  CHECK(counter.accept(a, nonce_counter::single_use) == nc_verdict::accepted);
  CHECK(counter.accept(a, nonce_counter::single_use) == nc_verdict::replay);
  CHECK(counter.accept("not a nonce", 1) == nc_verdict::unknown_evicted);
  CHECK(counter.size() == 2);
}

TEST_CASE("an evicted nonce is never accepted blindly", "[digest]") {
  nonce_counter counter{2};
  auto a = nonce_at(t0, 1);
  auto b = nonce_at(t0 + 1, 2);
  auto c = nonce_at(t0 + 2, 3);
  CHECK(counter.accept(a, 1) == nc_verdict::accepted);
  CHECK(counter.accept(b, 1) == nc_verdict::accepted);
  CHECK(counter.accept(a, 2) == nc_verdict::accepted); // b is now the LRU
  CHECK(counter.accept(c, 1) == nc_verdict::accepted); // evicts b
  CHECK(counter.size() == 2);
  CHECK(counter.accept(b, 1) == nc_verdict::unknown_evicted);
  CHECK(counter.accept(b, 9) == nc_verdict::unknown_evicted);
  // a was issued before the evicted b but is still tracked.
  CHECK(counter.accept(a, 3) == nc_verdict::accepted);
  // Untracked nonces at or before the horizon may have been evicted.
  CHECK(counter.accept(nonce_at(t0 + 1, 9), 1) == nc_verdict::unknown_evicted);
  CHECK(counter.accept(nonce_at(t0 + 2, 9), 1) == nc_verdict::accepted);

  nonce_counter tiny{0}; // clamped to one entry
  CHECK(tiny.accept(a, 1) == nc_verdict::accepted);
  CHECK(tiny.accept(c, 1) == nc_verdict::accepted);
  CHECK(tiny.size() == 1);
  CHECK(tiny.accept(a, 2) == nc_verdict::unknown_evicted);

  nonce_counter moved = std::move(counter);
  CHECK(moved.accept(a, 3) == nc_verdict::replay);
  CHECK(moved.accept(a, 4) == nc_verdict::accepted);
}

TEST_CASE("verify gives every verdict", "[digest]") {
  const auto h1 = must_ha1("alice", realm, "pw", digest_algorithm::md5);
  const auto wrong = must_ha1("alice", realm, "pass", digest_algorithm::md5);
  const nonce_params now{secret, t0 + 10, max_age};
  nonce_counter counter{16};
  auto n = nonce_at(t0);

  SECTION("ok, then replay, then the next count") {
    auto c = answer(h1, n);
    CHECK(verify(c, "REGISTER", realm, h1, now, counter) == digest_verdict::ok);
    CHECK(verify(c, "REGISTER", realm, h1, now, counter) ==
          digest_verdict::replay);
    CHECK(verify(answer(h1, n, 2), "REGISTER", realm, h1, now, counter) ==
          digest_verdict::ok);
    CHECK(verify(answer(h1, n, 2), "REGISTER", realm, h1, now, counter) ==
          digest_verdict::replay);
  }
  SECTION("without qop a nonce is single-use") {
    auto c = answer(h1, n, 0, "");
    CHECK(verify(c, "REGISTER", realm, h1, now, counter) == digest_verdict::ok);
    CHECK(verify(c, "REGISTER", realm, h1, now, counter) ==
          digest_verdict::replay);
    CHECK(verify(answer(h1, n, 5), "REGISTER", realm, h1, now, counter) ==
          digest_verdict::replay);
  }
  SECTION("a wrong digest records nothing") {
    CHECK(verify(answer(wrong, n), "REGISTER", realm, h1, now, counter) ==
          digest_verdict::bad_response);
    CHECK(verify(answer(h1, n), "INVITE", realm, h1, now, counter) ==
          digest_verdict::bad_response); // the method is hashed
    CHECK(verify(answer(h1, n), "REGISTER", realm, h1, now, counter) ==
          digest_verdict::ok);
  }
  SECTION("stale nonces") {
    auto old = nonce_at(t0 - max_age - 20);
    CHECK(verify(answer(h1, old), "REGISTER", realm, h1, now, counter) ==
          digest_verdict::stale_nonce);
    CHECK(verify(answer(wrong, old), "REGISTER", realm, h1, now, counter) ==
          digest_verdict::bad_response);
    auto future = nonce_at(t0 + 10 + nonce_future_tolerance_s + 1);
    CHECK(verify(answer(h1, future), "REGISTER", realm, h1, now, counter) ==
          digest_verdict::stale_nonce);
    CHECK(counter.size() == 0);
  }
  SECTION("nonces that are not ours") {
    auto rotated = nonce_at(t0, 1, "old secret");
    CHECK(verify(answer(h1, rotated), "REGISTER", realm, h1, now, counter) ==
          digest_verdict::stale_nonce);
    CHECK(verify(answer(wrong, rotated), "REGISTER", realm, h1, now, counter) ==
          digest_verdict::bad_nonce);
    CHECK(verify(answer(wrong, "forged"), "REGISTER", realm, h1, now,
                 counter) == digest_verdict::bad_nonce);
    CHECK(verify(answer(h1, nonce_at(t0, 1, secret, "other.org")), "REGISTER",
                 realm, h1, now, counter) == digest_verdict::stale_nonce);
    CHECK(counter.size() == 0);
  }
  SECTION("realm mismatch") {
    auto c = answer(h1, n);
    c.realm = "other.org";
    CHECK(verify(c, "REGISTER", realm, h1, now, counter) ==
          digest_verdict::realm_mismatch);
  }
  SECTION("unsupported qop or no HA1 of that algorithm") {
    auto c = answer(h1, n);
    c.qop = "auth-int";
    CHECK(verify(c, "REGISTER", realm, h1, now, counter) ==
          digest_verdict::unsupported);
    // An empty HA1 must never verify, even with a response computed from it.
    CHECK(verify(answer("", n), "REGISTER", realm, "", now, counter) ==
          digest_verdict::unsupported);
    auto sha = answer(h1, n, 1, "auth", digest_algorithm::sha256);
    CHECK(verify(sha, "REGISTER", realm, h1, now, counter) ==
          digest_verdict::unsupported);
    const auto h256 = must_ha1("alice", realm, "pw", digest_algorithm::sha256);
    CHECK(verify(answer(h256, n, 1, "auth", digest_algorithm::sha256),
                 "REGISTER", realm, h256, now, counter) == digest_verdict::ok);
  }
  SECTION("an evicted nonce gets a fresh one") {
    nonce_counter small{1};
    auto later = nonce_at(t0 + 1, 2);
    CHECK(verify(answer(h1, n), "REGISTER", realm, h1, now, small) ==
          digest_verdict::ok);
    CHECK(verify(answer(h1, later), "REGISTER", realm, h1, now, small) ==
          digest_verdict::ok);
    CHECK(verify(answer(h1, n, 2), "REGISTER", realm, h1, now, small) ==
          digest_verdict::stale_nonce);
  }
  SECTION("the RFC 7616 example is right but its nonce is not ours") {
    auto c = parse_credentials(
        "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
        "uri=\"/dir/index.html\", nonce=\"" +
        std::string(rfc7616_nonce) + "\", nc=00000001, cnonce=\"" +
        std::string(rfc7616_cnonce) +
        "\", qop=auth, response=\"8ca523f5e9506fed4657c9700eebdbec\"");
    REQUIRE(c.ok());
    auto m = must_ha1("Mufasa", rfc7616_realm, "Circle of Life",
                      digest_algorithm::md5);
    CHECK(verify(*c, "GET", rfc7616_realm, m, now, counter) ==
          digest_verdict::stale_nonce);
    CHECK(verify(*c, "GET", rfc7616_realm, wrong, now, counter) ==
          digest_verdict::bad_nonce);
  }
}

TEST_CASE("every verdict has its own name", "[digest]") {
  std::set<std::string_view> names;
  for (int v = 0; v <= static_cast<int>(digest_verdict::unsupported); ++v)
    names.insert(to_string(static_cast<digest_verdict>(v)));
  CHECK(names.size() == 7);
  CHECK_FALSE(names.count("?"));
  CHECK(to_string(nonce_check::stale) == "stale");
  CHECK(to_string(nc_verdict::unknown_evicted) == "unknown_evicted");
}
