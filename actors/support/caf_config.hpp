#pragma once

#include "common/config/settings.hpp"

#include <caf/actor_system_config.hpp>

namespace sb::actors {

/// Pushes the YAML settings into CAF (CAF 0.17 would otherwise read
/// caf-application.ini): scheduler policy and thread cap, and the middleman's
/// heartbeat interval and connection timeout, which CAF leaves off so that a
/// frozen peer is never noticed. Loads the middleman module.
void apply_settings(caf::actor_system_config& cfg, const config::settings& s);

} // namespace sb::actors
