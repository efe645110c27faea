#pragma once

#include "common/result.hpp"
#include "persistence/redis/redis_reply.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace sb::persistence {

namespace detail {
class redis_connection;
}

/// Reconnect and connect tuning for `redis_client`.
struct redis_options {
  /// First wait after a failed attempt or a lost connection; doubles per
  /// consecutive failure up to `reconnect_max`.
  std::chrono::milliseconds reconnect_initial{50};
  std::chrono::milliseconds reconnect_max{2000};
  /// An attempt that has not connected by then is abandoned and retried.
  std::chrono::milliseconds connect_timeout{2000};
};

/// An asynchronous Redis connection (hiredis 0.14) driven by an io_context.
///
/// Threads: every hiredis call happens on a thread running `io`; the public
/// methods post there, so they may be called from any thread. Callbacks run
/// on the io thread and must not block.
///
/// Connection: `connect` starts connecting; after a failed attempt or a lost
/// connection the client reconnects by itself with exponential backoff.
/// Commands issued while a connection attempt is in flight are buffered by
/// hiredis and sent once it connects (or fail if it does not). Commands
/// issued while no attempt is in flight (waiting out the backoff) FAIL FAST
/// with an error. Commands in flight when the connection drops fail with an
/// error: they may or may not have been executed by the server.
///
/// Timeouts: a command that is not answered within its timeout completes
/// with an error; its late reply is discarded. The connection is kept, so
/// later commands wait behind the slow one (Redis answers in order).
///
/// Lifetime: destroy the client before `io`. The destructor closes the
/// connection asynchronously; commands still pending then complete with an
/// error on the io thread.
class redis_client {
public:
  using callback = std::function<void(result<redis_reply>)>;

  explicit redis_client(boost::asio::io_context& io, redis_options opts = {});
  ~redis_client();
  redis_client(const redis_client&) = delete;
  redis_client& operator=(const redis_client&) = delete;

  /// Starts connecting to `host` (an IP literal: a name would be resolved
  /// with a blocking lookup on the io thread) and `port`. Call once.
  void connect(std::string host, uint16_t port);

  /// Closes the connection and stops reconnecting; pending commands fail.
  void close();

  /// Sends one command, e.g. {"SET", "k", "v"} (binary-safe arguments).
  /// `done` gets the reply (possibly a Redis error reply) or an sb::error
  /// for a transport failure or timeout. `timeout` <= 0 means none.
  /// Commands from one thread are sent in the order issued.
  void command(std::vector<std::string> args, std::chrono::milliseconds timeout,
               callback done);

  /// Blocking form of `command` for threads that do not run `io`. Must not
  /// be called on the io thread (it would deadlock; asserted). `timeout`
  /// must be positive.
  result<redis_reply> command_sync(std::vector<std::string> args,
                                   std::chrono::milliseconds timeout);

  /// Whether a connection is currently established.
  bool connected() const;
  /// Successful connections after the first one.
  uint64_t reconnect_count() const;
  /// Blocks until connected or `timeout` passes; false on timeout. Not on
  /// the io thread.
  bool wait_connected(std::chrono::milliseconds timeout) const;

private:
  // Shared with the handlers queued on the io_context, so it outlives the
  // client until they have run.
  std::shared_ptr<detail::redis_connection> conn_;
};

} // namespace sb::persistence
