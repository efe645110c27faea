#include "sip/auth/digest.hpp"

#include "tests/unit/sip/digest_vectors.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sb::sip::auth;
using namespace sb::test::digest;

namespace {

std::string parse_error(std::string_view header) {
  auto r = parse_credentials(header);
  return r ? std::string("(parsed)") : r.err().message;
}

} // namespace

TEST_CASE("digest algorithm names", "[digest]") {
  CHECK(to_string(digest_algorithm::md5) == "MD5");
  CHECK(to_string(digest_algorithm::sha256) == "SHA-256");
  CHECK(*parse_digest_algorithm("md5") == digest_algorithm::md5);
  CHECK(*parse_digest_algorithm("Sha-256") == digest_algorithm::sha256);
  for (auto sess : {"MD5-sess", "sha-256-SESS"}) {
    auto r = parse_digest_algorithm(sess);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().message.find("-sess") != std::string::npos);
  }
  CHECK_FALSE(parse_digest_algorithm("SHA-512-256").ok());
  CHECK_FALSE(parse_digest_algorithm("").ok());
  CHECK(hex_length(digest_algorithm::md5) == 32);
  CHECK(hex_length(digest_algorithm::sha256) == 64);
}

TEST_CASE("HA1 values match RFC 2617 and RFC 7616", "[digest]") {
  CHECK(must_ha1("Mufasa", rfc2617_realm, "Circle Of Life",
                 digest_algorithm::md5) == "939e7578ed9e3c518a452acee763bce9");
  auto sha = must_ha1("Mufasa", rfc7616_realm, "Circle of Life",
                      digest_algorithm::sha256);
  CHECK(sha ==
        "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232");
  // The realm is part of HA1: the same password elsewhere gives another one.
  auto other = must_ha1("Mufasa", "other.example.org", "Circle of Life",
                        digest_algorithm::sha256);
  CHECK(other != sha);
  CHECK(other.size() == 64);
}

