#pragma once

#include "common/result.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace sb::test {

/// How a child ended: exited with `code`, or was killed by `signal`.
struct exit_status {
  bool signaled = false;
  int code = 0;
  int signal = 0;
};

/// What to start and where its output goes.
struct process_options {
  std::vector<std::string>
      argv; ///< argv[0] is the program path (no PATH search)
  std::vector<std::string> env; ///< extra "NAME=value" entries, added to ours
  /// stdout to this file (truncated); empty: a pipe read with read_line().
  std::filesystem::path stdout_file;
  /// stderr to this file (truncated); empty: inherited (the test's stderr).
  std::filesystem::path stderr_file;
};

/// A child process started with posix_spawn, known only by its PID. Never
/// signals anything by name. The destructor SIGKILLs the child if it still
/// runs and reaps it. Movable, not copyable; not thread-safe.
class process {
public:
  static result<process> spawn(const process_options& opts);

  process(process&& other) noexcept;
  process& operator=(process&& other) noexcept;
  ~process();

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !status_; }

  /// Sends `sig` to the child's PID; false if it already ended.
  bool kill(int sig);

  /// Waits up to `timeout` for the child to end (reaps it); nullopt on
  /// timeout. Returns the cached status once it ended.
  std::optional<exit_status> wait(std::chrono::milliseconds timeout);

  /// The next line of stdout (without '\n') when stdout is a pipe; nullopt
  /// on timeout or end of output.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

private:
  process() = default;
  void reset();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
  std::optional<exit_status> status_;
};

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read
/// it back, close). Another process may take it before it is used.
result<uint16_t> free_port();

} // namespace sb::test
