#pragma once

#include "cluster/cluster_view.hpp"

#include <string>
#include <vector>

namespace sb::cluster {

/// Notices the moment one member dies: it was seen in any other state since
/// the last time, and is dead now. An HA node watches its peer this way to
/// take over the peer's actors once per death (a peer that restarts and dies
/// again is taken over again; one never seen alive, e.g. still starting, is
/// not). Pure; its owner serializes the calls.
class death_watch {
public:
  explicit death_watch(std::string member)
      : member_(std::move(member)) {}

  /// Feeds the membership as it is now; true once per death.
  bool died(const std::vector<member_status>& members);

  const std::string& member() const { return member_; }

private:
  std::string member_;
  bool seen_ = false;
};

} // namespace sb::cluster
