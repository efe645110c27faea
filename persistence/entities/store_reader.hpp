#pragma once

#include "common/result.hpp"
#include "persistence/kv/rocks_store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace sb::persistence {

using nlohmann::json;

/// Read access to provisioning entities as this node has applied them (the
/// local RocksDB): what the API reads, and what the SIP side looks up.
/// Writes go through the provisioning actor.
class store_reader {
public:
  explicit store_reader(rocks_store& store)
      : store_(store) {}

  /// The document `kind`/#id of `family`, or nullopt.
  result<std::optional<json>> load(std::string_view kind, uint64_t id,
                                   cf family = cf::provisioning) const;

  /// The id holding `value` in unique index `index`, or nullopt.
  result<std::optional<uint64_t>> unique_owner(std::string_view index,
                                               std::string_view value) const;

  /// Visits every document of `kind` in id order; return false to stop.
  status each(std::string_view kind,
              const std::function<bool(uint64_t, const json&)>& visit,
              cf family = cf::provisioning) const;

  /// Ids referring to `parent` through `kind`.`field` (entity_keys.hpp).
  result<std::vector<uint64_t>> referrers(std::string_view kind,
                                          std::string_view field,
                                          uint64_t parent, size_t limit) const;

  /// The store's generation of the provisioning family: unchanged means
  /// nothing read from provisioning since may be stale (rocks_store).
  uint64_t provisioning_generation() const noexcept {
    return store_.generation(cf::provisioning);
  }

private:
  rocks_store& store_;
};

} // namespace sb::persistence
