// Who is alive in the cluster, as one node sees it: heartbeats from the
// peers plus their leases in Redis (ARCHITECTURE.md §7; CAF's own
// connection timeouts detect nothing for minutes). A peer silent for
// `suspect_after` is suspect (still owns its keys); silent for
// `dead_after` with no valid lease it is dead, and its keys move. The
// lease is what makes a frozen node (SIGSTOP) lose its keys while a node
// whose heartbeats are only late keeps them: a frozen node cannot renew
// its lease. Every change of the live set bumps the membership epoch,
// which fences deltas and placements of the old view. Pure: the shell
// feeds heartbeats, leases read from Redis and ticks, with `now`.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sb::cluster {

using steady_time = std::chrono::steady_clock::time_point;

struct detector_settings {
  std::chrono::milliseconds suspect_after{600};
  std::chrono::milliseconds dead_after{1500}; ///< detection within 2 s
};

enum class peer_state : uint8_t { alive, suspect, dead };
std::string_view to_string(peer_state s);

struct peer_info {
  peer_state state = peer_state::dead;
  std::optional<steady_time> last_heartbeat;
  std::optional<steady_time> lease_until; ///< from its Redis lease TTL
  bool draining = false; ///< announced it is leaving: owns no key
};

struct membership_view {
  std::string self;
  uint64_t epoch = 1;
  bool self_draining = false;
  std::map<std::string, peer_info> peers; ///< configured peers, not self
};

/// A change of the live set: the new epoch and who came and went.
struct membership_change {
  uint64_t epoch = 0;
  std::vector<std::string> joined;
  std::vector<std::string> left;
};

/// The view of `self` with `peers` configured (all dead until heard).
membership_view make_view(std::string self,
                          const std::vector<std::string>& peers);

/// A heartbeat from `peer` (unknown names are ignored): a dead peer
/// joins (new epoch).
std::optional<membership_change>
on_heartbeat(membership_view& v, const std::string& peer, steady_time now);

/// `peer`'s lease is valid until `until` (as read from Redis).
void on_lease(membership_view& v, const std::string& peer, steady_time until);

/// Time passes: silent peers become suspect, then dead (new epoch).
std::optional<membership_change> on_tick(membership_view& v, steady_time now,
                                         const detector_settings& s);

/// Whether this node's own lease, last renewed at `renewed` (when the
/// renewal was sent), ran out before `now`: the others may have declared
/// the node dead and moved its keys, so it is fenced and must drop what it
/// owned before acting again (a frozen node that woke up, or one cut off
/// from Redis for longer than the TTL).
bool lease_lapsed(std::optional<steady_time> renewed, steady_time now,
                  std::chrono::milliseconds ttl);

/// After this node was frozen, its peers' silence is its own: every peer it
/// had heard gets a fresh grace period from `now`.
void restart_grace(membership_view& v, steady_time now);

/// `peer` says in its heartbeat whether it is draining (sbctl node drain):
/// a change of the flag moves its keys (it leaves, or comes back after a
/// restart). Kept when its connection drops: it is about to exit.
std::optional<membership_change>
on_draining(membership_view& v, const std::string& peer, bool draining);

/// This node starts draining: it leaves placement.
std::optional<membership_change> drain_self(membership_view& v);

/// Self and every peer neither dead nor draining, sorted: the nodes
/// placement uses.
std::vector<std::string> live_members(const membership_view& v);

} // namespace sb::cluster
