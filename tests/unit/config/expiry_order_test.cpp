// registrar.min_expires <= default_expires <= max_expires is checked at
// load, and the error names the file, the line and the key.
#include "common/config/loader.hpp"

#include "tests/unit/config/config_fixture.hpp"

#include <catch2/catch.hpp>

using namespace sb::config;
using sb::test::config_fixture;

namespace {

std::string failure(const config_fixture& fx) {
  auto cfg = load(fx.path(), std::nullopt);
  REQUIRE_FALSE(cfg.ok());
  return cfg.err().message;
}

std::string registrar(int min, int max, int def) {
  return "registrar:\n  min_expires: " + std::to_string(min) +
         "\n  max_expires: " + std::to_string(max) +
         "\n  default_expires: " + std::to_string(def) + "\n";
}

} // namespace

TEST_CASE("config: default_expires below min_expires is refused",
          "[config][expiry_order]") {
  config_fixture fx;
  fx.write("config.yml", registrar(120, 3600, 60));
  CHECK(failure(fx) == "config.yml:4: registrar.default_expires: must not be "
                       "below registrar.min_expires (120)");
}

TEST_CASE("config: default_expires above max_expires is refused",
          "[config][expiry_order]") {
  config_fixture fx;
  fx.write("config.yml", "# comment\n" + registrar(60, 600, 3600));
  CHECK(failure(fx) == "config.yml:5: registrar.default_expires: must not "
                       "exceed registrar.max_expires (600)");
}

TEST_CASE("config: the expiry order at its bounds loads",
          "[config][expiry_order]") {
  config_fixture fx;
  SECTION("all equal") {
    fx.write("config.yml", registrar(600, 600, 600));
    auto cfg = load(fx.path(), std::nullopt);
    INFO((cfg ? std::string() : cfg.err().message));
    REQUIRE(cfg.ok());
    CHECK(cfg->values.registrar.default_expires == 600);
  }
  SECTION("min < default < max") {
    fx.write("config.yml", registrar(30, 7200, 1800));
    auto cfg = load(fx.path(), std::nullopt);
    REQUIRE(cfg.ok());
    CHECK(cfg->values.registrar.min_expires == 30);
    CHECK(cfg->values.registrar.max_expires == 7200);
    CHECK(cfg->values.registrar.default_expires == 1800);
  }
}

TEST_CASE("config: the order is checked against defaults too",
          "[config][expiry_order]") {
  config_fixture fx;
  // default_expires keeps its default (3600) and names config.yml.
  fx.write("config.yml", "registrar:\n  max_expires: 1800\n");
  auto msg = failure(fx);
  CHECK(msg.rfind("config.yml:", 0) == 0);
  CHECK(msg.find("registrar.default_expires: must not exceed "
                 "registrar.max_expires (1800)") != std::string::npos);
}
