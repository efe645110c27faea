#include "common/config/loader.hpp"

#include "tests/unit/config/config_fixture.hpp"

#include <catch2/catch.hpp>

using namespace sb::config;
using sb::test::config_fixture;

namespace {

// The error text of a load that must fail.
std::string failure(const config_fixture& fx,
                    std::optional<std::string> node = std::nullopt) {
  auto cfg = load(fx.path(), node);
  REQUIRE_FALSE(cfg.ok());
  return cfg.err().message;
}

const char* minimal_network = R"(hosts:
  sp1:
    role: [proxy]
    interfaces: [lo]
    lo:
      ip: 127.0.0.1
      type: [ha_int]
)";

} // namespace

TEST_CASE("the shipped conf/ loads with its documented defaults", "[config]") {
  config_fixture fx;
  auto cfg = load(fx.path(), std::nullopt);
  REQUIRE(cfg.ok());
  CHECK(cfg->node == "sp1");
  CHECK(cfg->values.mgmt.port == 1443);
  CHECK(cfg->values.logging.level == "info");
  CHECK(cfg->values.actors.scheduler_policy == "sharing");
  CHECK(cfg->values.cluster.heartbeat_interval_ms == 200);
  CHECK(cfg->host().has_role("mgmt"));
  CHECK(cfg->host().interface_of_type("api_int")->ip == "127.0.0.1");
  CHECK(cfg->origin.at("mgmt.port").file == "config.yml");
  CHECK(cfg->origin.at("redis.key_prefix").file == "constants.yml");
  CHECK(resolve(*cfg, cfg->values.general.data_dir) ==
        (fx.dir.path() / "../var/sp1").lexically_normal());
  CHECK(cfg->fingerprint.size() == 16);
}

TEST_CASE("an unknown key names the file, the line and the key path",
          "[config]") {
  config_fixture fx;
  fx.write("config.yml", "logging:\n  level: info\n  colour: blue\n");
  CHECK(failure(fx) == "config.yml:3: logging.colour: unknown key");
}

TEST_CASE("an unknown section is an unknown key", "[config]") {
  config_fixture fx;
  fx.write("config.yml", "\n\nkamailio:\n  lb: {}\n");
  CHECK(failure(fx) == "config.yml:3: kamailio: unknown key");
}

TEST_CASE("a wrong type is an error", "[config]") {
  config_fixture fx;
  SECTION("string for an integer") {
    fx.write("config.yml", "mgmt:\n  port: \"1443\"\n");
    CHECK(failure(fx) ==
          "config.yml:2: mgmt.port: expected an integer, got the string "
          "\"1443\"");
  }
  SECTION("word for an integer") {
    fx.write("config.yml", "mgmt:\n  port: many\n");
    CHECK(failure(fx) ==
          "config.yml:2: mgmt.port: expected an integer, got \"many\"");
  }
  SECTION("list for a boolean") {
    fx.write("config.yml", "cluster:\n  enable: [1]\n");
    CHECK(failure(fx) ==
          "config.yml:2: cluster.enable: expected true or false, got a list");
  }
  SECTION("scalar for a section") {
    fx.write("config.yml", "mgmt: 5\n");
    CHECK(failure(fx) ==
          "config.yml:1: mgmt: expected a mapping (this is a section)");
  }
  SECTION("mapping for a string") {
    fx.write("config.yml", "redis:\n  host: {a: 1}\n");
    CHECK(failure(fx) ==
          "config.yml:2: redis.host: expected a string, got a mapping");
  }
  SECTION("value outside a choice") {
    fx.write("config.yml", "logging:\n  level: loud\n");
    CHECK(failure(fx) == "config.yml:2: logging.level: \"loud\" is not one "
                         "of: trace, debug, info, warn, error, critical, off");
  }
}

TEST_CASE("an out-of-range value is an error", "[config]") {
  config_fixture fx;
  fx.write("config.yml", "mgmt:\n  port: 70000\n");
  CHECK(failure(fx) ==
        "config.yml:2: mgmt.port: value 70000 is out of range 1..65535");
}

TEST_CASE("every problem of a file is reported, not only the first",
          "[config]") {
  config_fixture fx;
  fx.write("config.yml", "mgmt:\n  port: 0\n  nope: 1\nlogging:\n  level: x\n");
  auto msg = failure(fx);
  CHECK(msg.find("config.yml:2: mgmt.port") != std::string::npos);
  CHECK(msg.find("config.yml:3: mgmt.nope: unknown key") != std::string::npos);
  CHECK(msg.find("config.yml:5: logging.level") != std::string::npos);
}

TEST_CASE("YAML syntax errors carry the line", "[config]") {
  config_fixture fx;
  fx.write("config.yml", "mgmt:\n  port: 1443\n  bad: [unclosed\n");
  auto msg = failure(fx);
  CHECK(msg.rfind("config.yml:", 0) == 0);
  CHECK(msg.find("YAML syntax error") != std::string::npos);
}

TEST_CASE("duplicate keys are refused", "[config]") {
  config_fixture fx;
  fx.write("config.yml", "mgmt:\n  port: 1443\n  port: 1444\n");
  CHECK(failure(fx) == "config.yml:3: mgmt.port: duplicate key");
}

TEST_CASE("keys must live in their home file", "[config]") {
  config_fixture fx;
  SECTION("a constant in config.yml") {
    fx.write("config.yml", "redis:\n  key_prefix: x\n");
    CHECK(failure(fx) == "config.yml:2: redis.key_prefix: belongs in "
                         "constants.yml, not in this file");
  }
  SECTION("an operator setting in constants.yml") {
    fx.write("constants.yml", "mgmt:\n  port: 1\n");
    CHECK(failure(fx) == "constants.yml:2: mgmt.port: belongs in config.yml, "
                         "not in this file");
  }
}

