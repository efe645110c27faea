#include "persistence/redis/redis_client.hpp"

#include "persistence/redis/redis_connection.hpp"

#include <cassert>
#include <future>

namespace sb::persistence {

redis_client::redis_client(boost::asio::io_context& io, redis_options opts)
    : conn_(std::make_shared<detail::redis_connection>(io, opts)) {}

redis_client::~redis_client() {
  close();
}

void redis_client::connect(std::string host, uint16_t port) {
  boost::asio::post(conn_->io(), [c = conn_, host = std::move(host), port] {
    c->start(host, port);
  });
}

void redis_client::close() {
  boost::asio::post(conn_->io(), [c = conn_] { c->shutdown(); });
}

void redis_client::command(std::vector<std::string> args,
                           std::chrono::milliseconds timeout, callback done) {
  boost::asio::post(conn_->io(), [c = conn_, args = std::move(args), timeout,
                                  done = std::move(done)]() mutable {
    c->submit(std::move(args), timeout, std::move(done));
  });
}

result<redis_reply>
redis_client::command_sync(std::vector<std::string> args,
                           std::chrono::milliseconds timeout) {
  assert(!conn_->io().get_executor().running_in_this_thread() &&
         "command_sync on the io thread would deadlock");
  if (timeout.count() <= 0)
    return error{"redis command_sync needs a positive timeout"};
  auto promise = std::make_shared<std::promise<result<redis_reply>>>();
  auto answer = promise->get_future();
  command(std::move(args), timeout, [promise](result<redis_reply> r) {
    promise->set_value(std::move(r));
  });
  // The command's timer answers in time while `io` runs; the margin only
  // matters when nobody runs it.
  if (answer.wait_for(timeout + std::chrono::seconds(1)) !=
      std::future_status::ready)
    return error{"redis command got no answer: is the io_context running?"};
  return answer.get();
}

bool redis_client::connected() const {
  return conn_->connected();
}

uint64_t redis_client::reconnect_count() const {
  return conn_->reconnect_count();
}

bool redis_client::wait_connected(std::chrono::milliseconds timeout) const {
  assert(!conn_->io().get_executor().running_in_this_thread());
  return conn_->wait_connected(timeout);
}

} // namespace sb::persistence
