#pragma once

#include "common/result.hpp"

#include <functional>
#include <optional>
#include <string>

namespace sb::actors {

/// Entity records shared by the nodes of a cluster (Redis in cluster mode):
/// one JSON text per key (an AoR's bindings, a call's snapshot). Writes
/// are fenced by the writer's epoch: an owner that lost the key to a newer
/// view is refused.
class shared_records {
public:
  virtual ~shared_records() = default;
  virtual result<std::optional<std::string>> get(const std::string& key) = 0;
  /// nullopt erases.
  virtual status put(const std::string& key,
                     const std::optional<std::string>& record_json) = 0;
  /// Every key with a record.
  virtual status each(const std::function<void(const std::string&)>& fn) = 0;
};

} // namespace sb::actors
