// Checkpoints of the provisioning data (ARCHITECTURE.md §6, issue 6 item 3):
// the `provisioning` family of a node's store at the log position it had
// applied. A node that starts after the shared log was trimmed loads the
// newest checkpoint a peer published, then applies the log's tail; so the
// log only needs to hold what live nodes have not applied yet.
#pragma once

#include "common/result.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sb::persistence {

class rocks_store;

/// The whole `provisioning` family of `store` and its applied position as
/// one blob: a header line "sb-checkpoint 1 <position> <entries>\n", then
/// per entry "<key bytes> <value bytes>\n<key><value>", then "end\n".
/// Consistent only while nothing applies changes meanwhile: call it from
/// the one thread that applies the log (the provisioning actor).
result<std::string> encode_checkpoint(rocks_store& store);

/// The applied position a checkpoint blob was taken at (header only).
result<uint64_t> checkpoint_position(std::string_view blob);

/// Replaces the `provisioning` family of `store` with the blob's entries and
/// sets the applied position to the blob's, in one synced batch. The blob
/// is checked whole first: a malformed or truncated one changes nothing.
/// Returns the position.
result<uint64_t> load_checkpoint(rocks_store& store, std::string_view blob);

/// Where the nodes of a cluster publish checkpoints and the positions they
/// applied (the log's retention needs both).
class checkpoint_store {
public:
  virtual ~checkpoint_store() = default;
  /// Keeps `blob` (taken at `position`) unless a newer one is kept already.
  virtual status publish(uint64_t position, std::string_view blob) = 0;
  /// The newest checkpoint, nullopt when none was published.
  virtual result<std::optional<std::string>> latest() = 0;
  /// The position of the newest checkpoint, 0 when none.
  virtual result<uint64_t> latest_position() = 0;
  /// Records that `node` has applied the log through `position`.
  virtual status report_applied(std::string_view node, uint64_t position) = 0;
  /// Every node's last reported position.
  virtual result<std::map<std::string, uint64_t>> applied_positions() = 0;
};

} // namespace sb::persistence
