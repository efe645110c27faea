#include "common/net/ip_net.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sb::net;

namespace {

ip_address addr(const char* text) {
  auto a = parse_ip_address(text);
  REQUIRE(a);
  return *a;
}

ip_network network(const char* text) {
  auto n = parse_ip_network(text);
  INFO(text);
  REQUIRE(n.ok());
  return *n;
}

std::string network_error(const char* text) {
  auto n = parse_ip_network(text);
  INFO(text);
  REQUIRE_FALSE(n.ok());
  return n.err().message;
}

} // namespace

TEST_CASE("IPv4 and IPv6 addresses parse and print", "[net]") {
  CHECK(addr("192.0.2.1").to_string() == "192.0.2.1");
  CHECK(addr("192.0.2.1").is_v4());
  CHECK(addr("0.0.0.0").to_string() == "0.0.0.0");
  CHECK(addr("255.255.255.255").to_string() == "255.255.255.255");
  CHECK(addr("::1").to_string() == "::1");
  CHECK(addr("::1").family() == ip_family::v6);
  CHECK(addr("[::1]") == addr("::1"));
  CHECK(addr("2001:DB8:0:0:0:0:0:1").to_string() == "2001:db8::1");
  CHECK(addr("::").to_string() == "::");
  CHECK(ip_address{} == addr("0.0.0.0"));
  CHECK(ip_address::v4({10, 1, 2, 3}) == addr("10.1.2.3"));
}

TEST_CASE("an IPv4-mapped IPv6 address is the IPv4 address", "[net]") {
  CHECK(addr("::ffff:1.2.3.4") == addr("1.2.3.4"));
  CHECK(addr("::ffff:1.2.3.4").is_v4());
  CHECK(addr("::ffff:1.2.3.4").to_string() == "1.2.3.4");
  CHECK(addr("[::FFFF:0102:0304]") == addr("1.2.3.4"));
  // The IPv4-compatible (deprecated) and NAT64 forms are other addresses.
  CHECK(addr("::1.2.3.4") != addr("1.2.3.4"));
  CHECK(addr("64:ff9b::1.2.3.4") != addr("1.2.3.4"));
}

TEST_CASE("addresses order IPv4 first, then numerically", "[net]") {
  CHECK(addr("10.0.0.1") < addr("10.0.0.2"));
  CHECK(addr("9.255.255.255") < addr("10.0.0.0"));
  CHECK(addr("255.255.255.255") < addr("::"));
  CHECK(addr("::1") < addr("2001:db8::"));
}

TEST_CASE("junk is not an address", "[net]") {
  for (const char* junk :
       {"",
        " ",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "1.2.3.4 ",
        " 1.2.3.4",
        "01.2.3.4",
        "1.2.3.-4",
        "a.b.c.d",
        "localhost",
        "1.2.3.4:5060",
        "[1.2.3.4]",
        "[::1",
        "::1]",
        "[]",
        "::1%eth0",
        ":::",
        "1::2::3",
        "2001:db8::g",
        "12345::",
        "1.2.3.4/8",
        "0000000000000000000000000000000000000000000000000000000000000::1"}) {
    INFO(junk);
    CHECK_FALSE(parse_ip_address(junk));
  }
  CHECK_FALSE(parse_ip_address(std::string_view("1.2.3.4\0", 8)));
}

TEST_CASE("networks parse with and without a prefix", "[net]") {
  CHECK(network("10.0.0.0/8").to_string() == "10.0.0.0/8");
  CHECK(network("10.0.0.0/8").prefix_length() == 8);
  CHECK(network("192.0.2.7").to_string() == "192.0.2.7/32");
  CHECK(network("2001:db8::/32").to_string() == "2001:db8::/32");
  CHECK(network("[2001:db8::]/32") == network("2001:db8::/32"));
  CHECK(network("::1").to_string() == "::1/128");
  CHECK(network("0.0.0.0/0").to_string() == "0.0.0.0/0");
  CHECK(network("::/0").to_string() == "::/0");
}

TEST_CASE("host bits in a network are accepted and cleared", "[net]") {
  CHECK(network("10.0.0.1/8") == network("10.0.0.0/8"));
  CHECK(network("10.0.0.1/8").address() == addr("10.0.0.0"));
  CHECK(network("192.0.2.255/25").to_string() == "192.0.2.128/25");
  CHECK(network("2001:db8:ffff::1/33").to_string() == "2001:db8:8000::/33");
  CHECK(network("255.255.255.255/0").to_string() == "0.0.0.0/0");
}

