// Which service addresses are on this host: loopback always is, a
// documentation address never, and what does not parse is not.
#include "common/net/local_addresses.hpp"

#include <catch2/catch.hpp>

using sb::net::local_addresses_among;

TEST_CASE("local addresses: only the assigned ones among those asked",
          "[net]") {
  CHECK(local_addresses_among({"127.0.0.1", "192.0.2.77", "not an ip"}) ==
        std::vector<std::string>{"127.0.0.1"});
  CHECK(local_addresses_among({"192.0.2.77"}).empty());
  CHECK(local_addresses_among({}).empty());
}
