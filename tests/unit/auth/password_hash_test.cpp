#include "mgmt/auth/password_hash.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

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
  CHECK_FALSE(verify_password("passwd", "pbkdf2-sha256$2$c2FsdA==$VawEblbjCJ/"
                                        "sFpHCJUS2BflBhSFt3gRl5oudV8INrLw="));
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
      "pbkdf2-sha256$+1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$ 1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "PBKDF2-SHA256$1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      // Lenient base64 EVP_DecodeBlock alone would accept.
      "pbkdf2-sha256$1$c2FsdA== $VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$1$c2=sdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw",
      "pbkdf2-sha256$1$c2FsdA==$VawEblbjCJ_sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      // A 33-byte hash, and the right one without its last byte.
      "pbkdf2-sha256$1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLwA",
      "pbkdf2-sha256$1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrA==",
      "$$$",
      "pbkdf2-sha256$1$$",
      "pbkdf2-sha256$1$====$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
  };
  for (const char* b : bad) {
    INFO(b);
    CHECK_FALSE(verify_password("passwd", b));
    CHECK(needs_rehash(b));
  }
}

TEST_CASE("malformed stored hashes with embedded NULs never match", "[auth]") {
  using namespace std::string_literals;
  auto nul =
      "pbkdf2-sha256$1\0$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw="s;
  CHECK_FALSE(verify_password("passwd", nul));
  auto h = hash_password("x", 10);
  REQUIRE(h.ok());
  for (size_t cut = 0; cut < h->size(); ++cut) {
    INFO(cut);
    CHECK_FALSE(verify_password("x", std::string_view(*h).substr(0, cut)));
  }
}

TEST_CASE("empty and long passwords hash and verify", "[auth]") {
  auto empty = hash_password(std::string_view{}, 10);
  REQUIRE(empty.ok());
  CHECK(verify_password("", *empty));
  CHECK_FALSE(verify_password("x", *empty));
  std::string long_pw(1000, 'p');
  auto h = hash_password(long_pw, 10);
  REQUIRE(h.ok());
  CHECK(verify_password(long_pw, *h));
  CHECK_FALSE(verify_password(long_pw.substr(1), *h));
}

TEST_CASE("default iteration count is used and encoded", "[auth]") {
  auto h = hash_password("pw");
  REQUIRE(h.ok());
  CHECK(h->rfind("pbkdf2-sha256$100000$", 0) == 0);
  CHECK_FALSE(needs_rehash(*h));
  CHECK(verify_password("pw", *h));
}

TEST_CASE("weaker hashes are flagged for rehashing", "[auth]") {
  auto h = hash_password("x", 10);
  CHECK(needs_rehash(*h, 20));
  CHECK_FALSE(needs_rehash(*h, 10));
  CHECK_FALSE(needs_rehash(*h, 5));
  CHECK_FALSE(hash_password("x", 0).ok());
  CHECK_FALSE(hash_password("x", 10'000'001).ok());
}
