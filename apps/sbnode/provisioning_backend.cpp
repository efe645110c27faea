#include "apps/sbnode/provisioning_backend.hpp"

#include "persistence/provlog/local_provisioning_log.hpp"
#include "persistence/provlog/redis_checkpoint_store.hpp"
#include "persistence/provlog/redis_provisioning_log.hpp"
#include "persistence/redis/redis_thread.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace sb::apps {

namespace {

using std::chrono::milliseconds;

class local_backend final : public provisioning_backend {
public:
  explicit local_backend(std::unique_ptr<persistence::local_provisioning_log> l)
      : log_(std::move(l)) {}
  persistence::provisioning_log& log() override { return *log_; }

private:
  std::unique_ptr<persistence::local_provisioning_log> log_;
};

// Redis gets its own connection and thread, so a slow management request
// never delays the provisioning path and vice versa.
class redis_backend final : public provisioning_backend {
public:
  explicit redis_backend(const config::settings& s) {
    persistence::redis_options opts;
    opts.connect_timeout = milliseconds(s.redis.connect_timeout_ms);
    redis_ = std::make_unique<persistence::redis_thread>(
        s.redis.host, static_cast<uint16_t>(s.redis.port), opts);
    if (!redis_->client().wait_connected(
            milliseconds(s.redis.connect_timeout_ms)))
      spdlog::warn("redis {}:{} not reachable yet; retrying in the "
                   "background (the node is not ready until it is)",
                   s.redis.host, s.redis.port);
    log_ = std::make_unique<persistence::redis_provisioning_log>(
        redis_->client(), s.redis.key_prefix + "provlog",
        milliseconds(s.redis.command_timeout_ms));
    // A checkpoint of many subscribers takes longer than a command.
    checkpoints_ = std::make_unique<persistence::redis_checkpoint_store>(
        redis_->client(), s.redis.key_prefix + "provlog",
        std::max(milliseconds(10000),
                 milliseconds(s.redis.command_timeout_ms)));
  }

  ~redis_backend() override {
    checkpoints_.reset();
    log_.reset();
    redis_.reset();
  }

  persistence::provisioning_log& log() override { return *log_; }
  persistence::checkpoint_store* checkpoints() override {
    return checkpoints_.get();
  }

private:
  std::unique_ptr<persistence::redis_thread> redis_;
  std::unique_ptr<persistence::redis_provisioning_log> log_;
  std::unique_ptr<persistence::redis_checkpoint_store> checkpoints_;
};

} // namespace

result<std::unique_ptr<provisioning_backend>>
provisioning_backend::open(const config::settings& s,
                           persistence::rocks_store& store) {
  if (s.provisioning.log_backend == "redis")
    return std::unique_ptr<provisioning_backend>(
        std::make_unique<redis_backend>(s));
  auto log = persistence::local_provisioning_log::open(store);
  if (!log)
    return log.err();
  return std::unique_ptr<provisioning_backend>(
      std::make_unique<local_backend>(std::move(*log)));
}

} // namespace sb::apps
