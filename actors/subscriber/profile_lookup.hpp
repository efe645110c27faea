#pragma once

// Reads what provisioning stored about a subscriber (RocksDB, a few
// microseconds) into the `auth_profile` the registrar decides with. Read at
// every REGISTER, so a password, lock or allowed_ips change applies to the
// next request without any cache to invalidate.
#include "actors/subscriber/register_auth.hpp"
#include "common/result.hpp"
#include "persistence/entities/store_reader.hpp"

#include <optional>
#include <string_view>

namespace sb::actors::subscriber {

struct profile_lookup {
  bool domain_known = false;
  std::optional<auth_profile> profile; ///< the subscriber, if it exists
};

/// Looks up `user` (case-insensitively) in `domain`. Errors are storage
/// errors (answer 500), never "not found".
result<profile_lookup> lookup_profile(const persistence::store_reader& reader,
                                      std::string_view domain,
                                      std::string_view user);

/// The profile of subscriber #id, if it still exists.
result<std::optional<auth_profile>>
load_profile(const persistence::store_reader& reader, uint64_t id);

} // namespace sb::actors::subscriber
