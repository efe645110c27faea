#pragma once

// A loopback "phone" for media tests: a UDP socket on 127.0.0.1 that sends
// to a relay port and collects what comes back, with its source.
#include "common/asio.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace sb::test {

// One phone; each test owns its own.
struct udp_phone {
  boost::asio::io_context io;
  boost::asio::ip::udp::socket sock{
      io, boost::asio::ip::udp::endpoint(
              boost::asio::ip::make_address("127.0.0.1"), 0)};

  boost::asio::ip::udp::endpoint address() const {
    return sock.local_endpoint();
  }
  void send(uint16_t port, const std::vector<uint8_t>& data) {
    sock.send_to(boost::asio::buffer(data),
                 boost::asio::ip::udp::endpoint(
                     boost::asio::ip::make_address("127.0.0.1"), port));
  }
  // The datagrams that arrive before a 300 ms silence, with their source.
  // (poll + recvfrom: Asio's blocking receive ignores SO_RCVTIMEO.)
  std::vector<std::pair<std::vector<uint8_t>, boost::asio::ip::udp::endpoint>>
  drain() {
    std::vector<std::pair<std::vector<uint8_t>, boost::asio::ip::udp::endpoint>>
        out;
    for (;;) {
      pollfd pfd{sock.native_handle(), POLLIN, 0};
      if (::poll(&pfd, 1, 300) <= 0)
        return out;
      std::vector<uint8_t> buf(2048);
      sockaddr_in from{};
      socklen_t len = sizeof from;
      auto n = ::recvfrom(sock.native_handle(), buf.data(), buf.size(), 0,
                          reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0)
        return out;
      buf.resize(static_cast<size_t>(n));
      out.emplace_back(std::move(buf), boost::asio::ip::udp::endpoint(
                                           boost::asio::ip::address_v4(
                                               ntohl(from.sin_addr.s_addr)),
                                           ntohs(from.sin_port)));
    }
  }
};

} // namespace sb::test
