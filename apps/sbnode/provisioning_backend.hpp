#pragma once

#include "common/config/settings.hpp"
#include "common/result.hpp"

#include <memory>

namespace sb::persistence {
class checkpoint_store;
class provisioning_log;
class rocks_store;
} // namespace sb::persistence

namespace sb::apps {

/// The provisioning log a node uses, per `provisioning.log_backend`:
/// `local` (the store's provlog family) or `redis` (the cluster's stream,
/// with its own Redis connection and I/O thread). Destroy it only after the
/// actors using the log have stopped.
class provisioning_backend {
public:
  static result<std::unique_ptr<provisioning_backend>>
  open(const config::settings& s, persistence::rocks_store& store);

  virtual ~provisioning_backend() = default;
  virtual persistence::provisioning_log& log() = 0;
  /// Where checkpoints of a shared log are kept; null for the local log,
  /// which is this node's alone and never trimmed.
  virtual persistence::checkpoint_store* checkpoints() { return nullptr; }
};

} // namespace sb::apps
