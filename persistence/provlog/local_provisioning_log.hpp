#pragma once

#include "persistence/provlog/provisioning_log.hpp"

#include <memory>
#include <mutex>
#include <string>

namespace sb::persistence {

class rocks_store;

/// The provisioning log in the `provlog` family of a `rocks_store`: key =
/// position as 8 big-endian bytes (so keys sort by position), value =
/// `encode_change`. `append` returns after a synced (fsync'd) write.
/// Thread-safe. The store must outlive the log, and only one log object may
/// append to a store at a time (it caches the last position).
class local_provisioning_log final : public provisioning_log {
public:
  /// Reads the last position from `store`.
  static result<std::unique_ptr<local_provisioning_log>>
  open(rocks_store& store);

  result<uint64_t> append(change c) override;
  result<std::vector<change>> read_after(uint64_t position,
                                         size_t max) override;
  result<uint64_t> last_position() override;
  result<uint64_t> first_position() override;
  status trim_through(uint64_t position) override;

private:
  local_provisioning_log(rocks_store& store, uint64_t last)
      : store_(store)
      , last_(last) {}

  rocks_store& store_;
  std::mutex mutex_;
  uint64_t last_; // guarded by mutex_
};

/// The `provlog` key of a position: 8 big-endian bytes.
std::string provlog_key(uint64_t position);

} // namespace sb::persistence
