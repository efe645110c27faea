#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sb::persistence {

// Key layout of provisioning entities in the `provisioning` column family.
// Ids are zero-padded so that keys sort by id.
//   d/<kind>/<id>                      the entity, JSON
//   s/<kind>                           last id allocated for <kind>
//   u/<index>/<value>                  unique value -> owning id
//   r/<kind>/<field>/<parent>/<id>     <kind> #id refers to <parent> by <field>

/// "d/<kind>/" : prefix of every entity of a kind.
std::string doc_prefix(std::string_view kind);
/// The first key past every entity of a kind: the end of a scan of them.
std::string doc_prefix_end(std::string_view kind);
std::string doc_key(std::string_view kind, uint64_t id);
std::string seq_key(std::string_view kind);
std::string unique_key(std::string_view index, std::string_view value);
/// "r/<kind>/<field>/<parent>/" : prefix of every referrer of one parent.
std::string ref_prefix(std::string_view kind, std::string_view field,
                       uint64_t parent);
std::string ref_key(std::string_view kind, std::string_view field,
                    uint64_t parent, uint64_t id);

/// The id at the end of a doc or ref key, 0 if it has none.
uint64_t id_of_key(std::string_view key);

} // namespace sb::persistence
