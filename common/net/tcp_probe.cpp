#include "common/net/tcp_probe.hpp"

#include "common/asio.hpp"

namespace sb::net {

bool tcp_reachable(const std::string& host, uint16_t port,
                   std::chrono::milliseconds timeout) {
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(host, ec);
  if (ec)
    return false;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket{io};
  boost::asio::steady_timer timer{io, timeout};
  bool connected = false;
  socket.async_connect({addr, port}, [&](const boost::system::error_code& e) {
    connected = !e;
    timer.cancel();
  });
  timer.async_wait([&](const boost::system::error_code& e) {
    if (!e)
      socket.close();
  });
  io.run();
  return connected;
}

} // namespace sb::net
