// Which hosts answer on an address: the SIP side finds the lb that holds a
// binding's socket (its own address, or an HA pair's shared one) to send
// the binding's NAT keepalives from there.
#include "common/config/network.hpp"

#include <catch2/catch.hpp>

using namespace sb::config;

namespace {

host_config host(std::string name, std::vector<std::string> roles,
                 std::string ip, std::vector<std::string> shared = {}) {
  host_config h;
  h.name = std::move(name);
  h.roles = std::move(roles);
  interface_config sip;
  sip.name = "eth0";
  sip.ip = std::move(ip);
  sip.shared_ip = std::move(shared);
  sip.types = {"sip_ext", "rtp_ext"};
  interface_config ha;
  ha.name = "eth1";
  ha.ip = "192.168.0." + h.name.substr(h.name.size() - 1);
  ha.types = {"ha_int"};
  h.interfaces = {sip, ha};
  return h;
}

std::vector<std::string> names(const std::vector<const host_config*>& hs) {
  std::vector<std::string> out;
  for (const auto* h : hs)
    out.push_back(h->name);
  return out;
}

} // namespace

TEST_CASE("network: the hosts behind an address, by role and zone",
          "[config][network]") {
  network_config n;
  n.hosts = {host("lb1", {"lb"}, "10.0.0.1", {"10.0.0.10"}),
             host("lb2", {"lb"}, "10.0.0.2", {"10.0.0.10"}),
             host("lb3", {"lb"}, "10.0.0.3"),
             host("px1", {"proxy"}, "10.0.0.4")};
  using v = std::vector<std::string>;
  CHECK(names(n.with_address("10.0.0.10", "lb", "sip_ext")) == v{"lb1", "lb2"});
  CHECK(names(n.with_address("10.0.0.3", "lb", "sip_ext")) == v{"lb3"});
  CHECK(names(n.with_address("10.0.0.4", "lb", "sip_ext")).empty());
  CHECK(names(n.with_address("10.0.0.4", "proxy", "sip_ext")) == v{"px1"});
  // Another zone of the same host does not count.
  CHECK(names(n.with_address("192.168.0.1", "lb", "sip_ext")).empty());
  CHECK(names(n.with_address("192.168.0.1", "lb", "ha_int")) == v{"lb1"});
  CHECK(n.with_address("203.0.113.1", "lb", "sip_ext").empty());
}
