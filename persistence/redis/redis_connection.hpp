#pragma once

#include "common/asio.hpp"
#include "persistence/redis/redis_client.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>

struct redisAsyncContext;

namespace sb::persistence::detail {

/// The state behind `redis_client`. Everything but the atomics, `io()` and
/// `wait_connected` is for the io thread only. Owns the hiredis context and
/// frees it on `shutdown` or destruction.
class redis_connection : public std::enable_shared_from_this<redis_connection> {
public:
  redis_connection(boost::asio::io_context& io, redis_options opts);
  ~redis_connection();

  boost::asio::io_context& io() { return io_; }

  void start(const std::string& host, uint16_t port);
  void shutdown();
  void submit(std::vector<std::string> args, std::chrono::milliseconds timeout,
              redis_client::callback done);

  bool connected() const { return connected_.load(); }
  uint64_t reconnect_count() const { return reconnects_.load(); }
  bool wait_connected(std::chrono::milliseconds timeout) const;

  // hiredis callbacks, through ac->data.
  void on_connect(int status, const char* why);
  void on_disconnect(const char* why);

  const std::string& label() const { return label_; }

private:
  void attempt();
  void schedule_reconnect();
  void set_connected(bool up);
  void abandon_context();

  boost::asio::io_context& io_;
  redis_options opts_;
  std::string host_;
  uint16_t port_ = 0;
  std::string label_ = "redis";
  redisAsyncContext* ctx_ = nullptr;
  bool started_ = false;
  bool stopping_ = false;
  bool ever_connected_ = false;
  unsigned failures_ = 0; // consecutive, for the backoff
  // Why the last connection failed or dropped, as hiredis or the server
  // said it (e.g. Redis's "DENIED ... protected mode" before it closes):
  // commands refused while reconnecting carry it. I/O thread only.
  std::string last_error_;
  uint64_t generation_ = 0; // of the current context, for stale timers
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer connect_timer_;

  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> reconnects_{0};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
};

} // namespace sb::persistence::detail
