#pragma once

#include "common/result.hpp"
#include "persistence/kv/column_families.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::persistence {

/// A set of puts and deletes over several column families, committed all or
/// nothing by `rocks_store::commit`. A plain value: building one touches no
/// database and needs no RocksDB header. Not thread-safe.
class write_batch {
public:
  /// Sets `key` to `value` in `family`.
  void put(cf family, std::string_view key, std::string_view value);
  /// Removes `key` from `family` (a no-op on commit when it is absent).
  void del(cf family, std::string_view key);

  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }

  /// One operation; `value` is nullopt for a delete.
  struct op {
    cf family;
    std::string key;
    std::optional<std::string> value;
  };
  const std::vector<op>& ops() const { return ops_; }

private:
  std::vector<op> ops_;
};

/// How `rocks_store::open` behaves.
struct rocks_options {
  /// Create the database when `dir` holds none; otherwise opening a missing
  /// database is an error.
  bool create_if_missing = true;
};

/// An open RocksDB database with the column families of `cf`.
///
/// Reopening lists the families on disk first. Families this binary does not
/// know (written by a newer sbnode) are opened too and left untouched, so
/// they neither make the open fail nor get dropped; `unknown_families()`
/// names them. Whether the newer data is safe to ignore is decided by the
/// schema version in `meta`/`schema_version`: a newer version is refused.
///
/// Thread-safe: RocksDB serializes writers, and every method may be called
/// from any thread. Methods with `sync` do blocking fsyncs; keep them off
/// shared scheduler threads.
class rocks_store {
public:
  /// The schema version this binary writes and understands.
  static constexpr uint32_t current_schema_version = 1;
  /// The `meta` key holding the schema version (decimal text).
  static constexpr std::string_view schema_version_key = "schema_version";

  /// Opens (or creates) the database in `dir`. A fresh or empty database
  /// gets `current_schema_version` written durably. Fails with an operator
  /// message when the directory is locked by another process, the stored
  /// version is newer than this binary or older with no migration, or a
  /// non-empty database lacks a version.
  static result<std::unique_ptr<rocks_store>>
  open(const std::filesystem::path& dir, const rocks_options& opts = {});

  ~rocks_store();
  rocks_store(const rocks_store&) = delete;
  rocks_store& operator=(const rocks_store&) = delete;

  /// The value of `key`, or nullopt when absent.
  result<std::optional<std::string>> get(cf family, std::string_view key);

  /// A counter or position stored as decimal text: 0 when absent, an error
  /// naming the key and the store when it is not a number.
  result<uint64_t> get_u64(cf family, std::string_view key);

  /// Applies every operation of `batch` atomically (also across families).
  /// With `sync`, the WAL is fsync'd before returning, so the write survives
  /// a power loss; without it, it survives a process crash only.
  status commit(const write_batch& batch, bool sync);

  /// How many commits have touched `family` since the store was opened.
  /// A reader that keeps data derived from a family (a cache) compares it
  /// to tell whether that data may be stale: read the generation first,
  /// then the data, and trust the data while the generation is unchanged.
  uint64_t generation(cf family) const noexcept;

  /// Shorthand for a one-put batch.
  status put(cf family, std::string_view key, std::string_view value,
             bool sync);

  /// Called per key in ascending order; return false to stop.
  using visitor =
      std::function<bool(std::string_view key, std::string_view value)>;

  /// Visits keys in [`start`, `end`) of `family`, at most `limit` of them.
  /// An empty `end` means "to the last key". Sees a consistent snapshot.
  status scan(cf family, std::string_view start, std::string_view end,
              size_t limit, const visitor& visit);

  /// Up to `limit` key/value pairs whose key starts with `prefix`.
  result<std::vector<std::pair<std::string, std::string>>>
  scan_prefix(cf family, std::string_view prefix, size_t limit);

  /// The greatest key of `family`, or nullopt when it is empty.
  result<std::optional<std::string>> last_key(cf family);

  /// Writes a consistent, openable copy of the database to `dir`, which must
  /// not exist yet and must be on the same filesystem (SST files are
  /// hard-linked).
  status checkpoint(const std::filesystem::path& dir);

  /// Families found on disk that this binary does not know.
  const std::vector<std::string>& unknown_families() const;

  const std::filesystem::path& dir() const;

private:
  struct impl;
  explicit rocks_store(std::unique_ptr<impl> p);
  // Writes the version into a fresh database, refuses newer or unknown ones.
  status check_schema();
  std::unique_ptr<impl> impl_;
};

} // namespace sb::persistence
