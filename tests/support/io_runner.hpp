#pragma once

#include "common/asio.hpp"

#include <thread>

namespace sb::test {

/// Runs an io_context on its own thread until destroyed; the destructor
/// lets queued handlers (e.g. a client's close) finish, then joins.
/// Declare it before the objects that use `io`, so they go first.
struct io_runner {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work = boost::asio::make_work_guard(io);
  std::thread thread{[this] { io.run(); }};

  io_runner() = default;
  io_runner(const io_runner&) = delete;
  io_runner& operator=(const io_runner&) = delete;
  ~io_runner() { stop(); }

  /// Lets queued handlers finish and joins; after it, nothing runs on `io`.
  void stop() {
    work.reset();
    if (thread.joinable())
      thread.join();
  }
};

} // namespace sb::test
