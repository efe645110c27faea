#pragma once

#include "common/config/network.hpp"
#include "common/config/settings.hpp"
#include "common/result.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sb::config {

/// Where a setting's effective value came from.
struct source_location {
  std::string file;
  int line = 0;
};

/// The validated configuration of one node.
struct loaded_config {
  std::filesystem::path dir;
  std::string node;
  settings values;
  network_config network;
  /// key path -> file and line that set it; absent keys have their default.
  std::map<std::string, source_location> origin;
  /// The layered files that exist, lowest precedence first.
  std::vector<std::string> files;
  /// Identity of the configuration directory's *.yml contents.
  std::string fingerprint;

  const host_config& host() const { return *network.find(node); }
};

/// The config file layers for `node`, lowest precedence first (handbook
/// 9.2): config.yml, config.<node>.yml, config.local.yml, constants.yml.
std::vector<std::string> layered_files(const std::string& node);

/// Loads and validates the configuration in `dir` for `node` (default: the
/// only host of network.yml). On failure the error lists every problem, one
/// per line, as "<file>:<line>: <key path>: <what>".
result<loaded_config> load(const std::filesystem::path& dir,
                           const std::optional<std::string>& node);

/// Loads the configuration of every host in network.yml.
result<std::vector<loaded_config>> load_all(const std::filesystem::path& dir);

/// `path` from a setting as an absolute path: relative paths are relative
/// to the configuration directory (so data_dir: ../var works from conf/).
std::filesystem::path resolve(const loaded_config& cfg,
                              const std::string& path);

/// FNV-1a fingerprint of every *.yml file directly in `dir` (names and
/// contents), as hex.
std::string fingerprint_dir(const std::filesystem::path& dir);

} // namespace sb::config
