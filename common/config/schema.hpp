#pragma once

#include "common/config/settings.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace sb::config {

/// Whether a running node re-applies a setting on reload (SIGHUP,
/// `sbctl config apply`) or needs a restart for it.
enum class apply_mode { reload, restart };

/// The file a setting lives in. Operator settings go in config.yml (and its
/// per-node overrides); constants.yml holds platform constants that are not
/// meant to be edited. A key in the wrong file is an error, never silently
/// shadowed.
enum class home_file { config, constants };

/// One setting: its dotted YAML path, how it is typed and checked, how it is
/// applied, and its documentation.
struct field {
  std::string path;
  std::string type_text;
  apply_mode mode;
  home_file home;
  std::string doc;
  /// Checks a YAML value and stores it. Returns the problem (without file
  /// and line, the loader adds them) or nullopt.
  std::function<std::optional<std::string>(const YAML::Node&, settings&)>
      assign;
  /// The effective value as a YAML flow scalar, for show/build/diff.
  std::function<std::string(const settings&)> render;
};

/// Every setting of config.yml and constants.yml, in documentation order.
const std::vector<field>& schema();

/// The field at `path`, or nullptr.
const field* find_field(std::string_view path);

/// True if some field lives below `path` (so `path` is a section).
bool is_section(std::string_view path);

/// The reference table of every setting (key, type, default, how it
/// applies, file, meaning) in Markdown, as docs/config.md embeds it.
std::string schema_markdown();

std::string_view to_string(apply_mode m);
std::string_view to_string(home_file f);

} // namespace sb::config
