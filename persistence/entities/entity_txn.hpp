#pragma once

#include "common/result.hpp"
#include "persistence/provlog/change.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::persistence {

class rocks_store;

/// One provisioning write, prepared against the store as it is now: reads
/// see the transaction's own earlier writes; writes are only collected, and
/// become one `change` for the provisioning log (so they reach every node,
/// all or nothing). Maintains the key layout of entity_keys.hpp: documents,
/// id sequences, unique indexes and reference indexes.
///
/// A transaction is valid only if no other write is applied between its
/// reads and its append: run it where provisioning writes are serialized
/// (the provisioning actor). Not thread-safe.
class entity_txn {
public:
  explicit entity_txn(rocks_store& store);

  /// A stored entity, or nullopt.
  result<std::optional<nlohmann::json>> load(std::string_view kind,
                                             uint64_t id);
  /// The last id allocated for `kind` (0 when none), allocating nothing.
  result<uint64_t> last_id(std::string_view kind);
  /// Allocates the next id of `kind` (ids start at 1, are never reused).
  result<uint64_t> next_id(std::string_view kind);
  /// Stores (creates or replaces) an entity.
  void save(std::string_view kind, uint64_t id, const nlohmann::json& doc);
  /// Removes an entity (its indexes are the caller's to release).
  void erase(std::string_view kind, uint64_t id);

  /// The id holding unique `value` in `index`, or nullopt.
  result<std::optional<uint64_t>> unique_owner(std::string_view index,
                                               std::string_view value);
  /// Claims `value` in `index` for `id`. Fails (returning the holder's id in
  /// the message) if another id holds it; claiming one's own value is fine.
  status claim_unique(std::string_view index, std::string_view value,
                      uint64_t id);
  void release_unique(std::string_view index, std::string_view value);

  /// Records that `kind` #id refers to `parent` through `field`.
  void add_ref(std::string_view kind, std::string_view field, uint64_t parent,
               uint64_t id);
  void remove_ref(std::string_view kind, std::string_view field,
                  uint64_t parent, uint64_t id);
  /// Ids of `kind` referring to `parent` through `field`, at most `limit`.
  result<std::vector<uint64_t>> referrers(std::string_view kind,
                                          std::string_view field,
                                          uint64_t parent, size_t limit);

  bool empty() const { return writes_.empty(); }

  /// The collected writes at one moment, to undo what came after it.
  struct savepoint {
    std::map<std::string, std::optional<std::string>> writes;
    std::vector<std::string> order;
    size_t touches = 0;
  };
  savepoint mark() const { return {writes_, order_, touches_}; }
  /// Forgets every write made since `sp` was marked.
  void rollback(savepoint sp);
  /// Whether anything was written since `sp` was marked.
  bool wrote_since(const savepoint& sp) const { return touches_ != sp.touches; }
  /// The collected writes as a provisioning change.
  change to_change(int64_t time_ms, std::string origin) const;

private:
  result<std::optional<std::string>> get(const std::string& key);
  void put(std::string key, std::string value);
  void del(std::string key);

  rocks_store& store_;
  // Pending writes in order of first touch; nullopt = delete.
  std::map<std::string, std::optional<std::string>> writes_;
  std::vector<std::string> order_;
  size_t touches_ = 0; ///< put/del calls so far
};

} // namespace sb::persistence
