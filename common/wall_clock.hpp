#pragma once

#include <chrono>
#include <cstdint>

namespace sb {

/// Wall-clock time in Unix milliseconds, for what is stored or sent to
/// other nodes (log entries' append times, API timestamps). Steady clocks
/// differ between processes; this one is comparable across nodes.
inline int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace sb
