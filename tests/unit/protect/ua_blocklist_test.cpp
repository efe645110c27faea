#include "sip/protect/ua_blocklist.hpp"

#include "common/config/settings.hpp"

#include <catch2/catch.hpp>

using sb::sip::protect::ua_blocklist;

TEST_CASE("User-Agent patterns match case-insensitive substrings",
          "[protect]") {
  ua_blocklist list({"friendly-scanner", "VaxSIPUserAgent", "sipcli"});
  CHECK(list.blocked("friendly-scanner"));
  CHECK(list.blocked("Friendly-Scanner/1.0"));
  CHECK(list.blocked("vaxsipuseragent/3.1"));
  CHECK(list.blocked("X sipcli/v1.63"));
  CHECK_FALSE(list.blocked("Linphone/5.0"));
  CHECK_FALSE(list.blocked("friendly scanner"));
  CHECK_FALSE(list.blocked(""));
  CHECK(list.patterns() == std::vector<std::string>{"friendly-scanner",
                                                    "vaxsipuseragent",
                                                    "sipcli"});
}

TEST_CASE("empty patterns are ignored", "[protect]") {
  ua_blocklist list({"", "iWar", ""});
  CHECK(list.patterns().size() == 1);
  CHECK_FALSE(list.blocked("Linphone/5.0"));
  CHECK(list.blocked("IWAR"));
  CHECK(ua_blocklist({""}).empty());
  CHECK_FALSE(ua_blocklist({""}).blocked("anything"));
  CHECK_FALSE(ua_blocklist{}.blocked("anything"));
}

TEST_CASE("the default list blocks scanners, not test tools", "[protect]") {
  ua_blocklist list(sb::config::settings{}.security.block_useragents);
  CHECK(list.blocked("friendly-scanner"));
  CHECK(list.blocked("sipvicious 0.3.4"));
  CHECK(list.blocked("PPLSIP"));
  CHECK(list.blocked("sundayddr"));
  CHECK(list.blocked("SIVuS Discovery"));
  CHECK(list.blocked("smap 0.6.0"));
  CHECK_FALSE(list.blocked("sipsak 0.9.8"));
  CHECK_FALSE(list.blocked("Switchboard"));
  CHECK_FALSE(list.blocked("Linphone/5.2.0 (belle-sip/5.2.0)"));
  CHECK_FALSE(list.blocked("Zoiper rv2.10"));
}
