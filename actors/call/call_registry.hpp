// Where the SIP edge finds a call: the node's table of live call actors
// by the Call-IDs of their legs (in-dialog requests, ACK, CANCEL) and by
// the ids of the requests they sent (answers). The edge thread reads it
// for every message of a call, call actors write it, so it is a mutexed
// map, not an actor: a hop through a directory actor would double the
// mailbox latency of every in-dialog message. It also counts the calls
// of each subscriber for the concurrent_max limits.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>

namespace sb::actors::call {

class call_registry {
public:
  void add_dialog(const std::string& call_id, caf::actor a);
  void remove_dialog(const std::string& call_id);
  std::optional<caf::actor> by_call_id(const std::string& call_id) const;
  /// Every call actor with a dialog here, each once.
  std::vector<caf::actor> calls() const;

  void add_request(uint64_t id, caf::actor a);
  void remove_request(uint64_t id);
  std::optional<caf::actor> by_request(uint64_t id) const;

  /// Counts a call of a subscriber, outgoing (caller) or incoming
  /// (callee), if its calls stay within `max_total` (concurrent_max) and an
  /// outgoing one within `max_out` (concurrent_max_out); 0 is unlimited.
  /// False, counting nothing, when a limit is reached. `release` undoes it.
  bool admit(uint64_t subscriber_id, bool out, int64_t max_total,
             int64_t max_out);
  void release(uint64_t subscriber_id, bool out);
  /// Calls of a subscriber in one direction (both when `out` is unset).
  int64_t active(uint64_t subscriber_id, std::optional<bool> out = {}) const;

private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, caf::actor> dialogs_;
  std::unordered_map<uint64_t, caf::actor> requests_;
  struct counts {
    int64_t in = 0;
    int64_t out = 0;
  };
  std::unordered_map<uint64_t, counts> active_;
};

} // namespace sb::actors::call
