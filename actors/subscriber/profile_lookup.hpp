#pragma once

// Reads what provisioning stored about a subscriber (RocksDB, a few
// microseconds) into the `auth_profile` the registrar decides with. The
// directory keeps what it read only while the store's provisioning
// generation is unchanged, so a password, lock or allowed_ips change
// applies to the next request.
#include "actors/subscriber/register_auth.hpp"
#include "common/result.hpp"
#include "persistence/entities/store_reader.hpp"

#include <optional>
#include <string_view>

namespace sb::actors::subscriber {

/// The id of `domain` (case-insensitively), or nullopt when it is not
/// provisioned. Errors are storage errors (answer 500), never "not found".
result<std::optional<uint64_t>>
lookup_domain(const persistence::store_reader& reader, std::string_view domain);

/// The profile of `user` (case-insensitively) in domain #domain_id.
result<std::optional<auth_profile>>
lookup_user(const persistence::store_reader& reader, uint64_t domain_id,
            std::string_view user);

/// The profile of subscriber #id, if it still exists.
result<std::optional<auth_profile>>
load_profile(const persistence::store_reader& reader, uint64_t id);

} // namespace sb::actors::subscriber
