#pragma once

#include "actors/subscriber/registrar_env.hpp"

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace sb::actors::subscriber {

/// Spawns the directory that activates one subscriber actor per address of
/// record on its first message and lets it go when idle: an actor lives
/// while it has expiring bindings (its expiry timers and NAT keepalives run
/// in it) or was used within `settings().idle`. Unknown domains are
/// answered 403 "Relaying Denied" and unknown users like wrong passwords,
/// by the directory itself, so no actor exists for them.
caf::actor spawn_subscriber_directory(caf::actor_system& sys,
                                      std::shared_ptr<registrar_env> env);

} // namespace sb::actors::subscriber

namespace sb::actors::subscriber {

/// One subscriber actor for `aor` (used by the directory). It loads its
/// stored bindings, drops the expired ones, and serves registers, admin
/// operations, expiry timers and keepalives until the directory stops it.
caf::actor spawn_subscriber_actor(caf::actor_system& sys,
                                  std::shared_ptr<registrar_env> env,
                                  std::string aor, caf::actor directory);

} // namespace sb::actors::subscriber
