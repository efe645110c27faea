#pragma once

#include "common/result.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

namespace sb::test {

/// A private redis-server (/usr/bin/redis-server) on 127.0.0.1 and a free
/// port, with its own temp dir, no RDB snapshots and no AOF. Stopped by PID
/// (SIGKILL) in the destructor. Not thread-safe.
class redis_server {
public:
  /// Starts a server and waits until it answers PING.
  static result<std::unique_ptr<redis_server>> start();

  ~redis_server();

  uint16_t port() const { return port_; }
  pid_t pid() const { return proc_ ? proc_->pid() : -1; }
  bool running() const { return proc_ && proc_->running(); }

  /// SIGKILLs the server (by PID) and reaps it.
  void kill();

  /// Starts it again on the same port (after `kill`) and waits for PING.
  status restart();

  /// The server's log file (for failure messages).
  std::filesystem::path log_file() const { return dir_.path() / "redis.log"; }

private:
  redis_server()
      : dir_("sb-redis") {}
  status launch();

  temp_dir dir_;
  uint16_t port_ = 0;
  std::optional<process> proc_;
};

/// Whether a server on 127.0.0.1:`port` answers PING within `timeout`.
bool redis_answers_ping(uint16_t port, std::chrono::milliseconds timeout);

} // namespace sb::test
