#pragma once

#include "common/result.hpp"
#include "mgmt/http/fwd.hpp"
#include "mgmt/http/message.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace sb::mgmt::http {

namespace detail {
struct server_state;
} // namespace detail

/// PEM files of the listener's certificate chain and private key.
struct tls_files {
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
};

/// How a server listens. Restart-only: changing it means a new server.
struct server_options {
  std::string address = "127.0.0.1";
  uint16_t port = 0; ///< 0 picks a free port, see server::start
  /// Certificate and key for HTTPS; nullopt serves plain HTTP (tests, bench).
  std::optional<tls_files> tls;
  size_t max_body_bytes = 1024 * 1024; ///< larger bodies get 413
  size_t max_header_bytes = 16 * 1024; ///< larger headers get 431
  /// From accept (or the previous response) until a request's header has
  /// fully arrived; covers idle keep-alive connections and slow headers.
  std::chrono::milliseconds idle_timeout{30'000};
  /// For the TLS handshake, a request body, and writing a response.
  std::chrono::milliseconds request_timeout{30'000};
};

/// An HTTP/1.1 (optionally TLS) server on Boost.Beast. Connections are
/// keep-alive and serve one request at a time, so pipelined requests are
/// answered in order. Every connection has its own strand; the handler runs
/// on it, and `respond` posts back to it from any thread.
///
/// All member functions are thread-safe. The io_context must outlive the
/// server and every `respond` a handler still holds.
class server {
public:
  server(boost::asio::io_context& ioc, server_options opts, handler h);
  /// Calls stop().
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Loads the certificate, binds, listens and starts accepting. Returns the
  /// bound port (useful with port 0). Call once.
  result<uint16_t> start();

  /// Stops accepting new connections; open connections keep being served.
  /// First step of a graceful drain (then wait for in_flight() == 0).
  void stop_accepting();

  /// Requests handed to a handler whose `respond` has not fired yet.
  size_t in_flight() const;

  /// Open connections.
  size_t connections() const;

  /// Stops accepting and closes every connection, even mid-request. Takes
  /// effect on the io_context's threads. A request still in a handler keeps
  /// the io_context busy (its `respond` counts as work) until the handler
  /// answers or drops `respond`; that late answer is discarded. After that
  /// the server holds no work, so `io_context::run` can return.
  void stop();

private:
  std::shared_ptr<detail::server_state> state_;
};

} // namespace sb::mgmt::http
