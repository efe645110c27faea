// Socket names ("udp:ip:port"), as bindings keep the listener a REGISTER
// came in on, read back.
#include "sip/msg/transport.hpp"

#include <catch2/catch.hpp>

using namespace sb::sip;

TEST_CASE("transport: a socket name reads back as written",
          "[sip][transport]") {
  for (auto a : {source_address{sip_transport::udp, "127.0.0.1", 5060},
                 source_address{sip_transport::tls, "10.1.2.3", 5061},
                 source_address{sip_transport::tcp, "::1", 5070}}) {
    auto back = parse_socket(to_string(a));
    REQUIRE(back);
    CHECK(*back == a);
  }
  auto v6 = parse_socket("udp:[2001:db8::1]:5060");
  REQUIRE(v6);
  CHECK(v6->ip == "2001:db8::1");
  CHECK(v6->port == 5060);
}

TEST_CASE("transport: what is not a socket name is refused",
          "[sip][transport]") {
  for (auto bad : {"", "udp", "udp:", "udp:1.2.3.4", "udp::5060",
                   "sctp:1.2.3.4:5060", "udp:1.2.3.4:0", "udp:1.2.3.4:65536",
                   "udp:1.2.3.4:50x0", "udp:[]:5060", "udp:1.2.3.4:123456"})
    CHECK_FALSE(parse_socket(bad));
}
