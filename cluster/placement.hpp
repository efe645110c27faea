// Where a keyed entity (a subscriber, a call, a peering) lives: rendezvous
// (highest-random-weight) hashing of its key over the live nodes that have
// the role it needs (ARCHITECTURE.md §7). Every node computes the same
// owner from the same membership, with no table to share; when a node
// leaves only its keys move, and a node that joins takes about 1/n of the
// keys from the others. Pure; the hash is fixed (FNV-1a + a 64-bit mixer),
// not std::hash, so nodes built differently still agree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::cluster {

/// A node as placement sees it.
struct placement_node {
  std::string name;               ///< as in network.yml (sp1, sp2, ...)
  std::vector<std::string> roles; ///< lb, proxy, ...
  bool has_role(std::string_view role) const;
};

/// The fixed 64-bit hash placement uses, for keys derived from other
/// identifiers (e.g. a call's from its Call-ID).
uint64_t key_hash(std::string_view s);

/// The weight of `key` on `node`; the owner is the node with the highest.
uint64_t rendezvous_weight(std::string_view key, std::string_view node);

/// The owner of `key` among `nodes` that have `role`; nullopt when none
/// has it. Ties (practically impossible) go to the smaller name.
std::optional<std::string> owner_of(std::string_view key,
                                    const std::vector<placement_node>& nodes,
                                    std::string_view role);

} // namespace sb::cluster
