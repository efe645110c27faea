// A node's bounded store of actor traces (ARCHITECTURE.md §8), switchable
// at run time: which actors record (by kind, key, sampling rate) and the
// finished traces, oldest dropped first. Actor shells ask `wants` when an
// actor starts and hand in their trace when it ends; `sbctl trace
// start|stop|list|dump` reach it through the node's control API. One
// mutex: actors on any thread, the management thread.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::actors {

struct trace_filter {
  std::string kind = "call"; ///< which actor kind records
  std::string key;           ///< only this key; empty: any
  double rate = 1.0;         ///< the share of matching actors, 0..1
};

class trace_store {
public:
  explicit trace_store(std::size_t capacity = 256);

  void start(trace_filter f);
  void stop();
  std::optional<trace_filter> filter() const;

  /// Whether an actor of `kind` with `key` starting now records; `u` is
  /// a uniform random number in [0, 1) from the caller.
  bool wants(std::string_view kind, std::string_view key, double u) const;

  /// Keeps a finished trace; returns its id (ids are never reused).
  uint64_t add(std::string kind, std::string key, nlohmann::json trace,
               int64_t at_ms);
  /// Replaces trace `id` with its longer version (a long-lived actor hands
  /// its trace in after every step); false when it was dropped meanwhile.
  bool update(uint64_t id, nlohmann::json trace);

  struct entry {
    uint64_t id = 0;
    std::string kind;
    std::string key;
    int64_t at_ms = 0;
    std::size_t steps = 0;
  };
  std::vector<entry> list() const;
  std::optional<nlohmann::json> get(uint64_t id) const;

private:
  struct stored {
    entry e;
    nlohmann::json trace;
  };
  mutable std::mutex mu_;
  std::size_t capacity_;
  std::optional<trace_filter> filter_;
  std::deque<stored> traces_;
  uint64_t next_id_ = 0;
};

} // namespace sb::actors
