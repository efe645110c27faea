#include "common/config/diff.hpp"
#include "common/config/history.hpp"
#include "common/fs.hpp"

#include "tests/unit/config/config_fixture.hpp"

#include <catch2/catch.hpp>

using namespace sb::config;
using sb::test::config_fixture;

TEST_CASE("diff lists changed settings with how they apply", "[config]") {
  config_fixture fx;
  auto before = load(fx.path(), std::nullopt);
  REQUIRE(before.ok());
  fx.write("config.local.yml",
           "logging:\n  level: debug\nmgmt:\n  port: 2443\n");
  auto after = load(fx.path(), std::nullopt);
  REQUIRE(after.ok());
  auto changes = diff(*before, *after);
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].key == "logging.level");
  CHECK(changes[0].before == "info");
  CHECK(changes[0].after == "debug");
  CHECK(changes[0].mode == apply_mode::reload);
  CHECK(changes[1].key == "mgmt.port");
  CHECK(changes[1].mode == apply_mode::restart);
  CHECK(diff(*after, *after).empty());
}

TEST_CASE("a reload takes over reloadable settings only", "[config]") {
  config_fixture fx;
  auto running = load(fx.path(), std::nullopt);
  REQUIRE(running.ok());
  fx.write("config.local.yml", "logging:\n  level: error\nmgmt:\n  port: "
                               "2443\n  drain_timeout_ms: 100\n");
  auto fresh = load(fx.path(), std::nullopt);
  REQUIRE(fresh.ok());
  auto plan = plan_reload(*running, *fresh);
  CHECK(plan.running.logging.level == "error");
  CHECK(plan.running.mgmt.drain_timeout_ms == 100);
  CHECK(plan.running.mgmt.port == 1443);
  REQUIRE(plan.applied.size() == 2);
  REQUIRE(plan.restart_required.size() == 1);
  CHECK(plan.restart_required[0].key == "mgmt.port");
}

TEST_CASE("a network change is a restart-only change", "[config]") {
  config_fixture fx;
  auto before = load(fx.path(), std::nullopt);
  REQUIRE(before.ok());
  fx.write("network.yml", R"(hosts:
  sp1:
    role: [lb, proxy, db, mgmt]
    interfaces: [lo]
    lo:
      ip: 127.0.0.5
      type: [sip_ext, rtp_ext, api_int, ha_int]
)");
  auto after = load(fx.path(), std::nullopt);
  REQUIRE(after.ok());
  auto changes = diff(*before, *after);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].key == "network.hosts.sp1");
  CHECK(changes[0].after.find("127.0.0.5") != std::string::npos);
  CHECK(changes[0].mode == apply_mode::restart);
}

TEST_CASE("show and build render effective values with their source",
          "[config]") {
  config_fixture fx;
  auto cfg = load(fx.path(), std::nullopt);
  REQUIRE(cfg.ok());
  auto port = show_key(*cfg, "mgmt.port");
  REQUIRE(port.ok());
  CHECK(port->rfind("mgmt.port: 1443  # restart, config.yml:", 0) == 0);
  auto section = show_key(*cfg, "logging");
  REQUIRE(section.ok());
  CHECK(section->find("logging.level: info  # reload") != std::string::npos);
  CHECK(section->find("logging.format") != std::string::npos);
  CHECK_FALSE(show_key(*cfg, "logging.nope").ok());
  auto yaml = render_effective(*cfg);
  CHECK(yaml.find("mgmt:\n  port: 1443") != std::string::npos);
  CHECK(YAML::Load(yaml)["mgmt"]["port"].as<int>() == 1443);
}

TEST_CASE("history commits snapshots and reports changed files", "[config]") {
  config_fixture fx;
  history h(fx.path());
  CHECK(h.list()->empty());
  CHECK(h.changed_files()->size() == 3); // everything is new
  auto c1 = h.commit("initial", "tester", 1000);
  REQUIRE(c1.ok());
  CHECK(c1->id == 1);
  CHECK(c1->fingerprint == fingerprint_dir(fx.path()));
  CHECK(h.changed_files()->empty());

  fx.write("config.local.yml", "logging:\n  level: debug\n");
  auto changed = h.changed_files();
  REQUIRE(changed->size() == 1);
  CHECK((*changed)[0].name == "config.local.yml");
  CHECK((*changed)[0].what == "added");

  auto c2 = h.commit("debug logs", "tester", 2000);
  REQUIRE(c2.ok());
  CHECK(c2->id == 2);
  auto all = h.list();
  REQUIRE(all->size() == 2);
  CHECK((*all)[1].message == "debug logs");
  CHECK((*all)[1].time_s == 2000);

  // A snapshot loads like a configuration directory.
  auto old = load(h.snapshot_dir(1), std::nullopt);
  REQUIRE(old.ok());
  CHECK(old->values.logging.level == "info");

  std::filesystem::remove(fx.dir / "config.local.yml");
  CHECK((*h.changed_files())[0].what == "removed");
}

TEST_CASE("docs/config.md carries the reference table of every setting",
          "[config][docs]") {
  auto doc = sb::fs::read_file(std::filesystem::path(SB_SOURCE_DIR) / "docs" /
                               "config.md");
  REQUIRE(doc.ok());
  // Regenerate with: build/bin/sbctl config schema
  CHECK(doc->find(schema_markdown()) != std::string::npos);
}
