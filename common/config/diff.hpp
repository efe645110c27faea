#pragma once

#include "common/config/loader.hpp"
#include "common/config/schema.hpp"

#include <string>
#include <vector>

namespace sb::config {

/// One setting whose effective value differs between two configurations.
struct setting_change {
  std::string key;
  std::string before;
  std::string after;
  apply_mode mode;
};

/// The settings of one node that differ from `before` to `after`, in schema
/// order, followed by network.yml hosts that changed (restart-only).
std::vector<setting_change> diff(const loaded_config& before,
                                 const loaded_config& after);

/// What a running node does with a freshly loaded configuration: the
/// reloadable changes are taken over into `running`, the others wait for a
/// restart.
struct reload_plan {
  settings running;
  std::vector<setting_change> applied;
  std::vector<setting_change> restart_required;
};

/// Plans a reload from the configuration a node runs to a fresh one.
reload_plan plan_reload(const loaded_config& running,
                        const loaded_config& fresh);

/// The effective configuration of a node as YAML, every key with its value
/// and a comment saying how it applies and where it came from.
std::string render_effective(const loaded_config& cfg);

/// The effective value of `key` (a setting or a section) as lines of
/// "key: value  # source", or an error for an unknown key.
result<std::string> show_key(const loaded_config& cfg, const std::string& key);

} // namespace sb::config
