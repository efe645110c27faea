#include "persistence/redis/redis_connection.hpp"

#include "persistence/redis/asio_adapter.hpp"

#include <algorithm>

#include <hiredis/async.h>

namespace sb::persistence::detail {

namespace {

namespace asio = boost::asio;

// One command awaiting its reply or its timeout, whichever comes first.
struct pending {
  pending(asio::io_context& io, redis_client::callback cb, std::string what)
      : timer(io)
      , done(std::move(cb))
      , name(std::move(what)) {}

  void finish(result<redis_reply> r) {
    if (!done)
      return;
    timer.cancel();
    auto cb = std::move(done);
    done = nullptr;
    cb(std::move(r));
  }

  asio::steady_timer timer;
  redis_client::callback done;
  std::string name;
};

using pending_ptr = std::shared_ptr<pending>;

redis_connection* owner(const redisAsyncContext* ac) {
  return static_cast<redis_connection*>(ac->data);
}

void on_reply(redisAsyncContext* ac, void* reply, void* privdata) {
  // hiredis calls this exactly once per command: with the reply, or with
  // NULL when the context is freed first.
  std::unique_ptr<pending_ptr> holder(static_cast<pending_ptr*>(privdata));
  auto& p = **holder;
  if (reply == nullptr) {
    p.finish(error{owner(ac)->label() +
                   ": connection lost before the reply to " + p.name});
    return;
  }
  p.finish(redis_reply::from_hiredis(*static_cast<redisReply*>(reply)));
}

} // namespace

redis_connection::redis_connection(asio::io_context& io, redis_options opts)
    : io_(io)
    , opts_(opts)
    , reconnect_timer_(io)
    , connect_timer_(io) {}

redis_connection::~redis_connection() {
  // Reached without shutdown() only when the io_context was torn down with
  // our handlers still queued.
  stopping_ = true;
  if (ctx_ != nullptr) {
    auto* c = ctx_;
    ctx_ = nullptr;
    redisAsyncFree(c);
  }
}

void redis_connection::start(const std::string& host, uint16_t port) {
  if (started_ || stopping_)
    return;
  started_ = true;
  host_ = host;
  port_ = port;
  label_ = "redis " + host + ":" + std::to_string(port);
  attempt();
}

void redis_connection::attempt() {
  if (stopping_)
    return;
  auto* ac = redisAsyncConnect(host_.c_str(), port_);
  if (ac == nullptr) {
    schedule_reconnect();
    return;
  }
  if (ac->err != 0) {
    last_error_ = ac->errstr;
    redisAsyncFree(ac); // e.g. ECONNREFUSED at once on loopback
    schedule_reconnect();
    return;
  }
  if (auto st = attach_asio(ac, io_); !st) {
    redisAsyncFree(ac);
    schedule_reconnect();
    return;
  }
  ctx_ = ac;
  ac->data = this;
  ++generation_;
  redisAsyncSetDisconnectCallback(
      ac, [](const redisAsyncContext* c, int status) {
        owner(c)->on_disconnect(status == REDIS_OK ? "" : c->errstr);
      });
  // Arms the first write wait: the connection is known to be up on the
  // first write event.
  redisAsyncSetConnectCallback(ac, [](const redisAsyncContext* c, int status) {
    owner(c)->on_connect(status, c->errstr);
  });
  connect_timer_.expires_after(opts_.connect_timeout);
  connect_timer_.async_wait([self = shared_from_this(),
                             gen = generation_](auto ec) {
    if (ec || gen != self->generation_ || self->ctx_ == nullptr ||
        self->connected_)
      return;
    self->last_error_ = "no connection within " +
                        std::to_string(self->opts_.connect_timeout.count()) +
                        " ms";
    self->abandon_context();
    self->schedule_reconnect();
  });
}

void redis_connection::on_connect(int status, const char* why) {
  connect_timer_.cancel();
  if (status != REDIS_OK) {
    ctx_ = nullptr; // hiredis frees the context after this returns
    last_error_ = why;
    schedule_reconnect();
    return;
  }
  failures_ = 0;
  if (ever_connected_)
    ++reconnects_;
  ever_connected_ = true;
  set_connected(true);
}

void redis_connection::on_disconnect(const char* why) {
  ctx_ = nullptr; // hiredis frees the context after this returns
  if (*why != '\0')
    last_error_ = why;
  set_connected(false);
  if (!stopping_)
    schedule_reconnect();
}

void redis_connection::schedule_reconnect() {
  if (stopping_)
    return;
  auto delay = opts_.reconnect_initial * (1u << std::min(failures_, 16u));
  delay = std::min(delay, opts_.reconnect_max);
  ++failures_;
  reconnect_timer_.expires_after(delay);
  reconnect_timer_.async_wait([self = shared_from_this()](auto ec) {
    if (!ec)
      self->attempt();
  });
}

void redis_connection::abandon_context() {
  auto* c = ctx_;
  ctx_ = nullptr;
  set_connected(false);
  if (c != nullptr)
    redisAsyncFree(c); // fails its pending commands, closes the fd
}

void redis_connection::shutdown() {
  stopping_ = true;
  reconnect_timer_.cancel();
  connect_timer_.cancel();
  abandon_context();
}

void redis_connection::set_connected(bool up) {
  {
    std::lock_guard lock(mutex_);
    connected_ = up;
  }
  changed_.notify_all();
}

bool redis_connection::wait_connected(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return connected_.load(); });
}

void redis_connection::submit(std::vector<std::string> args,
                              std::chrono::milliseconds timeout,
                              redis_client::callback done) {
  if (args.empty())
    return done(error{label_ + ": empty command"});
  if (stopping_)
    return done(error{label_ + ": client closed"});
  if (ctx_ == nullptr)
    return done(error{
        label_ + ": not connected (reconnecting" +
        (last_error_.empty() ? "" : "; last error: " + last_error_) + ")"});

  auto p = std::make_shared<pending>(io_, std::move(done), args[0]);
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* holder = new pending_ptr(p);
  if (redisAsyncCommandArgv(ctx_, &on_reply, holder,
                            static_cast<int>(args.size()), argv.data(),
                            lens.data()) != REDIS_OK) {
    delete holder;
    p->finish(
        error{label_ + ": cannot queue " + p->name + " (connection closing)"});
    return;
  }
  if (timeout.count() <= 0)
    return;
  p->timer.expires_after(timeout);
  p->timer.async_wait([p, label = label_, timeout](auto ec) {
    if (!ec)
      p->finish(error{label + ": " + p->name + " timed out after " +
                      std::to_string(timeout.count()) + " ms"});
  });
}

} // namespace sb::persistence::detail
