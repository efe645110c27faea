#include "cluster/replica.hpp"

namespace sb::cluster {

std::string_view to_string(delta_verdict v) {
  switch (v) {
  case delta_verdict::applied:
    return "applied";
  case delta_verdict::duplicate:
    return "duplicate";
  case delta_verdict::gap:
    return "gap";
  case delta_verdict::stale_epoch:
    return "stale_epoch";
  }
  return "unknown";
}

delta_verdict accept(replica_position& pos, const replicated_delta& d) {
  if (d.epoch < pos.epoch)
    return delta_verdict::stale_epoch;
  if (d.epoch > pos.epoch) {
    // The key has a new owner: its deltas start at 1.
    if (d.seq != 1)
      return delta_verdict::gap;
    pos = {d.epoch, 1};
    return delta_verdict::applied;
  }
  if (d.seq <= pos.last_seq)
    return delta_verdict::duplicate;
  if (d.seq != pos.last_seq + 1)
    return delta_verdict::gap;
  pos.last_seq = d.seq;
  return delta_verdict::applied;
}

bool accept_snapshot(replica_position& pos, uint64_t epoch, uint64_t seq) {
  if (epoch < pos.epoch || (epoch == pos.epoch && seq < pos.last_seq))
    return false;
  pos = {epoch, seq};
  return true;
}

} // namespace sb::cluster
