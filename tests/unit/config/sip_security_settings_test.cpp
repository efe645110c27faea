#include "common/config/diff.hpp"
#include "common/config/loader.hpp"
#include "common/config/schema.hpp"

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

} // namespace

TEST_CASE("the shipped conf/ carries the SIP, registrar and security defaults",
          "[config]") {
  config_fixture fx;
  auto cfg = load(fx.path(), std::nullopt);
  REQUIRE(cfg.ok());
  const settings defaults;
  const auto& v = cfg->values;
  CHECK(v.sip.port == 5060);
  CHECK(v.sip.tls_port == 5061);
  CHECK(v.sip.tls_cert.empty());
  CHECK(v.sip.max_message_bytes == 65535);
  CHECK(v.sip.user_agent == "Switchboard");
  CHECK(v.sip.nat_keepalive_interval_s == 30);
  CHECK(v.registrar.min_expires == 60);
  CHECK(v.registrar.default_expires == 3600);
  CHECK(v.registrar.max_contacts == 5);
  CHECK(v.security.dos_ban_enable);
  CHECK(v.security.dos_reqs_density_per_unit == 50);
  CHECK(v.security.dos_whitelist_ip.empty());
  CHECK(v.security.failed_auth_attempts == 3);
  CHECK(v.security.failed_auth_ban_time == 3600);
  CHECK(v.security.block_useragents == defaults.security.block_useragents);
  CHECK(v.security.block_useragents.size() == 11);
  // Every new key is written out in config.yml.
  for (const auto& f : schema())
    if (f.path.rfind("sip.", 0) == 0 || f.path.rfind("registrar.", 0) == 0 ||
        f.path.rfind("security.", 0) == 0) {
      INFO(f.path);
      CHECK(cfg->origin.count(f.path) == 1);
    }
}

TEST_CASE("a whitelist entry that is no IP network names its index",
          "[config]") {
  config_fixture fx;
  SECTION("bad address") {
    fx.write("config.yml",
             "security:\n  dos_whitelist_ip: [10.0.0.0/8, 10.0.0.300]\n");
    CHECK(failure(fx) == "config.yml:2: security.dos_whitelist_ip: item 1: "
                         "\"10.0.0.300\" is not an IP address");
  }
  SECTION("prefix too long") {
    fx.write("config.yml", "security:\n  dos_whitelist_ip:\n    - 192.0.2.1\n"
                           "    - 2001:db8::/129\n");
    CHECK(failure(fx) == "config.yml:3: security.dos_whitelist_ip: item 1: "
                         "\"2001:db8::/129\": prefix length 129 exceeds 128");
  }
  SECTION("not a list") {
    fx.write("config.yml", "security:\n  dos_whitelist_ip: 10.0.0.1\n");
    CHECK(failure(fx) == "config.yml:2: security.dos_whitelist_ip: expected "
                         "a list, got \"10.0.0.1\"");
  }
  SECTION("an item that is not a string") {
    fx.write("config.yml", "security:\n  block_useragents: [a, {b: 1}]\n");
    CHECK(failure(fx) == "config.yml:2: security.block_useragents: item 1: "
                         "expected a string, got a mapping");
  }
}

TEST_CASE("string lists load, render as flow sequences and reload",
          "[config]") {
  config_fixture fx;
  auto running = load(fx.path(), std::nullopt);
  REQUIRE(running.ok());
  fx.write("config.local.yml",
           "security:\n  dos_whitelist_ip: [192.0.2.1, \"2001:db8::/32\"]\n"
           "  block_useragents:\n");
  auto fresh = load(fx.path(), std::nullopt);
  REQUIRE(fresh.ok());
  CHECK(fresh->values.security.dos_whitelist_ip ==
        std::vector<std::string>{"192.0.2.1", "2001:db8::/32"});
  CHECK(fresh->values.security.block_useragents.empty());

  const auto* wl = find_field("security.dos_whitelist_ip");
  REQUIRE(wl);
  CHECK(wl->render(running->values) == "[]");
  CHECK(wl->render(fresh->values) == "[192.0.2.1, 2001:db8::/32]");
  // Rendered lists are valid YAML again, also with items ending in ':'.
  settings odd;
  odd.security.dos_whitelist_ip = {"2001:db8::", "::", "10.0.0.0/8"};
  settings back;
  REQUIRE_FALSE(wl->assign(YAML::Load(wl->render(odd)), back));
  CHECK(back.security.dos_whitelist_ip == odd.security.dos_whitelist_ip);
  CHECK(find_field("security.block_useragents")
            ->render(settings{})
            .rfind("[friendly-scanner, sipvicious, ", 0) == 0);

  auto plan = plan_reload(*running, *fresh);
  CHECK(plan.restart_required.empty());
  REQUIRE(plan.applied.size() == 2);
  CHECK(plan.running.security.dos_whitelist_ip ==
        fresh->values.security.dos_whitelist_ip);
  CHECK(plan.running.security.block_useragents.empty());

  auto yaml = YAML::Load(render_effective(*fresh));
  CHECK(yaml["security"]["dos_whitelist_ip"][1].as<std::string>() ==
        "2001:db8::/32");
}

TEST_CASE("an unknown security key is refused", "[config]") {
  config_fixture fx;
  fx.write("config.yml", "security:\n  dos_ban_enable: true\n"
                         "  dos_ban_enabled: false\n");
  CHECK(failure(fx) == "config.yml:3: security.dos_ban_enabled: unknown key");
}

TEST_CASE("SIP and registrar ranges are checked", "[config]") {
  config_fixture fx;
  SECTION("message size") {
    fx.write("config.yml", "sip:\n  max_message_bytes: 512\n");
    CHECK(failure(fx) == "config.yml:2: sip.max_message_bytes: value 512 is "
                         "out of range 1024..1048576");
  }
  SECTION("keepalive 0 is off, not an error") {
    fx.write("config.yml", "sip:\n  nat_keepalive_interval_s: 0\n");
    auto cfg = load(fx.path(), std::nullopt);
    REQUIRE(cfg.ok());
    CHECK(cfg->values.sip.nat_keepalive_interval_s == 0);
  }
  SECTION("nonce age") {
    fx.write("config.yml", "sip:\n  nonce_max_age_s: 5\n");
    CHECK(failure(fx) == "config.yml:2: sip.nonce_max_age_s: value 5 is out "
                         "of range 10..86400");
  }
  SECTION("negative max_contacts") {
    fx.write("config.yml", "registrar:\n  max_contacts: -1\n");
    CHECK(failure(fx) == "config.yml:2: registrar.max_contacts: value -1 is "
                         "out of range 0..1000");
  }
  SECTION("restart and reload modes") {
    CHECK(find_field("sip.port")->mode == apply_mode::restart);
    CHECK(find_field("sip.tls_key")->mode == apply_mode::restart);
    CHECK(find_field("sip.user_agent")->mode == apply_mode::reload);
    CHECK(find_field("registrar.max_expires")->mode == apply_mode::reload);
    CHECK(find_field("security.block_useragents")->mode == apply_mode::reload);
    CHECK(find_field("security.dos_whitelist_ip")->home == home_file::config);
  }
}
