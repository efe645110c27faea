#include "cluster/placement.hpp"

namespace sb::cluster {

namespace {

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// splitmix64's finalizer: FNV alone clusters on keys that differ late.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

} // namespace

bool placement_node::has_role(std::string_view role) const {
  for (const auto& r : roles)
    if (r == role)
      return true;
  return false;
}

uint64_t key_hash(std::string_view s) {
  return mix(fnv1a(0xcbf29ce484222325ULL, s));
}

uint64_t rendezvous_weight(std::string_view key, std::string_view node) {
  uint64_t h = fnv1a(0xcbf29ce484222325ULL, key);
  h = fnv1a(h ^ 0xff, node); // a separator, so ("ab","c") != ("a","bc")
  return mix(h);
}

std::optional<std::string> owner_of(std::string_view key,
                                    const std::vector<placement_node>& nodes,
                                    std::string_view role) {
  const placement_node* best = nullptr;
  uint64_t best_weight = 0;
  for (const auto& n : nodes) {
    if (!n.has_role(role))
      continue;
    auto w = rendezvous_weight(key, n.name);
    if (!best || w > best_weight || (w == best_weight && n.name < best->name)) {
      best = &n;
      best_weight = w;
    }
  }
  if (!best)
    return std::nullopt;
  return best->name;
}

} // namespace sb::cluster
