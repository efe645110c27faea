// Entity state in Redis, fenced by epoch (STYLE S15): each key holds the
// value and the epoch of the writer; a write from an older epoch than the
// stored one is refused, so an owner that lost its keys (frozen, then
// woken) cannot overwrite what the new owner wrote. An erase leaves a
// tombstone with its epoch for `tombstone_ttl`. A set `<prefix>index`
// names the keys that hold a value, so a new owner can find the keys it
// took over. Blocking calls, for actor threads (never the Redis client's
// I/O thread).
#pragma once

#include "common/result.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace sb::persistence {
class redis_client;
}

namespace sb::cluster {

class fenced_kv {
public:
  fenced_kv(persistence::redis_client& redis, std::string prefix,
            std::chrono::milliseconds timeout, std::function<uint64_t()> epoch);

  result<std::optional<std::string>> get(const std::string& key);
  /// Writes (or, for nullopt, erases) `key` at the current epoch; an error
  /// names the newer epoch when fenced.
  status put(const std::string& key, const std::optional<std::string>& value);
  /// Every key that holds a value (not erased).
  status each_key(const std::function<void(const std::string&)>& fn);

  std::chrono::seconds tombstone_ttl{3600};

private:
  persistence::redis_client& redis_;
  std::string prefix_;
  std::chrono::milliseconds timeout_;
  std::function<uint64_t()> epoch_;
};

} // namespace sb::cluster
