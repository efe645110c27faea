#pragma once

#include "persistence/provlog/checkpoint.hpp"

#include <chrono>
#include <string>

namespace sb::persistence {

class redis_client;

/// Checkpoints and applied positions of a cluster in Redis, beside the
/// provisioning stream `<prefix>`: hash `<prefix>:checkpoint` (fields
/// `position` and `data`, replaced by a Lua script only by a newer
/// position, so two publishers never move it back) and hash
/// `<prefix>:applied` (node name → position). Calls block: use from
/// worker threads, not the client's io thread.
class redis_checkpoint_store final : public checkpoint_store {
public:
  redis_checkpoint_store(
      redis_client& client, std::string prefix = "sb:provlog",
      std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

  status publish(uint64_t position, std::string_view blob) override;
  result<std::optional<std::string>> latest() override;
  result<uint64_t> latest_position() override;
  status report_applied(std::string_view node, uint64_t position) override;
  result<std::map<std::string, uint64_t>> applied_positions() override;

private:
  redis_client& client_;
  std::string checkpoint_;
  std::string applied_;
  std::chrono::milliseconds timeout_;
};

} // namespace sb::persistence