TEST_CASE("responses match RFC 7616, RFC 2617 and the RFC 2069 form",
          "[digest]") {
  auto md5 = must_ha1("Mufasa", rfc7616_realm, "Circle of Life",
                      digest_algorithm::md5);
  CHECK(expected_response(md5, "GET", "/dir/index.html", rfc7616_nonce,
                          "00000001", rfc7616_cnonce, "auth",
                          digest_algorithm::md5) ==
        "8ca523f5e9506fed4657c9700eebdbec");
  auto sha = must_ha1("Mufasa", rfc7616_realm, "Circle of Life",
                      digest_algorithm::sha256);
  CHECK(expected_response(sha, "GET", "/dir/index.html", rfc7616_nonce,
                          "00000001", rfc7616_cnonce, "auth",
                          digest_algorithm::sha256) ==
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  auto old = must_ha1("Mufasa", rfc2617_realm, "Circle Of Life",
                      digest_algorithm::md5);
  CHECK(expected_response(old, "GET", "/dir/index.html", rfc2617_nonce,
                          "00000001", "0a4f113b", "auth",
                          digest_algorithm::md5) ==
        "6629fae49393a05397450978507c4ef1");
  // No qop: H(HA1:nonce:HA2), computed independently with Python's hashlib
  // (RFC 2069's own example response is known to be wrong).
  CHECK(expected_response(old, "GET", "/dir/index.html", rfc2617_nonce, "", "",
                          "", digest_algorithm::md5) ==
        "670fd8c2df070c60b045671b8b24ff02");
  CHECK(expected_response(old, "GET", "/dir/index.html", rfc2617_nonce,
                          "00000001", "0a4f113b", "auth-int",
                          digest_algorithm::md5)
            .empty());
}

TEST_CASE("the RFC 7616 and RFC 2617 Authorization headers parse", "[digest]") {
  auto c = parse_credentials(
      "Digest username=\"Mufasa\",\r\n"
      "       realm=\"http-auth@example.org\",\r\n"
      "       uri=\"/dir/index.html\",\r\n"
      "       algorithm=SHA-256,\r\n"
      "       nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n"
      "       nc=00000001,\r\n"
      "       cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\",\r\n"
      "       qop=auth,\r\n"
      "       response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8"
      "db5856cb6c1\",\r\n"
      "       opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
  REQUIRE(c.ok());
  CHECK(c->username == "Mufasa");
  CHECK(c->realm == rfc7616_realm);
  CHECK(c->uri == "/dir/index.html");
  CHECK(c->algorithm == digest_algorithm::sha256);
  CHECK(c->nonce == rfc7616_nonce);
  CHECK(c->nc == "00000001");
  CHECK(c->nc_value == 1);
  CHECK(c->cnonce == rfc7616_cnonce);
  CHECK(c->qop == "auth");
  CHECK(c->opaque == "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
  auto sha = must_ha1("Mufasa", rfc7616_realm, "Circle of Life",
                      digest_algorithm::sha256);
  CHECK(expected_response(sha, "GET", c->uri, c->nonce, c->nc, c->cnonce,
                          c->qop, c->algorithm) == c->response);

  auto old = parse_credentials(
      "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
      "qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
      "response=\"6629fae49393a05397450978507c4ef1\", "
      "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  REQUIRE(old.ok());
  CHECK(old->algorithm == digest_algorithm::md5); // the default
  CHECK(old->response == "6629fae49393a05397450978507c4ef1");
}

TEST_CASE("credential syntax: quoting, escapes, case and whitespace",
          "[digest]") {
  const std::string rest = "nonce=n, uri=\"sip:a@b\", "
                           "response=\"0123456789abcdef0123456789ABCDEF\"";
  auto c = parse_credentials("dIgEsT\tUserName = \"a,b\\\"c\\\\d\" ,,"
                             " REALM=\"x, y\",\r\n\t" +
                             rest + ",unknown=\"ignored\",");
  REQUIRE(c.ok());
  CHECK(c->username == "a,b\"c\\d");
  CHECK(c->realm == "x, y");
  CHECK(c->nonce == "n");
  CHECK(c->uri == "sip:a@b");
  CHECK(c->response == "0123456789abcdef0123456789abcdef"); // lowercased
  CHECK(c->qop.empty());
  CHECK(c->nc.empty());

  auto quoted_tokens = parse_credentials(
      "Digest username=u, realm=\"\", " + rest +
      ", qop=\"auth\", nc=\"0000000A\", cnonce=c, algorithm=\"md5\", "
      "userhash=false");
  REQUIRE(quoted_tokens.ok());
  CHECK(quoted_tokens->realm.empty());
  CHECK(quoted_tokens->qop == "auth");
  CHECK(quoted_tokens->nc == "0000000A"); // hashed as sent
  CHECK(quoted_tokens->nc_value == 10);
  auto folded =
      parse_credentials("Digest username=\"a\r\n b\", realm=r, " + rest);
  REQUIRE(folded.ok());
  CHECK(folded->username == "a b");
}

TEST_CASE("malformed credentials are refused with a reason phrase",
          "[digest]") {
  const std::string ok_rest = "realm=r, nonce=n, uri=\"sip:a@b\", "
                              "response=\"0123456789abcdef0123456789abcdef\"";
  const std::string base = "Digest username=u, " + ok_rest;
  REQUIRE(parse_credentials(base).ok());
  const std::pair<std::string, std::string> cases[] = {
      {"", "no scheme"},
      {"Basic dXNlcjpwYXNz", "scheme is not Digest"},
      {"Bearer abc", "scheme is not Digest"},
      {"Digestive username=u", "scheme is not Digest"},
      {"Digest", "missing username"},
      {"Digest,username=u", "syntax error after the scheme"},
      {"Digest " + ok_rest, "missing username"},
      {"Digest username=u, nonce=n, uri=x, response=\"0123456789abcdef01234567"
       "89abcdef\"",
       "missing realm"},
      {"Digest username=u, realm=r, uri=x, response=x", "missing nonce"},
      {"Digest username=u, realm=r, nonce=n, response=x", "missing uri"},
      {"Digest username=u, realm=r, nonce=n, uri=x", "missing response"},
      {"Digest username=\"\", " + ok_rest, "empty username, nonce or uri"},
      {base + ", USERNAME=v", "duplicate parameter"},
      {base + ", x=1, X=2", "duplicate parameter"},
      {base + ", opaque", "parameter without a value"},
      {base + ", opaque=", "parameter without a value"},
      {base + ", opaque=\"abc", "unterminated quoted string"},
      {base + ", opaque=\"a\\", "unterminated quoted string"},
      {base + ", opaque=\"a\x01\"", "control character in a quoted string"},
      {base + ", opaque=\"a\nb\"", "control character in a quoted string"},
      {base + "\n, opaque=o", "syntax error"},
      {base + ", opaque=a b", "syntax error"},
      {base + ", @=1", "syntax error"},
      {"Digest username=u, realm=r, nonce=n, uri=x, response=\"0123\"",
       "response is not a digest of the algorithm"},
      {base + ", algorithm=SHA-256",
       "response is not a digest of the algorithm"},
      {"Digest username=u, realm=r, nonce=n, uri=x, response=\"0123456789abcdef"
       "0123456789abcdeg\"",
       "response is not a digest of the algorithm"},
      {base + ", algorithm=MD5-sess",
       "-sess digest algorithms are not supported"},
      {base + ", algorithm=SHA-512", "unsupported digest algorithm"},
      {base + ", userhash=true", "userhash is not supported"},
      {base + ", userhash=maybe", "userhash must be true or false"},
      {base + ", qop=auth", "qop needs nc and cnonce"},
      {base + ", qop=auth, nc=00000001", "qop needs nc and cnonce"},
      {base + ", qop=auth, cnonce=c", "qop needs nc and cnonce"},
      {base + ", qop=\"\"", "empty qop"},
      {base + ", nc=00000001", "nc and cnonce need qop"},
      {base + ", cnonce=c", "nc and cnonce need qop"},
      {base + ", qop=auth, cnonce=c, nc=1", "nc must be 8 hex digits"},
      {base + ", qop=auth, cnonce=c, nc=000000001", "nc must be 8 hex digits"},
      {base + ", qop=auth, cnonce=c, nc=0000000g", "nc must be 8 hex digits"},
      {base + ", qop=auth, cnonce=c, nc=00000000", "nc must be 8 hex digits"},
  };
  for (const auto& [header, reason] : cases) {
    INFO(header);
    auto message = parse_error(header);
    CHECK(message.rfind("Malformed Authorization header: ", 0) == 0);
    CHECK(message.find(reason) != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
  std::string many = base;
  for (int i = 0; i < 40; ++i)
    many += ", p" + std::to_string(i) + "=1";
  CHECK(parse_error(many).find("too many parameters") != std::string::npos);
}

TEST_CASE("challenges list what we support", "[digest]") {
  CHECK(make_challenge("example.org", "abc", digest_algorithm::md5, false) ==
        "Digest realm=\"example.org\", nonce=\"abc\", algorithm=MD5, "
        "qop=\"auth\"");
  CHECK(
      make_challenge("a\"b\\c", "abc", digest_algorithm::sha256, true, "op") ==
      "Digest realm=\"a\\\"b\\\\c\", nonce=\"abc\", opaque=\"op\", "
      "algorithm=SHA-256, qop=\"auth\", stale=true");
}
