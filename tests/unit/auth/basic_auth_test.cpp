#include "mgmt/auth/basic_auth.hpp"

#include <catch2/catch.hpp>

#include <string>

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
      "Basic ====",
      "Basic YTo=YTo=", // padding before the end
      "Basic YTo=\n",   // EVP_DecodeBlock would trim this
      "Basic\tYTo=",
      "Basic YT o=",
      "Basic YTo-", // URL-safe alphabet
      "Basic YTo_",
      "Basic YWIA",     // "ab\0": no colon, and a NUL
      "Basic YTpiAA==", // "a:b\0": control character in the password
      "Basic AGE6Yg==", // "\0a:b": control character in the user
      "Basic Og==",     // ":" alone
      "BasicYTo=",
      "Digest username=\"a\"",
  };
  for (const char* b : bad) {
    INFO(b);
    CHECK_FALSE(parse_basic(b));
  }
}

TEST_CASE("Basic padding variants decode to the exact bytes", "[auth]") {
  // "ab:c" (no padding), "ab:cd" (one '='), "ab:cde" (none), "a:b" (none),
  // "ab:" (none), "abc:d" (two '=').
  struct row {
    const char* header;
    const char* user;
    const char* password;
  } rows[] = {
      {"Basic YWI6Yw==", "ab", "c"},   {"Basic YWI6Y2Q=", "ab", "cd"},
      {"Basic YWI6Y2Rl", "ab", "cde"}, {"Basic YTpi", "a", "b"},
      {"Basic YWI6", "ab", ""},        {"Basic YWJjOmQ=", "abc", "d"},
      {"BASIC YTpi", "a", "b"},
  };
  for (const auto& r : rows) {
    INFO(r.header);
    auto c = parse_basic(r.header);
    REQUIRE(c);
    CHECK(c->user == r.user);
    CHECK(c->password == r.password);
  }
}

TEST_CASE("Basic credentials keep UTF-8 and @ in the user", "[auth]") {
  // "jürgen@example.org:pässword"
  auto c = parse_basic("Basic asO8cmdlbkBleGFtcGxlLm9yZzpww6Rzc3dvcmQ=");
  REQUIRE(c);
  CHECK(c->user == "j\xc3\xbcrgen@example.org");
  CHECK(c->password == "p\xc3\xa4ssword");
  auto login = split_subscriber_login(c->user);
  REQUIRE(login);
  CHECK(login->second == "example.org");
}

TEST_CASE("oversized Basic tokens are refused", "[auth]") {
  CHECK_FALSE(parse_basic("Basic " + std::string(4100, 'Y')));
  std::string token;
  for (int i = 0; i < 1023; ++i)
    token += "QUFB"; // "AAA"
  auto c = parse_basic("Basic " + token + "YTpi");
  REQUIRE(c);
  CHECK(c->user.size() == 3070);
  CHECK(c->password == "b");
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
