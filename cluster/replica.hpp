// Replication of an entity's state changes as sequenced deltas with
// fencing epochs (STYLE S15): every change leaves its owner as
// (key, epoch, seq, delta). A replica applies only the next seq of the
// epoch it follows; a gap is refused (the replica asks for a snapshot); a
// delta from an older epoch comes from a node that lost the key (frozen,
// then woken up) and is refused, which is what keeps two owners from
// both acting. A newer epoch (the key moved after a failover or a
// migration) starts over at seq 1. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sb::cluster {

struct replicated_delta {
  std::string key;
  uint64_t epoch = 0;
  uint64_t seq = 0; ///< 1, 2, ... within the epoch
  std::string delta;
};

/// What a replica has applied of one key.
struct replica_position {
  uint64_t epoch = 0;
  uint64_t last_seq = 0;
};

enum class delta_verdict : uint8_t {
  applied,    ///< the next one: apply it
  duplicate,  ///< already applied (a resend): ignore
  gap,        ///< one or more missing: ask for a snapshot
  stale_epoch ///< from an owner that lost the key: refuse (fencing)
};
std::string_view to_string(delta_verdict v);

/// Decides `d` against `pos` and, when applied, advances `pos`.
delta_verdict accept(replica_position& pos, const replicated_delta& d);

/// A snapshot of epoch `epoch` covering seqs up to `seq` replaces what the
/// replica had, unless it is from an older epoch or behind what it has.
bool accept_snapshot(replica_position& pos, uint64_t epoch, uint64_t seq);

} // namespace sb::cluster
