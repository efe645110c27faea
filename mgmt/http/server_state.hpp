#pragma once

// Internal to mgmt/http: shared by server.cpp and session.cpp.

#include "common/asio.hpp"
#include "common/metrics/registry.hpp"
#include "mgmt/http/server.hpp"

#include <boost/asio/ssl.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace sb::mgmt::http::detail {

/// One connection as the server sees it.
class session_base {
public:
  virtual ~session_base() = default;
  /// Closes the connection. Thread-safe; takes effect on its strand.
  virtual void close() = 0;
  /// Sends the response to the current request. Thread-safe, posts.
  virtual void post_response(response r) = 0;
};

/// What the server and its connections share. Connections hold it by
/// shared_ptr, so it outlives the `server` object if they do.
struct server_state {
  server_state(boost::asio::io_context& io, server_options o, handler hd);

  /// Adds a connection unless the server is stopped.
  bool add_session(uint64_t id, std::weak_ptr<session_base> s);
  void remove_session(uint64_t id);

  /// Counts one answer with its status code.
  void count_response(unsigned status);

  boost::asio::io_context& ioc;
  const server_options opts;
  const handler h;
  std::optional<boost::asio::ssl::context> tls;
  boost::asio::strand<boost::asio::io_context::executor_type> accept_strand;
  boost::asio::ip::tcp::acceptor acceptor; ///< only on accept_strand
  boost::asio::steady_timer accept_retry;  ///< only on accept_strand
  std::atomic<size_t> in_flight{0};
  std::atomic<uint64_t> next_id{0};

  metrics::counter_family* responses = nullptr; ///< by code
  metrics::counter* unanswered = nullptr;

  mutable std::mutex mu;
  bool stopped = false;                                     ///< guarded by mu
  std::map<uint64_t, std::weak_ptr<session_base>> sessions; ///< guarded by mu
};

/// Starts serving an accepted socket (TLS if state->tls is set).
void start_session(const std::shared_ptr<server_state>& state,
                   boost::asio::ip::tcp::socket socket);

} // namespace sb::mgmt::http::detail
