#include "mgmt/auth/password_hash.hpp"

#include <catch2/catch.hpp>

using namespace sb::mgmt::auth;

TEST_CASE("hashed passwords verify, wrong ones do not", "[auth]") {
  auto h = hash_password("administrator", 1000);
  REQUIRE(h.ok());
  CHECK(h->rfind("pbkdf2-sha256$1000$", 0) == 0);
  CHECK(verify_password("administrator", *h));
  CHECK_FALSE(verify_password("Administrator", *h));
  CHECK_FALSE(verify_password("", *h));
  auto again = hash_password("administrator", 1000);
  CHECK(*again != *h); // a new salt each time
  CHECK(verify_password("administrator", *again));
}

TEST_CASE("PBKDF2-HMAC-SHA256 matches RFC 7914 section 11", "[auth]") {
  // P="passwd", S="salt", c=1: first 32 bytes of the 64-byte vector
  // 55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc.
  const std::string known =
      "pbkdf2-sha256$1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=";
  CHECK(verify_password("passwd", known));
  CHECK_FALSE(verify_password("passwe", known));
}

TEST_CASE("malformed stored hashes never match", "[auth]") {
  const char* bad[] = {
      "",
      "plain",
      "pbkdf2-sha256$",
      "pbkdf2-sha256$1$c2FsdA==",
      "pbkdf2-sha1$1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$0$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$-1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$99999999999$c2FsdA==$VawEblbjCJ/"
      "sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$1$$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$1$c2FsdA==$short",
      "pbkdf2-sha256$1$c2F*dA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=$x",
      "pbkdf2-sha256$1x$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
  };
  for (const char* b : bad) {
    INFO(b);
    CHECK_FALSE(verify_password("passwd", b));
    CHECK(needs_rehash(b));
  }
}

TEST_CASE("weaker hashes are flagged for rehashing", "[auth]") {
  auto h = hash_password("x", 10);
  CHECK(needs_rehash(*h, 20));
  CHECK_FALSE(needs_rehash(*h, 10));
  CHECK_FALSE(hash_password("x", 0).ok());
}

TEST_CASE("SIP HA1 values match RFC 2617 and RFC 7616", "[auth]") {
  CHECK(sip_ha1("Mufasa", "testrealm@host.com", "Circle Of Life",
                digest_algorithm::md5) == "939e7578ed9e3c518a452acee763bce9");
  CHECK(sip_ha1("Mufasa", "http-auth@example.org", "Circle of Life",
                digest_algorithm::sha256) ==
        "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232");
}
