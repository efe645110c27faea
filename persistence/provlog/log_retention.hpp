// How much of the shared provisioning log to keep (issue 6 item 3): a pure
// decision, taken by one node of the cluster (the maintainer) at a time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace sb::persistence {

struct retention_input {
  uint64_t first = 1;      ///< smallest position held
  uint64_t last = 0;       ///< greatest position appended
  uint64_t keep = 0;       ///< newest changes always kept
  uint64_t checkpoint = 0; ///< position of the newest published checkpoint
  uint64_t own_applied = 0;
  /// What every live node (this one included) has applied.
  std::vector<uint64_t> live_applied;
};

struct retention_plan {
  /// Publish a checkpoint at `own_applied` first: the newest one does not
  /// cover what is to be trimmed.
  bool publish_checkpoint = false;
  /// Trim every change at or before this position; 0: trim nothing.
  uint64_t trim_through = 0;
};

/// Trims down to the newest `keep` changes, but never a change that a live
/// node has not applied yet (it would have to reload a checkpoint) nor one
/// that no checkpoint covers (a node that starts later could not catch up).
/// When the trim needs a newer checkpoint, this node publishes one first,
/// which needs this node to have applied as far as the trim goes.
inline retention_plan plan_retention(const retention_input& in) {
  retention_plan plan;
  if (in.last < in.keep || in.last - in.keep < in.first)
    return plan; // holds no more than `keep`
  uint64_t target = in.last - in.keep;
  for (auto applied : in.live_applied)
    target = std::min(target, applied);
  target = std::min(target, in.own_applied);
  if (target < in.first)
    return plan;
  plan.publish_checkpoint = in.checkpoint < target;
  plan.trim_through = target;
  return plan;
}

} // namespace sb::persistence
