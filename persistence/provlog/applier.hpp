#pragma once

#include "common/result.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sb::persistence {

class provisioning_log;
class rocks_store;

/// The `meta` key holding the last applied log position (decimal text).
inline constexpr std::string_view applied_position_key = "applied_position";

/// The position of the last change applied to `store`, 0 when none.
result<uint64_t> applied_position(rocks_store& store);

/// Applies up to `max_batch` changes that follow `applied_position(store)`,
/// strictly in order. Each change's mutations and the new applied position
/// go into ONE synced write batch, so after a crash the stored position
/// always matches the data exactly. Stops at the first error, keeping the
/// changes applied before it:
/// - a gap (next change's position != applied + 1),
/// - a mutation of an unknown family, or of `meta`/`provlog` (reserved).
/// Returns how many changes were applied; `newest_time_ms`, when given,
/// gets the append time of the last one applied (for the lag metric). Not
/// reentrant: one applier per store at a time (callers serialize, e.g. one
/// applier thread).
result<size_t> apply_pending(provisioning_log& log, rocks_store& store,
                             size_t max_batch,
                             int64_t* newest_time_ms = nullptr);

} // namespace sb::persistence
