// Every problem network.yml can have, each with the message an operator
// sees: file, line, key path, what is wrong.

#include "common/config/loader.hpp"

#include "tests/unit/config/config_fixture.hpp"

#include <catch2/catch.hpp>

using namespace sb::config;
using sb::test::config_fixture;

namespace {

struct network_case {
  const char* what;
  const char* yaml;
  const char* expected;
};

const network_case cases[] = {
    {"document not a mapping", "- sp1\n",
     "network.yml:1: expected a mapping with a hosts section"},
    {"invalid host name", "hosts:\n  'sp 1': {}\n",
     "network.yml:2: hosts.sp 1: invalid host name (letters, digits, - and _)"},
    {"host not a mapping", "hosts:\n  sp1: 5\n",
     "network.yml:2: hosts.sp1: expected a mapping"},
    {"interfaces missing", "hosts:\n  sp1:\n    role: [proxy]\n",
     "network.yml:3: hosts.sp1.interfaces: missing"},
    {"interfaces not a list",
     "hosts:\n  sp1:\n    role: [proxy]\n    interfaces: {a: 1}\n",
     "network.yml:4: hosts.sp1.interfaces: expected a list of interface names"},
    {"role not a list",
     "hosts:\n  sp1:\n    role: {a: 1}\n    interfaces: []\n",
     "network.yml:3: hosts.sp1.role: expected a list of roles"},
    {"role missing", "hosts:\n  sp1:\n    interfaces: []\n",
     "network.yml:3: hosts.sp1.role: missing (a host needs a role)"},
    {"peer not a name",
     "hosts:\n  sp1:\n    role: [proxy]\n    interfaces: []\n    peer: [a]\n",
     "network.yml:5: hosts.sp1.peer: expected a host name"},
    {"bad status",
     "hosts:\n  sp1:\n    role: [proxy]\n    interfaces: []\n    status: up\n",
     "network.yml:5: hosts.sp1.status: expected one of: online, offline, "
     "inactive"},
    {"listed interface not described",
     "hosts:\n  sp1:\n    role: [proxy]\n    interfaces: [eth0]\n",
     "network.yml:3: hosts.sp1.eth0: listed in interfaces but not described"},
    {"interface not a mapping",
     "hosts:\n  sp1:\n    role: [proxy]\n    interfaces: [lo]\n    lo: 1\n",
     "network.yml:5: hosts.sp1.lo: expected a mapping with ip and type"},
    {"ip missing",
     "hosts:\n  sp1:\n    role: [proxy]\n    interfaces: [lo]\n    lo:\n"
     "      type: [ha_int]\n",
     "network.yml:6: hosts.sp1.lo.ip: missing (every interface needs an ip)"},
    {"bad shared_ip",
     "hosts:\n  sp1:\n    role: [proxy]\n    interfaces: [lo]\n    lo:\n"
     "      ip: 127.0.0.1\n      shared_ip: [10.0.0.300]\n",
     "network.yml:7: hosts.sp1.lo.shared_ip: \"10.0.0.300\" is not an IP "
     "address"},
    {"shared_ip not a list",
     "hosts:\n  sp1:\n    role: [proxy]\n    interfaces: [lo]\n    lo:\n"
     "      ip: 127.0.0.1\n      shared_ip: {a: 1}\n",
     "network.yml:7: hosts.sp1.lo.shared_ip: expected a list of IP addresses"},
    {"type not a list",
     "hosts:\n  sp1:\n    role: [proxy]\n    interfaces: [lo]\n    lo:\n"
     "      ip: 127.0.0.1\n      type: {a: 1}\n",
     "network.yml:7: hosts.sp1.lo.type: expected a list of interface types"},
    {"unknown interface key",
     "hosts:\n  sp1:\n    role: [proxy]\n    interfaces: [lo]\n    lo:\n"
     "      ip: 127.0.0.1\n      mtu: 9000\n",
     "network.yml:7: hosts.sp1.lo.mtu: unknown key"},
    {"netmask not a string",
     "hosts:\n  sp1:\n    role: [proxy]\n    interfaces: [lo]\n    lo:\n"
     "      ip: 127.0.0.1\n      netmask: [1]\n",
     "network.yml:7: hosts.sp1.lo.netmask: expected a string"},
    {"lb without sip_ext",
     "hosts:\n  sp1:\n    role: [lb]\n    interfaces: [lo]\n    lo:\n"
     "      ip: 127.0.0.1\n      type: [rtp_ext]\n",
     "network.yml:3: hosts.sp1: has role lb but no interface of type sip_ext "
     "for SIP"},
    {"lb without rtp_ext",
     "hosts:\n  sp1:\n    role: [lb]\n    interfaces: [lo]\n    lo:\n"
     "      ip: 127.0.0.1\n      type: [sip_ext]\n",
     "network.yml:3: hosts.sp1: has role lb but no interface of type rtp_ext "
     "for media"},
};

} // namespace

TEST_CASE("every network.yml problem is reported with file, line and key",
          "[config]") {
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.what) {
      config_fixture fx;
      fx.write("network.yml", c.yaml);
      auto cfg = load(fx.path(), std::nullopt);
      REQUIRE_FALSE(cfg.ok());
      CHECK(cfg.err().message == c.expected);
    }
  }
}

TEST_CASE("non-scalar keys and unreadable files are reported", "[config]") {
  config_fixture fx;
  SECTION("a key that is a list") {
    fx.write("config.yml", "? [a, b]\n: 1\n");
    auto cfg = load(fx.path(), std::nullopt);
    REQUIRE_FALSE(cfg.ok());
    CHECK(cfg.err().message == "config.yml:1: keys must be plain names");
  }
  SECTION("a file that cannot be read") {
    std::filesystem::remove(fx.dir / "config.yml");
    std::filesystem::create_directory(fx.dir / "config.yml");
    auto cfg = load(fx.path(), std::nullopt);
    REQUIRE_FALSE(cfg.ok());
    CHECK(cfg.err().message.rfind("config.yml: ", 0) == 0);
  }
}