TEST_CASE("network membership", "[net]") {
  auto ten = network("10.0.0.0/8");
  CHECK(ten.contains(addr("10.0.0.0")));
  CHECK(ten.contains(addr("10.255.255.255")));
  CHECK(ten.contains(addr("::ffff:10.1.2.3")));
  CHECK_FALSE(ten.contains(addr("11.0.0.0")));
  CHECK_FALSE(ten.contains(addr("9.255.255.255")));
  CHECK_FALSE(ten.contains(addr("::a01:203")));

  auto odd = network("192.0.2.128/25");
  CHECK(odd.contains(addr("192.0.2.128")));
  CHECK(odd.contains(addr("192.0.2.255")));
  CHECK_FALSE(odd.contains(addr("192.0.2.127")));

  auto doc = network("2001:db8::/32");
  CHECK(doc.contains(addr("2001:db8:1234::1")));
  CHECK_FALSE(doc.contains(addr("2001:db9::1")));
  CHECK_FALSE(doc.contains(addr("10.0.0.1")));
}

TEST_CASE("edge prefixes /0 /32 /128", "[net]") {
  auto all4 = network("0.0.0.0/0");
  CHECK(all4.contains(addr("0.0.0.0")));
  CHECK(all4.contains(addr("255.255.255.255")));
  CHECK_FALSE(all4.contains(addr("::1")));

  auto all6 = network("::/0");
  CHECK(all6.contains(addr("::1")));
  CHECK(all6.contains(addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
  CHECK(all6.contains(addr("192.0.2.1"))); // as ::ffff:192.0.2.1

  auto one4 = network("192.0.2.1/32");
  CHECK(one4.contains(addr("192.0.2.1")));
  CHECK_FALSE(one4.contains(addr("192.0.2.0")));
  CHECK_FALSE(one4.contains(addr("192.0.2.2")));
  CHECK(one4 == ip_network::host(addr("192.0.2.1")));

  auto one6 = network("2001:db8::1/128");
  CHECK(one6.contains(addr("2001:db8::1")));
  CHECK_FALSE(one6.contains(addr("2001:db8::")));
  CHECK_FALSE(one6.contains(addr("2001:db8::2")));
  CHECK(one6 == ip_network::host(addr("2001:db8::1")));
}

TEST_CASE("IPv4 networks written in mapped form", "[net]") {
  CHECK(network("::ffff:10.0.0.0/104") == network("10.0.0.0/8"));
  CHECK(network("::ffff:192.0.2.1") == network("192.0.2.1/32"));
  CHECK(network("::ffff:0:0/96") == network("0.0.0.0/0"));
  // Fewer than 96 bits reach beyond the mapped range: an IPv6 block.
  auto wide = network("::ffff:0:0/95");
  CHECK(wide.address().family() == ip_family::v6);
  CHECK(wide.contains(addr("1.2.3.4")));
  CHECK(wide.contains(addr("::fffe:1:2")));
  CHECK_FALSE(wide.contains(addr("::1")));
}

TEST_CASE("bad networks say what is wrong", "[net]") {
  CHECK(network_error("10.0.0.0/33") ==
        "\"10.0.0.0/33\": prefix length 33 exceeds 32");
  CHECK(network_error("::/129") == "\"::/129\": prefix length 129 exceeds 128");
  CHECK(network_error("10.0.0.300/8") == "\"10.0.0.300\" is not an IP address");
  CHECK(network_error("/8") == "\"\" is not an IP address");
  CHECK(network_error("10.0.0.0/") ==
        "\"10.0.0.0/\": prefix length \"\" is not a number");
  CHECK(network_error("10.0.0.0/-1") ==
        "\"10.0.0.0/-1\": prefix length \"-1\" is not a number");
  CHECK(network_error("10.0.0.0/+8") ==
        "\"10.0.0.0/+8\": prefix length \"+8\" is not a number");
  CHECK(network_error("10.0.0.0/8/8") ==
        "\"10.0.0.0/8/8\": prefix length \"8/8\" is not a number");
  CHECK(network_error("10.0.0.0/0008") ==
        "\"10.0.0.0/0008\": prefix length \"0008\" is not a number");
  CHECK(network_error("10.0.0.0/ 8") ==
        "\"10.0.0.0/ 8\": prefix length \" 8\" is not a number");
  CHECK(network_error("10.0.0.0/99999999999999999999") ==
        "\"10.0.0.0/99999999999999999999\": prefix length "
        "\"99999999999999999999\" is not a number");
  CHECK(network_error("example.com/24") ==
        "\"example.com\" is not an IP address");
}

TEST_CASE("an ip_set holds any of its networks", "[net]") {
  ip_set empty;
  CHECK(empty.empty());
  CHECK_FALSE(empty.contains(addr("10.0.0.1")));

  auto set = ip_set::parse({"10.0.0.0/8", "192.0.2.1", "2001:db8::/32"});
  REQUIRE(set.ok());
  CHECK(set->size() == 3);
  CHECK(set->contains(addr("10.9.8.7")));
  CHECK(set->contains(addr("::ffff:192.0.2.1")));
  CHECK(set->contains(addr("2001:db8::5")));
  CHECK_FALSE(set->contains(addr("192.0.2.2")));
  CHECK_FALSE(set->contains(addr("::1")));

  auto bad = ip_set::parse({"10.0.0.0/8", "10.0.0.0/40"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message ==
        "item 1: \"10.0.0.0/40\": prefix length 40 exceeds 32");
}
