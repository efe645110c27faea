#pragma once

#include "common/asio.hpp"
#include "persistence/redis/redis_client.hpp"

#include <memory>
#include <string>
#include <thread>

namespace sb::persistence {

/// A `redis_client` on its own io_context thread, connecting at once: one
/// per purpose (provisioning log, cluster membership), so a slow command of
/// one never delays the other. Destroying it closes the client, then joins.
class redis_thread {
public:
  redis_thread(const std::string& host, uint16_t port, redis_options opts);
  ~redis_thread();
  redis_thread(const redis_thread&) = delete;
  redis_thread& operator=(const redis_thread&) = delete;

  redis_client& client() { return *client_; }

private:
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_;
  std::unique_ptr<redis_client> client_;
  std::thread thread_;
};

} // namespace sb::persistence
