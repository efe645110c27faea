#pragma once

// Internal to mgmt/http.

#include "mgmt/http/server_state.hpp"

#include <atomic>
#include <memory>

namespace sb::mgmt::http::detail {

/// Holds the right to answer one request. Fires a 500 if dropped unused, so
/// every request is answered on every path (STYLE S5). Counts as work for
/// the io_context: while a handler may still answer, `run()` must not
/// return, or the answer would be posted to a loop nobody runs. Shared by
/// every copy of the handler's `respond`; `send` may run on any thread.
class responder {
public:
  /// Counts one request in flight until it fires.
  responder(std::shared_ptr<session_base> s, std::shared_ptr<server_state> st);
  responder(const responder&) = delete;
  responder& operator=(const responder&) = delete;

  /// Sends 500 (and counts it) unless `send` ran.
  ~responder();

  /// Sends `r` to the connection; calls after the first are ignored.
  void send(response r);

private:
  void complete(response r);

  std::shared_ptr<session_base> session_;
  std::shared_ptr<server_state> state_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_;
  std::atomic<bool> done_{false};
};

} // namespace sb::mgmt::http::detail
