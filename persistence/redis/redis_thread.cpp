#include "persistence/redis/redis_thread.hpp"

namespace sb::persistence {

redis_thread::redis_thread(const std::string& host, uint16_t port,
                           redis_options opts)
    : work_(boost::asio::make_work_guard(io_)) {
  client_ = std::make_unique<redis_client>(io_, opts);
  thread_ = std::thread([this] { io_.run(); });
  client_->connect(host, port);
}

redis_thread::~redis_thread() {
  client_.reset();
  work_.reset();
  thread_.join();
}

} // namespace sb::persistence
