#pragma once

#include <CLI/CLI.hpp>

namespace sb::sbctl {

/// Adds `sbctl config check|show|build|diff|commit|apply|status|history`,
/// which mirror ngcpcfg (handbook 9.3).
void add_config_commands(CLI::App& app);

/// Adds `sbctl node status|log-level`.
void add_node_commands(CLI::App& app);

} // namespace sb::sbctl
