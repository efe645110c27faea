#include "tests/support/redis_server.hpp"

#include <csignal>
#include <cstring>
#include <string>
#include <thread>

#include <hiredis/hiredis.h>

namespace sb::test {

namespace {

constexpr const char* redis_binary = "/usr/bin/redis-server";

// PING, and when `pid` > 0 also check that the server is that process (so
// another test's server that won the port race is not taken for ours).
bool ping_once(uint16_t port, pid_t pid) {
  timeval tv{0, 200'000};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (c == nullptr)
    return false;
  bool ok = false;
  if (c->err == 0) {
    redisSetTimeout(c, tv);
    auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
    ok = r != nullptr && r->type == REDIS_REPLY_STATUS &&
         std::strcmp(r->str, "PONG") == 0;
    if (r != nullptr)
      freeReplyObject(r);
    if (ok && pid > 0) {
      r = static_cast<redisReply*>(redisCommand(c, "INFO server"));
      auto want = "process_id:" + std::to_string(pid) + "\r\n";
      ok = r != nullptr && r->type == REDIS_REPLY_STRING &&
           std::string(r->str, r->len).find(want) != std::string::npos;
      if (r != nullptr)
        freeReplyObject(r);
    }
  }
  redisFree(c);
  return ok;
}

} // namespace

bool redis_answers_ping(uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (ping_once(port, -1))
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

result<std::unique_ptr<redis_server>> redis_server::start() {
  std::unique_ptr<redis_server> s(new redis_server());
  // The free port may be taken between the probe and redis' bind: retry.
  std::string last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto port = free_port();
    if (!port)
      return port.err();
    s->port_ = *port;
    auto st = s->launch();
    if (st)
      return s;
    last = st.err().message;
  }
  return error{"redis-server did not start after 5 attempts: " + last};
}

redis_server::~redis_server() {
  kill();
}

void redis_server::kill() {
  if (!proc_)
    return;
  proc_->kill(SIGKILL);
  (void)proc_->wait(std::chrono::seconds(10));
  proc_.reset(); // reaps (SIGKILL + waitpid) if still running somehow
}

status redis_server::restart() {
  kill();
  // The port was ours a moment ago; redis sets SO_REUSEADDR, but give a
  // racing bind a few tries.
  status st;
  for (int attempt = 0; attempt < 20; ++attempt) {
    st = launch();
    if (st)
      return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return st;
}

status redis_server::launch() {
  process_options o;
  o.argv = {redis_binary,
            "--port",
            std::to_string(port_),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir_.path().string(),
            "--daemonize",
            "no",
            "--logfile",
            log_file().string()};
  o.stdout_file = dir_.path() / "stdout.log";
  o.stderr_file = dir_.path() / "stderr.log";
  auto p = process::spawn(o);
  if (!p)
    return p.err();
  proc_.emplace(std::move(*p));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ping_once(port_, proc_->pid()))
      return {};
    if (auto ended = proc_->wait(std::chrono::milliseconds(0))) {
      proc_.reset();
      return error{"redis-server on port " + std::to_string(port_) +
                   " exited (code " + std::to_string(ended->code) + "), see " +
                   log_file().string()};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill();
  return error{"redis-server on port " + std::to_string(port_) +
               " did not answer PING within 10 s"};
}

} // namespace sb::test
