#pragma once

// A small blocking HTTP(S) client for the mgmt_http integration tests. Every
// operation is bounded by a deadline, so a server bug fails a check instead
// of hanging the test.

#include "common/asio.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>

namespace sb::test {

namespace bhttp = boost::beast::http;
using http_reply = bhttp::response<bhttp::string_body>;
using http_req = bhttp::request<bhttp::string_body>;

/// One client connection; `Tls` selects HTTPS (no certificate checks).
template <bool Tls>
class http_client {
  using stream_type =
      std::conditional_t<Tls,
                         boost::beast::ssl_stream<boost::beast::tcp_stream>,
                         boost::beast::tcp_stream>;

public:
  explicit http_client(
      std::chrono::milliseconds deadline = std::chrono::milliseconds(5000))
      : deadline_(deadline)
      , stream_(make_stream()) {}

  /// Connects (and handshakes) to 127.0.0.1:port.
  boost::system::error_code connect(uint16_t port) {
    boost::asio::ip::tcp::endpoint ep{
        boost::asio::ip::make_address("127.0.0.1"), port};
    auto ec = run([&](auto done) { lowest().async_connect(ep, done); });
    if constexpr (Tls) {
      if (!ec)
        ec = run([&](auto done) {
          stream_.async_handshake(boost::asio::ssl::stream_base::client, done);
        });
    }
    return ec;
  }

  boost::system::error_code send(http_req& req) {
    req.prepare_payload();
    return run(
        [&](auto done) { bhttp::async_write(stream_, req, wrap(done)); });
  }

  boost::system::error_code send_raw(const std::string& bytes) {
    return run([&](auto done) {
      boost::asio::async_write(stream_, boost::asio::buffer(bytes), wrap(done));
    });
  }

  /// The next response, or nullopt with `last_error()` set.
  std::optional<http_reply> read(bool head = false) {
    http_reply res;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    parser.skip(head);
    last_ = run([&](auto done) {
      bhttp::async_read(stream_, buffer_, parser, wrap(done));
    });
    if (last_)
      return std::nullopt;
    return parser.release();
  }

  /// Sends `req` and reads its response.
  std::optional<http_reply> request(http_req req) {
    if ((last_ = send(req)))
      return std::nullopt;
    return read(req.method() == bhttp::verb::head);
  }

  /// True if the server closes the connection before sending anything.
  bool closed_by_peer() {
    char c;
    auto ec = run([&](auto done) {
      stream_.async_read_some(boost::asio::buffer(&c, 1), wrap(done));
    });
    return ec && ec != boost::beast::error::timeout;
  }

  boost::system::error_code last_error() const { return last_; }

private:
  stream_type make_stream() {
    ssl_.set_verify_mode(boost::asio::ssl::verify_none);
    if constexpr (Tls)
      return stream_type(ioc_, ssl_);
    else
      return stream_type(ioc_);
  }

  boost::beast::tcp_stream& lowest() {
    return boost::beast::get_lowest_layer(stream_);
  }

  template <class Done>
  static auto wrap(Done done) {
    return [done](boost::system::error_code ec, size_t) mutable { done(ec); };
  }

  template <class Start>
  boost::system::error_code run(Start start) {
    boost::system::error_code result;
    lowest().expires_after(deadline_);
    start([&result](boost::system::error_code ec) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  std::chrono::milliseconds deadline_;
  boost::asio::io_context ioc_;
  boost::asio::ssl::context ssl_{boost::asio::ssl::context::tls_client};
  stream_type stream_;
  boost::beast::flat_buffer buffer_;
  boost::system::error_code last_;
};

/// A request with Host set.
inline http_req make_req(bhttp::verb verb, std::string target,
                         std::string body = {}) {
  http_req req{verb, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.body() = std::move(body);
  return req;
}

} // namespace sb::test
