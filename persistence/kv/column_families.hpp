#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sb::persistence {

/// The column families of an sbnode database. This enum and `cf_names` are
/// the single place that declares them: `rocks_store::open` creates every
/// one that is missing. Appending a family is a schema change (bump
/// `rocks_store::current_schema_version` when old binaries must not open it).
enum class cf : uint8_t {
  meta,          ///< schema version, applied provisioning position
  provisioning,  ///< subscriber/domain data written by the provisioning log
  provlog,       ///< the local provisioning log (big-endian position keys)
  registrations, ///< SIP registration bindings
  cdrs,          ///< call detail records awaiting export
  traces,        ///< recorded envelopes for `sbctl trace replay`
};

/// Names on disk, indexed by `cf`. Never rename one: it is the identity of
/// the data in existing databases.
inline constexpr std::array<std::string_view, 6> cf_names = {
    "meta", "provisioning", "provlog", "registrations", "cdrs", "traces",
};

inline constexpr size_t cf_count = cf_names.size();

/// The on-disk name of a column family.
constexpr std::string_view to_string(cf family) {
  return cf_names[static_cast<size_t>(family)];
}

/// The family with that on-disk name, or nullopt for an unknown name.
constexpr std::optional<cf> cf_from_string(std::string_view name) {
  for (size_t i = 0; i < cf_count; ++i)
    if (cf_names[i] == name)
      return static_cast<cf>(i);
  return std::nullopt;
}

} // namespace sb::persistence
