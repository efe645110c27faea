#pragma once

#include "persistence/provlog/provisioning_log.hpp"

#include <chrono>
#include <string>

namespace sb::persistence {

class redis_client;

/// The provisioning log on a Redis stream, shared by the nodes of a cluster.
/// Stream `<prefix>` holds one entry per change with id `0-<position>` and a
/// field `c` = `encode_change`; `<prefix>:seq` is the position counter. A Lua
/// script INCRs the counter and XADDs with the explicit id in one atomic
/// step, so concurrent appenders (any process) get dense, ordered
/// positions. Durability is Redis's: `append` returns once Redis accepted
/// the entry, which survives a Redis crash only with `appendfsync always`.
/// Thread-safe; calls block (use from worker threads, not from the client's
/// io thread). Requires Redis >= 6.2 (exclusive XRANGE).
class redis_provisioning_log final : public provisioning_log {
public:
  redis_provisioning_log(
      redis_client& client, std::string prefix = "sb:provlog",
      std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

  result<uint64_t> append(change c) override;
  result<std::vector<change>> read_after(uint64_t position,
                                         size_t max) override;
  result<uint64_t> last_position() override;
  result<uint64_t> first_position() override;
  status trim_through(uint64_t position) override;

  const std::string& stream_key() const { return stream_; }
  const std::string& sequence_key() const { return seq_; }

private:
  redis_client& client_;
  std::string stream_;
  std::string seq_;
  std::chrono::milliseconds timeout_;
};

} // namespace sb::persistence
