// The cluster's CDRs in one place (issue 6): each node writes the CDRs of
// the calls it ran into its outbox (`kind_cdr_outbox` in the `cdrs`
// family), ships them to the shared CDR log (a `provisioning_log` on its own
// Redis stream), and every node with the `db` role collects the log into its
// `kind_cdrs` documents, where /api/cdrs, /api/calllists and the exports
// read them. The reference platform does the same with its central
// accounting database on the db pair: whichever proxy ran a call, the
// operator finds its CDR there.
//
// Nothing is lost: a CDR leaves the outbox only after the log accepted it.
// Nothing is counted twice: a node killed between the append and the
// outbox delete ships the same CDRs again; the collectors skip them, because
// each change names its origin (node and outbox incarnation) and every
// mutation its outbox id, and a collector keeps the newest id per origin.
// Every collector applies the log in order with the same rule, so db nodes
// that collected from the start hold the same CDRs under the same ids.
#pragma once

#include "common/result.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sb::persistence {

class provisioning_log;
class rocks_store;

/// The `meta` key holding the last CDR log position collected.
inline constexpr std::string_view cdr_collected_key = "cdr_collected_position";

/// CDRs waiting in `store`'s outbox.
result<size_t> cdr_outbox_size(rocks_store& store);

/// Appends up to `max` outbox CDRs, oldest first, to `log` as one change
/// from `node`, then removes them from the outbox. Returns how many were
/// shipped (0 when the outbox is empty). On an append error nothing is
/// removed; they go with the next call.
result<size_t> ship_cdrs(rocks_store& store, provisioning_log& log,
                         std::string_view node, size_t max, int64_t now_ms);

/// The position of the last change collected into `store`, 0 when none.
result<uint64_t> cdr_collected_position(rocks_store& store);

struct collect_result {
  size_t changes = 0;    ///< log changes consumed
  size_t stored = 0;     ///< CDRs stored under new ids
  size_t duplicates = 0; ///< CDRs skipped as shipped twice
  size_t rejected = 0;   ///< mutations that are no CDR (logged by the caller)
  int64_t newest_ms = 0; ///< append time of the last change consumed
  /// Positions the log no longer held when this node came to them
  /// (inclusive; both 0 when none): their CDRs are on the other db nodes
  /// only.
  uint64_t skipped_from = 0;
  uint64_t skipped_to = 0;
};

/// Stores the CDRs of up to `max_changes` changes that follow the collected
/// position, in order; each change and the new position go in one synced
/// batch. A node that finds the log trimmed past its position (a db node
/// added late, or away longer than the log was kept for it) goes on from
/// the log's first change and reports the gap.
result<collect_result> collect_cdrs(provisioning_log& log, rocks_store& store,
                                    size_t max_changes);

/// Retention of the CDR log, decided by one node at a time: the first live
/// collector by name (`self` when it is that one) trims through what every
/// collector of network.yml reported; one that never reported holds it
/// all. Returns the position to trim through, 0 for nothing. Pure.
uint64_t cdr_trim_through(std::string_view self,
                          const std::vector<std::string>& collectors,
                          const std::vector<std::string>& live,
                          const std::map<std::string, uint64_t>& reported);

} // namespace sb::persistence