TEST_CASE("missing required files are reported", "[config]") {
  config_fixture fx;
  std::filesystem::remove(fx.dir / "constants.yml");
  CHECK(failure(fx).rfind("constants.yml: missing", 0) == 0);
  std::filesystem::remove(fx.dir / "network.yml");
  CHECK(failure(fx).rfind("network.yml: missing", 0) == 0);
}

TEST_CASE("a top-level document that is not a mapping is refused", "[config]") {
  config_fixture fx;
  fx.write("config.yml", "- a\n- b\n");
  CHECK(failure(fx) == "config.yml:1: expected a mapping of sections");
}

TEST_CASE("an empty config.yml means every default", "[config]") {
  config_fixture fx;
  fx.write("config.yml", "# nothing set\n");
  auto cfg = load(fx.path(), std::nullopt);
  REQUIRE(cfg.ok());
  CHECK(cfg->values.mgmt.port == 1443);
  CHECK(cfg->origin.count("mgmt.port") == 0);
}

TEST_CASE("per-node overrides take precedence in handbook order", "[config]") {
  config_fixture fx;
  fx.write("config.yml", "mgmt:\n  port: 1443\nlogging:\n  level: info\n");
  fx.write("config.sp1.yml", "mgmt:\n  port: 2443\nlogging:\n  level: debug\n");
  fx.write("config.local.yml", "logging:\n  level: warn\n");
  auto cfg = load(fx.path(), std::nullopt);
  REQUIRE(cfg.ok());
  CHECK(cfg->values.mgmt.port == 2443);
  CHECK(cfg->values.logging.level == "warn");
  CHECK(cfg->origin.at("mgmt.port").file == "config.sp1.yml");
  CHECK(cfg->origin.at("logging.level").file == "config.local.yml");
  CHECK(cfg->files == std::vector<std::string>{"config.yml", "config.sp1.yml",
                                               "config.local.yml",
                                               "constants.yml"});
}

TEST_CASE("an override file for a host that does not exist is an error",
          "[config]") {
  config_fixture fx;
  fx.write("config.sp9.yml", "mgmt:\n  port: 2443\n");
  CHECK(failure(fx) == "config.sp9.yml: override file for \"sp9\", which is "
                       "not a host in network.yml");
}

TEST_CASE("node selection", "[config]") {
  config_fixture fx;
  fx.write("network.yml", std::string(minimal_network) + R"(  sp2:
    role: [proxy]
    interfaces: [lo]
    lo:
      ip: 127.0.0.2
      type: [ha_int]
)");
  CHECK(failure(fx) == "network.yml describes 2 hosts; choose one with --node");
  CHECK(failure(fx, "sp3") ==
        "network.yml: no host named \"sp3\" (hosts: sp1, sp2)");
  auto cfg = load(fx.path(), "sp2");
  REQUIRE(cfg.ok());
  CHECK(cfg->host().interfaces.front().ip == "127.0.0.2");
  auto all = load_all(fx.path());
  REQUIRE(all.ok());
  CHECK(all->size() == 2);
}

TEST_CASE("network.yml problems name the file, line and key", "[config]") {
  config_fixture fx;
  SECTION("unknown role") {
    fx.write("network.yml", R"(hosts:
  sp1:
    role: [proxy, dancer]
    interfaces: [lo]
    lo: {ip: 127.0.0.1, type: [ha_int]}
)");
    CHECK(failure(fx) == "network.yml:3: hosts.sp1.role: unknown role "
                         "\"dancer\" (known: lb, proxy, db, mgmt)");
  }
  SECTION("bad address") {
    fx.write("network.yml", R"(hosts:
  sp1:
    role: [proxy]
    interfaces: [lo]
    lo:
      ip: 127.0.0.300
      type: [ha_int]
)");
    CHECK(failure(fx) ==
          "network.yml:6: hosts.sp1.lo.ip: expected an IP address");
  }
  SECTION("interface not listed") {
    fx.write("network.yml", std::string(minimal_network) +
                                "    eth0: {ip: 10.0.0.1, type: [sip_ext]}\n");
    CHECK(failure(fx) == "network.yml:8: hosts.sp1.eth0: unknown key (an "
                         "interface must also be listed in interfaces)");
  }
  SECTION("mgmt role without api_int") {
    fx.write("network.yml", R"(hosts:
  sp1:
    role: [mgmt]
    interfaces: [lo]
    lo: {ip: 127.0.0.1, type: [ha_int]}
)");
    CHECK(failure(fx) == "network.yml:3: hosts.sp1: has role mgmt but no "
                         "interface of type api_int to serve the management "
                         "API on");
  }
  SECTION("unknown interface type") {
    fx.write("network.yml", R"(hosts:
  sp1:
    role: [proxy]
    interfaces: [lo]
    lo: {ip: 127.0.0.1, type: [warp_drive]}
)");
    CHECK(failure(fx) == "network.yml:5: hosts.sp1.lo.type: unknown "
                         "interface type \"warp_drive\"");
  }
  SECTION("peer that does not exist") {
    fx.write("network.yml", std::string(minimal_network) + "    peer: sp2\n");
    CHECK(failure(fx) == "network.yml:3: hosts.sp1.peer: \"sp2\" is not "
                         "another host of this file");
  }
  SECTION("no hosts") {
    fx.write("network.yml", "hosts: {}\n");
    CHECK(failure(fx) == "network.yml:1: hosts: expected a mapping of one or "
                         "more hosts");
  }
  SECTION("unknown top-level key") {
    fx.write("network.yml", std::string(minimal_network) + "extra: 1\n");
    CHECK(failure(fx) == "network.yml:8: extra: unknown key");
  }
}
