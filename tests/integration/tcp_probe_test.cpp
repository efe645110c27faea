#include "common/net/tcp_probe.hpp"

#include "common/asio.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;

TEST_CASE("tcp_reachable: a listener answers, a closed port does not",
          "[net][tcp_probe]") {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor listener{
      io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
  auto port = listener.local_endpoint().port();
  CHECK(sb::net::tcp_reachable("127.0.0.1", port, 2000ms));
  listener.close();
  CHECK_FALSE(sb::net::tcp_reachable("127.0.0.1", port, 2000ms));
  CHECK_FALSE(sb::net::tcp_reachable("not-an-address", port, 2000ms));
}
