#pragma once

// Published test vectors of digest authentication, shared by the digest
// tests.

#include "sip/auth/digest.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

namespace sb::test::digest {

// RFC 7616 section 3.9.1.
constexpr std::string_view rfc7616_nonce =
    "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr std::string_view rfc7616_cnonce =
    "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
constexpr std::string_view rfc7616_realm = "http-auth@example.org";

// RFC 2617 section 3.5.
constexpr std::string_view rfc2617_realm = "testrealm@host.com";
constexpr std::string_view rfc2617_nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";

/// HA1 of the arguments; the test fails if OpenSSL cannot compute it.
inline std::string must_ha1(std::string_view user, std::string_view r,
                            std::string_view password,
                            sip::auth::digest_algorithm a) {
  auto h = sip::auth::ha1(user, r, password, a);
  REQUIRE(h.ok());
  return *h;
}

} // namespace sb::test::digest
