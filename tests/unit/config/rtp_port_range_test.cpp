// rtpproxy.minport must be even and leave at least one port pair below
// rtpproxy.maxport; errors name the file, the line and the key.
#include "common/config/loader.hpp"

#include "tests/unit/config/config_fixture.hpp"

#include <catch2/catch.hpp>

using namespace sb::config;
using sb::test::config_fixture;

namespace {

std::string ports(int min, int max) {
  return "rtpproxy:\n  minport: " + std::to_string(min) +
         "\n  maxport: " + std::to_string(max) + "\n";
}

std::string failure(const config_fixture& fx) {
  auto cfg = load(fx.path(), std::nullopt);
  REQUIRE_FALSE(cfg.ok());
  return cfg.err().message;
}

} // namespace

TEST_CASE("config: the media port range", "[config][rtpproxy]") {
  config_fixture fx;
  SECTION("an odd first port") {
    fx.write("config.yml", ports(30001, 40000));
    CHECK(failure(fx) == "config.yml:2: rtpproxy.minport: must be even (RTP "
                         "even, RTCP the next port)");
  }
  SECTION("no pair above the first port") {
    fx.write("config.yml", "# media\n" + ports(30000, 30001));
    CHECK(failure(fx) == "config.yml:4: rtpproxy.maxport: must leave at least "
                         "one port pair above rtpproxy.minport (30000)");
  }
  SECTION("one pair is enough, and the defaults load") {
    fx.write("config.yml", ports(30000, 30002));
    auto cfg = load(fx.path(), std::nullopt);
    INFO((cfg ? std::string() : cfg.err().message));
    REQUIRE(cfg.ok());
    CHECK(cfg->values.rtpproxy.maxport == 30002);
    fx.write("config.yml", "");
    auto d = load(fx.path(), std::nullopt);
    REQUIRE(d.ok());
    CHECK(d->values.rtpproxy.minport == 30000);
    CHECK(d->values.rtpproxy.maxport == 40000);
    CHECK(d->values.rtpproxy.rtp_timeout == 60);
  }
}
