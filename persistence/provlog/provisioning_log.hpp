#pragma once

#include "common/result.hpp"
#include "persistence/provlog/change.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sb::persistence {

/// An ordered, append-only log of provisioning changes. Positions are dense
/// and start at 1; 0 means "before the first change". Implementations are
/// thread-safe: concurrent appends get distinct, increasing positions.
class provisioning_log {
public:
  virtual ~provisioning_log() = default;

  /// Stores `c` at the next position (its `position` field is ignored) and
  /// returns that position. The change is as durable as the backend allows
  /// when this returns (see each backend).
  virtual result<uint64_t> append(change c) = 0;

  /// Up to `max` changes with positions greater than `position`, in order,
  /// each with its `position` set.
  virtual result<std::vector<change>> read_after(uint64_t position,
                                                 size_t max) = 0;

  /// The greatest position appended so far, 0 when the log is empty.
  virtual result<uint64_t> last_position() = 0;

  /// The smallest position still held; positions below it were trimmed.
  /// `last_position() + 1` when the log holds nothing (1 when it never
  /// held anything).
  virtual result<uint64_t> first_position() = 0;

  /// Drops every change at or before `position` (the ones every node has
  /// applied and a checkpoint covers). Trimming what is gone already is a
  /// no-op.
  virtual status trim_through(uint64_t position) = 0;
};

} // namespace sb::persistence
