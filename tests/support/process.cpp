#include "tests/support/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace sb::test {

namespace {

error errno_error(const std::string& what) {
  return error{what + ": " + std::strerror(errno)};
}

exit_status decode(int raw) {
  exit_status s;
  if (WIFSIGNALED(raw)) {
    s.signaled = true;
    s.signal = WTERMSIG(raw);
  } else {
    s.code = WEXITSTATUS(raw);
  }
  return s;
}

} // namespace

result<process> process::spawn(const process_options& opts) {
  if (opts.argv.empty())
    return error{"process::spawn: empty argv"};
  std::vector<char*> argv;
  for (const auto& a : opts.argv)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e)
    envp.push_back(*e);
  for (const auto& e : opts.env)
    envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  int pipe_fds[2] = {-1, -1};
  if (opts.stdout_file.empty()) {
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
      posix_spawn_file_actions_destroy(&actions);
      return errno_error("pipe2");
    }
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO,
                                     opts.stdout_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  if (!opts.stderr_file.empty())
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO,
                                     opts.stderr_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);

  pid_t pid = -1;
  int rc =
      ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (pipe_fds[1] >= 0)
    ::close(pipe_fds[1]);
  if (rc != 0) {
    if (pipe_fds[0] >= 0)
      ::close(pipe_fds[0]);
    return error{"cannot start " + opts.argv[0] + ": " + std::strerror(rc)};
  }
  process p;
  p.pid_ = pid;
  p.out_fd_ = pipe_fds[0];
  return p;
}

process::process(process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1))
    , out_fd_(std::exchange(other.out_fd_, -1))
    , buffer_(std::move(other.buffer_))
    , eof_(other.eof_)
    , status_(other.status_) {}

process& process::operator=(process&& other) noexcept {
  if (this != &other) {
    reset();
    pid_ = std::exchange(other.pid_, -1);
    out_fd_ = std::exchange(other.out_fd_, -1);
    buffer_ = std::move(other.buffer_);
    eof_ = other.eof_;
    status_ = other.status_;
  }
  return *this;
}

process::~process() {
  reset();
}

void process::reset() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    int raw = 0;
    while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
    }
  }
  if (out_fd_ >= 0)
    ::close(out_fd_);
  out_fd_ = -1;
  pid_ = -1;
}

bool process::kill(int sig) {
  if (!running())
    return false;
  return ::kill(pid_, sig) == 0;
}

std::optional<exit_status> process::wait(std::chrono::milliseconds timeout) {
  if (status_ || pid_ <= 0)
    return status_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int raw = 0;
    pid_t r = ::waitpid(pid_, &raw, WNOHANG);
    if (r == pid_) {
      status_ = decode(raw);
      return status_;
    }
    if (r < 0 && errno != EINTR)
      return std::nullopt; // not our child any more; nothing to wait for
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::optional<std::string>
process::read_line(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      auto line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (eof_ || out_fd_ < 0)
      return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0)
      return std::nullopt;
    pollfd pfd{out_fd_, POLLIN, 0};
    int rc = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc <= 0)
      return std::nullopt;
    char chunk[4096];
    auto n = ::read(out_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      eof_ = true;
    else
      buffer_.append(chunk, static_cast<size_t>(n));
  }
}

result<uint16_t> free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return errno_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    auto err = errno_error("bind 127.0.0.1:0");
    ::close(fd);
    return err;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

} // namespace sb::test
