#include "cluster/death_watch.hpp"

#include <algorithm>

namespace sb::cluster {

bool death_watch::died(const std::vector<member_status>& members) {
  auto it = std::find_if(members.begin(), members.end(),
                         [&](const auto& m) { return m.name == member_; });
  if (it == members.end())
    return false;
  if (it->state != peer_state::dead) {
    seen_ = true;
    return false;
  }
  bool was_seen = seen_;
  seen_ = false;
  return was_seen;
}

} // namespace sb::cluster
