#include "mgmt/auth/basic_auth.hpp"

#include <catch2/catch.hpp>

using namespace sb::mgmt::auth;

TEST_CASE("Basic credentials are parsed", "[auth]") {
  auto c = parse_basic("Basic YWRtaW5pc3RyYXRvcjphZG1pbmlzdHJhdG9y");
  REQUIRE(c);
  CHECK(c->user == "administrator");
  CHECK(c->password == "administrator");
  auto scheme_case = parse_basic("basic  YTo= ");
  REQUIRE(scheme_case);
  CHECK(scheme_case->user == "a");
  CHECK(scheme_case->password.empty());
  auto colon_in_pw = parse_basic("Basic dXNlcjpwYTpzcw==");
  REQUIRE(colon_in_pw);
  CHECK(colon_in_pw->user == "user");
  CHECK(colon_in_pw->password == "pa:ss");
}

TEST_CASE("malformed Basic headers are refused", "[auth]") {
  const char* bad[] = {
      "",
      "Basic",
      "Basic ",
      "Bearer YTo=",
      "Basic bm9jb2xvbg==", // no colon
      "Basic OnB3",         // empty user
      "Basic YTo",          // not a multiple of 4
      "Basic Y*o=",         // not base64
      "Basic Y=o=",         // padding in the middle
      "Basic YT=a",         // padding then data
  };
  for (const char* b : bad) {
    INFO(b);
    CHECK_FALSE(parse_basic(b));
  }
}

TEST_CASE("subscriber logins split at the last @", "[auth]") {
  auto s = split_subscriber_login("alice@example.org");
  REQUIRE(s);
  CHECK(s->first == "alice");
  CHECK(s->second == "example.org");
  auto odd = split_subscriber_login("a@b@example.org");
  REQUIRE(odd);
  CHECK(odd->first == "a@b");
  CHECK_FALSE(split_subscriber_login("alice"));
  CHECK_FALSE(split_subscriber_login("@example.org"));
  CHECK_FALSE(split_subscriber_login("alice@"));
}
